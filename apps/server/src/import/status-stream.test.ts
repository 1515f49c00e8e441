/**
 * Status lines stream (issue 10): while an import runs, GET …/statuses answers with the status
 * lines of its committed chunks, in line order, and they match the job's counts at that moment.
 * The job is held mid-way deterministically on PostgreSQL: once its first chunk has committed, the
 * test locks the annotation table, so the next chunk's upsert waits until the lock is released.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { newId, type ImportJob, type StatusLine } from '@labelport/core'
import { connect, type Connection } from '@labelport/db'
import { SHARED_FIXTURES, freshSchemaUrl, postgres } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'
import { DEFAULT_ORGANIZATION_ID } from '../services/auth-service.ts'

const pgNeed = postgres()
const KEY = 'stream-key-3f9a1c7e5b20d4'
const CHUNK = 100
const LINES = 3000

describe('status lines of a running import', { skip: pgNeed.skip }, () => {
  let server: ComposedServer
  let locker: Connection
  let dataDir: string
  let dropSchema: () => Promise<void> = () => Promise.resolve()
  let projectId: string

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await server.app.request(path, {
      method,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
    return (
      (res.headers.get('content-type') ?? '').includes('ndjson')
        ? text
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as unknown)
        : JSON.parse(text)
    ) as T
  }

  before(async () => {
    const schema = await freshSchemaUrl(pgNeed.value)
    dropSchema = schema.drop
    dataDir = mkdtempSync(join(tmpdir(), 'labelport-stream-'))
    server = await composeServer({
      ...readConfig(['--data-dir', dataDir], { LABELPORT_IMPORT_CHUNK_LINES: String(CHUNK) }),
      databaseUrl: schema.url,
      bootstrapApiKey: KEY,
    })
    locker = await connect({ postgresUrl: schema.url })
    const dataset = await call<{ id: string }>('POST', '/v1/datasets', { name: 'stream' })
    await server.repositories.datasets.insertDataRow({
      id: newId(),
      organizationId: DEFAULT_ORGANIZATION_ID,
      datasetId: dataset.id,
      globalKey: 'stream-image',
      rowData: 'https://example.invalid/x.jpg',
      blobKey: 'images/none',
      width: 640,
      height: 480,
      mimeType: 'image/jpeg',
      exifOrientation: 1,
    })
    const normalized = JSON.parse(
      readFileSync(`${SHARED_FIXTURES}labelbox/derived/seed_ontology_builder_asdict.json`, 'utf8'),
    ) as unknown
    const ontology = await call<{ id: string }>('POST', '/v1/ontologies', {
      name: 'guide',
      normalized,
    })
    projectId = (await call<{ id: string }>('POST', '/v1/projects', { name: 'stream' })).id
    await call('PUT', `/v1/projects/${projectId}/ontology`, { ontologyId: ontology.id })
    await call('POST', `/v1/projects/${projectId}/batches`, {
      name: 'all',
      globalKeys: ['stream-image'],
    })
  })
  after(async () => {
    await server.close()
    await locker.close()
    rmSync(dataDir, { recursive: true, force: true })
    await dropSchema()
  })

  it('answers with the lines decided so far while the job runs, then with all of them', async () => {
    const lines = Array.from({ length: LINES }, (_, i) =>
      JSON.stringify({
        uuid: crypto.randomUUID(),
        dataRow: { globalKey: 'stream-image' },
        name: 'bounding_box',
        // every tenth line falls outside the image and fails
        bbox: { top: 10, left: i % 10 === 9 ? 700 : 20, height: 30, width: 40 },
      }),
    )
    const created = await call<ImportJob>('POST', `/v1/projects/${projectId}/imports`, {
      name: 'streamed',
      kind: 'mal',
      source: { lines },
    })
    // statuses of a job whose first chunk has not committed: none yet
    const early = await call<StatusLine[]>('GET', `/v1/imports/${created.id}/statuses`)
    const earlyJob = await call<ImportJob>('GET', `/v1/imports/${created.id}`)
    assert.ok(early.length <= earlyJob.counts.total)

    const client = await (locker.raw.dialect === 'postgres'
      ? locker.raw.pool.connect()
      : Promise.reject(new Error('PostgreSQL expected')))
    let locked = false
    try {
      for (;;) {
        const job = await call<ImportJob>('GET', `/v1/imports/${created.id}`)
        assert.equal(job.state, 'RUNNING', 'the import ended before the test could hold it')
        if (job.counts.total >= CHUNK) break
        await new Promise((r) => setTimeout(r, 5))
      }
      await client.query('begin')
      await client.query('lock table annotation in share mode')
      locked = true
      // wait until the next chunk's upsert waits for the lock (its checkpoint is not committed)
      for (;;) {
        const waiting = await client.query(
          "select count(*)::int as n from pg_locks where relation = 'annotation'::regclass and not granted",
        )
        if ((waiting.rows[0] as { n: number }).n > 0) break
        await new Promise((r) => setTimeout(r, 5))
      }
      const running = await call<ImportJob>('GET', `/v1/imports/${created.id}`)
      assert.equal(running.state, 'RUNNING')
      assert.ok(running.counts.total >= CHUNK && running.counts.total < LINES)
      const sofar = await call<StatusLine[]>('GET', `/v1/imports/${created.id}/statuses`)
      assert.deepEqual(
        sofar.map((s) => s.line),
        Array.from({ length: running.counts.total }, (_, i) => i + 1),
      )
      assert.equal(sofar.filter((s) => s.status === 'SUCCESS').length, running.counts.success)
      assert.equal(sofar.filter((s) => s.status === 'FAILURE').length, running.counts.failure)
      const failed = await call<StatusLine[]>(
        'GET',
        `/v1/imports/${created.id}/statuses?status=FAILURE`,
      )
      assert.deepEqual(
        failed.map((s) => s.line),
        sofar.filter((s) => s.line % 10 === 0).map((s) => s.line),
      )
    } finally {
      if (locked) await client.query('rollback')
      client.release()
    }

    await server.importWorker.whenIdle()
    const done = await call<ImportJob>('GET', `/v1/imports/${created.id}`)
    assert.equal(done.state, 'FINISHED')
    assert.deepEqual(done.counts, { total: LINES, success: LINES * 0.9, failure: LINES * 0.1 })
    const all = await call<StatusLine[]>('GET', `/v1/imports/${created.id}/statuses`)
    assert.deepEqual(
      all.map((s) => s.line),
      Array.from({ length: LINES }, (_, i) => i + 1),
    )
  })
})
