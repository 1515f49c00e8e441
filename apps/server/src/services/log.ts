/** Where services report what nobody awaits (a background job that failed): injected by the composition root. */
export type Log = (message: string, err?: unknown) => void
