/**
 * Drawing the editor's document on a 2D canvas. The bulk (every visible object that is not
 * selected) is drawn in one pass: the spatial index culls to the view, vectors are batched into
 * one Path2D per (colour, style). Only the selection gets handles, only the shape in progress is
 * drawn apart. Suggestions are dashed. Masks are cached bitmaps keyed by the record version.
 */
import type { PointRecord } from '@labelport/core'
import type { EditorController } from './editor-controller.ts'
import { boxHandles } from './editor-hit.ts'
import type { MaskBitmap, ObjectItem } from './model.ts'
import { boundsOfGeometry } from './model.ts'

export interface ViewTransformLike {
  scale: number
  offsetX: number
  offsetY: number
}

interface Batch {
  color: string
  dashed: boolean
  areas: Path2D
  lines: Path2D
  points: PointRecord[]
}

const FALLBACK = '#4f6bed'

function alpha(color: string, a: number): string {
  return `${color}${Math.round(a * 255)
    .toString(16)
    .padStart(2, '0')}`
}

/** Mask bitmaps drawn as canvases, one per mask record version (records are immutable). */
export class MaskCache {
  private readonly canvases = new WeakMap<
    MaskBitmap,
    { color: string; canvas: HTMLCanvasElement; data: Uint8Array; version: number }
  >()
  /** bumped by brush strokes that paint a mask in place */
  version = 0

  get(mask: MaskBitmap, color: string): HTMLCanvasElement | null {
    if (mask.width === 0 || mask.height === 0) return null
    const cached = this.canvases.get(mask)
    if (cached && cached.color === color && cached.version === this.version) return cached.canvas
    const canvas = cached?.canvas ?? document.createElement('canvas')
    canvas.width = mask.width
    canvas.height = mask.height
    const context = canvas.getContext('2d')
    if (!context) return null
    const pixels = new Uint8ClampedArray(mask.width * mask.height * 4)
    const r = parseInt(color.slice(1, 3), 16) || 0
    const g = parseInt(color.slice(3, 5), 16) || 0
    const b = parseInt(color.slice(5, 7), 16) || 0
    for (let i = 0; i < mask.data.length; i++)
      if (mask.data[i]) {
        pixels[i * 4] = r
        pixels[i * 4 + 1] = g
        pixels[i * 4 + 2] = b
        pixels[i * 4 + 3] = 130
      }
    context.putImageData(new ImageData(pixels, mask.width, mask.height), 0, 0)
    this.canvases.set(mask, { color, canvas, data: mask.data, version: this.version })
    return canvas
  }
}

export interface RenderOptions {
  ctx: CanvasRenderingContext2D
  controller: EditorController
  transform: ViewTransformLike
  dpr: number
  /** CSS pixels */
  width: number
  height: number
  colors: ReadonlyMap<string, string>
  masks: MaskCache
}

/** Draws every shown object in the view; returns how many were drawn. */
export function renderDocument(o: RenderOptions): number {
  const { ctx, controller, transform: t, dpr, colors } = o
  const doc = controller.doc
  const view = {
    left: -t.offsetX / t.scale,
    top: -t.offsetY / t.scale,
    width: o.width / t.scale,
    height: o.height / t.scale,
  }
  const visible = doc.index.query(view, 8 / t.scale)
  const batches = new Map<string, Batch>()
  const masks: ObjectItem[] = []
  const selected: ObjectItem[] = []
  const centres = new Map<string, PointRecord>()
  let drawn = 0
  // drawing order is the document's; the index only says what is in view
  for (const item of doc.all()) {
    if (item.kind !== 'object') continue
    if (!controller.isShown(item)) continue
    const bounds = doc.index.bounds(item.uuid)
    if (bounds)
      centres.set(item.uuid, {
        x: bounds.left + bounds.width / 2,
        y: bounds.top + bounds.height / 2,
      })
    if (!visible.has(item.uuid)) continue
    drawn++
    if (controller.selection.has(item.uuid)) {
      selected.push(item)
      continue
    }
    const g = item.geometry
    if (g.type === 'mask') {
      masks.push(item)
      continue
    }
    const color = colors.get(item.featureSchemaId) ?? FALLBACK
    const dashed = item.suggestion !== undefined
    const key = `${color}|${dashed}`
    let b = batches.get(key)
    if (!b)
      batches.set(
        key,
        (b = { color, dashed, areas: new Path2D(), lines: new Path2D(), points: [] }),
      )
    addToPath(b, g)
  }
  ctx.lineJoin = 'round'
  setImage(ctx, t, dpr)
  ctx.imageSmoothingEnabled = false
  for (const item of masks) drawMask(o, item, false)
  for (const b of batches.values()) {
    setImage(ctx, t, dpr)
    ctx.setLineDash(b.dashed ? [6 / t.scale, 4 / t.scale] : [])
    ctx.lineWidth = 2 / t.scale
    ctx.fillStyle = alpha(b.color, b.dashed ? 0.06 : 0.14)
    ctx.strokeStyle = b.color
    ctx.fill(b.areas, 'evenodd')
    ctx.stroke(b.areas)
    ctx.stroke(b.lines)
    if (b.points.length > 0) drawPoints(ctx, b.points, t, dpr, b.color, b.dashed)
  }
  ctx.setLineDash([])
  drawRelationships(o, centres)
  for (const item of selected) drawSelected(o, item)
  drawInProgress(o)
  return drawn
}

