/**
 * Cancel, preview and revert of imports through the HTTP API (issue 10, docs/import-revert.md),
 * on SQLite and PostgreSQL: a dry run's counts, a revert that restores the replaced pre-label
 * exactly, the refusals (409 with their codes), and a cancel that lands while the job runs.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import type { ImportJob, StoredAnnotation, Task } from '@labelport/core'
import { freshSchemaUrl, postgres } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'

const API_KEY = 'import-revert-key-5d1c8e2a7b'
const pgNeed = postgres()
const U1 = '11111111-0000-4000-8000-000000000001'
const U2 = '11111111-0000-4000-8000-000000000002'
const U3 = '11111111-0000-4000-8000-000000000003'

const box = (uuid: string, key: string, left: number) => ({
  uuid,
  name: 'box',
  bbox: { left, top: 2, width: 10, height: 10 },
  dataRow: { globalKey: key },
})

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `import cancel, preview and revert on ${dialect}`,
    { skip: dialect === 'postgres' && pgNeed.skip },
    () => {
      let server: ComposedServer
      let slow: Server
      let slowUrl = ''
      let dataDir = ''
      let drop: (() => Promise<void>) | undefined
      let projectId = ''
      const rows: Record<string, string> = {}

      const call = async <T>(method: string, path: string, body?: unknown) => {
        const res = await server.app.request(path, {
          method,
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
        const text = await res.text()
        return { status: res.status, body: (text ? JSON.parse(text) : null) as T }
      }
      const ok = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
        const r = await call<T>(method, path, body)
        assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`)
        return r.body
      }
      const refused = async (path: string, status: number, code: string) => {
        const r = await call<{ error: { code: string; path: unknown[] } }>('POST', path)
        assert.equal(r.status, status, JSON.stringify(r.body))
        assert.equal(r.body.error.code, code)
        assert.deepEqual(r.body.error.path, ['importId'])
      }
      const importLines = async (
        name: string,
        lines: unknown[],
        opts: { kind?: string; dry?: boolean } = {},
      ) => {
        const job = await ok<ImportJob>(
          'POST',
          `/v1/projects/${projectId}/imports${opts.dry ? '/validate' : ''}`,
          { name, kind: opts.kind ?? 'mal', source: { lines } },
        )
        await server.importWorker.whenIdle()
        return ok<ImportJob>('GET', `/v1/imports/${job.id}`)
      }
      const prelabels = async (key: string) =>
        (
          await ok<{ annotations: StoredAnnotation[] }>(
            'GET',
            `/v1/projects/${projectId}/data-rows/${rows[key] ?? ''}/annotations`,
          )
        ).annotations.filter((a) => a.layer === 'prelabel')
      const left = (a: StoredAnnotation | undefined) =>
        a?.record.kind === 'object' && a.record.geometry.type === 'bbox'
          ? a.record.geometry.left
          : -1

      before(async () => {
        dataDir = mkdtempSync(join(tmpdir(), 'labelport-revert-'))
        slow = createServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'application/x-ndjson' })
          res.write(`${JSON.stringify(box('11111111-0000-4000-8000-0000000000ff', 'a', 1))}\n`)
          setTimeout(() => res.end(), 1500).unref()
        })
        await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve))
        const address = slow.address()
        slowUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/slow.ndjson`
        const schema = dialect === 'postgres' ? await freshSchemaUrl(pgNeed.value) : null
        drop = schema ? () => schema.drop() : undefined
        server = await composeServer({
          ...readConfig(['--data-dir', dataDir], { LABELPORT_FETCH_ALLOW_HOSTS: '127.0.0.1' }),
          databaseUrl: schema?.url ?? null,
          bootstrapApiKey: API_KEY,
        })
        const datasetId = (await ok<{ id: string }>('POST', '/v1/datasets', { name: 'd' })).id
        const items = []
        for (const key of ['a', 'b', 'c']) {
          const png = await sharp({
            create: { width: 64, height: 48, channels: 3, background: '#345678' },
          })
            .png()
            .toBuffer()
          const res = await server.app.request('/v1/uploads', {
            method: 'POST',
            headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'image/png' },
            body: new Uint8Array(png),
          })
          items.push({ rowData: ((await res.json()) as { uri: string }).uri, globalKey: key })
        }
        const task = await ok<Task>('POST', `/v1/datasets/${datasetId}/data-rows`, { items })
        await server.catalog.drain()
        for (const r of (await ok<Task>('GET', `/v1/tasks/${task.id}`)).createdDataRows)
          rows[r.globalKey ?? ''] = r.id
        const ontology = await ok<{ id: string }>('POST', '/v1/ontologies', {
          name: 'o',
          normalized: { tools: [{ tool: 'rectangle', name: 'box' }], classifications: [] },
        })
        projectId = (await ok<{ id: string }>('POST', '/v1/projects', { name: 'p' })).id
        await ok('PUT', `/v1/projects/${projectId}/ontology`, { ontologyId: ontology.id })
        await ok('POST', `/v1/projects/${projectId}/batches`, {
          name: 'all',
          globalKeys: ['a', 'b', 'c'],
        })
      })
      after(async () => {
        await server?.close()
        slow?.closeAllConnections()
        slow?.close()
        await drop?.()
        rmSync(dataDir, { recursive: true, force: true })
      })

      it('previews, imports and reverts: the replaced pre-label comes back as it was', async () => {
        const first = await importLines('first', [box(U1, 'a', 5), box(U2, 'b', 6)])
        assert.deepEqual(first.effect, { added: 2, replaced: 0 })
        const before = await prelabels('a')
        assert.equal(before.length, 1)

        const second = [box(U1, 'a', 9), box(U3, 'c', 7), { ...box(U2, 'b', 1), name: 'nope' }]
        const dry = await importLines('second', second, { dry: true })
        assert.equal(dry.dryRun, true)
        assert.deepEqual(dry.effect, { added: 1, replaced: 1 })
        assert.equal(dry.counts.failure, 1)
        assert.deepEqual(await prelabels('a'), before, 'a dry run writes nothing')

        const real = await importLines('second', second)
        assert.deepEqual(real.effect, { added: 1, replaced: 1 })
        assert.equal(left((await prelabels('a'))[0]), 9)

        await refused(`/v1/imports/${first.id}/revert`, 409, 'import_revert_blocked')
        await refused(`/v1/imports/${dry.id}/revert`, 409, 'import_not_revertible')
        await refused(`/v1/imports/${first.id}/cancel`, 409, 'import_not_running')

        const reverted = await ok<ImportJob>('POST', `/v1/imports/${real.id}/revert`)
        assert.equal(reverted.revert?.removed, 2)
        assert.equal(reverted.revert?.restored, 1)
        assert.deepEqual(await prelabels('a'), before, 'id, import, record as before')
        assert.deepEqual(await prelabels('c'), [])
        assert.equal((await prelabels('b'))[0]?.importId, first.id)
        await refused(`/v1/imports/${real.id}/revert`, 409, 'import_not_revertible')
        const listed = await ok<{ items: ImportJob[] }>('GET', `/v1/projects/${projectId}/imports`)
        assert.ok(listed.items.find((j) => j.id === real.id)?.revert)

        // now the first can go too
        const firstReverted = await ok<ImportJob>('POST', `/v1/imports/${first.id}/revert`)
        assert.deepEqual([firstReverted.revert?.removed, firstReverted.revert?.restored], [2, 0])
        assert.deepEqual(await prelabels('a'), [])
        assert.deepEqual(await prelabels('b'), [])
      })

      it('does not revert ground truth', async () => {
        const gt = await importLines(
          'truth',
          [box('22222222-0000-4000-8000-000000000001', 'a', 3)],
          {
            kind: 'ground_truth',
          },
        )
        assert.equal(gt.counts.success, 1)
        await refused(`/v1/imports/${gt.id}/revert`, 409, 'import_not_revertible')
      })

      it('cancels a running import: it ends CANCELLED and writes nothing after the cancel', async () => {
        const job = await ok<ImportJob>('POST', `/v1/projects/${projectId}/imports`, {
          name: 'slow',
          kind: 'mal',
          source: { url: slowUrl },
        })
        const cancelled = await ok<ImportJob>('POST', `/v1/imports/${job.id}/cancel`)
        assert.equal(cancelled.state, 'CANCELLED')
        await refused(`/v1/imports/${job.id}/cancel`, 409, 'import_not_running')
        // the source ends later; the worker's next write finds the job cancelled
        await new Promise((r) => setTimeout(r, 2000))
        await server.importWorker.whenIdle()
        const after = await ok<ImportJob>('GET', `/v1/imports/${job.id}`)
        assert.equal(after.state, 'CANCELLED')
        assert.equal(after.counts.success, 0)
        assert.deepEqual(
          (await prelabels('a')).filter((a) => a.importId === job.id),
          [],
        )
        // a cancelled import may be reverted (it wrote nothing here)
        const reverted = await ok<ImportJob>('POST', `/v1/imports/${job.id}/revert`)
        assert.equal(reverted.revert?.removed, 0)
      })
    },
  )
}
