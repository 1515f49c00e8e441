/**
 * Canvas drawing of a scene. Vectors are batched into one Path2D per (layer, color, style) in
 * image coordinates and stroked under the view transform, so a frame costs a handful of draw
 * calls however many objects there are; masks are cached bitmaps; points and arrows are drawn
 * in screen space so they keep their size at any zoom.
 */
import type { AnnotationLayer, PointRecord } from '@labelport/core'
import { centerOf, toScreen } from './scene.ts'
import type { Scene, SceneObject, SceneRelationship, ViewTransform } from './scene.ts'

export interface PathBatch {
  layer: AnnotationLayer
  color: string
  /** boxes and polygons: filled lightly and stroked */
  areas: Path2D
  /** polylines: stroked only */
  lines: Path2D
  points: PointRecord[]
  masks: SceneObject[]
}

export function buildBatches(scene: Scene, visible: (o: SceneObject) => boolean): PathBatch[] {
  const batches = new Map<string, PathBatch>()
  for (const o of scene.objects) {
    if (!visible(o)) continue
    const k = `${o.layer}|${o.color}`
    let b = batches.get(k)
    if (!b) {
      b = {
        layer: o.layer,
        color: o.color,
        areas: new Path2D(),
        lines: new Path2D(),
        points: [],
        masks: [],
      }
      batches.set(k, b)
    }
    const g = o.geometry
    switch (g.type) {
      case 'bbox':
        b.areas.rect(g.box.left, g.box.top, g.box.width, g.box.height)
        break
      case 'polygon': {
        const [first, ...rest] = g.points
        if (!first) break
        b.areas.moveTo(first.x, first.y)
        for (const p of rest) b.areas.lineTo(p.x, p.y)
        b.areas.closePath()
        break
      }
      case 'line': {
        const [first, ...rest] = g.points
        if (!first) break
        b.lines.moveTo(first.x, first.y)
        for (const p of rest) b.lines.lineTo(p.x, p.y)
        break
      }
      case 'point':
        b.points.push(g.point)
        break
      case 'mask':
        b.masks.push(o)
        break
    }
  }
  // ground truth above pre-labels
  return [...batches.values()].sort((a, b) =>
    a.layer === b.layer ? 0 : a.layer === 'prelabel' ? -1 : 1,
  )
}

export function withAlpha(color: string, alpha: number): string {
  const a = Math.round(Math.max(0, Math.min(1, alpha)) * 255)
  return `${color}${a.toString(16).padStart(2, '0')}`
}

export const POINT_RADIUS = 5
const STROKE = 2

function setImageTransform(ctx: CanvasRenderingContext2D, t: ViewTransform, dpr: number): void {
  ctx.setTransform(dpr * t.scale, 0, 0, dpr * t.scale, dpr * t.offsetX, dpr * t.offsetY)
}

export function drawBatches(
  ctx: CanvasRenderingContext2D,
  batches: readonly PathBatch[],
  t: ViewTransform,
  dpr: number,
  maskImage: (o: SceneObject) => CanvasImageSource | null,
): void {
  for (const b of batches) {
    const dashed = b.layer === 'prelabel'
    setImageTransform(ctx, t, dpr)
    if (b.masks.length > 0) {
      ctx.imageSmoothingEnabled = false
      for (const o of b.masks) {
        const image = maskImage(o)
        if (!image || o.geometry.type !== 'mask') continue
        const box = o.geometry.box
        ctx.drawImage(image, Math.max(0, Math.floor(box.left)), Math.max(0, Math.floor(box.top)))
      }
      // outline the mask's box lightly so thin masks are findable
      ctx.lineWidth = 1 / t.scale
      ctx.setLineDash([4 / t.scale, 3 / t.scale])
      ctx.strokeStyle = withAlpha(b.color, 0.7)
      for (const o of b.masks)
        ctx.strokeRect(o.bounds.left, o.bounds.top, o.bounds.width, o.bounds.height)
    }
    ctx.setLineDash(dashed ? [6 / t.scale, 4 / t.scale] : [])
    ctx.lineWidth = STROKE / t.scale
    ctx.lineJoin = 'round'
    ctx.fillStyle = withAlpha(b.color, dashed ? 0.08 : 0.14)
    ctx.strokeStyle = b.color
    ctx.fill(b.areas, 'evenodd')
    ctx.stroke(b.areas)
    ctx.stroke(b.lines)
    if (b.points.length > 0) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
      ctx.setLineDash([])
      const path = new Path2D()
      for (const p of b.points) {
        const s = toScreen(t, p)
        path.moveTo(s.x + POINT_RADIUS, s.y)
        path.arc(s.x, s.y, POINT_RADIUS, 0, Math.PI * 2)
      }
      ctx.fillStyle = dashed ? '#ffffff' : b.color
      ctx.fill(path)
      ctx.lineWidth = STROKE
      ctx.strokeStyle = dashed ? b.color : '#ffffff'
      ctx.stroke(path)
    }
  }
  ctx.setLineDash([])
}

