/**
 * Deletes (issue 11, item 6) through the HTTP API on SQLite and PostgreSQL: each impact counted
 * before, then the delete, then nothing orphaned (annotations, labels, batches and their rows,
 * evaluations and their per-row results, mask owners and blobs, image blobs, thumbnails, and the
 * labeling state: drafts, leases, skips, versions, reviews).
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import type { DeletionImpact, ImportJob, Task } from '@labelport/core'
import { freshSchemaUrl, postgres } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'
import { DEFAULT_ORGANIZATION_ID } from '../services/auth-service.ts'

const API_KEY = 'deletions-key-3b7d9e1f5a2c46'
const pgNeed = postgres()
const SIZE = { width: 64, height: 48 }

async function maskPng(): Promise<Buffer> {
  const raw = Buffer.alloc(SIZE.width * SIZE.height * 3)
  for (let y = 10; y < 30; y++) for (let x = 10; x < 40; x++) raw[(y * SIZE.width + x) * 3] = 255
  return sharp(raw, { raw: { ...SIZE, channels: 3 } })
    .png()
    .toBuffer()
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`deletes on ${dialect}`, { skip: dialect === 'postgres' && pgNeed.skip }, () => {
    let server: ComposedServer
    let dataDir = ''
    let drop: (() => Promise<void>) | undefined
    let datasetId = ''
    let projectId = ''
    let malImportId = ''
    let gtImportId = ''
    let evaluationId = ''
    let maskSha = ''
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
    const blob = (key: string) => existsSync(join(dataDir, 'blobs', key))
    const importLines = async (name: string, kind: string, lines: unknown[]) => {
      const job = await ok<ImportJob>('POST', `/v1/projects/${projectId}/imports`, {
        name,
        kind,
        source: { lines },
      })
      await server.importWorker.whenIdle()
      const done = await ok<ImportJob>('GET', `/v1/imports/${job.id}`)
      assert.equal(done.counts.failure, 0, JSON.stringify(done.errorExamples))
      return done.id
    }
    const annotationsOf = async (dataRowId: string) =>
      (
        await ok<{ annotations: { layer: string }[] }>(
          'GET',
          `/v1/projects/${projectId}/data-rows/${dataRowId}/annotations`,
        )
      ).annotations

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'labelport-deletes-'))
      const schema = dialect === 'postgres' ? await freshSchemaUrl(pgNeed.value) : null
      drop = schema ? () => schema.drop() : undefined
      server = await composeServer({
        ...readConfig(['--data-dir', dataDir], {}),
        databaseUrl: schema?.url ?? null,
        bootstrapApiKey: API_KEY,
      })
      datasetId = (await ok<{ id: string }>('POST', '/v1/datasets', { name: 'to delete' })).id
      const items = []
      for (const key of ['a', 'b', 'c']) {
        const png = await sharp({ create: { ...SIZE, channels: 3, background: '#123456' } })
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
      const done = await ok<Task>('GET', `/v1/tasks/${task.id}`)
      for (const r of done.createdDataRows) rows[r.globalKey ?? ''] = r.id
      const ontology = await ok<{ id: string }>('POST', '/v1/ontologies', {
        name: 'o',
        normalized: {
          tools: [
            { tool: 'rectangle', name: 'box' },
            { tool: 'raster-segmentation', name: 'mask' },
          ],
          classifications: [],
        },
      })
      projectId = (await ok<{ id: string }>('POST', '/v1/projects', { name: 'p' })).id
      await ok('PUT', `/v1/projects/${projectId}/ontology`, { ontologyId: ontology.id })
      await ok('POST', `/v1/projects/${projectId}/batches`, {
        name: 'first',
        globalKeys: ['a', 'b'],
      })
      await ok('POST', `/v1/projects/${projectId}/batches`, { name: 'second', globalKeys: ['c'] })
      const bbox = { left: 5, top: 5, width: 20, height: 20 }
      const png = (await maskPng()).toString('base64')
      malImportId = await importLines('model', 'mal', [
        { name: 'box', bbox, confidence: 0.9, dataRow: { globalKey: 'a' } },
        { name: 'box', bbox, confidence: 0.8, dataRow: { globalKey: 'b' } },
        { name: 'box', bbox, confidence: 0.7, dataRow: { globalKey: 'c' } },
        {
          name: 'mask',
          mask: { imBytes: png, colorRGB: [255, 0, 0] },
          dataRow: { globalKey: 'a' },
        },
      ])
      gtImportId = await importLines('truth', 'ground_truth', [
        { name: 'box', bbox, dataRow: { globalKey: 'a' } },
        { name: 'box', bbox, dataRow: { globalKey: 'b' } },
        { name: 'box', bbox, dataRow: { globalKey: 'c' } },
      ])
      const evaluation = await ok<{ id: string }>(
        'POST',
        `/v1/projects/${projectId}/evaluations`,
        {},
      )
      evaluationId = evaluation.id
      for (let i = 0; i < 200; i++) {
        const e = await ok<{ state: string }>('GET', `/v1/evaluations/${evaluationId}`)
        if (e.state !== 'RUNNING') break
        await new Promise((r) => setTimeout(r, 25))
      }
      const record = JSON.stringify(await annotationsOf(rows['a']!))
      maskSha = /"compositeSha256":"([0-9a-f]{64})"/.exec(record)?.[1] ?? ''
      assert.ok(blob(`masks/${maskSha}.png`), 'the composite is stored')
      // a thumbnail, cached as a blob
      await server.app.request(`/v1/data-rows/${rows['b']!}/thumbnail?size=128`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      })
      assert.ok(blob(`thumbs/${rows['b']!}-128.jpg`))
      // labeling state (docs/labeling.md): a review and a version on a, a skip on b, a draft and
      // its lease on c
      const rowPath = (key: string, rest: string) =>
        `/v1/projects/${projectId}/data-rows/${rows[key]!}${rest}`
      await ok('POST', rowPath('a', '/review'), { decision: 'approve', comment: 'fine' })
      await call('POST', rowPath('b', '/skip'), { reason: 'blurry' })
      const view = await ok<{ version: number }>('GET', rowPath('c', '/label'))
      await ok('PUT', rowPath('c', '/draft'), {
        baseVersion: view.version,
        annotations: [
          { uuid: crypto.randomUUID(), name: 'box', bbox, provenance: { source: 'drawn' } },
        ],
      })
      for (const table of [
        'label_review',
        'label_version',
        'label_skip',
        'label_draft',
        'label_lease',
      ] as const)
        assert.equal(await server.repositories.deletions.countRows(table), 1, table)
    })
    after(async () => {
      await server?.close()
      await drop?.()
      rmSync(dataDir, { recursive: true, force: true })
    })

    it('counts what each delete would take before anything is deleted', async () => {
      const dataset = await ok<DeletionImpact>('GET', `/v1/datasets/${datasetId}/deletion-impact`)
      assert.deepEqual(dataset, {
        subject: { type: 'dataset', id: datasetId, name: 'to delete' },
        dataRows: 3,
        projects: [{ id: projectId, name: 'p' }],
        batches: 2,
        annotations: { prelabel: 4, label: 3 },
        imports: 0,
        evaluations: 1,
        labels: 3,
        drafts: 1,
      })
      const row = await ok<DeletionImpact>('GET', `/v1/data-rows/${rows['a']!}/deletion-impact`)
      assert.deepEqual(
        [
          row.subject.name,
          row.dataRows,
          row.batches,
          row.annotations,
          row.evaluations,
          row.labels,
          row.drafts,
        ],
        ['a', 1, 1, { prelabel: 2, label: 1 }, 1, 1, 0],
      )
      const project = await ok<DeletionImpact>('GET', `/v1/projects/${projectId}/deletion-impact`)
      assert.deepEqual(
        [
          project.dataRows,
          project.batches,
          project.annotations,
          project.imports,
          project.evaluations,
          project.labels,
          project.drafts,
        ],
        [3, 2, { prelabel: 4, label: 3 }, 2, 1, 3, 1],
      )
      const prelabels = await ok<DeletionImpact>(
        'GET',
        `/v1/imports/${malImportId}/prelabels/deletion-impact`,
      )
      assert.deepEqual(
        [
          prelabels.subject.name,
          prelabels.dataRows,
          prelabels.annotations,
          prelabels.evaluations,
          prelabels.labels,
        ],
        ['model', 3, { prelabel: 4, label: 0 }, 1, 0],
      )
    })

    it("refuses to delete a ground-truth import's 'pre-labels' (it has none) with a coded 409", async () => {
      const r = await call<{ error: { code: string; path: string[] } }>(
        'DELETE',
        `/v1/imports/${gtImportId}/prelabels`,
      )
      assert.equal(r.status, 409)
      assert.equal(r.body.error.code, 'conflict')
      assert.deepEqual(r.body.error.path, ['importId'])
    })

    it("deletes an import's pre-labels with the evaluations of them; the mask blob goes too", async () => {
      const impact = await ok<DeletionImpact>('DELETE', `/v1/imports/${malImportId}/prelabels`)
      assert.deepEqual(impact.annotations, { prelabel: 4, label: 0 })
      for (const key of ['a', 'b', 'c'])
        assert.deepEqual(
          (await annotationsOf(rows[key]!)).map((a) => a.layer),
          ['label'],
        )
      assert.equal((await call('GET', `/v1/evaluations/${evaluationId}`)).status, 404)
      assert.equal(blob(`masks/${maskSha}.png`), false)
      assert.equal(
        await server.repositories.maskOwners.owns(DEFAULT_ORGANIZATION_ID, maskSha),
        false,
      )
      assert.equal((await call('GET', `/v1/masks/${maskSha}`)).status, 404)
      // the job itself stays, with its statuses
      assert.equal((await ok<ImportJob>('GET', `/v1/imports/${malImportId}`)).counts.success, 4)
    })

    it('deletes one data row: its annotations, batch membership, thumbnail; an emptied batch goes', async () => {
      const before = await server.repositories.deletions.countRows('annotation')
      const cRow = rows['c']!
      assert.equal((await call('DELETE', `/v1/data-rows/${cRow}`)).status, 204)
      assert.equal((await call('GET', `/v1/data-rows/${cRow}`)).status, 404)
      assert.equal(await server.repositories.deletions.countRows('annotation'), before - 1)
      // its label, draft and lease went with it; the other rows keep theirs
      assert.equal(await server.repositories.deletions.countRows('label'), 2)
      for (const [table, left] of [
        ['label_draft', 0],
        ['label_lease', 0],
        ['label_review', 1],
        ['label_version', 1],
        ['label_skip', 1],
      ] as const)
        assert.equal(await server.repositories.deletions.countRows(table), left, table)
      const batches = await ok<{ items: { name: string }[] }>(
        'GET',
        `/v1/projects/${projectId}/batches`,
      )
      assert.deepEqual(
        batches.items.map((b) => b.name),
        ['first'],
      )
      const projectRows = await ok<{ items: { id: string }[] }>(
        'GET',
        `/v1/projects/${projectId}/data-rows`,
      )
      assert.deepEqual(projectRows.items.map((r) => r.id).sort(), [rows['a']!, rows['b']!].sort())
      assert.equal((await call('DELETE', `/v1/data-rows/${cRow}`)).status, 404)
      const project = await ok<{ dataRowCount: number }>('GET', `/v1/projects/${projectId}`)
      assert.equal(project.dataRowCount, 2)
    })

    it('deletes the dataset: rows, annotations, labels, batch rows, images and thumbnails', async () => {
      const keys = await server.repositories.deletions.countRows('data_row')
      assert.equal(keys, 2)
      assert.equal((await call('DELETE', `/v1/datasets/${datasetId}`)).status, 204)
      for (const table of [
        'data_row',
        'annotation',
        'label',
        'batch_data_row',
        'batch',
        'evaluation_object',
        'evaluation_data_row',
        'label_draft',
        'label_lease',
        'label_skip',
        'label_version',
        'label_review',
      ] as const)
        assert.equal(await server.repositories.deletions.countRows(table), 0, table)
      assert.equal(blob(`thumbs/${rows['b']!}-128.jpg`), false)
      // the uploads backed only these rows: gone too
      const uploads = join(dataDir, 'blobs', 'uploads', DEFAULT_ORGANIZATION_ID)
      assert.deepEqual(existsSync(uploads) ? readdirSync(uploads) : [], [])
      const datasets = await ok<{ items: unknown[] }>('GET', `/v1/datasets`)
      assert.equal(datasets.items.length, 0)
      // the project stays, empty, with its imports
      const project = await ok<{ dataRowCount: number }>('GET', `/v1/projects/${projectId}`)
      assert.equal(project.dataRowCount, 0)
      const after = await ok<DeletionImpact>('GET', `/v1/projects/${projectId}/deletion-impact`)
      assert.deepEqual([after.dataRows, after.imports], [0, 2])
      assert.equal((await call('DELETE', `/v1/projects/${projectId}`)).status, 204)
      assert.equal(await server.repositories.deletions.countRows('import_job'), 0)
    })
  })
}
