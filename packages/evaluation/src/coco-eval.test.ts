import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { sharedFixtureUrl } from '@labelport/testkit'
import { CocoDatasetSchema, CocoResultsSchema, defaultCocoParams, evaluateCoco } from './index.ts'
import type { CocoDataset, CocoDetection, CocoEvalResult } from './index.ts'

const FIXTURES = sharedFixtureUrl('real/faster_coco_eval/tests/dataset/')
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'))
const detectron2 = JSON.parse(
  readFileSync(new URL('fixtures/detectron2-case.json', import.meta.url), 'utf8'),
) as { groundTruth: unknown; detections: unknown }

function statsOf(outcome: ReturnType<typeof evaluateCoco>): number[] {
  assert.ok(outcome.ok, JSON.stringify(outcome))
  return outcome.result.stats
}

function assertClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-12) {
  assert.equal(actual.length, expected.length)
  for (const [i, value] of expected.entries())
    assert.ok(
      Math.abs(actual[i]! - value) <= tolerance,
      `stat ${i}: ${actual[i]} differs from ${value}`,
    )
}

describe('COCOeval golden results', () => {
  it('faster_coco_eval ignore test (bbox, crowd region, detections below 0.1 dropped)', () => {
    const gt = CocoDatasetSchema.parse(load('gt_ignore_test.json'))
    const dt = CocoResultsSchema.parse(load('dt_ignore_test.json')).filter((d) => d.score >= 0.1)
    assertClose(
      statsOf(evaluateCoco(gt, dt, 'bbox')),
      [
        0.7099009900990099, 1.0, 0.8415841584158416, -1, 0.7099009900990099, -1, 0.0,
        0.45384615384615384, 0.7153846153846154, -1, 0.7153846153846154, -1,
      ],
    )
  })

  it('faster_coco_eval segm set (polygons rasterized as pycocotools, detections as united polygons)', () => {
    const gt = CocoDatasetSchema.parse(load('gt_dataset.json'))
    const dt = CocoResultsSchema.parse(load('dt_dataset.json')).map(
      ({ bbox: _bbox, area: _area, ...detection }) => detection,
    )
    assertClose(
      statsOf(evaluateCoco(gt, dt, 'segm')),
      [
        0.6947194719471946, 0.6947194719471946, 0.6947194719471946, -1, 0.7367986798679867, 0.0,
        0.6666666666666666, 0.75, 0.75, -1, 0.7916666666666666, 0.0,
      ],
    )
  })

  it('detectron2 case on COCO val images: bbox and segm (compressed RLE detections, polygon truth)', () => {
    const gt = CocoDatasetSchema.parse(detectron2.groundTruth)
    const dt = CocoResultsSchema.parse(detectron2.detections)
    assertClose(
      statsOf(evaluateCoco(gt, dt, 'bbox')),
      [0.7504950495049505, 1.0, 1.0, 0.7, 0.8, -1.0, 0.4, 0.75, 0.75, 0.7, 0.8, -1.0],
    )
    // with a bbox present, loadRes takes the box area for the detection: drop it for mask area
    const masks = dt.map(({ bbox: _bbox, ...detection }) => detection)
    assertClose(
      statsOf(evaluateCoco(gt, masks, 'segm')),
      [0.7252475247524752, 1.0, 1.0, 0.8, 0.7, -1.0, 0.35, 0.75, 0.75, 0.8, 0.7, -1.0],
    )
  })
})

const image = (id: number) => ({ id, width: 640, height: 640 })
const box = (imageId: number, bbox: number[], categoryId = 1, extra = {}) => ({
  image_id: imageId,
  category_id: categoryId,
  bbox,
  ...extra,
})

