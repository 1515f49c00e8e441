// core is isomorphic: only the Web Crypto subset both Node >= 20 and browsers provide.
declare const crypto: {
  getRandomValues<T extends Uint8Array>(array: T): T
  randomUUID(): string
}
