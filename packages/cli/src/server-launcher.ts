/**
 * `labelport serve` belongs to the server (`@labelport/server/serve`): the CLI loads it by name at
 * run time and shares no code or types with it, so no package depends on the server.
 */
export interface ServeOptions {
  port: number
  dataDir: string
  host?: string
  env?: NodeJS.ProcessEnv
}

interface ServerLauncher {
  serve(options: ServeOptions): Promise<number>
}

export async function serve(options: ServeOptions): Promise<number> {
  const specifier = import.meta.resolve('@labelport/server/serve')
  const launcher = (await import(specifier)) as ServerLauncher
  return launcher.serve(options)
}
