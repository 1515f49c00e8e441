/**
 * Hostile input over every endpoint of the contract, on SQLite and PostgreSQL: malformed path
 * parameters, query strings, bodies and headers, generated from `api` (a new endpoint is covered
 * without touching this file). Every answer is below 500 and, when refused, carries a JSON
 * `{error:{code,…}}` whose code is in the catalogue.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { z } from 'zod'
import { api, buildPath, ErrorBodySchema, type Endpoint } from '@labelport/core'
import { postgres } from '@labelport/testkit'
import { makeWorld, type OrgThings, type World } from '../../test/world.ts'

const pgNeed = postgres()
const endpoints = Object.entries(api) as [string, Endpoint][]

/** Raw path segments (already URL syntax): broken escapes, NUL, invalid UTF-8, very long, odd. */
const BAD_SEGMENTS = [
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  'a%00b',
  '%ED%A0%80', // a surrogate encoded as UTF-8: not UTF-8
  '%C0%AF', // overlong '/'
  '%F0%9F%98%80%E5%90%8D',
  '%uD800',
  'x'.repeat(8000),
  '..',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  "'%20or%201=1--",
  '%25',
  '-1',
]

const BAD_QUERY_VALUES = [
  '%',
  '%zz',
  '%00',
  'a%00b',
  '%ED%A0%80',
  '%EF%BF%BF',
  'x'.repeat(8000),
  '-1',
  '1e999',
  'NaN',
  '0x10',
  '%5B%5D',
]