/** Relationship arrows: centre of the source to the border of the target, in screen space. */
export function drawRelationships(
  ctx: CanvasRenderingContext2D,
  relationships: readonly SceneRelationship[],
  t: ViewTransform,
  dpr: number,
  highlightId: string | null,
): void {
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  for (const r of relationships) {
    if (!r.source || !r.target) continue
    const a = toScreen(t, centerOf(r.source))
    const b = toScreen(t, centerOf(r.target))
    const highlighted = r.id === highlightId
    ctx.setLineDash(r.layer === 'prelabel' ? [7, 4] : [])
    ctx.strokeStyle = r.color
    ctx.fillStyle = r.color
    ctx.lineWidth = highlighted ? 4 : 2.5
    ctx.beginPath()
    ctx.moveTo(a.x, a.y)
    ctx.lineTo(b.x, b.y)
    ctx.stroke()
    ctx.setLineDash([])
    arrowHead(ctx, a, b, highlighted ? 14 : 11)
    if (r.bidirectional) arrowHead(ctx, b, a, highlighted ? 14 : 11)
    // anchors
    for (const p of [a, b]) {
      ctx.beginPath()
      ctx.arc(p.x, p.y, 3.5, 0, Math.PI * 2)
      ctx.fill()
    }
  }
}

function arrowHead(
  ctx: CanvasRenderingContext2D,
  from: PointRecord,
  to: PointRecord,
  size: number,
): void {
  const angle = Math.atan2(to.y - from.y, to.x - from.x)
  ctx.beginPath()
  ctx.moveTo(to.x, to.y)
  ctx.lineTo(to.x - size * Math.cos(angle - 0.4), to.y - size * Math.sin(angle - 0.4))
  ctx.lineTo(to.x - size * Math.cos(angle + 0.4), to.y - size * Math.sin(angle + 0.4))
  ctx.closePath()
  ctx.fill()
}

/** The hovered or selected object, emphasised above everything else. */
export function drawHighlight(
  ctx: CanvasRenderingContext2D,
  o: SceneObject,
  t: ViewTransform,
  dpr: number,
  strong: boolean,
  maskImage: (o: SceneObject) => CanvasImageSource | null,
): void {
  ctx.setLineDash([])
  const g = o.geometry
  if (g.type === 'point') {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    const s = toScreen(t, g.point)
    ctx.beginPath()
    ctx.arc(s.x, s.y, POINT_RADIUS + 4, 0, Math.PI * 2)
    ctx.lineWidth = 3
    ctx.strokeStyle = '#ffffff'
    ctx.stroke()
    ctx.lineWidth = 2
    ctx.strokeStyle = o.color
    ctx.stroke()
    return
  }
  setImageTransform(ctx, t, dpr)
  const path = new Path2D()
  if (g.type === 'bbox' || g.type === 'mask')
    path.rect(g.box.left, g.box.top, g.box.width, g.box.height)
  else {
    const [first, ...rest] = g.points
    if (first) {
      path.moveTo(first.x, first.y)
      for (const p of rest) path.lineTo(p.x, p.y)
      if (g.type === 'polygon') path.closePath()
    }
  }
  if (g.type === 'mask') {
    const image = maskImage(o)
    ctx.imageSmoothingEnabled = false
    if (image)
      ctx.drawImage(image, Math.max(0, Math.floor(g.box.left)), Math.max(0, Math.floor(g.box.top)))
  } else if (g.type !== 'line') {
    ctx.fillStyle = withAlpha(o.color, strong ? 0.32 : 0.22)
    ctx.fill(path, 'evenodd')
  }
  ctx.lineWidth = (strong ? 6 : 5) / t.scale
  ctx.strokeStyle = '#ffffff'
  ctx.stroke(path)
  ctx.lineWidth = (strong ? 3 : 2.5) / t.scale
  ctx.strokeStyle = o.color
  ctx.stroke(path)
}