function setImage(ctx: CanvasRenderingContext2D, t: ViewTransformLike, dpr: number): void {
  ctx.setTransform(dpr * t.scale, 0, 0, dpr * t.scale, dpr * t.offsetX, dpr * t.offsetY)
}

function addToPath(b: Batch, g: ObjectItem['geometry']): void {
  switch (g.type) {
    case 'bbox':
      b.areas.rect(g.box.left, g.box.top, g.box.width, g.box.height)
      return
    case 'polygon':
    case 'line': {
      const path = g.type === 'polygon' ? b.areas : b.lines
      const [first, ...rest] = g.points
      if (!first) return
      path.moveTo(first.x, first.y)
      for (const p of rest) path.lineTo(p.x, p.y)
      if (g.type === 'polygon') path.closePath()
      return
    }
    case 'point':
      b.points.push(g.point)
      return
    case 'mask':
      return
  }
}

function drawPoints(
  ctx: CanvasRenderingContext2D,
  points: readonly PointRecord[],
  t: ViewTransformLike,
  dpr: number,
  color: string,
  dashed: boolean,
): void {
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  ctx.setLineDash([])
  const path = new Path2D()
  for (const p of points) {
    const x = p.x * t.scale + t.offsetX
    const y = p.y * t.scale + t.offsetY
    path.moveTo(x + 5, y)
    path.arc(x, y, 5, 0, Math.PI * 2)
  }
  ctx.fillStyle = dashed ? '#ffffff' : color
  ctx.fill(path)
  ctx.lineWidth = 2
  ctx.strokeStyle = dashed ? color : '#ffffff'
  ctx.stroke(path)
}

function drawMask(o: RenderOptions, item: ObjectItem, strong: boolean): void {
  if (item.geometry.type !== 'mask') return
  const m = item.geometry.mask
  const color = o.colors.get(item.featureSchemaId) ?? FALLBACK
  const canvas = o.masks.get(m, color)
  setImage(o.ctx, o.transform, o.dpr)
  if (canvas) o.ctx.drawImage(canvas, m.left, m.top)
  o.ctx.lineWidth = (strong ? 2 : 1) / o.transform.scale
  o.ctx.setLineDash(
    item.suggestion || !strong ? [4 / o.transform.scale, 3 / o.transform.scale] : [],
  )
  o.ctx.strokeStyle = alpha(color, 0.8)
  o.ctx.strokeRect(m.left, m.top, m.width, m.height)
  o.ctx.setLineDash([])
}

function drawRelationships(o: RenderOptions, centres: ReadonlyMap<string, PointRecord>): void {
  const { ctx, transform: t, dpr, controller } = o
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  for (const item of controller.doc.all()) {
    if (item.kind !== 'relationship' || controller.hidden.has(item.uuid)) continue
    const a = centres.get(item.source)
    const b = centres.get(item.target)
    if (!a || !b) continue
    const color = o.colors.get(item.featureSchemaId) ?? FALLBACK
    const sa = { x: a.x * t.scale + t.offsetX, y: a.y * t.scale + t.offsetY }
    const sb = { x: b.x * t.scale + t.offsetX, y: b.y * t.scale + t.offsetY }
    const selected = controller.selection.has(item.uuid)
    ctx.strokeStyle = color
    ctx.fillStyle = color
    ctx.lineWidth = selected ? 4 : 2.5
    ctx.setLineDash(item.suggestion ? [7, 4] : [])
    ctx.beginPath()
    ctx.moveTo(sa.x, sa.y)
    ctx.lineTo(sb.x, sb.y)
    ctx.stroke()
    ctx.setLineDash([])
    arrow(ctx, sa, sb)
    if (item.bidirectional) arrow(ctx, sb, sa)
  }
}

