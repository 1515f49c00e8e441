/**
 * The crash suite (issue 9): `kill -9` of a real server process during an import, a
 * create-data-rows task and a project delete, on SQLite (restart on the same data folder) and on
 * PostgreSQL (a second server sharing the database and the bucket takes over). Every job ends
 * FINISHED or COMPLETE within a bounded time, stored annotations equal SUCCESS status lines,
 * nothing is orphaned, no temporary file is left. Short leases come from LABELPORT_JOB_LEASE_MS.
 */
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { readdirSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import type { ImportJob, Task } from '@labelport/core'
import { connect } from '@labelport/db'
import { freshSchemaUrl, postgres, s3, startServer, type TestServer } from '@labelport/testkit'

const pgNeed = postgres()
const s3Need = s3()
const ROWS = 10
const LINES = 20_000
const DEADLINE_MS = 60_000

const JOB_ENV = {
  LABELPORT_JOB_LEASE_MS: '1500',
  LABELPORT_IMPORT_CHUNK_LINES: '1000',
  LABELPORT_FETCH_ALLOW_HOSTS: '127.0.0.1',
}

async function call<T>(server: TestServer, method: string, path: string, body?: unknown) {
  const raw = body instanceof Uint8Array
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${server.apiKey}`,
      'content-type': raw ? 'application/octet-stream' : 'application/json',
    },
    ...(body === undefined ? {} : { body: raw ? body : JSON.stringify(body) }),
  })
  const text = await res.text()
  const type = res.headers.get('content-type') ?? ''
  const parsed = type.includes('ndjson')
    ? text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as unknown)
    : type.includes('json')
      ? (JSON.parse(text) as unknown)
      : text
  return { status: res.status, body: parsed as T }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const start = Date.now()
  for (;;) {
    const found = await probe()
    if (found !== undefined) return found
    if (Date.now() - start > DEADLINE_MS) throw new Error(`${what}: not within ${DEADLINE_MS} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const ended = (s: TestServer, id: string) =>
  until(`import ${id} ends`, async () => {
    const job = (await call<ImportJob>(s, 'GET', `/v1/imports/${id}`)).body
    return job.state === 'FINISHED' || job.state === 'FAILED' ? job : undefined
  })

const progressed = (s: TestServer, id: string, percent: number) =>
  until(`import ${id} reaches ${percent}%`, async () => {
    const job = (await call<ImportJob>(s, 'GET', `/v1/imports/${id}`)).body
    if (job.state !== 'RUNNING') throw new Error(`import ${id} ended early: ${job.state}`)
    return parseInt(job.progress, 10) >= percent ? job : undefined
  })

function tempFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tmp-/.test(f))
}

/** A slow image host: each image takes 150 ms, so a task of 24 rows runs for seconds. */
async function slowImages(png: Buffer): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'image/png' })
      res.end(png)
    }, 150)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

interface World {
  /** the server a crash kills */
  victim(): TestServer
  kill(): Promise<void>
  /** the server that goes on: restarted (SQLite) or the second one (PostgreSQL) */
  survivor(): Promise<TestServer>
  /** annotations and import jobs left in the database for a project (read directly) */
  leftovers(projectId: string): Promise<{ annotations: number; jobs: number }>
  dataDirs(): string[]
  close(): Promise<void>
}

async function seed(s: TestServer, png: Buffer) {
  const upload = (await call<{ uri: string }>(s, 'POST', '/v1/uploads', png)).body
  const dataset = (await call<{ id: string }>(s, 'POST', '/v1/datasets', { name: 'crash' })).body
  const keys = Array.from({ length: ROWS }, (_, i) => `crash-${i}`)
  let task = (
    await call<Task>(s, 'POST', `/v1/datasets/${dataset.id}/data-rows`, {
      items: keys.map((k) => ({ rowData: upload.uri, globalKey: k })),
    })
  ).body
  task = await until('seed rows', async () => {
    const t = (await call<Task>(s, 'GET', `/v1/tasks/${task.id}`)).body
    return t.status === 'IN_PROGRESS' ? undefined : t
  })
  assert.equal(task.createdDataRows.length, ROWS)
  const ontology = (
    await call<{ id: string }>(s, 'POST', '/v1/ontologies', {
      name: 'boxes',
      normalized: { tools: [{ tool: 'rectangle', name: 'box' }], classifications: [] },
    })
  ).body
  const project = async (name: string, s: TestServer) => {
    const p = (await call<{ id: string }>(s, 'POST', '/v1/projects', { name })).body
    await call(s, 'PUT', `/v1/projects/${p.id}/ontology`, { ontologyId: ontology.id })
    await call(s, 'POST', `/v1/projects/${p.id}/batches`, { name: 'b', globalKeys: keys })
    return p.id
  }
  const lines = Array.from({ length: LINES }, (_, i) =>
    JSON.stringify({
      uuid: randomUUID(),
      dataRow: { globalKey: keys[i % ROWS] },
      name: 'box',
      bbox: { top: 1, left: 1 + (i % 5), height: 3, width: 3 },
    }),
  )
  const input = (
    await call<{ id: string }>(s, 'POST', '/v1/uploads', Buffer.from(`${lines.join('\n')}\n`))
  ).body
  return { datasetId: dataset.id, project, inputId: input.id }
}

