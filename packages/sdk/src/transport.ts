/**
 * How the SDK talks to a server: one API key, one endpoint, `fetch` only (so it runs in browsers
 * too). `call()` speaks the HTTP contract of `@labelport/core` (paths, bodies and response
 * schemas written once); `request`, `stream` and `upload` cover raw bodies and NDJSON. `Client`
 * builds on it, and the resource classes (Dataset, Project, imports) hold a `Transport`.
 */
import { ErrorBodySchema, HTTP_STATUS, api, buildPath } from '@labelport/core'
import type { Endpoint, ErrorCode, Issue, Upload } from '@labelport/core'
import type { z } from 'zod'
import { ApiError, LabelportError, TransportError } from './errors.ts'
import { isNode, loadNodeHelpers, readEnv } from './environment.ts'
import { readNdjson } from './ndjson.ts'

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:7440'

export interface ClientOptions {
  /** server root, e.g. `http://127.0.0.1:7440`; else LABELPORT_ENDPOINT; else the default */
  endpoint?: string
  /** a fetch implementation (tests, proxies); defaults to the global one */
  fetch?: typeof fetch
  /** headers sent with every request (the web app's CSRF header for cookie sessions) */
  headers?: Record<string, string>
}

export type BodyOf<E> =
  E extends Endpoint<infer B, z.ZodType | undefined, z.ZodType | undefined>
    ? B extends z.ZodType
      ? z.input<B>
      : never
    : never
type QueryOf<E> =
  E extends Endpoint<z.ZodType | undefined, infer Q, z.ZodType | undefined>
    ? Q extends z.ZodType
      ? z.input<Q>
      : never
    : never
/** The parsed response of a JSON endpoint; undefined for endpoints without a response schema. */
export type ResponseOf<E> =
  E extends Endpoint<z.ZodType | undefined, z.ZodType | undefined, infer R>
    ? R extends z.ZodType
      ? z.output<R>
      : undefined
    : never

export interface CallOptions<E extends Endpoint> {
  /** values of the `:name` segments of the path */
  params?: Record<string, string>
  query?: QueryOf<E>
  body?: BodyOf<E>
  signal?: AbortSignal
}

/** What a raw request may carry (a stream, Blob, bytes, string); `BodyInit` is not global without the DOM lib. */
export type RequestBody = NonNullable<RequestInit['body']>

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>
  /** a raw body (stream, Blob, bytes, string) sent as is */
  body?: RequestBody
  headers?: Record<string, string>
  signal?: AbortSignal
}

export interface UploadOptions {
  contentType?: string
  signal?: AbortSignal
}

function toIssues(error: z.ZodError, at: (string | number)[] = []): Issue[] {
  return error.issues.map((found) => ({
    code: 'validation_failed' as const,
    message: found.message,
    path: [
      ...at,
      ...found.path.filter((part): part is string | number => typeof part !== 'symbol'),
    ],
  }))
}

function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(HTTP_STATUS, value)
}

/** Streaming request bodies need `duplex: 'half'` in Node's fetch; browsers ignore the key. */
function isStream(body: RequestBody | undefined): body is ReadableStream {
  return typeof ReadableStream !== 'undefined' && body instanceof ReadableStream
}

export class Transport {
  readonly endpoint: string
  readonly #apiKey: string | null
  readonly #headers: Record<string, string>
  readonly #fetch: typeof fetch

  /**
   * `apiKey`: sent as a Bearer token; when omitted, LABELPORT_API_KEY. `null`: no key, the
   * browser's session cookie authenticates (the web app, same origin as the server).
   */
  constructor(apiKey?: string | null, options: ClientOptions = {}) {
    const key = apiKey === null ? null : (apiKey ?? readEnv('LABELPORT_API_KEY'))
    if (key === undefined || key === '') {
      throw new LabelportError(
        'unauthenticated',
        'no API key: pass one to new Client(apiKey) or set LABELPORT_API_KEY',
      )
    }
    this.#apiKey = key
    this.#headers = { ...options.headers }
    this.endpoint = (options.endpoint ?? readEnv('LABELPORT_ENDPOINT') ?? DEFAULT_ENDPOINT).replace(
      /\/+$/,
      '',
    )
    const fetchImpl = options.fetch ?? globalThis.fetch
    this.#fetch = (input, init) => fetchImpl(input, init)
  }

  /**
   * One endpoint of the contract: fills the path, checks the body against its schema before
   * sending, and validates the answer with the response schema. Non-2xx → ApiError.
   */
  async call<E extends Endpoint>(
    endpoint: E,
    options: CallOptions<E> = {},
  ): Promise<ResponseOf<E>> {
    const { params = {}, query, body, signal } = options
    if (endpoint.body !== undefined) {
      const checked = endpoint.body.safeParse(body)
      if (!checked.success) {
        const issues = toIssues(checked.error, ['body'])
        throw new LabelportError(
          'validation_failed',
          `invalid request body for ${endpoint.method} ${endpoint.path}: ${issues[0]?.message ?? ''}`,
          {
            path: issues[0]?.path ?? [],
            issues,
          },
        )
      }
    }
    const response = await this.request(endpoint.method, buildPath(endpoint.path, params), {
      ...(query === undefined ? {} : { query: query as NonNullable<RequestOptions['query']> }),
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      ...(signal === undefined ? {} : { signal }),
    })
    if (endpoint.response === undefined) {
      await response.body?.cancel()
      return undefined as ResponseOf<E>
    }
    const json: unknown = await response.json()
    const parsed = endpoint.response.safeParse(json)
    if (!parsed.success) {
      const issues = toIssues(parsed.error)
      throw new LabelportError(
        'internal',
        `the answer of ${endpoint.method} ${endpoint.path} does not match the contract`,
        { issues },
      )
    }
    return parsed.data as ResponseOf<E>
  }

