/**
 * Editing an ontology in use: adding is allowed and kept features keep their ids; removing a
 * feature that has annotations is refused with the count (409 feature_in_use); removing an
 * unused one is allowed.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import sharp from 'sharp'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'

const KEY = 'ontology-edit-key-5e1c9a3b7d'
let server: ComposedServer
let dataDir = ''

async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  type = 'application/json',
): Promise<{ status: number; json: T }> {
  const res = await server.app.request(path, {
    method,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': type },
    ...(body === undefined
      ? {}
      : { body: body instanceof Uint8Array ? body : JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T }
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'labelport-ontology-edit-'))
  server = await composeServer({
    ...readConfig(['--data-dir', dataDir], {}),
    databaseUrl: null,
    bootstrapApiKey: KEY,
  })
})
after(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

interface Tool {
  name: string
  featureSchemaId: string
  classifications: {
    name: string
    featureSchemaId: string
    options: { value: string; featureSchemaId: string }[]
  }[]
}

it('adds freely, keeps ids, and refuses to remove a feature that has annotations', async () => {
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } })
    .png()
    .toBuffer()
  const upload = await call<{ uri: string }>(
    'POST',
    '/v1/uploads',
    new Uint8Array(png),
    'image/png',
  )
  const dataset = await call<{ id: string }>('POST', '/v1/datasets', { name: 'd' })
  await call('POST', `/v1/datasets/${dataset.json.id}/data-rows`, {
    items: [{ rowData: upload.json.uri, globalKey: 'one' }],
  })
  await server.catalog.drain()
  const ontology = await call<{ id: string; normalized: { tools: Tool[] } }>(
    'POST',
    '/v1/ontologies',
    {
      name: 'o',
      normalized: {
        tools: [
          { tool: 'point', name: 'pt' },
          {
            tool: 'rectangle',
            name: 'box',
            classifications: [
              { type: 'radio', name: 'q', options: [{ value: 'yes' }, { value: 'no' }] },
            ],
          },
        ],
      },
    },
  )
  const project = await call<{ id: string }>('POST', '/v1/projects', { name: 'p' })
  await call('PUT', `/v1/projects/${project.json.id}/ontology`, { ontologyId: ontology.json.id })
  await call('POST', `/v1/projects/${project.json.id}/batches`, { name: 'b', globalKeys: ['one'] })
  const job = await call<{ id: string }>('POST', `/v1/projects/${project.json.id}/imports`, {
    name: 'i',
    kind: 'mal',
    source: {
      lines: [
        { name: 'pt', point: { x: 1, y: 1 }, dataRow: { globalKey: 'one' } },
        {
          name: 'box',
          bbox: { top: 1, left: 1, height: 5, width: 5 },
          classifications: [{ name: 'q', answer: { name: 'yes' } }],
          dataRow: { globalKey: 'one' },
        },
      ],
    },
  })
  await server.importWorker.whenIdle()
  const done = await call<{ counts: { success: number } }>('GET', `/v1/imports/${job.json.id}`)
  assert.equal(done.json.counts.success, 2)

  const [pt, box] = ontology.json.normalized.tools
  assert.ok(pt && box)
  const withoutPoint = { tools: [box] }
  const refused = await call<{ error: { code: string; message: string } }>(
    'PUT',
    `/v1/ontologies/${ontology.json.id}`,
    { normalized: withoutPoint },
  )
  assert.equal(refused.status, 409)
  assert.equal(refused.json.error.code, 'feature_in_use')
  assert.match(refused.json.error.message, /^1 annotations use .*\(pt\)/)

  // a nested answer in use counts too
  const withoutYes = {
    tools: [
      pt,
      {
        ...box,
        classifications: [
          { ...box.classifications[0], options: [box.classifications[0]?.options[1]] },
        ],
      },
    ],
  }
  const nested = await call<{ error: { code: string } }>(
    'PUT',
    `/v1/ontologies/${ontology.json.id}`,
    {
      normalized: withoutYes,
    },
  )
  assert.equal(nested.json.error.code, 'feature_in_use')

  const added = await call<{ name: string; normalized: { tools: Tool[] } }>(
    'PUT',
    `/v1/ontologies/${ontology.json.id}`,
    { name: 'o v2', normalized: { tools: [pt, box, { tool: 'polygon', name: 'area' }] } },
  )
  assert.equal(added.status, 200, JSON.stringify(added.json))
  assert.equal(added.json.name, 'o v2')
  assert.deepEqual(
    added.json.normalized.tools.slice(0, 2).map((t) => t.featureSchemaId),
    [pt.featureSchemaId, box.featureSchemaId],
  )
  const area = added.json.normalized.tools[2]
  assert.match(area?.featureSchemaId ?? '', /^c[0-9a-z]{24}$/)

  const removedUnused = await call<{ normalized: { tools: Tool[] } }>(
    'PUT',
    `/v1/ontologies/${ontology.json.id}`,
    { normalized: { tools: [pt, box] } },
  )
  assert.equal(removedUnused.status, 200)
  const stored = await call<{ normalized: { tools: Tool[] } }>(
    'GET',
    `/v1/ontologies/${ontology.json.id}`,
  )
  assert.deepEqual(
    stored.json.normalized.tools.map((t) => t.name),
    ['pt', 'box'],
  )
})
