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
  constructor(status: number, code: string, message: string, path?: (string | number)[]) {
    super(message)
    this.status = status
    this.code = code
    this.path = path
  }
}

export class ApiClient {
  readonly apiKey: string
  private readonly onUnauthorized: () => void
  constructor(apiKey: string, onUnauthorized: () => void) {
    this.apiKey = apiKey
    this.onUnauthorized = onUnauthorized
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
        Authorization: `Bearer ${this.apiKey}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
    }
    if (body !== undefined) init.body = JSON.stringify(body)
    if (signal) init.signal = signal
    const response = await fetch(this.url(endpoint, params, query), init)
    if (response.ok) return response
    let code = 'http_error'
    let message = `${response.status} ${response.statusText}`
    let path: (string | number)[] | undefined
    try {
      const body = (await response.json()) as {
        error?: { code?: string; message?: string; path?: (string | number)[] }
      }
      if (body.error?.code) code = body.error.code
      if (body.error?.message) message = body.error.message
      path = body.error?.path
    } catch {
      // not a JSON error body (a proxy, a crash): keep the status line
    }
    if (response.status === 401) this.onUnauthorized()
    throw new ApiError(response.status, code, message, path)
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
