/**
 * Requests refused before the app sees them — by Node's HTTP parser (headers over
 * `maxHeaderSize`, a request that never finishes, bytes that are not HTTP) or by
 * @hono/node-server (a malformed Host header) — get the same JSON error body as every other
 * refusal, instead of a bare status line.
 */
import type { Duplex } from 'node:stream'
import { RequestError } from '@hono/node-server'
import { AppError, toErrorBody } from '@labelport/core'

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
}

function toAppError(err: Error & { code?: string }, maxHeaderBytes: number): AppError {
  if (err.code === 'HPE_HEADER_OVERFLOW')
    return new AppError(
      'headers_too_large',
      `The request headers are larger than the ${maxHeaderBytes} bytes the server reads; send smaller headers`,
      { path: ['headers'] },
    )
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new AppError('request_timeout', 'The request did not arrive in time')
  return new AppError('validation_failed', `Not a valid HTTP request (${err.code ?? err.message})`)
}

const json = (error: AppError): Response =>
  new Response(JSON.stringify(toErrorBody(error)), {
    status: error.status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  })

/**
 * The `errorHandler` of @hono/node-server's request listener: a request it cannot turn into a
 * `Request` (a malformed Host header, an absolute URL it refuses) is a 400 with a coded body,
 * anything else escaping the app a logged 500 `internal`.
 */
export function answerRequestError(log: (message: string, err: unknown) => void) {
  return (err: unknown): Response => {
    if (err instanceof RequestError)
      return json(
        new AppError('validation_failed', `Not a valid HTTP request: ${err.message}`, {
          path: ['headers'],
        }),
      )
    log('unhandled error outside the app', err)
    return json(new AppError('internal', 'Internal server error; the server log has the details'))
  }
}

/** A `clientError` listener for the HTTP server. */
export function answerClientError(maxHeaderBytes: number) {
  return (err: Error & { code?: string }, socket: Duplex): void => {
    const started = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage
    if (err.code === 'ECONNRESET' || !socket.writable || started?.headersSent === true) {
      socket.destroy()
      return
    }
    const error = toAppError(err, maxHeaderBytes)
    const body = JSON.stringify(toErrorBody(error))
    socket.end(
      `HTTP/1.1 ${error.status} ${REASONS[error.status] ?? 'Bad Request'}\r\n` +
        'content-type: application/json; charset=utf-8\r\n' +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        `connection: close\r\n\r\n${body}`,
    )
  }
}
