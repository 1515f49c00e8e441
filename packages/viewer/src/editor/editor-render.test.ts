import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { levelOfDetail } from './editor-render.ts'

/** distance from p to the segment a–b */
function toSegment(
  p: { x: number; y: number },
  a: { x: number; y: number },
  b: { x: number; y: number },
): number {
  const dx = b.x - a.x
  const dy = b.y - a.y
  const len2 = dx * dx + dy * dy
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2))
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy))
}

describe('levelOfDetail', () => {
  const ring = (n: number, r: number) =>
    Array.from({ length: n }, (_, k) => ({
      x: 100 + r * Math.cos((k / n) * 2 * Math.PI),
      y: 100 + r * Math.sin((k / n) * 2 * Math.PI),
    }))

  it('keeps every vertex when they are farther apart than the step', () => {
    const points = ring(50, 200) // ~25 px apart
    assert.deepEqual(levelOfDetail(points, 5), points)
    assert.deepEqual(levelOfDetail(points, 0), points)
  })

  it('drops close vertices, keeps the first and the last, and stays within the step of the outline', () => {
    const points = ring(50, 20) // ~2.5 px apart
    const step = 6
    const kept = levelOfDetail(points, step)
    assert.ok(kept.length < points.length / 2, `${kept.length} of ${points.length}`)
    assert.equal(kept[0], points[0])
    assert.equal(kept.at(-1), points.at(-1))
    for (let i = 1; i < kept.length - 1; i++)
      assert.ok(Math.hypot(kept[i]!.x - kept[i - 1]!.x, kept[i]!.y - kept[i - 1]!.y) >= step)
    // every original vertex lies within the step of the simplified ring
    for (const p of points) {
      let nearest = Infinity
      for (let i = 0; i < kept.length; i++)
        nearest = Math.min(nearest, toSegment(p, kept[i]!, kept[(i + 1) % kept.length]!))
      assert.ok(nearest <= step, `vertex ${JSON.stringify(p)} is ${nearest} px away`)
    }
  })

  it('leaves two-point lines alone', () => {
    const line = [
      { x: 0, y: 0 },
      { x: 0.1, y: 0 },
    ]
    assert.deepEqual(levelOfDetail(line, 10), line)
  })
})
