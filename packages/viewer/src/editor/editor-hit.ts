/**
 * What is under the cursor in the editor: an object (through the spatial index, then its exact
 * shape) or, for the selection, a handle: a box corner or side, a polygon/polyline vertex, or an
 * edge where a click inserts a vertex. Tolerances are in image pixels (screen px ÷ scale).
 */
import type { PointRecord } from '@labelport/core'
import type { EditorDocument } from './editor-document.ts'
import { maskCoversPixel } from './mask-edit.ts'
import type { ObjectItem } from './model.ts'

export function distanceToSegment(p: PointRecord, a: PointRecord, b: PointRecord): number {
  const dx = b.x - a.x
  const dy = b.y - a.y
  const lengthSquared = dx * dx + dy * dy
  const t =
    lengthSquared === 0
      ? 0
      : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared))
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy))
}

export function insidePolygon(p: PointRecord, points: readonly PointRecord[]): boolean {
  let inside = false
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const a = points[i]!
    const b = points[j]!
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x)
      inside = !inside
  }
  return inside
}

export function hitsItem(item: ObjectItem, p: PointRecord, tolerance: number): boolean {
  const g = item.geometry
  switch (g.type) {
    case 'bbox':
      return (
        p.x >= g.box.left - tolerance &&
        p.y >= g.box.top - tolerance &&
        p.x <= g.box.left + g.box.width + tolerance &&
        p.y <= g.box.top + g.box.height + tolerance
      )
    case 'point':
      return Math.hypot(p.x - g.point.x, p.y - g.point.y) <= tolerance * 1.5
    case 'polygon':
      if (insidePolygon(p, g.points)) return true
      for (let i = 0; i < g.points.length; i++)
        if (distanceToSegment(p, g.points[i]!, g.points[(i + 1) % g.points.length]!) <= tolerance)
          return true
      return false
    case 'line':
      for (let i = 1; i < g.points.length; i++)
        if (distanceToSegment(p, g.points[i - 1]!, g.points[i]!) <= tolerance) return true
      return false
    case 'mask':
      return maskCoversPixel(g.mask, p.x, p.y)
  }
}

/**
 * The topmost object at `p`: points and lines before areas, then the smallest area (small objects
 * sit on big ones), then the latest drawn.
 */
export function hitObject(
  doc: EditorDocument,
  p: PointRecord,
  tolerance: number,
  pickable: (item: ObjectItem) => boolean,
): ObjectItem | undefined {
  let best: ObjectItem | undefined
  let bestArea = Infinity
  for (const uuid of doc.index.query(
    { left: p.x, top: p.y, width: 0, height: 0 },
    tolerance * 1.5,
  )) {
    const item = doc.get(uuid)
    if (!item || item.kind !== 'object' || !pickable(item) || !hitsItem(item, p, tolerance))
      continue
    const b = doc.index.bounds(uuid)!
    const g = item.geometry.type
    const area = g === 'point' ? -2 : g === 'line' ? -1 : b.width * b.height
    if (area <= bestArea) {
      best = item
      bestArea = area
    }
  }
  return best
}

export type Handle =
  /** box corners 0..3 from top-left clockwise, sides 4..7 (top, right, bottom, left) */
  | { kind: 'box'; index: number }
  | { kind: 'vertex'; index: number }
  /** the edge from vertex `index` to the next one, at `point` */
  | { kind: 'edge'; index: number; point: PointRecord }

export function boxHandles(item: ObjectItem): PointRecord[] {
  if (item.geometry.type !== 'bbox') return []
  const { left, top, width, height } = item.geometry.box
  const r = left + width
  const b = top + height
  const cx = left + width / 2
  const cy = top + height / 2
  return [
    { x: left, y: top },
    { x: r, y: top },
    { x: r, y: b },
    { x: left, y: b },
    { x: cx, y: top },
    { x: r, y: cy },
    { x: cx, y: b },
    { x: left, y: cy },
  ]
}

/** The handle of a selected object under `p`, vertices before edges. */
export function hitHandle(item: ObjectItem, p: PointRecord, tolerance: number): Handle | undefined {
  const g = item.geometry
  if (g.type === 'bbox') {
    const handles = boxHandles(item)
    for (let i = 0; i < handles.length; i++)
      if (Math.hypot(p.x - handles[i]!.x, p.y - handles[i]!.y) <= tolerance)
        return { kind: 'box', index: i }
    return undefined
  }
  if (g.type !== 'polygon' && g.type !== 'line') return undefined
  for (let i = 0; i < g.points.length; i++)
    if (Math.hypot(p.x - g.points[i]!.x, p.y - g.points[i]!.y) <= tolerance)
      return { kind: 'vertex', index: i }
  const edges = g.type === 'polygon' ? g.points.length : g.points.length - 1
  for (let i = 0; i < edges; i++) {
    const a = g.points[i]!
    const b = g.points[(i + 1) % g.points.length]!
    if (distanceToSegment(p, a, b) <= tolerance * 0.75) return { kind: 'edge', index: i, point: p }
  }
  return undefined
}

/** The box after dragging handle `index` to `p` (corners move two sides, side handles one). */
export function resizeBox(
  box: { left: number; top: number; width: number; height: number },
  index: number,
  p: PointRecord,
): { left: number; top: number; width: number; height: number } {
  let l = box.left
  let t = box.top
  let r = box.left + box.width
  let b = box.top + box.height
  if (index === 0 || index === 3 || index === 7) l = p.x
  if (index === 1 || index === 2 || index === 5) r = p.x
  if (index === 0 || index === 1 || index === 4) t = p.y
  if (index === 2 || index === 3 || index === 6) b = p.y
  return {
    left: Math.min(l, r),
    top: Math.min(t, b),
    width: Math.abs(r - l),
    height: Math.abs(b - t),
  }
}
