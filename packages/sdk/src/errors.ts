/**
 * What the SDK throws. Every error is an `AppError` of `@labelport/core`, so callers check
 * `err.code` against the one catalogue whether the problem was found here or by the server.
 */
import { AppError } from '@labelport/core'
import type { ErrorCode, Issue, IssuePath } from '@labelport/core'

/** Base class of every error the SDK throws on purpose. */
export class LabelportError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    options: { path?: IssuePath; issues?: readonly Issue[]; cause?: unknown } = {},
  ) {
    super(code, message, options)
    // `name` is a readonly literal on AppError; set the runtime value for stack traces and logs.
    Object.defineProperty(this, 'name', { value: new.target.name })
  }
}

/** The server answered with a non-2xx status; `code`, `path` and `issues` come from its error body. */
export class ApiError extends LabelportError {
  readonly httpStatus: number
  readonly method: string
  readonly url: string

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      status: number
      method: string
      url: string
      path?: IssuePath
      issues?: readonly Issue[]
    },
  ) {
    super(code, message, options)
    this.httpStatus = options.status
    this.method = options.method
    this.url = options.url
  }

  /** the HTTP status the server answered (not only the one the code maps to) */
  override get status(): number {
    return this.httpStatus
  }
}

/** The request never got an answer: connection refused, DNS, reset, aborted. `cause` holds the original error. */
export class TransportError extends LabelportError {
  readonly method: string
  readonly url: string

  constructor(message: string, options: { method: string; url: string; cause: unknown }) {
    super('unavailable', message, { cause: options.cause })
    this.method = options.method
    this.url = options.url
  }
}
