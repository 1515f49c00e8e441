/**
 * Labelbox's wire protocol on the Hono app: POST /graphql and /_gql (JSON or GraphQL multipart),
 * and GET /graphql/files/imports/:id/:kind for the files the SDK downloads. Every answer is
 * HTTP 200 with `{data, errors}`: Labelbox's SDK retries any 5xx and never reads its body, so
 * errors are sent in the shapes it turns into its own exceptions (`extensions.code`).
 */
import type { Context, Hono } from 'hono'
import {
  Kind,
  OperationTypeNode,
  execute,
  parse,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
} from 'graphql'
import { AppError } from '@labelport/core'
import type { AppEnv } from '../http/route.ts'
import { systemCaller, type Caller } from '../services/auth-service.ts'
import { requestCredentials } from '../http/credentials.ts'
import { IMPORT_FILE_KINDS, type ImportFileKind } from './file-urls.ts'
import { createResolvers, type GraphqlContext, type GraphqlDeps } from './resolvers.ts'
import { buildLabelboxSchema } from './schema.ts'

interface WireError {
  message: string
  extensions: Record<string, unknown>
}

/** An AppError in the shape Labelbox's SDK maps to its exceptions (labelbox/client.py). */
export function toWireError(err: AppError): WireError {
  const labelport = { labelportCode: err.code, path: err.path }
  if (err.status === 401)
    return { message: err.message, extensions: { code: 'AUTHENTICATION_ERROR', ...labelport } }
  if (err.status === 403)
    return { message: err.message, extensions: { code: 'AUTHORIZATION_ERROR', ...labelport } }
  if (err.status === 404)
    return { message: err.message, extensions: { code: 'RESOURCE_NOT_FOUND', ...labelport } }
  if (err.status === 409)
    return { message: err.message, extensions: { code: 'RESOURCE_CONFLICT', ...labelport } }
  // 400 → InvalidQueryError, 422 → UnprocessableEntityError, others → LabelboxError (not retried)
  const status = err.status === 400 || err.status === 422 ? err.status : 500
  return {
    message: err.message,
    extensions: { code: 'INTERNAL_SERVER_ERROR', exception: { status }, ...labelport },
  }
}

function operationOf(document: DocumentNode): { name: string; type: 'query' | 'mutation' } {
  const op = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)
  return {
    name: op?.name?.value ?? '(anonymous operation)',
    type: op?.operation === OperationTypeNode.MUTATION ? 'mutation' : 'query',
  }
}