async function startImport(s: TestServer, projectId: string, name: string, uploadId: string) {
  const created = await call<ImportJob>(s, 'POST', `/v1/projects/${projectId}/imports`, {
    name,
    kind: 'mal',
    source: { uploadId },
  })
  assert.equal(created.status, 202, JSON.stringify(created.body))
  return created.body.id
}

function crashSuite(name: string, skip: string | false, make: () => Promise<World>) {
  describe(`crash suite on ${name}`, { skip }, () => {
    let world: World
    let png: Buffer
    let seeded: Awaited<ReturnType<typeof seed>>

    before(async () => {
      png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#468' } })
        .png()
        .toBuffer()
      world = await make()
      seeded = await seed(world.victim(), png)
    })
    after(async () => {
      await world.close()
    })

    it('an import interrupted by kill -9 is taken over and finishes: annotations = SUCCESS lines', async () => {
      const projectId = await seeded.project('import-crash', world.victim())
      const id = await startImport(world.victim(), projectId, 'crashing', seeded.inputId)
      await progressed(world.victim(), id, 10)
      await world.kill()
      const s = await world.survivor()
      const job = await ended(s, id)
      assert.equal(job.state, 'FINISHED', JSON.stringify(job))
      assert.deepEqual(job.counts, { total: LINES, success: LINES, failure: 0 })
      const statuses = (
        await call<{ status: string; line: number }[]>(s, 'GET', `/v1/imports/${id}/statuses`)
      ).body
      assert.equal(statuses.length, LINES)
      assert.equal(new Set(statuses.map((l) => l.line)).size, LINES) // each line once
      const success = statuses.filter((l) => l.status === 'SUCCESS').length
      const rows = (
        await call<{ items: { usage: { projectId: string; prelabelCount: number }[] }[] }>(
          s,
          'GET',
          `/v1/datasets/${seeded.datasetId}/data-rows`,
        )
      ).body.items
      const stored = rows
        .flatMap((r) => r.usage)
        .filter((u) => u.projectId === projectId)
        .reduce((n, u) => n + u.prelabelCount, 0)
      assert.equal(stored, success)
      for (const dir of world.dataDirs()) assert.deepEqual(tempFiles(dir), [])
    })

    it('a create-data-rows task interrupted by kill -9 resumes: every row once, no duplicate error', async () => {
      const host = await slowImages(png)
      try {
        const victim = world.victim()
        const dataset = (
          await call<{ id: string }>(victim, 'POST', '/v1/datasets', { name: 'slow' })
        ).body
        const items = Array.from({ length: 24 }, (_, i) => ({
          rowData: `${host.url}/img-${i}.png`,
          ...(i % 4 === 3 ? {} : { globalKey: `slow-${i}` }),
        }))
        const created = (
          await call<Task>(victim, 'POST', `/v1/datasets/${dataset.id}/data-rows`, { items })
        ).body
        await until('some rows made', async () => {
          const t = (await call<Task>(victim, 'GET', `/v1/tasks/${created.id}`)).body
          return t.progress > 0 ? t : undefined
        })
        await world.kill()
        const s = await world.survivor()
        const task = await until('the task completes', async () => {
          const t = (await call<Task>(s, 'GET', `/v1/tasks/${created.id}`)).body
          return t.status === 'IN_PROGRESS' ? undefined : t
        })
        assert.equal(task.status, 'COMPLETE', JSON.stringify(task.errors))
        assert.deepEqual(task.errors, [])
        assert.equal(task.createdDataRows.length, items.length)
        const listed = (
          await call<{ items: { id: string }[] }>(
            s,
            'GET',
            `/v1/datasets/${dataset.id}/data-rows?limit=100`,
          )
        ).body.items
        assert.equal(listed.length, items.length) // no row made twice
        assert.deepEqual(
          new Set(listed.map((r) => r.id)),
          new Set(task.createdDataRows.map((r) => r.id)),
        )
        // and a retry of the same rows is idempotent: the same rows, no duplicate error
        const retried = (
          await call<Task>(s, 'POST', `/v1/datasets/${dataset.id}/data-rows`, {
            items: items.filter((i) => i.globalKey !== undefined),
          })
        ).body
        const again = await until('the retry completes', async () => {
          const t = (await call<Task>(s, 'GET', `/v1/tasks/${retried.id}`)).body
          return t.status === 'IN_PROGRESS' ? undefined : t
        })
        assert.deepEqual(again.errors, [])
        assert.equal(again.createdDataRows.length, 18)
      } finally {
        host.server.close()
      }
    })

    it('a project deleted during its import, then kill -9: nothing of it is left', async () => {
      const projectId = await seeded.project('delete-crash', world.victim())
      const s0 = world.victim()
      const id = await startImport(s0, projectId, 'deleted', seeded.inputId)
      await progressed(s0, id, 5)
      const deleted = await call(s0, 'DELETE', `/v1/projects/${projectId}`)
      assert.equal(deleted.status, 204)
      await world.kill()
      const s = await world.survivor()
      assert.equal((await call(s, 'GET', `/v1/imports/${id}`)).status, 404)
      assert.equal((await call(s, 'GET', `/v1/projects/${projectId}`)).status, 404)
      // give a cancelled worker every chance to write after the delete
      await new Promise((r) => setTimeout(r, 2000))
      assert.deepEqual(await world.leftovers(projectId), { annotations: 0, jobs: 0 })
      for (const dir of world.dataDirs()) {
        assert.deepEqual(tempFiles(dir), [])
        assert.deepEqual(
          readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.includes(id)),
          [],
        )
      }
    })
  })
}

