/** The OpenAPI document: valid 3.1 structure, every endpoint of the contract present, as the contract says. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { api, type Endpoint } from './endpoints.ts'
import { OpenApiDocumentSchema } from './endpoints.ts'
import { openApiDocument, openApiPath } from './openapi.ts'
import { PERMISSIONS } from './permissions.ts'

type Json = Record<string, unknown>
const doc = openApiDocument('http://127.0.0.1:7440') as Json & {
  paths: Record<string, Record<string, Json>>
  components: { schemas: Record<string, unknown> }
}

void test('is an OpenAPI 3.1 document with a server, security and operations', () => {
  assert.equal(OpenApiDocumentSchema.safeParse(doc).success, true)
  assert.equal(doc['openapi'], '3.1.0')
  assert.deepEqual(doc['servers'], [{ url: 'http://127.0.0.1:7440' }])
  const methods = new Set(['get', 'post', 'put', 'delete', 'patch'])
  const operationIds = new Set<string>()
  for (const [path, item] of Object.entries(doc.paths)) {
    assert.ok(path.startsWith('/'), path)
    assert.doesNotMatch(path, /:/, `${path} uses {name}, not :name`)
    for (const [method, op] of Object.entries(item)) {
      assert.ok(methods.has(method), `${path} ${method}`)
      const id = op['operationId'] as string
      assert.ok(!operationIds.has(id), `operationId ${id} is unique`)
      operationIds.add(id)
      const responses = op['responses'] as Record<string, Json>
      assert.ok(
        Object.keys(responses).some((s) => /^2\d\d$/.test(s)),
        `${id} has a 2xx answer`,
      )
      for (const response of Object.values(responses))
        assert.equal(typeof response['description'], 'string')
      // every {name} of the path is a required path parameter, and nothing else is
      const declared = (op['parameters'] as Json[])
        .filter((p) => p['in'] === 'path')
        .map((p) => p['name'])
      assert.deepEqual(
        declared,
        [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
        id,
      )
    }
  }
  // every reference resolves
  const text = JSON.stringify(doc)
  for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g))
    assert.ok(name !== undefined && name in doc.components.schemas, `$ref ${name}`)
})

void test('holds every endpoint of the contract, with its method, status, body and permission', () => {
  for (const [name, e] of Object.entries(api) as [string, Endpoint][]) {
    const op = doc.paths[openApiPath(e.path).path]?.[e.method.toLowerCase()]
    assert.ok(op, `${e.method} ${e.path} (${name}) is in the document`)
    assert.equal(op['operationId'], name)
    assert.ok(String(e.successStatus) in (op['responses'] as Json), name)
    assert.equal('requestBody' in op, e.body !== undefined, `${name} body`)
    const isPublic = PERMISSIONS[name as keyof typeof PERMISSIONS].roles === 'public'
    assert.equal(
      Array.isArray(op['security']) && (op['security'] as unknown[]).length === 0,
      isPublic,
      name,
    )
  }
  const count = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0)
  assert.equal(count, Object.keys(api).length)
})

void test('an NDJSON endpoint with a line schema publishes it (status lines)', () => {
  const op = doc.paths['/v1/imports/{importId}/statuses']?.['get'] as Json
  const content = (op['responses'] as Record<string, Json>)['200']?.['content'] as Record<
    string,
    Json
  >
  const line = content['application/x-ndjson']?.['x-line-schema'] as Json
  assert.deepEqual((line['required'] as string[]).toSorted(), ['dataRow', 'line', 'status', 'uuid'])
  const status = (line['properties'] as Record<string, Json>)['status']
  assert.deepEqual(status?.['enum'], ['SUCCESS', 'FAILURE'])
})
