/**
 * Drawing the editor's document on a 2D canvas. The bulk (every visible object that is not
 * selected) is drawn in one pass: the spatial index culls to the view, vectors are batched into
 * one Path2D per (color, style). Only the selection gets handles, only the shape in progress is
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
export const DASHED_VERTEX_LIMIT = 20_000

function alpha(color: string, a: number): string {
  return `${color}${Math.round(a * 255)
    .toString(16)
    .padStart(2, '0')}`
}

/**
 * Mask bitmaps drawn as canvases, one per mask bitmap (records are immutable; a brush stroke
 * paints one bitmap in place and says which rectangle changed, so only that part is redrawn).
 */
export class MaskCache {
  private readonly canvases = new WeakMap<
    MaskBitmap,
    { color: string; canvas: HTMLCanvasElement }
  >()

  get(mask: MaskBitmap, color: string): HTMLCanvasElement | null {
    if (mask.width === 0 || mask.height === 0) return null
    const cached = this.canvases.get(mask)
    if (cached && cached.color === color) return cached.canvas
    const canvas = document.createElement('canvas')
    canvas.width = mask.width
    canvas.height = mask.height
    this.canvases.set(mask, { color, canvas })
    this.paint(mask, color, canvas, 0, 0, mask.width, mask.height)
    return canvas
  }

  /** Repaints the part of a cached mask inside the image rectangle (after a brush stroke). */
  update(
    mask: MaskBitmap,
    rect: { left: number; top: number; right: number; bottom: number },
  ): void {
    const cached = this.canvases.get(mask)
    if (!cached) return
    if (cached.canvas.width !== mask.width || cached.canvas.height !== mask.height) {
      this.canvases.delete(mask)
      return
    }
    const x0 = Math.max(0, Math.floor(rect.left) - mask.left)
    const y0 = Math.max(0, Math.floor(rect.top) - mask.top)
    const x1 = Math.min(mask.width, Math.ceil(rect.right) - mask.left)
    const y1 = Math.min(mask.height, Math.ceil(rect.bottom) - mask.top)
    if (x1 > x0 && y1 > y0) this.paint(mask, cached.color, cached.canvas, x0, y0, x1 - x0, y1 - y0)
  }

