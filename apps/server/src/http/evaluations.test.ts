/**
 * Evaluations through the HTTP API on SQLite and PostgreSQL: faster_coco_eval's polygon set
 * imported as ground truth and as MAL pre-labels (with their scores as confidence), evaluated as
 * masks and as boxes; the numbers equal the pure evaluator's on the same objects (and, for masks,
 * the published pycocotools values).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import type {
  Evaluation,
  EvaluationDataRow,
  EvaluationObject,
  ImportJob,
  Task,
} from '@labelport/core'
import {
  CocoDatasetSchema,
  CocoResultsSchema,
  evaluateCoco,
  matchObjects,
  rleArea,
  rleFromPolygon,
  type ClassMetrics,
} from '@labelport/evaluation'
import { freshSchemaUrl, postgres, sharedFixture } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'

const API_KEY = 'eval-key-5c8e2a7f1d39b6'
const pgNeed = postgres()

const gt = CocoDatasetSchema.parse(
  JSON.parse(
    readFileSync(sharedFixture('real/faster_coco_eval/tests/dataset/gt_dataset.json'), 'utf8'),
  ),
)
const dt = CocoResultsSchema.parse(
  JSON.parse(
    readFileSync(sharedFixture('real/faster_coco_eval/tests/dataset/dt_dataset.json'), 'utf8'),
  ),
)
const PUBLISHED_SEGM = [
  0.6947194719471946, 0.6947194719471946, 0.6947194719471946, -1, 0.7367986798679867, 0.0,
  0.6666666666666666, 0.75, 0.75, -1, 0.7916666666666666, 0.0,
]

const categoryName = (id: unknown) => `class_${String(id)}`
const globalKey = (imageId: unknown) => `eval-image-${String(imageId)}`
const points = (flat: number[]) =>
  Array.from({ length: flat.length / 2 }, (_, i) => ({ x: flat[2 * i]!, y: flat[2 * i + 1]! }))

function assertClose(actual: readonly number[], expected: readonly number[]) {
  assert.equal(actual.length, expected.length)
  for (const [i, value] of expected.entries())
    assert.ok(Math.abs(actual[i]! - value) <= 1e-12, `stat ${i}: ${actual[i]} vs ${value}`)
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `evaluations on ${dialect}`,
    { skip: dialect === 'postgres' ? pgNeed.skip : false },
    () => {
      let server: ComposedServer
      let dataDir = ''
      let drop: (() => Promise<void>) | undefined
      let projectId = ''
      let malImportId = ''
      const features = new Map<string, string>() // name → featureSchemaId

      const call = async <T>(method: string, path: string, body?: unknown) => {
        const res = await server.app.request(path, {
          method,
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
        const text = await res.text()
        return { status: res.status, body: (text ? JSON.parse(text) : null) as T }
      }

      const importLines = async (name: string, kind: 'mal' | 'ground_truth', lines: unknown[]) => {
        const created = await call<ImportJob>('POST', `/v1/projects/${projectId}/imports`, {
          name,
          kind,
          source: { lines },
        })
        assert.equal(created.status, 202, JSON.stringify(created.body))
        await server.importWorker.whenIdle()
        const job = (await call<ImportJob>('GET', `/v1/imports/${created.body.id}`)).body
        assert.equal(job.counts.failure, 0, JSON.stringify(job.errorExamples))
        return job
      }

      const evaluate = async (body: Record<string, unknown>) => {
        const created = await call<Evaluation>(
          'POST',
          `/v1/projects/${projectId}/evaluations`,
          body,
        )
        assert.equal(created.status, 202, JSON.stringify(created.body))
        await server.evaluations.whenIdle()
        const done = (await call<Evaluation>('GET', `/v1/evaluations/${created.body.id}`)).body
        assert.equal(done.state, 'FINISHED', JSON.stringify(done.failureReason))
        assert.equal(done.progress, '100%')
        return done
      }

      before(async () => {
        dataDir = mkdtempSync(join(tmpdir(), 'labelport-eval-'))
        const schema = dialect === 'postgres' ? await freshSchemaUrl(pgNeed.value) : null
        drop = schema ? () => schema.drop() : undefined
        server = await composeServer({
          ...readConfig(['--data-dir', dataDir], {}),
          databaseUrl: schema?.url ?? null,
          bootstrapApiKey: API_KEY,
        })
        const dataset = (await call<{ id: string }>('POST', '/v1/datasets', { name: 'eval' })).body
        const items = []
        for (const image of gt.images) {
          const png = await sharp({
            create: { width: image.width, height: image.height, channels: 3, background: '#345' },
          })
            .png()
            .toBuffer()
          const res = await server.app.request('/v1/uploads', {
            method: 'POST',
            headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'image/png' },
            body: png,
          })
          const { uri } = (await res.json()) as { uri: string }
          items.push({ rowData: uri, globalKey: globalKey(image.id) })
        }
        const task = await call<Task>('POST', `/v1/datasets/${dataset.id}/data-rows`, { items })
        for (;;) {
          const t = (await call<Task>('GET', `/v1/tasks/${task.body.id}`)).body
          if (t.status !== 'IN_PROGRESS') break
          await new Promise((r) => setTimeout(r, 20))
        }
        const ontology = (
          await call<{
            id: string
            normalized: { tools: { name: string; featureSchemaId: string }[] }
          }>('POST', '/v1/ontologies', {
            name: 'shapes',
            mediaType: 'IMAGE',
            normalized: {
              tools: gt.categories.map((c) => ({
                tool: 'polygon',
                name: categoryName(c.id),
                required: false,
                color: '#ff0000',
                classifications: [],
                schemaNodeId: null,
                featureSchemaId: null,
              })),
              classifications: [],
            },
          })
        ).body
        for (const t of ontology.normalized.tools) features.set(t.name, t.featureSchemaId)
        projectId = (
          await call<{ id: string }>('POST', '/v1/projects', { name: 'p', mediaType: 'IMAGE' })
        ).body.id
        await call('PUT', `/v1/projects/${projectId}/ontology`, { ontologyId: ontology.id })
        await call('POST', `/v1/projects/${projectId}/batches`, {
          name: 'all',
          globalKeys: gt.images.map((i) => globalKey(i.id)),
        })
        await importLines(
          'truth',
          'ground_truth',
          gt.annotations.map((a) => ({
            name: categoryName(a.category_id),
            polygon: points((a.segmentation as number[][])[0]!),
            dataRow: { globalKey: globalKey(a.image_id) },
          })),
        )
        malImportId = (
          await importLines(
            'model',
            'mal',
            dt.map((d) => ({
              name: categoryName(d.category_id),
              polygon: points((d.segmentation as number[][])[0]!),
              confidence: d.score,
              dataRow: { globalKey: globalKey(d.image_id) },
            })),
          )
        ).id
      })
      after(async () => {
        await server.close()
        await drop?.()
        rmSync(dataDir, { recursive: true, force: true })
      })

      it('masks: the published pycocotools statistics, and the pure evaluator per object', async () => {
        const evaluation = await evaluate({ iouType: 'segm', importId: malImportId })
        const summary = evaluation.summary!
        const detections = dt.map(({ bbox: _b, area: _a, ...d }) => d)
        const pure = evaluateCoco(gt, detections, 'segm')
        assert.ok(pure.ok)
        assertClose(summary.cocoStats, pure.result.stats)
        assertClose(summary.cocoStats, PUBLISHED_SEGM)
        assert.equal(summary.images, 3)
        assert.equal(summary.groundTruths, 9)
        assert.equal(summary.predictions, 9)

        const matched = matchObjects(gt, detections, { iouType: 'segm', iouThreshold: 0.5 })
        assert.ok(matched.ok)
        const perClass: ClassMetrics[] = matched.result.perClass
        for (const [k, category] of gt.categories.entries()) {
          const cls = summary.classes.find((c) => c.name === categoryName(category.id))!
          const expected = perClass[k]!
          assert.deepEqual(
            [cls.tp, cls.fp, cls.fn, cls.precision, cls.recall, cls.f1],
            [
              expected.tp,
              expected.fp,
              expected.fn,
              expected.precision,
              expected.recall,
              expected.f1,
            ],
          )
          assertClose([cls.ap], [pure.result.perCategory[k]!.ap])
        }
        // confusion matrix: diagonal = TP, last column = FN, last row = FP
        const K = gt.categories.length
        const tp = summary.classes.reduce((s, c) => s + c.tp, 0)
        assert.equal(
          summary.confusion.counts.reduce((s, row, i) => s + (i < K ? row[i]! : 0), 0),
          tp,
        )
        assert.equal(summary.confusion.labels.at(-1), null)

        // per object: every label and pre-label once, TP pairs point at each other
        const objects = (
          await call<{ items: EvaluationObject[] }>(
            'GET',
            `/v1/evaluations/${evaluation.id}/objects?limit=1000`,
          )
        ).body.items
        assert.equal(objects.length, 18)
        const byId = new Map(objects.map((o) => [o.annotationId, o]))
        for (const o of objects.filter((x) => x.status === 'tp')) {
          const other = byId.get(o.matchAnnotationId!)!
          assert.equal(other.matchAnnotationId, o.annotationId)
          assert.equal(other.iou, o.iou)
        }
        assert.equal(objects.filter((o) => o.layer === 'prelabel' && o.status === 'tp').length, tp)

        const rows = (
          await call<{ items: EvaluationDataRow[] }>(
            'GET',
            `/v1/evaluations/${evaluation.id}/data-rows?sort=fn`,
          )
        ).body.items
        assert.equal(rows.length, 3)
        assert.ok(rows[0]!.fn >= rows[1]!.fn && rows[1]!.fn >= rows[2]!.fn)
        assert.equal(
          rows.reduce((s, r) => s + r.fp, 0),
          summary.classes.reduce((s, c) => s + c.fp, 0),
        )
        const onlyFp = (
          await call<{ items: EvaluationDataRow[] }>(
            'GET',
            `/v1/evaluations/${evaluation.id}/data-rows?only=fp&sort=lowestIou`,
          )
        ).body.items
        assert.ok(onlyFp.every((r) => r.fp > 0))
      })

      it('boxes: the pure evaluator on the same objects (polygon extents, rasterized area for truth)', async () => {
        const evaluation = await evaluate({ iouType: 'bbox' })
        const extent = (flat: number[]) => {
          const xs = flat.filter((_, i) => i % 2 === 0)
          const ys = flat.filter((_, i) => i % 2 === 1)
          const [x, y] = [Math.min(...xs), Math.min(...ys)]
          return [x, y, Math.max(...xs) - x, Math.max(...ys) - y]
        }
        const size = new Map(gt.images.map((i) => [i.id, i]))
        const boxes = {
          ...gt,
          annotations: gt.annotations.map((a) => {
            const flat = (a.segmentation as number[][])[0]!
            const image = size.get(a.image_id)!
            return {
              image_id: a.image_id,
              category_id: a.category_id,
              bbox: extent(flat),
              area: rleArea(rleFromPolygon(flat, image.height, image.width)),
            }
          }),
        }
        const detections = dt.map((d) => ({
          image_id: d.image_id,
          category_id: d.category_id,
          score: d.score,
          bbox: extent((d.segmentation as number[][])[0]!),
        }))
        const pure = evaluateCoco(boxes, detections, 'bbox')
        assert.ok(pure.ok)
        assertClose(evaluation.summary!.cocoStats, pure.result.stats)
      })

      it('answers bad requests with coded errors and their paths', async () => {
        const missing = await call<{ error: { code: string } }>('GET', '/v1/evaluations/nope')
        assert.equal(missing.status, 404)
        assert.equal(missing.body.error.code, 'evaluation_not_found')
        const badImport = await call<{ error: { code: string; path: unknown[] } }>(
          'POST',
          `/v1/projects/${projectId}/evaluations`,
          { importId: 'cnope' },
        )
        assert.equal(badImport.body.error.code, 'import_not_found')
        assert.deepEqual(badImport.body.error.path, ['importId'])
        const badFeature = await call<{ error: { code: string; path: unknown[] } }>(
          'POST',
          `/v1/projects/${projectId}/evaluations`,
          { featureSchemaIds: [features.get('class_1'), 'unknown'] },
        )
        assert.equal(badFeature.status, 400)
        assert.deepEqual(badFeature.body.error.path, ['featureSchemaIds', 1])
        const badThreshold = await call<{ error: { code: string; path: unknown[] } }>(
          'POST',
          `/v1/projects/${projectId}/evaluations`,
          { iouThreshold: 2 },
        )
        assert.equal(badThreshold.body.error.code, 'validation_failed')
        assert.deepEqual(badThreshold.body.error.path, ['body', 'iouThreshold'])
        const list = await call<{ items: Evaluation[] }>(
          'GET',
          `/v1/projects/${projectId}/evaluations`,
        )
        assert.ok(list.body.items.length >= 2)
      })
    },
  )
}