describe('hand-checkable cases', () => {
  it('one of two objects missed: AP = 51/101 at every threshold', () => {
    const gt: CocoDataset = {
      images: [image(1), image(2)],
      categories: [{ id: 1 }],
      annotations: [
        box(1, [10, 10, 50, 50], 1, { area: 2500 }),
        box(2, [10, 10, 50, 50], 1, { area: 2500 }),
      ],
    }
    const dt: CocoDetection[] = [{ ...box(1, [10, 10, 50, 50]), score: 0.9 }]
    const stats = statsOf(evaluateCoco(gt, dt, 'bbox'))
    // precision is tp / (tp + fp + eps), as pycocotools computes it: equal to 1e-12, not bit for bit
    assertClose([stats[0]!, stats[1]!, stats[8]!], [51 / 101, 51 / 101, 0.5])
  })

  it('one TP and a higher-scored FP on an image without truth: AP = 0.5', () => {
    const gt: CocoDataset = {
      images: [image(1), image(2)],
      categories: [{ id: 1 }],
      annotations: [box(1, [10, 10, 50, 50], 1, { area: 2500 })],
    }
    const dt: CocoDetection[] = [
      { ...box(1, [10, 10, 50, 50]), score: 0.9 },
      { ...box(2, [10, 10, 50, 50]), score: 0.95 },
    ]
    const stats = statsOf(evaluateCoco(gt, dt, 'bbox'))
    assertClose(stats.slice(0, 3), [0.5, 0.5, 0.5])
  })

  it('four exact predictions with category id 0 and image id 0: every AP 1.0', () => {
    const mask = { size: [10, 10], counts: [0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 55] }
    const truths = [
      [0, 400, [50, 60, 20, 20]],
      [0, 900, [100, 120, 30, 30]],
      [1, 1600, [150, 160, 40, 40]],
      [0, 10000, [250, 260, 100, 100]],
    ] as const
    const gt: CocoDataset = {
      images: [{ id: 0, width: 640, height: 640 }],
      categories: [{ id: 0 }, { id: 1 }],
      annotations: truths.map(([categoryId, area, bbox], i) =>
        box(0, [...bbox], categoryId, { id: i + 1, area, iscrowd: 0, segmentation: mask }),
      ),
    }
    const scores = [1.0, 0.98, 0.96, 0.95]
    const dt: CocoDetection[] = truths.map(([categoryId, , bbox], i) => ({
      ...box(0, [...bbox], categoryId),
      score: scores[i]!,
    }))
    const stats = statsOf(evaluateCoco(gt, dt, 'bbox'))
    assertClose(stats.slice(0, 6), [1, 1, 1, 1, 1, 1])
    // AR@1: one detection per image and category finds 1 of 3 cars and the bicycle
    assertClose(stats.slice(6), [(1 / 3 + 1) / 2, 1, 1, 1, 1, 1])
  })

  it('a crowd region swallows detections inside it without counting them', () => {
    const gt: CocoDataset = {
      images: [image(1)],
      categories: [{ id: 1 }],
      annotations: [
        box(1, [0, 0, 100, 100], 1, { area: 10000 }),
        box(1, [200, 200, 300, 300], 1, { area: 90000, iscrowd: 1 }),
      ],
    }
    const dt: CocoDetection[] = [
      { ...box(1, [0, 0, 100, 100]), score: 0.5 },
      { ...box(1, [250, 250, 20, 20]), score: 0.9 },
      { ...box(1, [300, 300, 20, 20]), score: 0.8 },
    ]
    const stats = statsOf(evaluateCoco(gt, dt, 'bbox'))
    assertClose([stats[0]!], [1])
  })

  it('area ranges are inclusive at both ends: an area of exactly 32² is small and medium', () => {
    const gt: CocoDataset = {
      images: [image(1)],
      categories: [{ id: 1 }],
      annotations: [box(1, [0, 0, 32, 32], 1, { area: 1024 })],
    }
    const dt: CocoDetection[] = [{ ...box(1, [0, 0, 32, 32]), score: 1 }]
    const stats = statsOf(evaluateCoco(gt, dt, 'bbox'))
    assertClose([stats[3]!, stats[4]!, stats[5]!], [1, 1, -1])
  })

  it('thresholds are numpy linspace values and the result arrays have the documented shape', () => {
    const params = defaultCocoParams('bbox')
    assert.equal(params.iouThresholds[5], 0.75)
    assert.equal(params.iouThresholds[8], 0.8999999999999999)
    assert.equal(params.recallThresholds[100], 1)
    const outcome = evaluateCoco(
      { images: [image(1)], categories: [{ id: 1 }, { id: 2 }], annotations: [] },
      [],
      params,
    )
    assert.ok(outcome.ok)
    const result: CocoEvalResult = outcome.result
    assert.deepEqual(result.shape, [10, 101, 2, 4, 3])
    assert.ok(result.precision.every((value) => value === -1))
    assert.deepEqual(result.stats, new Array(12).fill(-1))
  })

  it('answers bad geometry with a coded issue naming the object', () => {
    const gt: CocoDataset = {
      images: [image(1)],
      categories: [{ id: 1 }],
      annotations: [{ image_id: 1, category_id: 1, segmentation: [[1, 2, 3]] }],
    }
    const outcome = evaluateCoco(gt, [], 'segm')
    assert.ok(!outcome.ok)
    assert.equal(outcome.issues[0]!.code, 'polygon_too_few_points')
    assert.deepEqual(outcome.issues[0]!.path, ['annotations', 0, 'segmentation', 0])
  })
})
