/**
 * `project.importFormat` and `project.exportFormat` against a real server process on SQLite and
 * PostgreSQL, with the labelbox-python COCO file (real COCO val2017 photos and polygons) and the
 * label-studio-converter Label Studio export: detected, imported with each object's source on its
 * status line, refused when a feature does not map, exported back with the same geometry.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { SHARED_FIXTURES, postgres, startServer, type TestServer } from '@labelport/testkit'
import { ApiError } from './errors.ts'
import { Client } from './client.ts'

const COCO_DIR = `${SHARED_FIXTURES}real/labelbox-python/libs/labelbox/tests/data/assets/coco/`
const COCO = JSON.parse(readFileSync(`${COCO_DIR}instances.json`, 'utf8')) as {
  images: { id: number; file_name: string }[]
  annotations: { id: number; segmentation: number[][] }[]
}
const pgNeed = postgres()

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `SDK foreign formats on ${dialect}`,
    { skip: dialect === 'postgres' ? pgNeed.skip : false },
    () => {
      let server: TestServer
      let client: Client
      before(async () => {
        server = await startServer(dialect === 'postgres' ? { databaseUrl: pgNeed.value } : {})
        client = new Client(server.apiKey, { endpoint: server.url })
        const dataset = await client.createDataset({ name: 'coco photos' })
        const task = await dataset.createDataRows(
          COCO.images.map((image) => ({
            rowData: `${COCO_DIR}images/${image.file_name}`,
            globalKey: image.file_name,
          })),
        )
        await task.waitTillDone()
        assert.equal(task.errors, null)
      })
      after(async () => {
        await server?.stop()
      })

      it('importFormat reads COCO (format auto), makes the ontology, and names each source', async () => {
        const project = await client.createProject({ name: 'sdk coco' })
        const outcome = await project.importFormat({
          name: 'coco',
          kind: 'ground_truth',
          path: `${COCO_DIR}instances.json`,
        })
        assert.equal(outcome.format, 'coco')
        assert.equal(outcome.ontologyCreated, true)
        assert.equal(outcome.images, COCO.images.length)
        assert.equal(project.dataRowCount, COCO.images.length)
        assert.ok(outcome.job)
        await outcome.job.waitUntilDone()
        const parts = COCO.annotations.reduce((n, a) => n + a.segmentation.length, 0)
        assert.equal(outcome.job.counts.success, parts, JSON.stringify(outcome.job.errorCounts))
        const statuses = await outcome.job.statuses()
        assert.equal(statuses.length, parts)
        assert.ok(statuses.every((s) => s.source?.file === 'instances.json'))

        const exported = JSON.parse(
          new TextDecoder().decode(await project.exportFormat('coco')),
        ) as typeof COCO
        const byId = new Map(exported.annotations.map((a) => [a.id, a.segmentation]))
        for (const a of COCO.annotations) assert.deepEqual(byId.get(a.id), a.segmentation)

        const zip = await project.exportFormat('yolo')
        assert.deepEqual([...zip.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04])
      })

      it('a feature the ontology lacks: ApiError format_features_unmapped naming it, nothing imported', async () => {
        const project = await client.createProject({ name: 'sdk unmapped' })
        const ontology = await client.createOntology('only people', {
          tools: [{ tool: 'polygon', name: 'person' }],
          classifications: [],
        })
        await project.connectOntology(ontology)
        await assert.rejects(
          project.importFormat({
            name: 'coco',
            kind: 'mal',
            format: 'coco',
            path: `${COCO_DIR}instances.json`,
          }),
          (err: unknown) => {
            assert.ok(err instanceof ApiError)
            assert.equal(err.code, 'format_features_unmapped')
            const names = err.issues.map((i) => i.path[1])
            assert.ok(names.includes('car') && !names.includes('person'), names.join(', '))
            return true
          },
        )
        assert.deepEqual(await project.imports(), [])
        // a dry run with the rest renamed onto 'person' judges every object and writes none
        const map = Object.fromEntries(
          ['car', 'truck', 'traffic light', 'bench', 'cat', 'sheep', 'giraffe', 'kite']
            .concat(['surfboard', 'bottle', 'wine glass', 'cup', 'fork', 'knife', 'spoon'])
            .concat(['bowl', 'sandwich', 'pizza', 'chair', 'couch', 'dining table', 'toilet'])
            .concat(['cell phone', 'oven', 'sink'])
            .map((name) => [name, 'person']),
        )
        // a dry run writes no batch: the rows must be in the project already
        await project.createBatch('photos', { globalKeys: COCO.images.map((i) => i.file_name) })
        const dry = await project.importFormat({
          name: 'coco dry',
          kind: 'mal',
          path: `${COCO_DIR}instances.json`,
          map,
          dryRun: true,
        })
        assert.ok(dry.job)
        await dry.job.waitUntilDone()
        assert.equal(dry.job.dryRun, true)
        assert.equal(dry.job.counts.failure, 0, JSON.stringify(dry.job.errorExamples))
        const rows = await project.export()
        assert.ok(rows.every((r) => r.projects[project.id]!.prelabels.length === 0))
      })
    },
  )
}