  /** A raw request to the server (authorization added); resolves with a 2xx response, else throws ApiError. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = new URL(this.endpoint + path)
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value))
    }
    const init: RequestInit & { duplex?: 'half' } = {
      method,
      headers: {
        ...(this.#apiKey === null ? {} : { authorization: `Bearer ${this.#apiKey}` }),
        accept: 'application/json, application/x-ndjson',
        ...this.#headers,
        ...options.headers,
      },
    }
    if (options.body !== undefined) init.body = options.body
    if (options.signal !== undefined) init.signal = options.signal
    if (isStream(options.body)) init.duplex = 'half'
    let response: Response
    try {
      response = await this.#fetch(url, init)
    } catch (cause) {
      if (options.signal?.aborted === true) throw cause
      throw new TransportError(`${method} ${url.href} failed: ${(cause as Error).message}`, {
        method,
        url: url.href,
        cause,
      })
    }
    if (!response.ok) throw await this.#toApiError(response, method, url.href)
    return response
  }

  async #toApiError(response: Response, method: string, url: string): Promise<ApiError> {
    const text = await response.text().catch(() => '')
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    const parsed = ErrorBodySchema.safeParse(json)
    if (parsed.success) {
      const { code, message, path, issues } = parsed.data.error
      return new ApiError(code, message, {
        status: response.status,
        method,
        url,
        ...(path ? { path } : {}),
        ...(issues ? { issues } : {}),
      })
    }
    // an error body outside the catalogue (a proxy, an older server): keep what can be kept
    const loose = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error
    const code =
      typeof loose?.code === 'string' && isErrorCode(loose.code)
        ? loose.code
        : statusToCode(response.status)
    const message =
      typeof loose?.message === 'string'
        ? loose.message
        : `${method} ${url} answered ${response.status} ${text.slice(0, 200)}`.trim()
    return new ApiError(code, message, { status: response.status, method, url })
  }

  /**
   * Reads an NDJSON endpoint line by line as it streams. Where the contract names the schema of a
   * line (`endpoint.line`, e.g. status lines), every line is validated with it.
   */
  async *stream<T = unknown>(
    endpoint: Endpoint,
    options: {
      params?: Record<string, string>
      query?: RequestOptions['query']
      signal?: AbortSignal
    } = {},
  ): AsyncGenerator<T> {
    const response = await this.request(
      endpoint.method,
      buildPath(endpoint.path, options.params ?? {}),
      {
        ...(options.query === undefined ? {} : { query: options.query }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
    )
    const schema = endpoint.line
    if (schema === undefined) {
      yield* readNdjson<T>(response.body)
      return
    }
    let n = 0
    for await (const value of readNdjson(response.body)) {
      n++
      const parsed = schema.safeParse(value)
      if (!parsed.success)
        throw new LabelportError(
          'internal',
          `line ${n} of ${endpoint.method} ${endpoint.path} does not match the contract`,
          { issues: toIssues(parsed.error, [n]) },
        )
      yield parsed.data as T
    }
  }

  /**
   * Stores raw bytes on the server (POST /v1/uploads). Use `upload.uri` as a data row's rowData
   * and `upload.id` as an import source. Streams are sent as they are read.
   */
  async upload(body: RequestBody, options: UploadOptions = {}): Promise<Upload> {
    const response = await this.request(api.createUpload.method, api.createUpload.path, {
      body,
      headers: {
        'content-type':
          options.contentType ??
          (body instanceof Blob && body.type !== '' ? body.type : 'application/octet-stream'),
      },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
    const parsed = api.createUpload.response.safeParse(await response.json())
    if (!parsed.success)
      throw new LabelportError(
        'internal',
        'the answer of POST /v1/uploads does not match the contract',
        { issues: toIssues(parsed.error) },
      )
    return parsed.data
  }

  /** Uploads a local file, streamed (Node only). */
  async uploadFile(
    path: string,
    options: { signal?: AbortSignal; contentType?: string } = {},
  ): Promise<Upload> {
    const helpers = await loadNodeHelpers(`uploading ${path}`)
    const file = await helpers.openLocalFile(path)
    return this.upload(file.body, {
      contentType: options.contentType ?? file.contentType,
      ...(options.signal ? { signal: options.signal } : {}),
    })
  }

  /** True where local paths can be read (Node). */
  get canReadFiles(): boolean {
    return isNode()
  }
}

function statusToCode(status: number): ErrorCode {
  if (status === 401) return 'unauthenticated'
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not_found'
  if (status === 409) return 'conflict'
  if (status === 413) return 'payload_too_large'
  if (status === 415) return 'unsupported_media_type'
  if (status === 429) return 'too_many_requests'
  if (status === 400 || status === 422) return 'validation_failed'
  if (status === 503 || status === 502 || status === 504) return 'unavailable'
  return 'internal'
}
