import { test } from 'node:test'
import assert from 'node:assert/strict'
import { clipToImage } from './clip.ts'

const dataRow = { globalKey: 'a.jpg' }

void test('a box overshooting by pixels is intersected with the image; sub-pixel overshoot is left as it is', () => {
  const r = clipToImage(
    { name: 'b', dataRow, bbox: { left: -5, top: 10, width: 50, height: 100 } },
    40,
    80,
  )
  assert.equal(r.clipped, true)
  assert.deepEqual(r.clipped === true && 'bbox' in r.line && r.line.bbox, {
    left: 0,
    top: 10,
    width: 40,
    height: 70,
  })
  const sub = clipToImage(
    { name: 'b', dataRow, bbox: { left: -0.4, top: 0, width: 40.8, height: 80 } },
    40,
    80,
  )
  assert.equal(sub.clipped, false)
  const out = clipToImage(
    { name: 'b', dataRow, bbox: { left: 50, top: 0, width: 5, height: 5 } },
    40,
    80,
  )
  assert.equal(out.clipped, 'outside')
})

void test('a polygon is clipped to the exact intersection with the image', () => {
  // a square half outside the right border
  const r = clipToImage(
    {
      name: 'p',
      dataRow,
      polygon: [
        { x: 30, y: 10 },
        { x: 50, y: 10 },
        { x: 50, y: 30 },
        { x: 30, y: 30 },
      ],
    },
    40,
    80,
  )
  assert.ok(r.clipped === true && 'polygon' in r.line)
  const xs = r.line.polygon.map((p) => p.x)
  assert.equal(Math.max(...xs), 40)
  assert.equal(Math.min(...xs), 30)
  assert.equal(r.line.polygon.length, 4)
})

void test('points and polyline points move onto the border', () => {
  const p = clipToImage({ name: 'p', dataRow, point: { x: 45, y: -3 } }, 40, 80)
  assert.deepEqual(p.clipped === true && 'point' in p.line && p.line.point, { x: 40, y: 0 })
})
