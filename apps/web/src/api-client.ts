/**
 * The web app's side of the HTTP contract in @labelport/core, a thin layer over the SDK's
 * `Transport`: bodies are checked and answers validated with the contract's schemas (NDJSON
 * status lines too), exactly as for SDK users. The method names (`json`, `send`, `ndjson`,
 * `text`, `blob`, `all`) are the pages' call-site API. Same origin as the page (the server serves
 * the SPA); signed in with an API key or with the session cookie.
 */
import { ErrorBodySchema, HTTP_STATUS, buildPath } from '@labelport/core'
import type { Endpoint, ErrorCode, StatusLine } from '@labelport/core'
import { ApiError as SdkApiError, LabelportError, Transport } from '@labelport/sdk'
import type { CallOptions, ResponseOf } from '@labelport/sdk'

export type Query = Record<string, string | number | undefined>

/**
 * What a call throws: every error of the SDK is a `LabelportError` (an `AppError` of core) with
 * `code`, `message`, `path`, `issues` and `status`: the server's refusals (the SDK's `ApiError`),
 * a body the contract refuses before it is sent, an answer that does not match the contract, and
 * no answer at all (`TransportError`, code `unavailable`).
 */
export const ApiError = LabelportError
export type ApiError = LabelportError

/** An error body the server answered to a request made outside the client (the upload's XHR). */
export function apiErrorOf(status: number, body: unknown): LabelportError {
  const parsed = ErrorBodySchema.safeParse(body)
  if (parsed.success) {
    const { code, message, path, issues } = parsed.data.error
    return new LabelportError(code, message, {
      ...(path ? { path } : {}),
      ...(issues ? { issues } : {}),
    })
  }
  const code = (Object.entries(HTTP_STATUS).find(([, s]) => s === status)?.[0] ??
    'internal') as ErrorCode
  return new LabelportError(code, `HTTP ${status}`)
}

/** Query values as the pages give them: empty and undefined values are left out. */
function cleanQuery(query: Query | undefined): Record<string, string | number> | undefined {
  if (query === undefined) return undefined
  const out: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') out[k] = v
  return out
}

/**
 * Signed in with an API key (sent as a Bearer header) or, when `apiKey` is null, with the session
 * cookie the server set at sign-in (httpOnly: the page never sees it). Every call carries the
 * CSRF header the server asks of cookie-authenticated writes. A 401 calls `onUnauthorized`.
 */
export class ApiClient {
  readonly apiKey: string | null
  readonly #onUnauthorized: () => void
  readonly #transport: Transport

  constructor(apiKey: string | null, onUnauthorized: () => void) {
    this.apiKey = apiKey
    this.#onUnauthorized = onUnauthorized
    this.#transport = new Transport(apiKey, {
      endpoint: globalThis.location.origin,
      headers: { 'x-labelport-csrf': '1' },
    })
  }

  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (error instanceof SdkApiError && error.status === 401) this.#onUnauthorized()
      throw error
    }
  }

  #call<E extends Endpoint>(
    endpoint: E,
    params: Record<string, string>,
    query: Query | undefined,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<ResponseOf<E>> {
    const options = {
      params,
      ...(query === undefined ? {} : { query: cleanQuery(query) }),
      ...(body === undefined ? {} : { body }),
      ...(signal === undefined ? {} : { signal }),
    } as CallOptions<E>
    return this.#guard(() => this.#transport.call(endpoint, options))
  }

  #request(
    endpoint: Endpoint,
    params: Record<string, string>,
    query?: Query,
    signal?: AbortSignal,
  ): Promise<Response> {
    const q = cleanQuery(query)
    return this.#guard(() =>
      this.#transport.request(endpoint.method, buildPath(endpoint.path, params), {
        ...(q === undefined ? {} : { query: q }),
        ...(signal === undefined ? {} : { signal }),
      }),
    )
  }

  /** A call that changes something: a JSON body (or raw bytes for uploads); the JSON answer, if any. */
  async send<E extends Endpoint>(
    endpoint: E,
    params: Record<string, string> = {},
    body?: unknown,
    options: { contentType?: string; signal?: AbortSignal } = {},
  ): Promise<ResponseOf<E>> {
    if (!(body instanceof Blob || body instanceof ArrayBuffer))
      return this.#call(endpoint, params, undefined, body, options.signal)
    const response = await this.#guard(() =>
      this.#transport.request(endpoint.method, buildPath(endpoint.path, params), {
        body,
        headers: { 'content-type': options.contentType ?? 'application/octet-stream' },
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    )
    if (endpoint.response === undefined) return undefined as ResponseOf<E>
    const parsed = endpoint.response.safeParse(await response.json())
    if (!parsed.success)
      throw new LabelportError(
        'internal',
        `the answer of ${endpoint.method} ${endpoint.path} does not match the contract`,
      )
    return parsed.data as ResponseOf<E>
  }

  async json<E extends Endpoint>(
    endpoint: E,
    params: Record<string, string> = {},
    query?: Query,
    signal?: AbortSignal,
    /** a JSON body (POST endpoints) */
    body?: unknown,
  ): Promise<ResponseOf<E>> {
    return this.#call(endpoint, params, query, body, signal)
  }

  /** Every line of an NDJSON endpoint; lines the contract has a schema for are validated. */
  async ndjson<T>(
    endpoint: Endpoint,
    params: Record<string, string> = {},
    query?: Query,
    signal?: AbortSignal,
  ): Promise<T[]> {
    const q = cleanQuery(query)
    return this.#guard(async () => {
      const out: T[] = []
      for await (const line of this.#transport.stream<T>(endpoint, {
        params,
        ...(q === undefined ? {} : { query: q }),
        ...(signal === undefined ? {} : { signal }),
      }))
        out.push(line)
      return out
    })
  }

  async text(
    endpoint: Endpoint,
    params: Record<string, string> = {},
    query?: Query,
    signal?: AbortSignal,
  ): Promise<string> {
    return (await this.#request(endpoint, params, query, signal)).text()
  }

  async blob(
    endpoint: Endpoint,
    params: Record<string, string> = {},
    query?: Query,
    signal?: AbortSignal,
  ): Promise<Blob> {
    return (await this.#request(endpoint, params, query, signal)).blob()
  }

  /** Every page of a cursor-paged list, up to `max` items (each page validated). */
  async all<T>(
    endpoint: Endpoint,
    params: Record<string, string> = {},
    max = 100_000,
    signal?: AbortSignal,
  ): Promise<T[]> {
    const items: T[] = []
    let cursor: string | undefined
    do {
      const page = (await this.#call(
        endpoint,
        params,
        { limit: 1000, cursor },
        undefined,
        signal,
      )) as {
        items: T[]
        nextCursor: string | null
      }
      items.push(...page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor && items.length < max)
    return items
  }
}

export type { StatusLine }
