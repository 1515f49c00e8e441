/**
 * Clipping an object line to its image (the import's `--clip` option): model outputs and some
 * exporters overshoot the border by whole pixels, which the judge refuses
 * (`geometry_out_of_bounds`). Boxes are intersected with the image, polygons clipped against it
 * (Sutherland–Hodgman: the clipped ring is the exact intersection for any simple polygon's
 * convex clip rectangle), polyline and point coordinates clamped. Sub-pixel overshoot is left
 * alone: the judge accepts it as it is.
 */
import type { NdClassificationLine, NdObjectLine, NdPoint } from '@labelport/core'

type Line = NdObjectLine | NdClassificationLine

export type ClipResult =
  | { clipped: false; line: Line }
  | { clipped: true; line: Line; message: string }
  /** nothing of the object is inside the image */
  | { clipped: 'outside'; message: string }

const SUBPIXEL = 1

function over(v: number, max: number): boolean {
  return v <= -SUBPIXEL || v >= max + SUBPIXEL
}

function clipRing(points: readonly NdPoint[], w: number, h: number): NdPoint[] {
  type Edge = (p: NdPoint) => boolean
  const edges: [Edge, (a: NdPoint, b: NdPoint) => NdPoint][] = [
    [(p) => p.x >= 0, (a, b) => ({ x: 0, y: a.y + ((b.y - a.y) * (0 - a.x)) / (b.x - a.x) })],
    [(p) => p.x <= w, (a, b) => ({ x: w, y: a.y + ((b.y - a.y) * (w - a.x)) / (b.x - a.x) })],
    [(p) => p.y >= 0, (a, b) => ({ x: a.x + ((b.x - a.x) * (0 - a.y)) / (b.y - a.y), y: 0 })],
    [(p) => p.y <= h, (a, b) => ({ x: a.x + ((b.x - a.x) * (h - a.y)) / (b.y - a.y), y: h })],
  ]
  let ring = [...points]
  if (
    ring.length > 1 &&
    ring[0]!.x === ring[ring.length - 1]!.x &&
    ring[0]!.y === ring[ring.length - 1]!.y
  )
    ring.pop()
  for (const [inside, cross] of edges) {
    const out: NdPoint[] = []
    for (let i = 0; i < ring.length; i++) {
      const a = ring[i]!
      const b = ring[(i + 1) % ring.length]!
      if (inside(a)) {
        out.push(a)
        if (!inside(b)) out.push(cross(a, b))
      } else if (inside(b)) out.push(cross(a, b))
    }
    ring = out
    if (ring.length === 0) break
  }
  return ring
}

/** The line clipped to a `width` × `height` image (unchanged when nothing overshoots by a pixel or more). */
export function clipToImage(line: Line, width: number, height: number): ClipResult {
  if ('bbox' in line) {
    const b = line.bbox
    if (
      !over(b.left, width) &&
      !over(b.top, height) &&
      !over(b.left + b.width, width) &&
      !over(b.top + b.height, height)
    )
      return { clipped: false, line }
    const left = Math.max(0, b.left)
    const top = Math.max(0, b.top)
    const right = Math.min(width, b.left + b.width)
    const bottom = Math.min(height, b.top + b.height)
    if (right <= left || bottom <= top)
      return { clipped: 'outside', message: 'the box lies outside the image' }
    return {
      clipped: true,
      line: { ...line, bbox: { left, top, width: right - left, height: bottom - top } },
      message: `box clipped to the image (${width}×${height})`,
    }
  }
  if ('polygon' in line || 'line' in line) {
    const points = 'polygon' in line ? line.polygon : line.line
    if (!points.some((p) => over(p.x, width) || over(p.y, height))) return { clipped: false, line }
    if ('polygon' in line) {
      const ring = clipRing(points, width, height)
      if (ring.length < 3)
        return { clipped: 'outside', message: 'the polygon lies outside the image' }
      return {
        clipped: true,
        line: { ...line, polygon: ring },
        message: `polygon clipped to the image (${width}×${height})`,
      }
    }
    const clamped = points.map((p) => ({
      x: Math.min(width, Math.max(0, p.x)),
      y: Math.min(height, Math.max(0, p.y)),
    }))
    return {
      clipped: true,
      line: { ...line, line: clamped },
      message: `polyline points moved onto the image border (${width}×${height})`,
    }
  }
  if ('point' in line) {
    const p = line.point
    if (!over(p.x, width) && !over(p.y, height)) return { clipped: false, line }
    return {
      clipped: true,
      line: {
        ...line,
        point: { x: Math.min(width, Math.max(0, p.x)), y: Math.min(height, Math.max(0, p.y)) },
      },
      message: `point moved onto the image border (${width}×${height})`,
    }
  }
  return { clipped: false, line }
}
