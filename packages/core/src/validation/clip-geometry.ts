/**
 * The import's `clip` option, on the server: an object line whose geometry overshoots its image by
 * a pixel or more is clipped to the image before the judge checks it, and its SUCCESS status line
 * carries the warning `geometry_clipped` (docs/import-errors.md). Boxes are intersected with the
 * image; polygons are clipped against the image rectangle (the intersection of the ring with a
 * convex clip region, one half-plane at a time); polyline points and points are clamped onto the
 * border. Sub-pixel overshoot is never touched: the judge accepts it as it is. Values that are not
 * well-formed numbers are left alone, so the normal checks report them.
 */
import { issue, type Issue } from '../errors.ts'
import type { KindKey } from '../ndjson/line.ts'
import { SUBPIXEL_OVERSHOOT, type Bounds } from './check-geometry.ts'
import { isObject, type Json } from './check-values.ts'

export type ClipOutcome =
  /** nothing overshoots by a pixel or more, or the value is not clippable: judged unchanged */
  | { kind: 'unchanged' }
  | { kind: 'clipped'; value: Json; warning: Issue }
  /** no part of the object is inside the image: the line fails */
  | { kind: 'outside'; failure: Issue }

interface Pt {
  x: number
  y: number
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

function overshoots(v: number, max: number): boolean {
  return v <= -SUBPIXEL_OVERSHOOT || v >= max + SUBPIXEL_OVERSHOOT
}

function readPoints(value: unknown): Pt[] | undefined {
  if (!Array.isArray(value)) return undefined
  const out: Pt[] = []
  for (const p of value) {
    if (!isObject(p) || !finite(p.x) || !finite(p.y)) return undefined
    out.push({ x: p.x, y: p.y })
  }
  return out
}

const size = (b: Bounds) => `${b.width}×${b.height}`

function clipped(value: Json, what: string, b: Bounds, path: string): ClipOutcome {
  return {
    kind: 'clipped',
    value,
    warning: issue('geometry_clipped', `${what} clipped to the image (${size(b)})`, [path]),
  }
}

function outside(what: string, b: Bounds, path: string): ClipOutcome {
  return {
    kind: 'outside',
    failure: issue(
      'geometry_out_of_bounds',
      `${what} lies wholly outside the image (${size(b)}): nothing is left to clip`,
      [path],
    ),
  }
}

/** Sutherland–Hodgman against the four sides of [0, w] × [0, h]; the ring given open or closed. */
function clipRing(points: readonly Pt[], w: number, h: number): Pt[] {
  let ring = [...points]
  const last = ring[ring.length - 1]
  if (ring.length > 1 && last !== undefined && ring[0]!.x === last.x && ring[0]!.y === last.y)
    ring.pop()
  const sides: { inside: (p: Pt) => boolean; cross: (a: Pt, b: Pt) => Pt }[] = [
    { inside: (p) => p.x >= 0, cross: (a, b) => atX(a, b, 0) },
    { inside: (p) => p.x <= w, cross: (a, b) => atX(a, b, w) },
    { inside: (p) => p.y >= 0, cross: (a, b) => atY(a, b, 0) },
    { inside: (p) => p.y <= h, cross: (a, b) => atY(a, b, h) },
  ]
  for (const side of sides) {
    const next: Pt[] = []
    for (let i = 0; i < ring.length; i++) {
      const a = ring[i]!
      const b = ring[(i + 1) % ring.length]!
      const aIn = side.inside(a)
      const bIn = side.inside(b)
      if (aIn) next.push(a)
      if (aIn !== bIn) next.push(side.cross(a, b))
    }
    ring = next
    if (ring.length === 0) break
  }
  return ring
}

function atX(a: Pt, b: Pt, x: number): Pt {
  return { x, y: a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x) }
}

function atY(a: Pt, b: Pt, y: number): Pt {
  return { x: a.x + ((b.x - a.x) * (y - a.y)) / (b.y - a.y), y }
}