  private paint(
    mask: MaskBitmap,
    color: string,
    canvas: HTMLCanvasElement,
    x0: number,
    y0: number,
    width: number,
    height: number,
  ): void {
    const context = canvas.getContext('2d')
    if (!context) return
    const pixels = new Uint8ClampedArray(width * height * 4)
    const r = parseInt(color.slice(1, 3), 16) || 0
    const g = parseInt(color.slice(3, 5), 16) || 0
    const b = parseInt(color.slice(5, 7), 16) || 0
    for (let y = 0; y < height; y++) {
      const row = (y + y0) * mask.width + x0
      for (let x = 0; x < width; x++)
        if (mask.data[row + x]) {
          const i = (y * width + x) * 4
          pixels[i] = r
          pixels[i + 1] = g
          pixels[i + 2] = b
          pixels[i + 3] = 130
        }
    }
    context.putImageData(new ImageData(pixels, width, height), x0, y0)
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

/**
 * The bulk: every shown object in the view except the selection, in one pass culled by the
 * spatial index. Returns how many objects were drawn.
 */
export function renderBulk(o: RenderOptions): number {
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
  let drawn = 0
  let dashedVertices = 0
  // drawing order is the document's; the index only says what is in view
  for (const item of doc.all()) {
    if (item.kind !== 'object') continue
    if (!visible.has(item.uuid) || !controller.isShown(item)) continue
    if (controller.selection.has(item.uuid)) continue
    drawn++
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
    addToPath(b, g, controller.levelOfDetail / t.scale)
    if (dashed) dashedVertices += g.type === 'polygon' || g.type === 'line' ? g.points.length : 4
  }
  // Dashing is the dearest part of rasterizing (bench/web/raster.ts): past this many visible
  // suggestion vertices (zoomed out on a dense image) suggestions are drawn thin and translucent
  // instead, still apart from labels; zoomed in, they are dashed again.
  const dash = dashedVertices <= DASHED_VERTEX_LIMIT
  // miter joins: round ones cost much more to rasterize over 100,000 vertices
  ctx.lineJoin = 'miter'
  setImage(ctx, t, dpr)
  ctx.imageSmoothingEnabled = false
  for (const item of masks) drawMask(o, item, false)
  for (const b of batches.values()) {
    setImage(ctx, t, dpr)
    ctx.setLineDash(b.dashed && dash ? [6 / t.scale, 4 / t.scale] : [])
    ctx.lineWidth = (b.dashed && !dash ? 1.25 : 2) / t.scale
    ctx.fillStyle = alpha(b.color, b.dashed ? 0.06 : 0.14)
    ctx.strokeStyle = b.dashed && !dash ? alpha(b.color, 0.75) : b.color
    ctx.fill(b.areas, 'evenodd')
    ctx.stroke(b.areas)
    ctx.stroke(b.lines)
    if (b.points.length > 0) drawPoints(ctx, b.points, t, dpr, b.color, b.dashed)
  }
  ctx.setLineDash([])
  return drawn
}

/** What changes while the user works: relationships, the selection with its handles, the shape being drawn. */
export function renderOverlay(o: RenderOptions): void {
  const { controller } = o
  const doc = controller.doc
  const centres = new Map<string, PointRecord>()
  let relationships = false
  for (const item of doc.all()) if (item.kind === 'relationship') relationships = true
  if (relationships)
    for (const item of doc.all()) {
      if (item.kind !== 'object' || !controller.isShown(item)) continue
      const b = doc.index.bounds(item.uuid)
      if (b) centres.set(item.uuid, { x: b.left + b.width / 2, y: b.top + b.height / 2 })
    }
  drawRelationships(o, centres)
  const dirty = controller.maskDirty
  controller.maskDirty = null
  for (const uuid of controller.selection) {
    const item = doc.get(uuid)
    if (item?.kind !== 'object' || !controller.isShown(item)) continue
    if (dirty && dirty.uuid === uuid && item.geometry.type === 'mask')
      o.masks.update(item.geometry.mask, dirty)
    drawSelected(o, item)
  }
  drawInProgress(o)
}

function setImage(ctx: CanvasRenderingContext2D, t: ViewTransformLike, dpr: number): void {
  ctx.setTransform(dpr * t.scale, 0, 0, dpr * t.scale, dpr * t.offsetX, dpr * t.offsetY)
}

/**
 * The vertices drawn at a level of detail: the first, each one at least `minStep` from the last
 * one kept, and the last. Every point dropped is within `minStep` of a kept one.
 */
export function levelOfDetail(points: readonly PointRecord[], minStep: number): PointRecord[] {
  if (points.length <= 2 || minStep <= 0) return points as PointRecord[]
  const min2 = minStep * minStep
  const last = points.length - 1
  const out: PointRecord[] = [points[0]!]
  let x = points[0]!.x
  let y = points[0]!.y
  for (let i = 1; i <= last; i++) {
    const p = points[i]!
    const dx = p.x - x
    const dy = p.y - y
    if (i < last && dx * dx + dy * dy < min2) continue
    out.push(p)
    x = p.x
    y = p.y
  }
  return out
}

/** `minStep`: image pixels (the controller's `levelOfDetail` at the view's scale) */
function addToPath(b: Batch, g: ObjectItem['geometry'], minStep: number): void {
  switch (g.type) {
    case 'bbox':
      b.areas.rect(g.box.left, g.box.top, g.box.width, g.box.height)
      return
    case 'polygon':
    case 'line': {
      const path = g.type === 'polygon' ? b.areas : b.lines
      const points = levelOfDetail(g.points, minStep)
      const first = points[0]
      if (!first) return
      path.moveTo(first.x, first.y)
      for (let i = 1; i < points.length; i++) path.lineTo(points[i]!.x, points[i]!.y)
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
