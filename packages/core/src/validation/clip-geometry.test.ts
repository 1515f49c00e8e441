import assert from 'node:assert/strict'
import { test } from 'node:test'
import { clipObjectValue } from './clip-geometry.ts'

const image = { width: 100, height: 50 }

test('a box overshooting by whole pixels is intersected with the image and says so', () => {
  const r = clipObjectValue({ bbox: { left: -5, top: 40, width: 20, height: 30 } }, 'bbox', image)
  assert.equal(r.kind, 'clipped')
  assert.deepEqual(r.kind === 'clipped' && r.value.bbox, {
    left: 0,
    top: 40,
    width: 15,
    height: 10,
  })
  assert.equal(r.kind === 'clipped' && r.warning.code, 'geometry_clipped')
  assert.deepEqual(r.kind === 'clipped' && r.warning.path, ['bbox'])
})

test('sub-pixel overshoot and values that are not numbers are left to the judge', () => {
  const subpixel = { bbox: { left: -0.0000075, top: 0, width: 100.5, height: 50 } }
  assert.equal(clipObjectValue(subpixel, 'bbox', image).kind, 'unchanged')
  assert.equal(
    clipObjectValue({ bbox: { left: 'x', top: 0, width: 1, height: 1 } }, 'bbox', image).kind,
    'unchanged',
  )
  assert.equal(clipObjectValue({ polygon: 'nope' }, 'polygon', image).kind, 'unchanged')
  assert.equal(clipObjectValue({ mask: { png: 'x' } }, 'mask', image).kind, 'unchanged')
})

test('a box wholly outside fails with geometry_out_of_bounds', () => {
  const r = clipObjectValue({ bbox: { left: 200, top: 0, width: 10, height: 10 } }, 'bbox', image)
  assert.equal(r.kind, 'outside')
  assert.equal(r.kind === 'outside' && r.failure.code, 'geometry_out_of_bounds')
})

test('a triangle over the right border is clipped to the exact intersection', () => {
  const polygon = [
    { x: 90, y: 10 },
    { x: 130, y: 10 },
    { x: 90, y: 40 },
  ]
  const r = clipObjectValue({ polygon }, 'polygon', image)
  assert.equal(r.kind, 'clipped')
  const ring = r.kind === 'clipped' ? (r.value.polygon as { x: number; y: number }[]) : []
  // the edge (130,10)-(90,40) meets x = 100 at y = 32.5
  assert.deepEqual(ring, [
    { x: 90, y: 10 },
    { x: 100, y: 10 },
    { x: 100, y: 32.5 },
    { x: 90, y: 40 },
  ])
})

test('a line crossing the image with both ends outside is kept; one that misses it fails', () => {
  const across = clipObjectValue(
    {
      line: [
        { x: -10, y: 25 },
        { x: 110, y: 25 },
      ],
    },
    'line',
    image,
  )
  assert.equal(across.kind, 'clipped')
  assert.deepEqual(across.kind === 'clipped' && across.value.line, [
    { x: 0, y: 25 },
    { x: 100, y: 25 },
  ])
  const missing = clipObjectValue(
    {
      line: [
        { x: -10, y: -10 },
        { x: 10, y: -20 },
      ],
    },
    'line',
    image,
  )
  assert.equal(missing.kind, 'outside')
})

test('a point overshooting is moved onto the border', () => {
  const r = clipObjectValue({ point: { x: 104, y: -3 } }, 'point', image)
  assert.deepEqual(r.kind === 'clipped' && r.value.point, { x: 100, y: 0 })
})
