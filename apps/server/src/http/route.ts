/**
 * Binds a contract endpoint (core/api) to a handler: checks the caller's role against the one
 * permission table (core/api/permissions.ts), validates query and body with
 * the contract's schemas (invalid input → 400 validation_failed with issue paths), and answers
 * the handler's result with the endpoint's success status.
 */
import type { Context, Hono } from 'hono'
import {
  AppError,
  endpointName,
  isPublic,
  mayCall,
  MAX_BODY_DEPTH,
  checkText,
  findJsonProblem,
  type Endpoint,
  type Issue,
  type PathParams,
} from '@labelport/core'
import type { z } from 'zod'
import type { Caller } from '../services/auth-service.ts'

export type AppEnv = { Variables: { caller: Caller; requestId: string } }

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined

export interface HandlerInput<E extends Endpoint> {
  /** typed from the path template: one string per `:name` segment */
  params: PathParams<E['path']>
  query: Infer<E['query']>
  body: Infer<E['body']>
  caller: Caller
  c: Context<AppEnv>
}

/** the largest JSON body accepted (inline import lines and create-data-rows lists are the big ones) */
export const MAX_JSON_BODY_BYTES = 64 * 1024 * 1024

function toIssues(error: z.ZodError, root: string): Issue[] {
  return error.issues.map((i) => ({
    code: 'validation_failed',
    message: i.message,
    path: [root, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
  }))
}

async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const body = c.req.raw.body
  if (!body)
    throw new AppError('validation_failed', 'This endpoint expects a JSON body', { path: ['body'] })
  const reader = (body as ReadableStream<Uint8Array>).getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>
    try {
      next = await reader.read()
    } catch (err) {
      // the client went away mid-body: nothing was done, nobody to tell but the log stays quiet
      throw new AppError('validation_failed', 'The body ended before its end (connection closed)', {
        path: ['body'],
        cause: err,
      })
    }
    const { done, value } = next
    if (done) break
    size += value.byteLength
    if (size > MAX_JSON_BODY_BYTES) {
      await reader.cancel()
      throw new AppError(
        'payload_too_large',
        `JSON bodies are limited to ${MAX_JSON_BODY_BYTES} bytes; upload large inputs with POST /v1/uploads`,
        { path: ['body'] },
      )
    }
    chunks.push(value)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new AppError(
      'validation_failed',
      `The body is not valid JSON: ${(err as Error).message}`,
      { path: ['body'] },
    )
  }
}

/**
 * Path ids and query strings hold only text both databases can store (no NUL, no lone surrogate):
 * `text_invalid` with the parameter's path otherwise.
 */
function checkParamsAndQuery(c: Context<AppEnv>): void {
  for (const [name, value] of Object.entries(c.req.param())) {
    const bad = checkText(value, ['params', name])
    if (bad) throw AppError.fromIssue(bad)
  }
  for (const [name, values] of Object.entries(c.req.queries())) {
    const bad =
      checkText(name, ['query', name]) ??
      values.map((v) => checkText(v, ['query', name])).find((found) => found !== null)
    if (bad) throw AppError.fromIssue(bad)
  }
}

/** Checks a value with a contract schema; invalid → validation_failed with the path under `root`. */
export function validateWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  root: string,
): z.infer<S> {
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issues = toIssues(parsed.error, root)
    throw new AppError(
      'validation_failed',
      `Invalid ${root}: ${issues[0]?.message ?? ''} at ${issues[0]?.path.slice(1).join('.') ?? ''}`,
      { path: issues[0]?.path ?? [root], issues },
    )
  }
  return parsed.data
}

export function route<E extends Endpoint>(
  app: Hono<AppEnv>,
  endpoint: E,
  handler: (input: HandlerInput<E>) => Promise<unknown>,
): void {
  const method = endpoint.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'
  const name = endpointName(endpoint)
  const open = isPublic(name)
  app[method](endpoint.path, async (c) => {
    if (!open) {
      const role = c.get('caller').role
      if (!mayCall(role, name))
        throw new AppError(
          'forbidden',
          `The ${role} role may not call ${endpoint.method} ${endpoint.path} (see the permission table in docs/api.md)`,
        )
    }
    checkParamsAndQuery(c)
    let query: unknown
    if (endpoint.query) {
      const parsed = endpoint.query.safeParse(c.req.query())
      if (!parsed.success) {
        const issues = toIssues(parsed.error, 'query')
        throw new AppError('validation_failed', `Invalid query: ${issues[0]?.message ?? ''}`, {
          path: issues[0]?.path ?? ['query'],
          issues,
        })
      }
      query = parsed.data
    }
    let body: unknown
    if (endpoint.body) {
      const type = c.req.header('content-type') ?? ''
      if (!type.includes('application/json'))
        throw new AppError(
          'unsupported_media_type',
          `Send this body as application/json (got '${type}')`,
          { path: ['headers', 'content-type'] },
        )
      const json = await readJson(c)
      // before the schema: text no database can store, and nesting past the limit
      const hostile = findJsonProblem(json, {
        maxDepth: MAX_BODY_DEPTH,
        path: ['body'],
        textJudgedElsewhere: endpoint.linesAt ? [[...endpoint.linesAt]] : [],
      })
      if (hostile) throw AppError.fromIssue(hostile)
      body = validateWith(endpoint.body, json, 'body')
    }
    const result = await handler({
      // Hono matched the endpoint's own template, so each `:name` of it has its value
      params: c.req.param() as PathParams<E['path']>,
      query: query as Infer<E['query']>,
      body: body as Infer<E['body']>,
      caller: c.get('caller'),
      c,
    })
    if (result instanceof Response) return result
    if (endpoint.responseKind === 'empty') return c.body(null, 204)
    return c.json(result as object, endpoint.successStatus as 200)
  })
}
