/**
 * Data rows and imports from http(s) URLs: fetched when the host is allowed, refused with a code
 * when it is a loopback address that is not (the default), and the job says why.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import type { ImportJob, StatusLine, Task } from '@labelport/core'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'

const KEY = 'fetch-key-8d2b6e0a4c19f7'

describe('sources by URL', () => {
  let origin = ''
  let http: Server
  const servers: { server: ComposedServer; dataDir: string }[] = []
  const files = new Map<string, { type: string; body: Buffer }>()

  const compose = async (allowHosts: string[]) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'labelport-fetch-'))
    const server = await composeServer({
      ...readConfig(['--data-dir', dataDir], {}),
      databaseUrl: null,
      bootstrapApiKey: KEY,
      fetchAllowHosts: allowHosts,
    })
    servers.push({ server, dataDir })
    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await server.app.request(path, {
        method,
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await res.text()
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
      return (
        res.headers.get('content-type')?.includes('ndjson')
          ? text
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as unknown)
          : JSON.parse(text)
      ) as T
    }
    const waitTask = async (task: Task) => {
      while (task.status === 'IN_PROGRESS') {
        await new Promise((r) => setTimeout(r, 20))
        task = await call<Task>('GET', `/v1/tasks/${task.id}`)
      }
      return task
    }
    return { server, call, waitTask }
  }

  before(async () => {
    const image = await sharp({
      create: { width: 40, height: 30, channels: 3, background: '#abc' },
    })
      .png()
      .toBuffer()
    files.set('/image.png', { type: 'image/png', body: image })
    files.set('/preds.ndjson', {
      type: 'application/x-ndjson',
      body: Buffer.from(
        [
          { name: 'point', point: { x: 1, y: 2 }, dataRow: { globalKey: 'by-url' } },
          { name: 'point', point: { x: 100, y: 2 }, dataRow: { globalKey: 'by-url' } },
        ]
          .map((l) => JSON.stringify(l))
          .join('\n'),
      ),
    })
    http = createServer((req, res) => {
      const file = files.get(req.url ?? '')
      if (!file) {
        res.writeHead(404).end()
        return
      }
      res.writeHead(200, { 'content-type': file.type }).end(file.body)
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  })
  after(async () => {
    for (const { server, dataDir } of servers) {
      await server.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
    await new Promise((resolve) => http.close(resolve))
  })

  it('fetches row data and an import file from an allowed host', async () => {
    const { server, call, waitTask } = await compose(['127.0.0.1'])
    const dataset = await call<{ id: string }>('POST', '/v1/datasets', { name: 'urls' })
    const task = await waitTask(
      await call<Task>('POST', `/v1/datasets/${dataset.id}/data-rows`, {
        items: [
          { rowData: `${origin}/image.png`, globalKey: 'by-url' },
          { rowData: `${origin}/missing.png`, globalKey: 'missing' },
        ],
      }),
    )
    assert.equal(task.createdDataRows.length, 1)
    assert.equal(task.errors[0]?.code, 'fetch_failed')
    assert.deepEqual(task.errors[0]?.path, ['items', 1, 'rowData'])

    const normalized = JSON.parse(
      readFileSync(`${SHARED_FIXTURES}labelbox/derived/seed_ontology_builder_asdict.json`, 'utf8'),
    ) as unknown
    const ontology = await call<{ id: string }>('POST', '/v1/ontologies', { name: 'o', normalized })
    const project = await call<{ id: string }>('POST', '/v1/projects', { name: 'p' })
    await call('PUT', `/v1/projects/${project.id}/ontology`, { ontologyId: ontology.id })
    await call('POST', `/v1/projects/${project.id}/batches`, { name: 'b', globalKeys: ['by-url'] })
    const job = await call<ImportJob>('POST', `/v1/projects/${project.id}/imports`, {
      name: 'from-url',
      kind: 'mal',
      source: { url: `${origin}/preds.ndjson` },
    })
    await server.importWorker.whenIdle()
    const done = await call<ImportJob>('GET', `/v1/imports/${job.id}`)
    assert.equal(done.state, 'FINISHED')
    const statuses = await call<StatusLine[]>('GET', `/v1/imports/${job.id}/statuses`)
    assert.deepEqual(
      statuses.map((s) => [s.status, s.errors?.[0]?.code]),
      [
        ['SUCCESS', undefined],
        ['FAILURE', 'geometry_out_of_bounds'],
      ],
    )
    // the input as received stays readable
    const input = await server.app.request(`/v1/imports/${job.id}/input`, {
      headers: { authorization: `Bearer ${KEY}` },
    })
    assert.equal(await input.text(), files.get('/preds.ndjson')?.body.toString())
  })

  it('refuses loopback sources by default, naming the reason', async () => {
    const { server, call, waitTask } = await compose([])
    const dataset = await call<{ id: string }>('POST', '/v1/datasets', { name: 'urls' })
    const task = await waitTask(
      await call<Task>('POST', `/v1/datasets/${dataset.id}/data-rows`, {
        items: [{ rowData: `${origin}/image.png`, globalKey: 'refused' }],
      }),
    )
    assert.equal(task.createdDataRows.length, 0)
    assert.equal(task.errors[0]?.code, 'fetch_address_forbidden')

    const ontology = await call<{ id: string }>('POST', '/v1/ontologies', {
      name: 'o',
      normalized: { tools: [{ tool: 'point', name: 'point' }] },
    })
    const project = await call<{ id: string }>('POST', '/v1/projects', { name: 'p' })
    await call('PUT', `/v1/projects/${project.id}/ontology`, { ontologyId: ontology.id })
    const job = await call<ImportJob>('POST', `/v1/projects/${project.id}/imports`, {
      name: 'refused',
      kind: 'mal',
      source: { url: `${origin}/preds.ndjson` },
    })
    await server.importWorker.whenIdle()
    const done = await call<ImportJob>('GET', `/v1/imports/${job.id}`)
    assert.equal(done.state, 'FAILED')
    assert.equal(done.failureReason?.code, 'fetch_address_forbidden')
    assert.deepEqual(done.failureReason?.path, ['source', 'url'])
  })
})
