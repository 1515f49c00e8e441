/**
 * Finding the object under the cursor among thousands: a uniform grid over object bounds narrows
 * the candidates, then each candidate's exact shape decides. Image pixel coordinates throughout.
 */
import type { PointRecord } from '@labelport/core'
import type { SceneObject } from './scene.ts'

export interface GridIndex {
  cellSize: number
  cells: Map<number, SceneObject[]>
}

const key = (cx: number, cy: number) => cx * 65536 + cy

export function buildGridIndex(
  objects: readonly SceneObject[],
  imageWidth: number,
  imageHeight: number,
): GridIndex {
  // about 64×64 cells over the image, never smaller than 16 px
  const cellSize = Math.max(16, Math.ceil(Math.max(imageWidth, imageHeight, 1) / 64))
  const cells = new Map<number, SceneObject[]>()
  for (const o of objects) {
    const x0 = Math.floor(o.bounds.left / cellSize)
    const y0 = Math.floor(o.bounds.top / cellSize)
    const x1 = Math.floor((o.bounds.left + o.bounds.width) / cellSize)
    const y1 = Math.floor((o.bounds.top + o.bounds.height) / cellSize)
    for (let cx = x0; cx <= x1; cx++)
      for (let cy = y0; cy <= y1; cy++) {
        const k = key(cx, cy)
        const list = cells.get(k)
        if (list) list.push(o)
        else cells.set(k, [o])
      }
  }
  return { cellSize, cells }
}

function distanceToSegment(p: PointRecord, a: PointRecord, b: PointRecord): number {
  const dx = b.x - a.x
  const dy = b.y - a.y
  const lengthSquared = dx * dx + dy * dy
  const t =
    lengthSquared === 0
      ? 0
      : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared))
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy))
}

function insidePolygon(p: PointRecord, points: readonly PointRecord[]): boolean {
  let inside = false
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const a = points[i]!
    const b = points[j]!
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x)
      inside = !inside
  }
  return inside
}

/** `maskHit` answers whether a mask covers an image pixel (the viewer keeps decoded masks). */
export type MaskHit = (object: SceneObject, x: number, y: number) => boolean

/** Whether `p` hits `o`; `tolerance` is in image pixels (lines and points are thin). */
export function hitsObject(
  o: SceneObject,
  p: PointRecord,
  tolerance: number,
  maskHit: MaskHit,
): boolean {
  const b = o.bounds
  if (
    p.x < b.left - tolerance ||
    p.y < b.top - tolerance ||
    p.x > b.left + b.width + tolerance ||
    p.y > b.top + b.height + tolerance
  )
    return false
  const g = o.geometry
  switch (g.type) {
    case 'bbox':
      return true
    case 'point':
      return Math.hypot(p.x - g.point.x, p.y - g.point.y) <= tolerance * 1.5
    case 'polygon':
      return insidePolygon(p, g.points)
    case 'line':
      for (let i = 1; i < g.points.length; i++)
        if (distanceToSegment(p, g.points[i - 1]!, g.points[i]!) <= tolerance) return true
      return false
    case 'mask':
      return maskHit(o, Math.floor(p.x), Math.floor(p.y))
  }
}

/** The topmost visible object at `p`: the smallest one among the hits (it is drawn last). */
export function hitTest(
  index: GridIndex,
  p: PointRecord,
  tolerance: number,
  visible: (o: SceneObject) => boolean,
  maskHit: MaskHit,
): SceneObject | undefined {
  const seen = new Set<SceneObject>()
  let best: SceneObject | undefined
  let bestArea = Infinity
  const r = Math.ceil(tolerance / index.cellSize)
  const cx0 = Math.floor(p.x / index.cellSize)
  const cy0 = Math.floor(p.y / index.cellSize)
  for (let cx = cx0 - r; cx <= cx0 + r; cx++)
    for (let cy = cy0 - r; cy <= cy0 + r; cy++) {
      for (const o of index.cells.get(key(cx, cy)) ?? []) {
        if (seen.has(o)) continue
        seen.add(o)
        if (!visible(o) || !hitsObject(o, p, tolerance, maskHit)) continue
        // points and lines have no area: prefer them over anything they sit on
        const area =
          o.geometry.type === 'point' || o.geometry.type === 'line'
            ? -1
            : o.bounds.width * o.bounds.height
        if (area < bestArea) {
          best = o
          bestArea = area
        }
      }
    }
  return best
}