function distinctCount(points: readonly Pt[]): number {
  const seen = new Set<string>()
  for (const p of points) seen.add(`${p.x},${p.y}`)
  return seen.size
}

/** Whether the segment a–b meets [0, w] × [0, h] (Liang–Barsky). */
function segmentMeets(a: Pt, b: Pt, w: number, h: number): boolean {
  let t0 = 0
  let t1 = 1
  const dx = b.x - a.x
  const dy = b.y - a.y
  const sides: [number, number][] = [
    [-dx, a.x],
    [dx, w - a.x],
    [-dy, a.y],
    [dy, h - a.y],
  ]
  for (const [p, q] of sides) {
    if (p === 0) {
      if (q < 0) return false
      continue
    }
    const t = q / p
    if (p < 0) t0 = Math.max(t0, t)
    else t1 = Math.min(t1, t)
    if (t0 > t1) return false
  }
  return true
}

const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v))

/** The line's value with its geometry clipped to `bounds` (see the module comment). */
export function clipObjectValue(value: Json, kind: KindKey, bounds: Bounds): ClipOutcome {
  const { width: w, height: h } = bounds
  switch (kind) {
    case 'bbox': {
      const b = value.bbox
      if (!isObject(b) || !finite(b.left) || !finite(b.top) || !finite(b.width))
        return { kind: 'unchanged' }
      if (!finite(b.height) || b.width <= 0 || b.height <= 0) return { kind: 'unchanged' }
      const right = b.left + b.width
      const bottom = b.top + b.height
      if (
        !overshoots(b.left, w) &&
        !overshoots(b.top, h) &&
        !overshoots(right, w) &&
        !overshoots(bottom, h)
      )
        return { kind: 'unchanged' }
      const left = clamp(b.left, w)
      const top = clamp(b.top, h)
      const r = clamp(right, w)
      const btm = clamp(bottom, h)
      if (r <= left || btm <= top) return outside('the box', bounds, 'bbox')
      return clipped(
        { ...value, bbox: { ...b, left, top, width: r - left, height: btm - top } },
        `box (left ${b.left}, top ${b.top}, width ${b.width}, height ${b.height})`,
        bounds,
        'bbox',
      )
    }
    case 'polygon': {
      const points = readPoints(value.polygon)
      if (points === undefined || !points.some((p) => overshoots(p.x, w) || overshoots(p.y, h)))
        return { kind: 'unchanged' }
      const ring = clipRing(points, w, h)
      if (distinctCount(ring) < 3) return outside('the polygon', bounds, 'polygon')
      return clipped({ ...value, polygon: ring }, 'polygon', bounds, 'polygon')
    }
    case 'line': {
      const points = readPoints(value.line)
      if (
        points === undefined ||
        points.length < 2 ||
        !points.some((p) => overshoots(p.x, w) || overshoots(p.y, h))
      )
        return { kind: 'unchanged' }
      if (!points.some((p, i) => i > 0 && segmentMeets(points[i - 1]!, p, w, h)))
        return outside('the line', bounds, 'line')
      const moved = points.map((p) => ({ x: clamp(p.x, w), y: clamp(p.y, h) }))
      return clipped(
        { ...value, line: moved },
        'line (points moved onto the border)',
        bounds,
        'line',
      )
    }
    case 'point': {
      const p = value.point
      if (!isObject(p) || !finite(p.x) || !finite(p.y)) return { kind: 'unchanged' }
      if (!overshoots(p.x, w) && !overshoots(p.y, h)) return { kind: 'unchanged' }
      return clipped(
        { ...value, point: { x: clamp(p.x, w), y: clamp(p.y, h) } },
        `point (${p.x}, ${p.y})`,
        bounds,
        'point',
      )
    }
    case 'mask':
    case 'answer':
    case 'relationship':
      return { kind: 'unchanged' }
  }
}
