import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { groundTruthCounts, matchObjects, metricsAtConfidence } from './index.ts'
import type { CocoDataset, CocoDetection, MatchOptions } from './index.ts'

const dataset = (annotations: CocoDataset['annotations'], categories = [{ id: 1 }]) => ({
  images: [{ id: 1, width: 200, height: 200 }],
  categories,
  annotations,
})
const truth = (bbox: number[], categoryId = 1, extra = {}) => ({
  image_id: 1,
  category_id: categoryId,
  bbox,
  ...extra,
})
const prediction = (bbox: number[], score: number, categoryId = 1): CocoDetection => ({
  image_id: 1,
  category_id: categoryId,
  bbox,
  score,
})
const run = (gt: CocoDataset, dt: CocoDetection[], options: Partial<MatchOptions> = {}) => {
  const outcome = matchObjects(gt, dt, { iouType: 'bbox', iouThreshold: 0.5, ...options })
  assert.ok(outcome.ok)
  return outcome.result
}

describe('per-object matching', () => {
  it('marks TP, FP and FN with the matched object and its IoU', () => {
    const result = run(dataset([truth([0, 0, 10, 10]), truth([50, 50, 10, 10])]), [
      prediction([0, 0, 10, 10], 0.9),
      prediction([100, 100, 10, 10], 0.8),
    ])
    assert.deepEqual(
      result.predictions.map((p) => [p.status, p.match, p.iou]),
      [
        ['tp', 0, 1],
        ['fp', null, null],
      ],
    )
    assert.deepEqual(
      result.groundTruths.map((g) => [g.status, g.match]),
      [
        ['tp', 0],
        ['fn', null],
      ],
    )
    assert.deepEqual(result.perClass[0], {
      categoryId: 1,
      tp: 1,
      fp: 1,
      fn: 1,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
    })
    // rows: truth 1, background; columns: predicted 1, background
    assert.deepEqual(result.confusion.counts, [
      [1, 1],
      [1, 0],
    ])
  })

  it('coco pairs by confidence, labelbox by IoU', () => {
    const gt = dataset([truth([0, 0, 100, 100])])
    // IoU 0.6 at 0.9 confidence, IoU 0.9 at 0.5 confidence
    const dt = [prediction([0, 0, 100, 60], 0.9), prediction([0, 0, 100, 90], 0.5)]
    const coco = run(gt, dt)
    assert.deepEqual(
      coco.predictions.map((p) => p.status),
      ['tp', 'fp'],
    )
    assert.equal(coco.groundTruths[0]!.iou, 0.6)
    const labelbox = run(gt, dt, { method: 'labelbox' })
    assert.deepEqual(
      labelbox.predictions.map((p) => p.status),
      ['fp', 'tp'],
    )
    assert.equal(labelbox.groundTruths[0]!.iou, 0.9)
  })

  it('labelbox strict IoU refuses a pair exactly at the threshold, >= accepts it', () => {
    const gt = dataset([truth([0, 0, 10, 10])])
    const dt = [prediction([0, 0, 10, 5], 0.9)] // IoU exactly 0.5
    assert.equal(run(gt, dt, { method: 'labelbox' }).predictions[0]!.status, 'tp')
    assert.equal(run(gt, dt, { method: 'labelbox', strictIou: true }).predictions[0]!.status, 'fp')
    assert.equal(run(gt, dt).predictions[0]!.status, 'tp')
  })

  it('a prediction inside a crowd region is ignored, not a false positive', () => {
    const gt = dataset([truth([0, 0, 100, 100], 1, { iscrowd: 1 })])
    const result = run(gt, [prediction([10, 10, 20, 20], 0.9)])
    assert.equal(result.predictions[0]!.status, 'ignored')
    assert.equal(result.groundTruths[0]!.status, 'ignored')
    assert.deepEqual(result.perClass[0]!.fp, 0)
  })

  it('across classes (classwise false) a mix-up lands off the diagonal of the confusion matrix', () => {
    const gt = dataset([truth([0, 0, 10, 10], 1)], [{ id: 1 }, { id: 2 }])
    const dt = [prediction([0, 0, 10, 10], 0.9, 2)]
    const classwise = run(gt, dt)
    assert.deepEqual(classwise.confusion.counts, [
      [0, 0, 1],
      [0, 0, 0],
      [0, 1, 0],
    ])
    const across = run(gt, dt, { classwise: false })
    assert.deepEqual(across.confusion.counts, [
      [0, 1, 0],
      [0, 0, 0],
      [0, 0, 0],
    ])
    assert.equal(across.predictions[0]!.status, 'fp')
    assert.equal(across.predictions[0]!.matchCategoryId, 1)
    assert.deepEqual(
      across.perClass.map((c) => [c.tp, c.fp, c.fn]),
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
    )
  })

  it('recomputing at a confidence from stored matches equals matching again at that confidence (coco rule)', () => {
    const boxArb = fc.tuple(
      fc.integer({ min: 0, max: 150 }),
      fc.integer({ min: 0, max: 150 }),
      fc.integer({ min: 5, max: 50 }),
      fc.integer({ min: 5, max: 50 }),
    )
    fc.assert(
      fc.property(
        fc.array(fc.tuple(boxArb, fc.integer({ min: 1, max: 2 })), { maxLength: 12 }),
        fc.array(
          fc.tuple(
            boxArb,
            fc.integer({ min: 1, max: 2 }),
            fc.double({ min: 0, max: 1, noNaN: true }),
          ),
          {
            maxLength: 12,
          },
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (truths, predictions, confidence, classwise) => {
          const gt = dataset(
            truths.map(([b, c]) => truth([...b], c)),
            [{ id: 1 }, { id: 2 }],
          )
          const dt = predictions.map(([b, c, s]) => prediction([...b], s, c))
          const all = run(gt, dt, { classwise })
          const again = run(gt, dt, { classwise, confidenceThreshold: confidence })
          const recomputed = metricsAtConfidence(
            [1, 2],
            all.predictions,
            groundTruthCounts(all.groundTruths),
            confidence,
          )
          assert.deepEqual(recomputed, again.perClass)
        },
      ),
      { numRuns: 300, seed: 14 },
    )
  })
})
