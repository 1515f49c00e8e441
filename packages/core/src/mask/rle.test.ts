import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { SHARED_FIXTURES } from '@labelport/testkit'
import {
  checkRle,
  compressCounts,
  countsFromMask,
  decodeRle,
  encodeRle,
  parseCompressedCounts,
  rleArea,
  rleBbox,
} from './rle.ts'

const REAL = `${SHARED_FIXTURES}real/`

interface CocoRle {
  counts: string | number[]
  size: [number, number]
}
const readJson = <T>(path: string): T => JSON.parse(readFileSync(`${REAL}${path}`, 'utf8')) as T

void test('every compressed RLE of the cocoapi results file decodes and re-encodes to the same string', () => {
  const results = readJson<{ segmentation: CocoRle }[]>(
    'cocoapi/results/instances_val2014_fakesegm100_results.json',
  )
  assert.ok(results.length > 700)
  for (const { segmentation } of results) {
    const decoded = decodeRle(segmentation)
    assert.ok(decoded.ok)
    assert.equal(decoded.width, segmentation.size[1])
    assert.equal(decoded.height, segmentation.size[0])
    const encoded = encodeRle(decoded.mask, decoded.width, decoded.height)
    assert.equal(encoded.counts, segmentation.counts)
    assert.deepEqual(encoded.size, segmentation.size)
  }
})

void test('Segment Anything RLEs from datumaro: exact round trip, and area and bbox as SAM wrote them', () => {
  for (const file of ['a.json', 'b.json']) {
    const data = readJson<{
      annotations: { segmentation: CocoRle; area: number; bbox: number[] }[]
    }>(`datumaro/tests/assets/segment_anything_dataset/${file}`)
    for (const annotation of data.annotations) {
      const segmentation = annotation.segmentation
      const decoded = decodeRle(segmentation)
      assert.ok(decoded.ok)
      assert.equal(
        encodeRle(decoded.mask, decoded.width, decoded.height).counts,
        segmentation.counts,
      )
      const checked = checkRle(segmentation)
      assert.ok(checked.ok)
      assert.equal(rleArea(checked.counts), annotation.area)
      const [x, y, w, h] = annotation.bbox
      const box = rleBbox(checked.counts, checked.height)
      assert.deepEqual(box, { left: x, top: y, width: w, height: h })
    }
  }
})

void test('uncompressed RLE lists from datumaro COCO folders: encode then decode gives the same pixels', () => {
  const files = [
    'coco_dataset/coco/annotations/instances_val.json',
    'coco_dataset/coco/annotations/stuff_train.json',
    'coco_dataset/coco_stuff/annotations/stuff_val.json',
  ]
  let seen = 0
  for (const file of files) {
    const data = readJson<{ annotations: { segmentation: CocoRle | number[][]; area: number }[] }>(
      `datumaro/tests/assets/${file}`,
    )
    for (const annotation of data.annotations) {
      const segmentation = annotation.segmentation
      if (Array.isArray(segmentation) || typeof segmentation.counts === 'string') continue
      seen++
      const fromList = decodeRle(segmentation)
      assert.ok(fromList.ok)
      const encoded = encodeRle(fromList.mask, fromList.width, fromList.height)
      const back = decodeRle(encoded)
      assert.ok(back.ok)
      assert.deepEqual(back.mask, fromList.mask)
      // the list form and the string form carry the same runs
      const parsed = parseCompressedCounts(encoded.counts)
      assert.ok(parsed.ok)
      assert.deepEqual(parsed.counts, segmentation.counts)
      assert.equal(rleArea(parsed.counts), annotation.area)
    }
  }
  assert.ok(seen >= 3)
})

void test('column-major order: a set first column of a 2×3 mask is the first run', () => {
  // row-major 2 rows × 3 columns, first column set
  const mask = Uint8Array.from([1, 0, 0, 1, 0, 0])
  assert.deepEqual(countsFromMask(mask, 3, 2), [0, 2, 4])
  const box = rleBbox([0, 2, 4], 2)
  assert.deepEqual(box, { top: 0, left: 0, height: 2, width: 1 })
})

void test('random masks: encode → decode is the identity; area and bbox match a brute-force count', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (width, height, seed, density) => {
        let state = seed
        const mask = new Uint8Array(width * height)
        for (let i = 0; i < mask.length; i++) {
          state = (state * 1103515245 + 12345) & 0x7fffffff
          mask[i] = state / 0x7fffffff < density ? 255 : 0
        }
        const rle = encodeRle(mask, width, height)
        const decoded = decodeRle(rle)
        assert.ok(decoded.ok)
        assert.deepEqual(
          decoded.mask,
          mask.map((v) => (v ? 1 : 0)),
        )
        const counts = countsFromMask(mask, width, height)
        let area = 0
        let top = Infinity,
          left = Infinity,
          bottom = -1,
          right = -1
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            if (!mask[y * width + x]) continue
            area++
            top = Math.min(top, y)
            bottom = Math.max(bottom, y)
            left = Math.min(left, x)
            right = Math.max(right, x)
          }
        }
        assert.equal(rleArea(counts), area)
        const expected =
          area === 0
            ? { top: 0, left: 0, height: 0, width: 0 }
            : { top, left, height: bottom - top + 1, width: right - left + 1 }
        assert.deepEqual(rleBbox(counts, height), expected)
      },
    ),
    { numRuns: 300 },
  )
})

void test('large counts survive the string form (more than 32 bits of groups)', () => {
  const counts = [0, 81_000_000 - 7, 7]
  const parsed = parseCompressedCounts(compressCounts(counts))
  assert.ok(parsed.ok)
  assert.deepEqual(parsed.counts, counts)
  assert.ok(checkRle({ counts: compressCounts(counts), size: [9000, 9000] }).ok)
})

void test('bad RLE input is mask_rle_invalid', () => {
  const cases: { counts: string | number[]; size: number[] }[] = [
    { counts: [1, 2, 3], size: [2, 2] }, // sums to 6, not 4
    { counts: [2, -1, 3], size: [2, 2] }, // negative
    { counts: [1.5, 2.5], size: [2, 2] }, // not integers
    { counts: 'ab~', size: [5, 10] }, // '~' is beyond the 64-character alphabet
    { counts: ' 0', size: [5, 10] }, // below '0'
    { counts: '`', size: [5, 10] }, // ends with the "more" bit set
    { counts: '`04n0', size: [5, 11] }, // valid runs, wrong size
    { counts: [4], size: [0, 4] }, // zero height
    { counts: [4], size: [2] },
  ]
  for (const rle of cases) {
    const result = decodeRle(rle, ['mask'])
    assert.equal(result.ok, false, JSON.stringify(rle))
    if (!result.ok) {
      assert.equal(result.issue.code, 'mask_rle_invalid')
      assert.equal(result.issue.path[0], 'mask')
    }
  }
})
