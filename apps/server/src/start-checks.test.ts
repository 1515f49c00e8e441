/**
 * Configurations that used to fail silently (issue 9, items 12, 13 and 5): a second server on one
 * SQLite data folder is refused; PostgreSQL servers without a shared bucket are refused; a
 * graceful stop during an import is bounded, gives the job back, and the next start finishes it.
 */
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import sharp from 'sharp'
import type { ImportJob, Task } from '@labelport/core'
import { freshSchemaUrl, postgres, startServer, type TestServer } from '@labelport/testkit'

const pgNeed = postgres()

async function call<T>(s: TestServer, method: string, path: string, body?: unknown) {
  const raw = body instanceof Uint8Array
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${s.apiKey}`,
      'content-type': raw ? 'application/octet-stream' : 'application/json',
    },
    ...(body === undefined ? {} : { body: raw ? body : JSON.stringify(body) }),
  })
  return (await res.json()) as T
}

describe('start-time checks and graceful stop', () => {
  it('refuses a second server on one SQLite data folder, with a clear message', async () => {
    const first = await startServer()
    try {
      await assert.rejects(startServer({ dataDir: first.dataDir }), (err: Error) => {
        assert.match(err.message, /exited with code 1/)
        assert.match(err.message, /only one server may use a SQLite data folder/)
        return true
      })
      // the first one is unharmed
      assert.equal((await fetch(`${first.url}/healthz`)).status, 200)
    } finally {
      await first.stop()
    }
  })

  it(
    'refuses a PostgreSQL server whose blob store is not the one the others share',
    { skip: pgNeed.skip },
    async () => {
      const schema = await freshSchemaUrl(pgNeed.value)
      // no LABELPORT_S3_BUCKET: each server keeps blobs in its own data dir
      const first = await startServer({ databaseUrl: schema.url, shareDatabase: true })
      try {
        await assert.rejects(
          startServer({ databaseUrl: schema.url, shareDatabase: true }),
          (err: Error) => {
            assert.match(err.message, /exited with code 1/)
            assert.match(err.message, /servers sharing a database must share one bucket/)
            return true
          },
        )
      } finally {
        await first.stop()
        await schema.drop()
      }
    },
  )

  it('a graceful stop during an import ends in bounded time; the next start finishes the job', async () => {
    const env = {
      LABELPORT_STOP_TIMEOUT_MS: '2000',
      LABELPORT_IMPORT_CHUNK_LINES: '100',
      LABELPORT_JOB_LEASE_MS: '60000', // a released lease is taken at once, not after expiry
    }
    const apiKey = `lp_test_${randomBytes(16).toString('hex')}`
    let s = await startServer({ env, apiKey })
    const dataDir = s.dataDir
    try {
      const png = await sharp({
        create: { width: 20, height: 20, channels: 3, background: '#222' },
      })
        .png()
        .toBuffer()
      const upload = await call<{ uri: string }>(s, 'POST', '/v1/uploads', png)
      const dataset = await call<{ id: string }>(s, 'POST', '/v1/datasets', { name: 'd' })
      let task = await call<Task>(s, 'POST', `/v1/datasets/${dataset.id}/data-rows`, {
        items: [{ rowData: upload.uri, globalKey: 'stop-0' }],
      })
      while (task.status === 'IN_PROGRESS') {
        await new Promise((r) => setTimeout(r, 50))
        task = await call<Task>(s, 'GET', `/v1/tasks/${task.id}`)
      }
      const ontology = await call<{ id: string }>(s, 'POST', '/v1/ontologies', {
        name: 'o',
        normalized: { tools: [{ tool: 'rectangle', name: 'box' }], classifications: [] },
      })
      const project = await call<{ id: string }>(s, 'POST', '/v1/projects', { name: 'p' })
      await call(s, 'PUT', `/v1/projects/${project.id}/ontology`, { ontologyId: ontology.id })
      await call(s, 'POST', `/v1/projects/${project.id}/batches`, {
        name: 'b',
        globalKeys: ['stop-0'],
      })
      const lines = 4800 // under the 5,000 annotations per feature and data row
      const body = Array.from({ length: lines }, (_, i) =>
        JSON.stringify({
          uuid: randomUUID(),
          dataRow: { globalKey: 'stop-0' },
          name: 'box',
          bbox: { top: 1, left: 1 + (i % 7), height: 2, width: 2 },
        }),
      ).join('\n')
      const input = await call<{ id: string }>(s, 'POST', '/v1/uploads', Buffer.from(body))
      const job = await call<ImportJob>(s, 'POST', `/v1/projects/${project.id}/imports`, {
        name: 'stopped',
        kind: 'mal',
        source: { uploadId: input.id },
      })
      for (;;) {
        const now = await call<ImportJob>(s, 'GET', `/v1/imports/${job.id}`)
        assert.equal(now.state, 'RUNNING', 'the import ended before the stop')
        if (parseInt(now.progress, 10) >= 5) break
        await new Promise((r) => setTimeout(r, 50))
      }
      const stopping = Date.now()
      await s.stop({ keepDataDir: true })
      // bounded by LABELPORT_STOP_TIMEOUT_MS plus closing, never by the import's length
      assert.ok(Date.now() - stopping < 15_000, `the stop took ${Date.now() - stopping} ms`)

      s = await startServer({ env, apiKey, dataDir })
      let done: ImportJob
      for (;;) {
        done = await call<ImportJob>(s, 'GET', `/v1/imports/${job.id}`)
        if (done.state !== 'RUNNING') break
        await new Promise((r) => setTimeout(r, 100))
      }
      assert.equal(done.state, 'FINISHED', JSON.stringify(done))
      assert.deepEqual(done.counts, { total: lines, success: lines, failure: 0 })
    } finally {
      await s.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('a slow import source holds neither the worker nor past its deadline', async () => {
    // one byte every 200 ms, for a minute: never idle long enough for the idle timeout
    const drip = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' })
      const timer = setInterval(() => res.write(' '), 200)
      res.once('close', () => clearInterval(timer))
      setTimeout(() => {
        clearInterval(timer)
        res.end()
      }, 60_000).unref()
    })
    await new Promise<void>((r) => drip.listen(0, '127.0.0.1', r))
    const s = await startServer({
      env: {
        LABELPORT_FETCH_ALLOW_HOSTS: '127.0.0.1',
        LABELPORT_FETCH_TIMEOUT_MS: '1000',
        LABELPORT_FETCH_DEADLINE_MS: '3000',
        LABELPORT_IMPORT_CONCURRENCY: '2',
      },
    })
    try {
      const ontology = await call<{ id: string }>(s, 'POST', '/v1/ontologies', {
        name: 'o',
        normalized: { tools: [{ tool: 'rectangle', name: 'box' }], classifications: [] },
      })
      const project = await call<{ id: string }>(s, 'POST', '/v1/projects', { name: 'p' })
      await call(s, 'PUT', `/v1/projects/${project.id}/ontology`, { ontologyId: ontology.id })
      const slow = await call<ImportJob>(s, 'POST', `/v1/projects/${project.id}/imports`, {
        name: 'slow',
        kind: 'mal',
        source: { url: `http://127.0.0.1:${(drip.address() as AddressInfo).port}/slow.ndjson` },
      })
      const quick = await call<ImportJob>(s, 'POST', `/v1/projects/${project.id}/imports`, {
        name: 'quick',
        kind: 'mal',
        source: { lines: [{ uuid: randomUUID(), dataRow: { globalKey: 'none' }, name: 'box' }] },
      })
      const state = async (id: string) => call<ImportJob>(s, 'GET', `/v1/imports/${id}`)
      let q = await state(quick.id)
      while (q.state === 'RUNNING') {
        await new Promise((r) => setTimeout(r, 50))
        q = await state(quick.id)
      }
      // the quick import ran beside the slow one, which is still fetching
      assert.equal(q.state, 'FINISHED')
      assert.equal((await state(slow.id)).state, 'RUNNING')
      let j = await state(slow.id)
      while (j.state === 'RUNNING') {
        await new Promise((r) => setTimeout(r, 100))
        j = await state(slow.id)
      }
      assert.equal(j.state, 'FAILED')
      assert.equal(j.failureReason?.code, 'fetch_timeout')
      assert.match(j.failureReason?.message ?? '', /did not finish within 3000 ms/)
    } finally {
      await s.stop()
      drip.close()
    }
  })
})