const deepArray = (depth: number): unknown => {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

/** Values put in place of each leaf (and each sub-tree) of a valid body. */
const REPLACEMENTS: [string, unknown][] = [
  ['NUL', 'a\u0000b'],
  ['lone surrogate', 'x\ud800'],
  ['reversed lone surrogate', '\udc00x'],
  ['100 KB string', 'x'.repeat(100_000)],
  ['unicode', '😀 名前 \u202e\u200b'],
  ['empty string', ''],
  ['negative', -1],
  ['huge number', 1e308],
  ['fraction', 0.5],
  ['null', null],
  ['boolean', true],
  ['array', []],
  ['object', {}],
  ['object with a NUL key', { 'k\u0000': 1 }],
  ['200 levels deep', deepArray(200)],
]

const RAW_BODIES: [string, string | Uint8Array][] = [
  ['empty', ''],
  ['not JSON', 'nope'],
  ['truncated', '{"name": '],
  ['array', '[]'],
  ['null', 'null'],
  ['number', '1'],
  ['string', '"s"'],
  ['BOM', '\ufeff{}'],
  ['NUL byte', '{"name":"a\u0000b"}'],
  ['escaped NUL', '{"name":"a\\u0000b"}'],
  ['escaped lone surrogate', '{"name":"\\ud800"}'],
  ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
  ['100k nested arrays', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
  ['5k nested objects', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`],
  ['__proto__', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'],
  ['2 MB string', `{"name":"${'x'.repeat(2_000_000)}"}`],
]

/** A body the endpoint's schema accepts, so mutations of it reach the services. */
function validBody(name: string, a: OrgThings): unknown {
  switch (name) {
    case 'createDataRows':
      return { items: [{ rowData: `upload://${a.uploadId}`, globalKey: 'hostile-row' }] }
    case 'createOntology':
      return {
        name: 'hostile ontology',
        normalized: {
          tools: [
            {
              tool: 'point',
              name: 'p',
              classifications: [
                { type: 'radio', name: 'q', options: [{ value: 'o', label: 'o' }] },
              ],
            },
          ],
          classifications: [],
        },
      }
    case 'updateOntology':
      return {
        normalized: {
          tools: [{ tool: 'point', name: 'p2' }],
          classifications: [],
        },
      }
    case 'updateDataRowMetadata':
      return { metadataFields: [{ name: 'camera', value: 'hostile' }] }
    case 'connectOntology':
      return { ontologyId: a.ontologyId }
    case 'skipDataRow':
      return { reason: 'hostile' }
    case 'saveDraft':
      return {
        baseVersion: 0,
        annotations: [
          {
            uuid: '00000000-0000-4000-8000-00000000beef',
            name: 'p',
            point: { x: 1, y: 1 },
            provenance: { source: 'drawn' },
          },
        ],
      }
    case 'addDraftAnnotation':
    case 'replaceDraftAnnotation':
      return {
        baseVersion: 0,
        annotation: {
          uuid: '00000000-0000-4000-8000-00000000beef',
          name: 'p',
          point: { x: 1, y: 1 },
          provenance: { source: 'drawn' },
        },
      }
    case 'submitLabel':
      return { baseVersion: 0 }
    case 'reviewLabel':
      return { decision: 'reject', comment: 'hostile' }
    case 'createEvaluation':
      return { iouType: 'bbox', iouThreshold: 0.5 }
    case 'signIn':
      return { email: 'nobody@hostile.example', password: 'not the password' }
    case 'createUser':
      return {
        email: 'hostile-user@hostile.example',
        name: 'hostile user',
        role: 'labeler',
        password: 'a hostile password',
      }
    case 'updateUser':
      return { name: 'renamed by the hostile suite' }
    case 'createApiKey':
      return { name: 'hostile key' }
    case 'createOrganization':
      return {
        name: 'hostile organization',
        admin: {
          email: 'hostile-admin@hostile.example',
          name: 'admin',
          password: 'a hostile password',
        },
      }
    case 'createBatch':
      return { name: 'hostile batch', globalKeys: [a.globalKey] }
    case 'createFormatImport':
      return {
        name: 'hostile format import',
        kind: 'mal',
        format: 'coco',
        source: { uploadId: a.uploadId },
      }
    case 'createImport':
    case 'validateImport':
      return {
        name: 'hostile import',
        kind: 'mal',
        source: {
          lines: [{ name: 'point', point: { x: 1, y: 2 }, dataRow: { globalKey: a.globalKey } }],
        },
      }
    default:
      return undefined
  }
}

/** A value a schema accepts, for endpoints without a hand-made body. */
function sampleOf(schema: z.ZodType): unknown {
  if (schema instanceof z.ZodObject)
    return Object.fromEntries(
      Object.entries(schema.shape).map(([k, s]) => [k, sampleOf(s as z.ZodType)]),
    )
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable)
    return sampleOf(schema.unwrap() as z.ZodType)
  if (schema instanceof z.ZodArray) return [sampleOf(schema.element as z.ZodType)]
  if (schema instanceof z.ZodUnion) return sampleOf(schema.options[0] as z.ZodType)
  if (schema instanceof z.ZodLiteral) return schema.value
  if (schema instanceof z.ZodEnum) return schema.options[0]
  if (schema instanceof z.ZodString) return 'sample'
  if (schema instanceof z.ZodNumber) return 1
  if (schema instanceof z.ZodBoolean) return true
  return {}
}

type Path = (string | number)[]

/** Every path into a JSON value (its leaves and its sub-trees), the root excluded. */
function pathsOf(value: unknown, at: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return at.length > 0 ? [at] : []
  const children = Array.isArray(value)
    ? value.map((v, i) => pathsOf(v, [...at, i]))
    : Object.entries(value).map(([k, v]) => pathsOf(v, [...at, k]))
  return [...(at.length > 0 ? [at] : []), ...children.flat()]
}

function replaced(value: unknown, path: Path, by: unknown): unknown {
  if (path.length === 0) return by
  const [head, ...rest] = path
  if (Array.isArray(value))
    return value.map((v, i) => (i === head ? replaced(v, rest, by) : v) as unknown)
  const obj = value as Record<string, unknown>
  return { ...obj, [head as string]: replaced(obj[head as string], rest, by) }
}

/** Ids no organization has: DELETE requests aim there, so hostile variations delete nothing real. */
const NOBODY: Record<string, string> = {
  datasetId: 'c0nobody00000000000000000',
  dataRowId: 'c0nobody00000000000000000',
  taskId: 'c0nobody00000000000000000',
  ontologyId: 'c0nobody00000000000000000',
  projectId: 'c0nobody00000000000000000',
  importId: 'c0nobody00000000000000000',
  annotationId: 'c0nobody00000000000000000',
  evaluationId: 'c0nobody00000000000000000',
  uuid: '00000000-0000-4000-8000-00000000beef',
  userId: 'c0nobody00000000000000000',
  apiKeyId: 'c0nobody00000000000000000',
  sha256: '0'.repeat(64),
}

function idsOf(org: OrgThings): Record<string, string> {
  return {
    datasetId: org.datasetId,
    dataRowId: org.dataRowId,
    taskId: org.taskId,
    ontologyId: org.ontologyId,
    projectId: org.projectId,
    importId: org.importId,
    annotationId: org.maskAnnotationId,
    evaluationId: org.evaluationId,
    uuid: '00000000-0000-4000-8000-00000000beef',
    userId: org.userId,
    apiKeyId: org.apiKeyId,
    sha256: org.maskSha256,
  }
}

interface Tally {
  requests: number
  failures: string[]
}

/** Sends one request and records it when it is a 5xx or a refusal without a catalogue code. */
async function probe(
  w: World,
  tally: Tally,
  label: string,
  method: string,
  path: string,
  init: { body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<void> {
  tally.requests++
  let res: Response
  try {
    res = await w.request(method, path, init)
  } catch (err) {
    tally.failures.push(`${label}: the request threw ${(err as Error).message}`)
    return
  }
  const text = await res.text()
  const short = text.slice(0, 200)
  if (res.status >= 500) {
    tally.failures.push(`${label}: ${res.status} ${short}`)
    return
  }
  if (res.status < 400) return
  if (!(res.headers.get('content-type') ?? '').includes('application/json')) {
    tally.failures.push(`${label}: ${res.status} without a JSON body`)
    return
  }
  try {
    ErrorBodySchema.parse(JSON.parse(text))
  } catch {
    tally.failures.push(`${label}: ${res.status} body is not {error:{code,…}}: ${short}`)
  }
}

function paramNames(endpoint: Endpoint): string[] {
  return [...endpoint.path.matchAll(/:([A-Za-z][A-Za-z0-9]*)/g)].map((m) => m[1] ?? '')
}

function report(t: { diagnostic(message: string): void }, tally: Tally): void {
  t.diagnostic(`${tally.requests} hostile requests, ${tally.failures.length} answered badly`)
  assert.deepEqual(
    tally.failures.slice(0, 30),
    [],
    `${tally.failures.length} of ${tally.requests} hostile requests were answered badly`,
  )
  assert.ok(tally.requests > 0)
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`hostile input on ${dialect}`, { skip: dialect === 'postgres' && pgNeed.skip }, () => {
    let w: World
    let counter = 0
    before(async () => {
      w = await makeWorld(dialect === 'postgres' ? pgNeed.value : null)
    })
    after(async () => {
      await w?.server.importWorker.whenIdle()
      await w?.server.catalog.drain()
      await w?.close()
    })

    it('every body endpoint has a valid body the contract accepts (else mutations never reach the services)', () => {
      for (const [name, endpoint] of endpoints) {
        if (!endpoint.body) continue
        const body = validBody(name, w.a) ?? sampleOf(endpoint.body)
        const parsed = endpoint.body.safeParse(body)
        assert.ok(
          parsed.success,
          `${name}: add a valid body to validBody(): ${parsed.error?.message ?? ''}`,
        )
      }
    })

    it('malformed path parameters: never 5xx, always a coded error', async (t) => {
      const tally: Tally = { requests: 0, failures: [] }
      const ids = idsOf(w.a)
      for (const [name, endpoint] of endpoints) {
        for (const param of paramNames(endpoint)) {
          for (const segment of BAD_SEGMENTS) {
            const path = buildPath(endpoint.path, { ...ids, [param]: '\u0001' }).replace(
              '%01',
              segment,
            )
            const body = validBody(name, w.a)
            await probe(
              w,
              tally,
              `${name} :${param}=${segment.slice(0, 40)}`,
              endpoint.method,
              path,
              {
                ...(body === undefined ? {} : { body: JSON.stringify(body) }),
              },
            )
          }
        }
      }
      // unknown routes and the web app's paths too
      for (const segment of BAD_SEGMENTS)
        for (const path of [`/v1/${segment}`, `/${segment}`, `/assets/${segment}.js`])
          await probe(w, tally, `GET ${path.slice(0, 60)}`, 'GET', path)
      report(t, tally)
    })

    it('hostile query strings: never 5xx, always a coded error', async (t) => {
      const tally: Tally = { requests: 0, failures: [] }
      const ids = idsOf(w.a)
      for (const [name, endpoint] of endpoints) {
        if (endpoint.method !== 'GET') continue
        const path = buildPath(endpoint.path, ids)
        const keys = endpoint.query instanceof z.ZodObject ? Object.keys(endpoint.query.shape) : []
        for (const key of [...keys, '%zz', 'a%00b'])
          for (const value of BAD_QUERY_VALUES)
            await probe(
              w,
              tally,
              `${name} ?${key}=${value.slice(0, 30)}`,
              'GET',
              `${path}?${key}=${value}`,
            )
        for (const key of keys)
          await probe(w, tally, `${name} ?${key} twice`, 'GET', `${path}?${key}=1&${key}=2`)
      }
      report(t, tally)
    })

    it('hostile bodies: raw bytes, and every field of a valid body replaced by hostile values', async (t) => {
      const tally: Tally = { requests: 0, failures: [] }
      const ids = idsOf(w.a)
      for (const [name, endpoint] of endpoints) {
        if (endpoint.method === 'GET') continue
        const path = buildPath(endpoint.path, endpoint.method === 'DELETE' ? NOBODY : ids)
        for (const [label, raw] of RAW_BODIES)
          await probe(w, tally, `${name} raw ${label}`, endpoint.method, path, { body: raw })
        if (!endpoint.body) continue
        const valid = validBody(name, w.a) ?? sampleOf(endpoint.body)
        for (const at of pathsOf(valid)) {
          for (const [label, by] of REPLACEMENTS) {
            let body = replaced(valid, at, by) as Record<string, unknown>
            // names are unique per parent: keep each request's own so the rest is judged
            if (typeof body['name'] === 'string' && at[0] !== 'name')
              body = { ...body, name: `${body['name']} ${++counter}` }
            await probe(w, tally, `${name} ${at.join('.')}=${label}`, endpoint.method, path, {
              body: JSON.stringify(body),
            })
          }
        }
      }
      report(t, tally)
    })

    it('hostile headers: keys, content types, encodings', async (t) => {
      const tally: Tally = { requests: 0, failures: [] }
      const ids = idsOf(w.a)
      const headerSets: [string, Record<string, string>][] = [
        ['no bearer', { authorization: 'Basic Zm9vOmJhcg==' }],
        ['empty bearer', { authorization: 'Bearer ' }],
        ['8 KB key', { authorization: `Bearer ${'k'.repeat(8000)}` }],
        ['latin-1 key', { authorization: 'Bearer cl\u00e9' }],
        ['two keys', { authorization: `Bearer ${w.a.key} ${w.b.key}` }],
        ['text/plain', { 'content-type': 'text/plain' }],
        ['no content type', { 'content-type': '' }],
        ['utf-16 json', { 'content-type': 'application/json; charset=utf-16' }],
        ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
        ['odd accept', { accept: 'application/x-\u00ff', 'accept-encoding': 'br;q=2, *;q=-1' }],
      ]
      for (const [name, endpoint] of endpoints) {
        const path = buildPath(endpoint.path, endpoint.method === 'DELETE' ? NOBODY : ids)
        const body = validBody(name, w.a)
        for (const [label, headers] of headerSets)
          await probe(w, tally, `${name} ${label}`, endpoint.method, path, {
            headers,
            ...(endpoint.method === 'GET' || endpoint.method === 'DELETE'
              ? {}
              : { body: body === undefined ? '{}' : JSON.stringify(body) }),
          })
      }
      report(t, tally)
    })

    it('after all that, the organization’s things are intact and the server still serves', async () => {
      await w.server.importWorker.whenIdle()
      for (const path of [
        `/v1/datasets/${w.a.datasetId}`,
        `/v1/projects/${w.a.projectId}`,
        `/v1/imports/${w.a.importId}`,
        `/v1/masks/${w.a.maskSha256}`,
      ])
        assert.equal((await w.request('GET', path)).status, 200, path)
    })
  })
}