crashSuite('sqlite', false, async () => {
  const apiKey = `lp_test_${randomBytes(16).toString('hex')}`
  let current = await startServer({ env: JOB_ENV, apiKey })
  const dataDir = current.dataDir
  let dead = false
  return {
    async close() {
      if (!dead) await current.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
    victim: () => current,
    async kill() {
      await current.kill()
      dead = true
    },
    async survivor() {
      if (dead) {
        current = await startServer({ env: JOB_ENV, apiKey, dataDir })
        dead = false
      }
      return current
    },
    async leftovers(projectId) {
      await current.stop()
      dead = true
      const conn = await connect({ sqlitePath: join(dataDir, 'labelport.db') })
      try {
        const a = await conn.db
          .selectFrom('annotation')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('project_id', '=', projectId)
          .executeTakeFirstOrThrow()
        const j = await conn.db
          .selectFrom('import_job')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('project_id', '=', projectId)
          .executeTakeFirstOrThrow()
        return { annotations: Number(a.n), jobs: Number(j.n) }
      } finally {
        await conn.close() // the last look: the server is not started again
      }
    },
    dataDirs: () => [dataDir],
  }
})

crashSuite('postgres with two servers', pgNeed.skip || s3Need.skip, async () => {
  const schema = await freshSchemaUrl(pgNeed.value)
  const env = {
    ...JOB_ENV,
    LABELPORT_S3_BUCKET: `labelport-${randomBytes(4).toString('hex')}`,
    LABELPORT_S3_ENDPOINT: s3Need.value,
    LABELPORT_S3_ACCESS_KEY_ID: 'test',
    LABELPORT_S3_SECRET_ACCESS_KEY: 'test',
  }
  const apiKey = `lp_test_${randomBytes(16).toString('hex')}`
  const start = () => startServer({ databaseUrl: schema.url, shareDatabase: true, env, apiKey })
  let a = await start()
  const b = await start()
  const dirs = [a.dataDir, b.dataDir]
  const conn = await connect({ postgresUrl: schema.url })
  return {
    async close() {
      await a.stop()
      await b.stop()
      await conn.close()
      await schema.drop()
    },
    victim: () => a,
    async kill() {
      await a.kill()
      // the killed server's place is taken by a new one, for the next crash
      const old = a
      a = await start()
      dirs.push(a.dataDir)
      await old.stop()
    },
    survivor: () => Promise.resolve(b),
    async leftovers(projectId) {
      const n = async (table: 'annotation' | 'import_job') =>
        Number(
          (
            await conn.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('project_id', '=', projectId)
              .executeTakeFirstOrThrow()
          ).n,
        )
      return { annotations: await n('annotation'), jobs: await n('import_job') }
    },
    dataDirs: () => dirs.filter((d) => readdirSafe(d)),
  }
})

function readdirSafe(dir: string): boolean {
  try {
    readdirSync(dir)
    return true
  } catch {
    return false
  }
}
