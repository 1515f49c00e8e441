/**
 * The OpenAPI 3.1 document of the HTTP contract, generated from `api` (paths, schemas, status
 * codes, permissions) so users of other languages can generate a client. Pure: the server serves
 * it at GET /v1/openapi.json, the web app shows it, a test checks it.
 */
import { z } from 'zod'
import { ErrorBodySchema } from '../errors.ts'
import { api, type Endpoint } from './endpoints.ts'
import { PERMISSIONS } from './permissions.ts'

type JsonSchema = Record<string, unknown>

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // zod's own converter (JSON Schema 2020-12, the dialect of OpenAPI 3.1); a transform's output
  // has no JSON Schema, so it is described as any value
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' })
  return rest
}

/** `/v1/projects/:projectId` → `/v1/projects/{projectId}` and the parameter names. */
export function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = []
  const converted = path.replace(/:([A-Za-z][A-Za-z0-9]*)/g, (_, name: string) => {
    params.push(name)
    return `{${name}}`
  })
  return { path: converted, params }
}

function queryParameters(query: z.ZodType | undefined): JsonSchema[] {
  if (query === undefined) return []
  const schema = jsonSchema(query, 'input')
  const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>
  const required = new Set((schema['required'] ?? []) as string[])
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: property,
  }))
}

const MEDIA: Record<Endpoint['responseKind'], string | null> = {
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  binary: 'application/octet-stream',
  empty: null,
}

function operation(name: string, e: Endpoint): JsonSchema {
  const { params } = openApiPath(e.path)
  const permission = PERMISSIONS[name as keyof typeof PERMISSIONS]
  const media = MEDIA[e.responseKind]
  const success: JsonSchema = { description: e.summary }
  if (media !== null)
    success['content'] = {
      [media]: {
        schema:
          e.response !== undefined && e.responseKind === 'json'
            ? jsonSchema(e.response, 'output')
            : e.responseKind === 'binary'
              ? { type: 'string', format: 'binary' }
              : {},
        // NDJSON: the schema of one line (OpenAPI 3.1's itemSchema is 3.2; this is the 3.1 extension)
        ...(e.responseKind === 'ndjson' && e.line !== undefined
          ? { 'x-line-schema': jsonSchema(e.line, 'output') }
          : {}),
      },
    }
  return {
    operationId: name,
    summary: e.summary,
    ...(permission.roles === 'public'
      ? { security: [] }
      : {
          'x-labelport-roles': permission.roles,
          ...(permission.note === undefined ? {} : { description: permission.note }),
        }),
    parameters: [
      ...params.map((p) => ({ name: p, in: 'path', required: true, schema: { type: 'string' } })),
      ...queryParameters(e.query),
    ],
    ...(e.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(e.body, 'input') } },
          },
        }),
    responses: {
      [String(e.successStatus)]: success,
      default: {
        description: 'An error: one code of the catalogue, the message, the path of the field',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
      },
    },
  }
}

/** The whole document; `serverUrl` becomes its `servers` entry when given. */
export function openApiDocument(serverUrl?: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {}
  for (const [name, e] of Object.entries(api) as [string, Endpoint][]) {
    const { path } = openApiPath(e.path)
    const item = (paths[path] ??= {})
    item[e.method.toLowerCase()] = operation(name, e)
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Labelport',
      version: '1',
      description:
        'Self-hosted image annotation: datasets, ontologies, projects, annotation imports (NDJSON, Labelbox format), export v2, evaluations. Authenticate with `Authorization: Bearer <API key>` or the session cookie of the web app.',
    },
    ...(serverUrl === undefined ? {} : { servers: [{ url: serverUrl }] }),
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
      schemas: { ErrorBody: jsonSchema(ErrorBodySchema, 'output') },
    },
  }
}