function unsupported(name: string, errors: readonly GraphQLError[]): WireError {
  return {
    message: `Operation ${name} is not supported by Labelport: ${errors
      .slice(0, 3)
      .map((e) => e.message)
      .join('; ')} (see "Coming from Labelbox" in Labelport's README for the calls that work)`,
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', operation: name },
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.')
  let node: Record<string, unknown> = target
  for (const part of parts.slice(0, -1)) {
    const next = node[part]
    if (typeof next !== 'object' || next === null) return
    node = next as Record<string, unknown>
  }
  const last = parts.at(-1)
  if (last !== undefined) node[last] = value
}

class BadRequest extends Error {}

/** `{query, variables}` from a JSON body or a GraphQL multipart request (files put in place via `map`). */
async function readRequest(
  c: Context<AppEnv>,
): Promise<{ query: string; variables: Record<string, unknown> }> {
  const type = c.req.header('content-type') ?? ''
  let operations: Record<string, unknown>
  try {
    if (type.includes('multipart/form-data')) {
      const form = await c.req.parseBody()
      const field = (name: string, fallback: string) => {
        const value = form[name]
        return typeof value === 'string' ? value : fallback
      }
      operations = JSON.parse(field('operations', '')) as Record<string, unknown>
      const map = JSON.parse(field('map', '{}')) as Record<string, unknown>
      for (const [field, paths] of Object.entries(map)) {
        const file = form[field]
        if (!Array.isArray(paths) || file === undefined) continue
        for (const path of paths) setPath(operations, String(path), file)
      }
    } else {
      operations = await c.req.json<Record<string, unknown>>()
    }
  } catch (err) {
    throw new BadRequest(`The body is not a GraphQL request: ${(err as Error).message}`)
  }
  if (
    typeof operations !== 'object' ||
    operations === null ||
    typeof operations['query'] !== 'string'
  )
    throw new BadRequest('The body must be {"query": "...", "variables": {...}}')
  const variables = operations['variables']
  return {
    query: operations['query'],
    variables:
      typeof variables === 'object' && variables !== null
        ? (variables as Record<string, unknown>)
        : {},
  }
}

export function mountGraphql(
  app: Hono<AppEnv>,
  deps: GraphqlDeps,
  log: (message: string, err?: unknown) => void,
): void {
  const schema: GraphQLSchema = buildLabelboxSchema()
  const { query: queryRoot, mutation: mutationRoot } = createResolvers(deps)

  const answer = (c: Context<AppEnv>, body: { data?: unknown; errors?: WireError[] }) =>
    c.json(body, 200)

  const handle = async (c: Context<AppEnv>) => {
    try {
      let request
      try {
        request = await readRequest(c)
      } catch (err) {
        if (err instanceof BadRequest)
          return answer(c, {
            errors: [{ message: err.message, extensions: { code: 'MALFORMED_REQUEST' } }],
          })
        throw err
      }
      let caller: Caller
      try {
        caller = await deps.auth.authenticate(requestCredentials(c))
      } catch (err) {
        if (err instanceof AppError) return answer(c, { errors: [toWireError(err)] })
        throw err
      }
      let document: DocumentNode
      try {
        document = parse(request.query)
      } catch (err) {
        return answer(c, {
          errors: [
            { message: (err as Error).message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } },
          ],
        })
      }
      const operation = operationOf(document)
      const invalid = validate(schema, document)
      if (invalid.length > 0) return answer(c, { errors: [unsupported(operation.name, invalid)] })

      const context: GraphqlContext = { caller, origin: new URL(c.req.url).origin }
      const result = await execute({
        schema,
        document,
        rootValue: operation.type === 'mutation' ? mutationRoot : queryRoot,
        contextValue: context,
        variableValues: request.variables,
      })
      if (!result.errors) return answer(c, { data: result.data })
      // variables that do not fit the schema: a call shape Labelport does not know
      if (result.data === undefined)
        return answer(c, { errors: [unsupported(operation.name, result.errors)] })
      const errors = result.errors.map((e): WireError => {
        // graphql-js passes errors with an array `path` (as AppError has) through unwrapped
        const original: unknown = (e as unknown) instanceof AppError ? e : e.originalError
        if (original instanceof AppError) return toWireError(original)
        log(`GraphQL ${operation.name}: unexpected error`, original ?? e)
        return {
          message: `${operation.name} failed inside Labelport; the server log has the details`,
          extensions: { code: 'INTERNAL_SERVER_ERROR', exception: { status: 500 } },
        }
      })
      return answer(c, { data: result.data, errors })
    } catch (err) {
      log(`GraphQL request failed`, err)
      return answer(c, {
        errors: [
          {
            message: 'The request failed inside Labelport; the server log has the details',
            extensions: { code: 'INTERNAL_SERVER_ERROR', exception: { status: 500 } },
          },
        ],
      })
    }
  }
  app.post('/graphql', handle)
  app.post('/_gql', handle)

  // the files whose URLs imports hand out: a valid signature, or the caller's own key
  app.get('/graphql/files/imports/:importId/:kind', async (c) => {
    const importId = c.req.param('importId')
    const kind = c.req.param('kind') as ImportFileKind
    if (!IMPORT_FILE_KINDS.includes(kind))
      throw new AppError(
        'not_found',
        `No file '${kind}'; import files are ${IMPORT_FILE_KINDS.join(', ')}`,
        {
          path: ['kind'],
        },
      )
    let caller: Caller
    const signed = deps.signer.check(
      importId,
      kind,
      c.req.query('expires'),
      c.req.query('signature'),
    )
    if (signed === 'ok') {
      const organizationId = await deps.state.importJobOrganization(importId)
      if (organizationId === undefined)
        throw new AppError('import_not_found', `No import ${importId}`, { path: ['importId'] })
      caller = { ...systemCaller(organizationId), role: 'labeler', apiKeyName: 'signed URL' }
    } else if (c.req.header('authorization')) {
      caller = await deps.auth.authenticate(requestCredentials(c))
    } else {
      throw new AppError(
        'forbidden',
        signed === 'expired'
          ? 'This file link has expired; fetch the import again for a fresh one'
          : 'This file link is not valid: use the URL the import answered, or send your API key',
        { path: ['signature'] },
      )
    }
    if (kind === 'input') {
      const stream = await deps.imports.openInput(caller, importId)
      const chunks: Buffer[] = []
      for await (const chunk of stream) chunks.push(chunk as Buffer)
      return c.body(Buffer.concat(chunks), 200, {
        'content-type': 'application/x-ndjson; charset=utf-8',
      })
    }
    await deps.imports.get(caller, importId)
    const lines: string[] = []
    for await (const line of deps.imports.statuses(
      caller,
      importId,
      kind === 'errors' ? { status: 'FAILURE' } : {},
    ))
      lines.push(line)
    // no blank lines: the SDK joins the lines with ',' into one JSON array
    return c.body(lines.length > 0 ? `${lines.join('\n')}\n` : '', 200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
    })
  })
}