function arrow(ctx: CanvasRenderingContext2D, from: PointRecord, to: PointRecord): void {
  const angle = Math.atan2(to.y - from.y, to.x - from.x)
  ctx.beginPath()
  ctx.moveTo(to.x, to.y)
  ctx.lineTo(to.x - 12 * Math.cos(angle - 0.4), to.y - 12 * Math.sin(angle - 0.4))
  ctx.lineTo(to.x - 12 * Math.cos(angle + 0.4), to.y - 12 * Math.sin(angle + 0.4))
  ctx.closePath()
  ctx.fill()
}

function handle(ctx: CanvasRenderingContext2D, x: number, y: number, color: string): void {
  ctx.fillStyle = '#ffffff'
  ctx.strokeStyle = color
  ctx.lineWidth = 1.5
  ctx.fillRect(x - 4, y - 4, 8, 8)
  ctx.strokeRect(x - 4, y - 4, 8, 8)
}

/** The selection: emphasised, with handles (box corners and sides, vertices). */
function drawSelected(o: RenderOptions, item: ObjectItem): void {
  const { ctx, transform: t, dpr } = o
  const color = o.colors.get(item.featureSchemaId) ?? FALLBACK
  const g = item.geometry
  const screen = (p: PointRecord) => ({
    x: p.x * t.scale + t.offsetX,
    y: p.y * t.scale + t.offsetY,
  })
  if (g.type === 'mask') return drawMask(o, item, true)
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  ctx.setLineDash(item.suggestion ? [6, 4] : [])
  const path = new Path2D()
  if (g.type === 'point') {
    const s = screen(g.point)
    path.arc(s.x, s.y, 7, 0, Math.PI * 2)
  } else if (g.type === 'bbox') {
    const a = screen({ x: g.box.left, y: g.box.top })
    path.rect(a.x, a.y, g.box.width * t.scale, g.box.height * t.scale)
  } else {
    g.points.forEach((p, i) => {
      const s = screen(p)
      if (i === 0) path.moveTo(s.x, s.y)
      else path.lineTo(s.x, s.y)
    })
    if (g.type === 'polygon') path.closePath()
  }
  if (g.type !== 'line') {
    ctx.fillStyle = alpha(color, 0.28)
    ctx.fill(path, 'evenodd')
  }
  ctx.lineWidth = 5
  ctx.strokeStyle = '#ffffff'
  ctx.stroke(path)
  ctx.lineWidth = 2.5
  ctx.strokeStyle = color
  ctx.stroke(path)
  ctx.setLineDash([])
  if (o.controller.locked.has(item.uuid)) return
  if (g.type === 'bbox')
    for (const p of boxHandles(item)) handle(ctx, screen(p).x, screen(p).y, color)
  if (g.type === 'polygon' || g.type === 'line')
    for (const p of g.points) handle(ctx, screen(p).x, screen(p).y, color)
}

function drawInProgress(o: RenderOptions): void {
  const { ctx, transform: t, dpr, controller } = o
  const p = controller.inProgress
  if (!p) return
  const color = (controller.tool && o.colors.get(controller.tool.featureSchemaId)) ?? FALLBACK
  const screen = (q: PointRecord) => ({
    x: q.x * t.scale + t.offsetX,
    y: q.y * t.scale + t.offsetY,
  })
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  ctx.strokeStyle = color
  ctx.lineWidth = 2
  if (p.type === 'bbox') {
    const b = boundsOfGeometry({ type: 'polygon', points: [p.start, p.end] })
    const a = screen({ x: b.left, y: b.top })
    ctx.fillStyle = alpha(color, 0.15)
    ctx.fillRect(a.x, a.y, b.width * t.scale, b.height * t.scale)
    ctx.strokeRect(a.x, a.y, b.width * t.scale, b.height * t.scale)
    return
  }
  if (p.type === 'relationship') {
    const b = controller.doc.index.bounds(p.source)
    if (!b) return
    const s = screen({ x: b.left, y: b.top })
    ctx.setLineDash([5, 3])
    ctx.strokeRect(s.x - 3, s.y - 3, b.width * t.scale + 6, b.height * t.scale + 6)
    ctx.setLineDash([])
    return
  }
  ctx.beginPath()
  p.points.forEach((q, i) => {
    const s = screen(q)
    if (i === 0) ctx.moveTo(s.x, s.y)
    else ctx.lineTo(s.x, s.y)
  })
  if (p.cursor) {
    const s = screen(p.cursor)
    ctx.lineTo(s.x, s.y)
  }
  ctx.stroke()
  for (const q of p.points) handle(ctx, screen(q).x, screen(q).y, color)
}
