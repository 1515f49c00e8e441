/** A configuration the server refuses to start with; `labelport serve` prints its message alone, no stack. */
export class StartupError extends Error {
  override readonly name = 'StartupError'
}
