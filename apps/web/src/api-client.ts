/**
 * The web app's side of the HTTP contract in @labelport/core: one `call` per endpoint, typed by
 * the endpoint's response schema. Same origin as the page (the server serves the SPA).
 */
import { buildPath } from '@labelport/core'
import type { Endpoint, StatusLine } from '@labelport/core'

/** the parsed type of an endpoint's response schema (zod's output type, read off the schema) */
type ResponseOf<E> = E extends { response: infer R }
  ? R extends { _zod: { output: infer O } }
    ? O
    : undefined
  : never

export type Query = Record<string, string | number | undefined>

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly path: (string | number)[] | undefined
  /** the issues of a refusal that lists several (e.g. 422 label_invalid at submit) */
  readonly issues: { code: string; message: string; path: (string | number)[] }[]
  constructor(
    status: number,
    code: string,
    message: string,
    path?: (string | number)[],
    issues: { code: string; message: string; path: (string | number)[] }[] = [],
  ) {
    super(message)
    this.status = status
    this.code = code
    this.path = path
    this.issues = issues
  }
}

/**
 * Signed in with an API key (sent as a Bearer header) or, when `apiKey` is null, with the session
 * cookie the server set at sign-in (httpOnly: the page never sees it). Every call carries the
 * CSRF header the server asks of cookie-authenticated writes.
 */
export class ApiClient {
  readonly apiKey: string | null
  private readonly onUnauthorized: () => void
  constructor(apiKey: string | null, onUnauthorized: () => void) {
    this.apiKey = apiKey
    this.onUnauthorized = onUnauthorized
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'x-labelport-csrf': '1',
      ...(this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {}),
      ...extra,
    }
  }

  /** A call that changes something: a JSON body (or raw bytes for uploads); the JSON answer, if any. */
  async send<E extends Endpoint>(
    endpoint: E,
    params: Record<string, string> = {},
    body?: unknown,
    options: { contentType?: string; signal?: AbortSignal } = {},
  ): Promise<ResponseOf<E>> {
    const raw = body instanceof Blob || body instanceof ArrayBuffer
    const init: RequestInit = {
      method: endpoint.method,
      headers: this.headers(
        body === undefined
          ? {}
          : {
              'content-type':
                options.contentType ?? (raw ? 'application/octet-stream' : 'application/json'),
            },
      ),
      ...(body === undefined ? {} : { body: raw ? body : JSON.stringify(body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    }
    const response = await this.check(await fetch(this.url(endpoint, params), init))
    if (response.status === 204) return undefined as ResponseOf<E>
    return (await response.json()) as ResponseOf<E>
  }

  private url(endpoint: Endpoint, params: Record<string, string>, query?: Query): string {
    const search = new URLSearchParams()
    for (const [k, v] of Object.entries(query ?? {}))
      if (v !== undefined && v !== '') search.set(k, String(v))
    const qs = search.toString()
    return buildPath(endpoint.path, params) + (qs ? `?${qs}` : '')
  }

  private async fetch(
    endpoint: Endpoint,
    params: Record<string, string>,
    query?: Query,
    signal?: AbortSignal,
    body?: unknown,
  ): Promise<Response> {
    const init: RequestInit = {
      method: endpoint.method,
      headers: {
        ...this.headers(),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
    }
    if (body !== undefined) init.body = JSON.stringify(body)
    if (signal) init.signal = signal
    return this.check(await fetch(this.url(endpoint, params, query), init))
  }

  private async check(response: Response): Promise<Response> {
    if (response.ok) return response
    let code = 'http_error'
    let message = `${response.status} ${response.statusText}`
    let path: (string | number)[] | undefined
    let issues: ApiError['issues'] = []
    try {
      const body = (await response.json()) as {
        error?: {
          code?: string
          message?: string
          path?: (string | number)[]
          issues?: ApiError['issues']
        }
      }
      if (body.error?.code) code = body.error.code
      if (body.error?.message) message = body.error.message
      path = body.error?.path
      if (Array.isArray(body.error?.issues)) issues = body.error.issues
    } catch {
      // not a JSON error body (a proxy, a crash): keep the status line
    }
    if (response.status === 401) this.onUnauthorized()
    throw new ApiError(response.status, code, message, path, issues)
  }

  async json<E extends Endpoint>(
    endpoint: E,
    params: Record<string, string> = {},
    query?: Query,
    signal?: AbortSignal,
    /** a JSON body (POST endpoints) */
    body?: unknown,
  ): Promise<ResponseOf<E>> {
    const response = await this.fetch(endpoint, params, query, signal, body)
    return (await response.json()) as ResponseOf<E>
  }

  async ndjson<T>(
    endpoint: Endpoint,
    params: Record<string, string> = {},
    query?: Query,
    signal?: AbortSignal,
  ): Promise<T[]> {
    const response = await this.fetch(endpoint, params, query, signal)
    const text = await response.text()
    const out: T[] = []
    for (const line of text.split('\n')) if (line.trim()) out.push(JSON.parse(line) as T)
    return out
  }

  async text(
    endpoint: Endpoint,
    params: Record<string, string> = {},
    query?: Query,
    signal?: AbortSignal,
  ): Promise<string> {
    const response = await this.fetch(endpoint, params, query, signal)
    return response.text()
  }

  async blob(
    endpoint: Endpoint,
    params: Record<string, string> = {},
    query?: Query,
    signal?: AbortSignal,
  ): Promise<Blob> {
    const response = await this.fetch(endpoint, params, query, signal)
    return response.blob()
  }

  /** Every page of a cursor-paged list, up to `max` items. */
  async all<T>(
    endpoint: Endpoint,
    params: Record<string, string> = {},
    max = 100_000,
    signal?: AbortSignal,
  ): Promise<T[]> {
    const items: T[] = []
    let cursor: string | undefined
    do {
      const response = await this.fetch(endpoint, params, { limit: 1000, cursor }, signal)
      const page = (await response.json()) as { items: T[]; nextCursor: string | null }
      items.push(...page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor && items.length < max)
    return items
  }
}

export type { StatusLine }
