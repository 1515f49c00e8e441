/**
 * Foreign formats over HTTP (issue 13) on SQLite and PostgreSQL: the labelbox-python COCO file
 * imported with `format: auto` (data rows from an image base URL, the ontology made from the file,
 * status lines naming each object's source), exported back to COCO with the same polygons; a
 * feature that does not map refused before anything is written; a YOLO export as a ZIP imported
 * again; and the server-side `clip` option on NDJSON and format imports.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import type { FormatImportResult, ImportJob, StatusLine } from '@labelport/core'
import { SHARED_FIXTURES, freshSchemaUrl, postgres } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'
import { extractZip, zipStream } from '../formats/zip.ts'

const KEY = 'formats-key-5e1d9c7a3b20f8'
const COCO_DIR = `${SHARED_FIXTURES}real/labelbox-python/libs/labelbox/tests/data/assets/coco/`
const COCO = JSON.parse(readFileSync(`${COCO_DIR}instances.json`, 'utf8')) as {
  images: { id: number; file_name: string; width: number; height: number }[]
  annotations: { id: number; image_id: number; category_id: number; segmentation: number[][] }[]
  categories: { id: number; name: string }[]
}

const pgNeed = postgres()

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `foreign formats over HTTP, on ${dialect}`,
    { skip: dialect === 'postgres' ? pgNeed.skip : false },
    () => {
      let server: ComposedServer
      let dataDir = ''
      let dropSchema: () => Promise<void> = () => Promise.resolve()
      let http: Server
      let origin = ''

      const request = (method: string, path: string, body?: unknown) =>
        server.app.request(path, {
          method,
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
      const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
        const res = await request(method, path, body)
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
      const upload = async (bytes: Uint8Array | string): Promise<string> => {
        const res = await server.app.request('/v1/uploads', {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}` },
          body: typeof bytes === 'string' ? bytes : Buffer.from(bytes),
        })
        assert.equal(res.status, 201)
        return ((await res.json()) as { id: string }).id
      }
      const project = async (name: string) =>
        (await call<{ id: string }>('POST', '/v1/projects', { name })).id
      const finished = async (job: ImportJob | null) => {
        assert.ok(job)
        await server.importWorker.whenIdle()
        const done = await call<ImportJob>('GET', `/v1/imports/${job.id}`)
        const statuses = await call<StatusLine[]>('GET', `/v1/imports/${job.id}/statuses`)
        return { job: done, statuses: statuses.sort((a, b) => a.line - b.line) }
      }

      before(async () => {
        dataDir = mkdtempSync(join(tmpdir(), 'labelport-formats-'))
        let databaseUrl: string | null = null
        if (dialect === 'postgres') {
          const schema = await freshSchemaUrl(pgNeed.value)
          databaseUrl = schema.url
          dropSchema = schema.drop
        }
        http = createServer((req, res) => {
          const name = decodeURIComponent((req.url ?? '').replace(/^\/images\//, ''))
          if (!/^[\w.]+$/.test(name)) return void res.writeHead(404).end()
          try {
            res
              .writeHead(200, { 'content-type': 'image/jpeg' })
              .end(readFileSync(`${COCO_DIR}images/${name}`))
          } catch {
            res.writeHead(404).end()
          }
        })
        await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
        origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
        server = await composeServer({
          ...readConfig(['--data-dir', dataDir], {}),
          databaseUrl,
          bootstrapApiKey: KEY,
          fetchAllowHosts: ['127.0.0.1'],
        })
      })
      after(async () => {
        await server.close()
        await dropSchema()
        await new Promise((resolve) => http.close(resolve))
        rmSync(dataDir, { recursive: true, force: true })
      })

      let cocoProject = ''

      it('imports the labelbox-python COCO file: data rows, ontology, statuses with their source', async () => {
        cocoProject = await project('coco')
        const result = await call<FormatImportResult>(
          'POST',
          `/v1/projects/${cocoProject}/imports/formats`,
          {
            name: 'coco-gt',
            kind: 'ground_truth',
            format: 'auto',
            fileName: 'instances.json',
            source: { uploadId: await upload(readFileSync(`${COCO_DIR}instances.json`)) },
            imageBaseUrl: `${origin}/images/`,
          },
        )
        assert.equal(result.format, 'coco')
        assert.equal(result.images, COCO.images.length)
        assert.equal(result.createdDataRows, COCO.images.length)
        assert.equal(result.ontologyCreated, true)
        const parts = COCO.annotations.reduce((n, a) => n + a.segmentation.length, 0)
        assert.equal(result.objects, parts)
        const { job, statuses } = await finished(result.job)
        assert.equal(job.state, 'FINISHED')
        assert.equal(job.counts.success, parts, JSON.stringify(job.errorCounts))
        // every status line names the COCO annotation it came from
        const ids = new Set(COCO.annotations.map((a) => a.id))
        for (const s of statuses) {
          assert.equal(s.source?.file, 'instances.json')
          assert.ok(ids.has(Number(s.source.annotationId)), JSON.stringify(s.source))
        }
        const batches = await call<{ items: { size: number }[] }>(
          'GET',
          `/v1/projects/${cocoProject}/batches`,
        )
        assert.equal(batches.items.length, 1)
      })

      it('exports the project as COCO with the same polygons', async () => {
        const res = await request('GET', `/v1/projects/${cocoProject}/export?format=coco`)
        assert.equal(res.status, 200)
        assert.match(res.headers.get('content-type') ?? '', /application\/json/)
        const out = JSON.parse(await res.text()) as typeof COCO
        assert.equal(out.annotations.length, COCO.annotations.length)
        const byId = new Map(out.annotations.map((a) => [a.id, a]))
        const catName = (list: typeof COCO.categories, id: number) =>
          list.find((c) => c.id === id)?.name
        for (const a of COCO.annotations) {
          const back = byId.get(a.id)
          assert.ok(back, `annotation ${a.id} exported`)
          assert.deepEqual(back.segmentation, a.segmentation)
          assert.equal(
            catName(out.categories, back.category_id),
            catName(COCO.categories, a.category_id),
          )
        }
      })

      it('refuses features the ontology lacks before writing anything, and imports with a map', async () => {
        const id = await project('mapped')
        const ontology = await call<{ id: string }>('POST', '/v1/ontologies', {
          name: 'humans',
          normalized: {
            tools: [{ tool: 'polygon', name: 'human', classifications: [] }],
            classifications: [],
          },
        })
        await call('PUT', `/v1/projects/${id}/ontology`, { ontologyId: ontology.id })
        const only = {
          ...COCO,
          annotations: COCO.annotations.filter((a) => a.category_id === 1),
          categories: COCO.categories.filter((c) => c.id === 1 || c.id === 3),
        }
        only.annotations.push({ ...only.annotations[0]!, id: 99_000_001, category_id: 3 })
        const uploadId = await upload(JSON.stringify(only))
        const body = { name: 'people', kind: 'ground_truth', format: 'coco', source: { uploadId } }
        const refused = await request('POST', `/v1/projects/${id}/imports/formats`, body)
        assert.equal(refused.status, 422)
        const error = (
          (await refused.json()) as { error: { code: string; issues: { path: string[] }[] } }
        ).error
        assert.equal(error.code, 'format_features_unmapped')
        assert.deepEqual(error.issues.map((i) => i.path[1]).sort(), ['car', 'person'])
        assert.equal(
          (await call<{ items: unknown[] }>('GET', `/v1/projects/${id}/imports`)).items.length,
          0,
        )
        assert.equal(
          (await call<{ items: unknown[] }>('GET', `/v1/projects/${id}/batches`)).items.length,
          0,
        )

        const result = await call<FormatImportResult>(
          'POST',
          `/v1/projects/${id}/imports/formats`,
          {
            ...body,
            map: { person: 'human', car: 'human' },
          },
        )
        assert.equal(result.ontologyCreated, false)
        assert.equal(result.createdDataRows, 0) // the rows exist already (first test)
        const { job } = await finished(result.job)
        assert.equal(job.counts.failure, 0, JSON.stringify(job.errorExamples))
        assert.equal(
          job.counts.success,
          only.annotations.reduce((n, a) => n + a.segmentation.length, 0),
        )
      })

      it('exports YOLO as a ZIP that imports again with the same boxes', async () => {
        const res = await request('GET', `/v1/projects/${cocoProject}/export?format=yolo`)
        assert.equal(res.status, 200)
        assert.equal(res.headers.get('content-type'), 'application/zip')
        const zipBytes = Buffer.from(await res.arrayBuffer())
        const dir = mkdtempSync(join(tmpdir(), 'labelport-yolo-'))
        try {
          writeFileSync(join(dir, 'export.zip'), zipBytes)
          const files = await extractZip(join(dir, 'export.zip'), mkdtempSync(join(dir, 'x-')), 1e9)
          assert.ok(files.includes('data.yaml'), files.join(', '))
          const labelFiles = files.filter((f) => f.endsWith('.txt'))
          assert.equal(labelFiles.length, COCO.images.length)
          // a dataset ZIP as users make them: one folder with data.yaml, labels/ and images/
          const entries = async function* () {
            const root = readdirSync(dir).find((d) => d.startsWith('x-'))!
            for (const f of files)
              yield { path: `set/${f}`, content: readFileSync(join(dir, root, f)) }
            for (const image of COCO.images)
              yield {
                path: `set/images/${image.file_name}`,
                content: readFileSync(`${COCO_DIR}images/${image.file_name}`),
              }
          }
          const chunks: Buffer[] = []
          for await (const c of zipStream(entries())) chunks.push(c)
          const id = await project('yolo-again')
          const result = await call<FormatImportResult>(
            'POST',
            `/v1/projects/${id}/imports/formats`,
            {
              name: 'yolo',
              kind: 'ground_truth',
              source: { uploadId: await upload(Buffer.concat(chunks)) },
              fileName: 'set.zip',
            },
          )
          assert.equal(result.format, 'yolo')
          assert.equal(result.images, COCO.images.length)
          const { job, statuses } = await finished(result.job)
          assert.equal(job.counts.failure, 0, JSON.stringify(job.errorExamples))
          assert.ok(job.counts.success > 0)
          assert.match(statuses[0]!.source!.file, /\.txt$/)
          assert.equal(typeof statuses[0]!.source!.line, 'number')
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      })

      it('clips on the server: NDJSON with clip succeeds with geometry_clipped, without it fails', async () => {
        const id = await project('clip')
        const ontology = await call<{ id: string }>('POST', '/v1/ontologies', {
          name: 'boxes',
          normalized: {
            tools: [
              { tool: 'rectangle', name: 'box', classifications: [] },
              { tool: 'polygon', name: 'area', classifications: [] },
            ],
            classifications: [],
          },
        })
        await call('PUT', `/v1/projects/${id}/ontology`, { ontologyId: ontology.id })
        const png = await sharp({
          create: { width: 100, height: 50, channels: 3, background: '#888' },
        })
          .png()
          .toBuffer()
        const dataset = await call<{ id: string }>('POST', '/v1/datasets', { name: 'clip' })
        let task = await call<{ id: string; status: string }>(
          'POST',
          `/v1/datasets/${dataset.id}/data-rows`,
          {
            items: [{ rowData: `upload://${await upload(png)}`, globalKey: 'clip-img' }],
          },
        )
        while (task.status === 'IN_PROGRESS') {
          await new Promise((r) => setTimeout(r, 20))
          task = await call('GET', `/v1/tasks/${task.id}`)
        }
        await call('POST', `/v1/projects/${id}/batches`, { name: 'b', globalKeys: ['clip-img'] })
        const dataRow = { globalKey: 'clip-img' }
        const lines = [
          { name: 'box', dataRow, bbox: { left: -5, top: 10, width: 20, height: 10 } },
          { name: 'box', dataRow, bbox: { left: 90.0000075, top: 0, width: 10, height: 50.3 } },
          {
            name: 'area',
            dataRow,
            polygon: [
              { x: 90, y: 10 },
              { x: 130, y: 10 },
              { x: 90, y: 40 },
            ],
          },
          { name: 'box', dataRow, bbox: { left: 200, top: 10, width: 20, height: 10 } },
        ]
        const run = async (name: string, clip: boolean) => {
          const job = await call<ImportJob>('POST', `/v1/projects/${id}/imports`, {
            name,
            kind: 'ground_truth',
            source: { lines },
            clip,
          })
          return finished(job)
        }
        const plain = await run('plain', false)
        assert.deepEqual(
          plain.statuses.map((s) => s.errors?.[0]?.code ?? s.status),
          ['geometry_out_of_bounds', 'SUCCESS', 'geometry_out_of_bounds', 'geometry_out_of_bounds'],
        )
        const clipped = await run('clipped', true)
        assert.deepEqual(
          clipped.statuses.map((s) => [s.status, s.errors?.[0]?.code ?? s.warnings?.[0]?.code]),
          [
            ['SUCCESS', 'geometry_clipped'],
            ['SUCCESS', undefined], // sub-pixel overshoot: accepted as it is, no warning
            ['SUCCESS', 'geometry_clipped'],
            ['FAILURE', 'geometry_out_of_bounds'], // wholly outside: nothing to clip
          ],
        )
        const view = await call<{ labels: { uuid: string; geometry: Record<string, unknown> }[] }>(
          'GET',
          `/v1/projects/${id}/data-rows/${clipped.statuses[0]!.dataRow.id}/annotations`,
        )
        const geometries = JSON.stringify(view)
        assert.match(
          geometries,
          /"left":0,"top":10,"width":15,"height":10|"top":10,"left":0,"height":10,"width":15/,
        )
        assert.ok(geometries.includes('{"x":100,"y":10}'), geometries)
      })
    },
  )
}
