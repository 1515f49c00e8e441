// Over 500 lines: one state machine; its transitions read best side by side.
/**
 * The editor's interaction state machine, framework-free: pointer input in image pixels in, edits
 * of the document out. Holds the active tool, the selection, hidden and locked objects, and the
 * shape being drawn. A drag or a brush stroke is one undo step (a gesture of the document).
 */
import type { PointRecord } from '@labelport/core'
import type { EditorDocument } from './editor-document.ts'
import { hitHandle, hitObject, resizeBox } from './editor-hit.ts'
import type { Handle } from './editor-hit.ts'
import { deleteItems } from './editor-commands.ts'
import { copyMask, emptyMask, fillPolygon, paintSegment, tightenMask } from './mask-edit.ts'
import { boxFromCorners, clampPoint, markEdited, newUuid, translateGeometry } from './model.ts'
import type { EditorGeometry, ObjectItem } from './model.ts'

/** One tool of the ontology, in order (keys 1–9 pick them). */
export interface EditorTool {
  featureSchemaId: string
  name: string
  type: 'rectangle' | 'polygon' | 'line' | 'point' | 'raster-segmentation' | 'edge'
  color: string
}

export interface PointerInput {
  /** image pixels */
  point: PointRecord
  /** screen pixels per image pixel, for tolerances */
  scale: number
  shift?: boolean
  alt?: boolean
}

export type MaskMode = 'brush' | 'eraser' | 'fill'

/** A shape being drawn, not yet in the document. */
export type InProgress =
  | { type: 'bbox'; start: PointRecord; end: PointRecord }
  | { type: 'polygon' | 'line' | 'fill'; points: PointRecord[]; cursor: PointRecord | null }
  | { type: 'relationship'; source: string }

type Drag =
  | { kind: 'move'; from: PointRecord; originals: ObjectItem[]; moved: boolean }
  | { kind: 'handle'; uuid: string; handle: Handle }
  | { kind: 'box' }
  | { kind: 'brush'; uuid: string; last: PointRecord; value: 0 | 1 }

/** screen pixels */
const HANDLE_TOLERANCE = 7
const CLOSE_TOLERANCE = 9

export class EditorController {
  readonly doc: EditorDocument
  readonly tools: readonly EditorTool[]
  /** null: the selection pointer (V) */
  active: number | null = null
  selection = new Set<string>()
  hidden = new Set<string>()
  locked = new Set<string>()
  maskMode: MaskMode = 'brush'
  /** image pixels */
  brushRadius = 12
  /** suggestions below this confidence are hidden */
  threshold = 0
  /** read-only (a reviewer looking at a label): clicks select, nothing moves, draws or deletes */
  readOnly = false
  /**
   * Level of detail of the bulk (CSS pixels): a vertex closer than this to the last one drawn is
   * skipped (the last always drawn), so zoomed out a shape is drawn within this of its outline with
   * far fewer segments to rasterize; zoomed in nothing is skipped. The selection and hit-testing
   * use every vertex. 0 draws every vertex (benchmarks compare).
   */
  levelOfDetail = 1.5
  inProgress: InProgress | null = null
  /** bumps when anything drawn changes that the document does not hold */
  viewRevision = 0
  /**
   * bumps when the bulk (every shown object that is not selected) looks different: renderers
   * cache the bulk and redraw only the selection while this stays the same (a drag, a stroke)
   */
  bulkRevision = 0
  /** the part of a selected mask painted since the renderer last looked (image pixels) */
  maskDirty: { uuid: string; left: number; top: number; right: number; bottom: number } | null =
    null
  private drag: Drag | null = null
  private readonly listeners = new Set<() => void>()

  constructor(doc: EditorDocument, tools: readonly EditorTool[]) {
    this.doc = doc
    this.tools = tools
    doc.onChange((changed) => {
      // what was deleted (or undone) is no longer selected
      for (const uuid of this.selection) if (!doc.get(uuid)) this.selection.delete(uuid)
      for (const uuid of changed)
        if (!this.selection.has(uuid) || doc.get(uuid)?.kind !== 'object') {
          this.bulkRevision++
          break
        }
      this.emit()
    })
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * bumps on every change but the cursor of a shape being drawn: side panels compare it to skip
   * re-rendering at every mouse move
   */
  stateRevision = 0

  private emit(cursorOnly = false): void {
    this.viewRevision++
    if (!cursorOnly) this.stateRevision++
    for (const listener of this.listeners) listener()
  }

  get tool(): EditorTool | null {
    return this.active === null ? null : (this.tools[this.active] ?? null)
  }

  /** Visible on the canvas: not hidden, and a suggestion only at or above the threshold. */
  isShown(item: ObjectItem): boolean {
    if (this.hidden.has(item.uuid)) return false
    return !item.suggestion || (item.suggestion.confidence ?? 1) >= this.threshold
  }

  selectTool(index: number | null): void {
    if (index !== null && (this.readOnly || !this.tools[index])) return
    this.cancelDrawing()
    this.active = index
    this.emit()
  }

  select(uuids: Iterable<string>, add = false): void {
    const next = add ? new Set(this.selection) : new Set<string>()
    for (const uuid of uuids) next.add(uuid)
    this.setSelection(next)
  }

  private setSelection(next: Set<string>): void {
    const same = next.size === this.selection.size && [...next].every((u) => this.selection.has(u))
    this.selection = next
    if (!same) this.bulkRevision++
    this.emit()
  }

  toggleHidden(uuid: string): void {
    if (!this.hidden.delete(uuid)) {
      this.hidden.add(uuid)
      this.selection.delete(uuid)
    }
    this.bulkRevision++
    this.emit()
  }

  toggleLocked(uuid: string): void {
    if (!this.locked.delete(uuid)) this.locked.add(uuid)
    this.bulkRevision++
    this.emit()
  }

  setThreshold(threshold: number): void {
    this.threshold = threshold
    this.bulkRevision++
    this.emit()
  }

  setMaskMode(mode: MaskMode): void {
    this.cancelDrawing()
    this.maskMode = mode
    this.emit()
  }

  setBrushRadius(radius: number): void {
    this.brushRadius = Math.max(1, Math.min(500, radius))
    this.emit()
  }

  /** Drops the shape being drawn or the drag in progress; false when there was none. */
  cancelDrawing(): boolean {
    if (this.drag) {
      this.drag = null
      this.inProgress = null
      this.doc.cancelGesture()
      return true
    }
    if (this.inProgress) {
      this.inProgress = null
      this.emit()
      return true
    }
    return false
  }

  /** Esc: drop the shape being drawn or the drag in progress, else clear the selection. */
  cancel(): boolean {
    if (this.cancelDrawing()) return true
    if (this.selection.size > 0) {
      this.setSelection(new Set())
      return true
    }
    return false
  }

  deleteSelection(): number {
    if (this.readOnly) return 0
    const targets = [...this.selection].filter((uuid) => !this.locked.has(uuid))
    return targets.length > 0 ? deleteItems(this.doc, targets) : 0
  }

  /** Enter: closes the polygon, ends the polyline or the fill being drawn. */
  finish(): boolean {
    const p = this.inProgress
    if (!p || (p.type !== 'polygon' && p.type !== 'line' && p.type !== 'fill')) return false
    const enough = p.type === 'line' ? 2 : 3
    if (p.points.length < enough) return false
    this.inProgress = null
    if (p.type === 'fill') this.fillIntoMask(p.points)
    else this.create({ type: p.type, points: p.points })
    return true
  }

  /** Backspace while drawing: removes the last vertex. */
  removeLastPoint(): boolean {
    const p = this.inProgress
    if (!p || (p.type !== 'polygon' && p.type !== 'line' && p.type !== 'fill')) return false
    p.points.pop()
    if (p.points.length === 0) this.inProgress = null
    this.emit()
    return true
  }

  private clamp(p: PointRecord): PointRecord {
    return clampPoint(p, this.doc.imageWidth, this.doc.imageHeight)
  }

  private pickable = (item: ObjectItem) => this.isShown(item)

  private create(geometry: EditorGeometry): ObjectItem | null {
    const tool = this.tool
    if (!tool) return null
    const item: ObjectItem = {
      kind: 'object',
      uuid: newUuid(),
      featureSchemaId: tool.featureSchemaId,
      name: tool.name,
      provenance: { source: 'drawn' },
      geometry,
      answers: {},
    }
    this.doc.change([item])
    this.setSelection(new Set([item.uuid]))
    return item
  }

  /** The selected mask instance of the active tool, or a new empty one (not yet in the document). */
  private targetMask(): ObjectItem {
    const tool = this.tool!
    for (const uuid of this.selection) {
      const item = this.doc.get(uuid)
      if (
        item?.kind === 'object' &&
        item.geometry.type === 'mask' &&
        item.featureSchemaId === tool.featureSchemaId &&
        !this.locked.has(uuid)
      )
        return item
    }
    return {
      kind: 'object',
      uuid: newUuid(),
      featureSchemaId: tool.featureSchemaId,
      name: tool.name,
      provenance: { source: 'drawn' },
      geometry: { type: 'mask', mask: emptyMask() },
      answers: {},
    }
  }

  private fillIntoMask(points: PointRecord[]): void {
    const target = this.targetMask()
    if (target.geometry.type !== 'mask') return
    const { imageWidth, imageHeight } = this.doc
    const mask = fillPolygon(copyMask(target.geometry.mask), points, 1, imageWidth, imageHeight)
    this.doc.change([
      markEdited({ ...target, geometry: { type: 'mask', mask: tightenMask(mask) } }),
    ])
    this.setSelection(new Set([target.uuid]))
  }

  pointerDown(input: PointerInput): void {
    const p = this.clamp(input.point)
    const tolerance = HANDLE_TOLERANCE / input.scale
    if (this.readOnly) return this.selectOnly(input, p, tolerance)
    const tool = this.tool
    if (!tool) return this.selectDown(input, p, tolerance)
    switch (tool.type) {
      case 'rectangle':
        this.inProgress = { type: 'bbox', start: p, end: p }
        this.drag = { kind: 'box' }
        this.emit()
        return
      case 'point':
        this.create({ type: 'point', point: p })
        return
      case 'polygon':
      case 'line':
        return this.vertexClick(tool.type, p, CLOSE_TOLERANCE / input.scale)
      case 'raster-segmentation': {
        if (this.maskMode === 'fill')
          return this.vertexClick('fill', p, CLOSE_TOLERANCE / input.scale)
        const target = this.targetMask()
        if (target.geometry.type !== 'mask') return
        const value = this.maskMode === 'eraser' ? 0 : 1
        this.doc.beginGesture()
        const { imageWidth, imageHeight } = this.doc
        const mask = paintSegment(
          copyMask(target.geometry.mask),
          p,
          p,
          this.brushRadius,
          value,
          imageWidth,
          imageHeight,
        )
        this.setSelection(new Set([target.uuid]))
        this.doc.change([markEdited({ ...target, geometry: { type: 'mask', mask } })])
        this.drag = { kind: 'brush', uuid: target.uuid, last: p, value }
        return
      }
      case 'edge': {
        const hit = hitObject(this.doc, p, tolerance, this.pickable)
        if (!hit) return
        const current = this.inProgress
        if (current?.type === 'relationship' && current.source !== hit.uuid) {
          this.inProgress = null
          this.doc.change([
            {
              kind: 'relationship',
              uuid: newUuid(),
              featureSchemaId: tool.featureSchemaId,
              name: tool.name,
              provenance: { source: 'drawn' },
              source: current.source,
              target: hit.uuid,
              bidirectional: false,
            },
          ])
        } else this.inProgress = { type: 'relationship', source: hit.uuid }
        this.emit()
        return
      }
    }
  }

  private vertexClick(
    type: 'polygon' | 'line' | 'fill',
    p: PointRecord,
    closeTolerance: number,
  ): void {
    const current = this.inProgress
    if (current && current.type === type) {
      const first = current.points[0]!
      if (
        type !== 'line' &&
        current.points.length >= 3 &&
        Math.hypot(p.x - first.x, p.y - first.y) <= closeTolerance
      ) {
        this.finish()
        return
      }
      const last = current.points[current.points.length - 1]!
      if (Math.hypot(p.x - last.x, p.y - last.y) > 0) current.points.push(p)
    } else this.inProgress = { type, points: [p], cursor: p }
    this.emit()
  }

  private selectOnly(input: PointerInput, p: PointRecord, tolerance: number): void {
    const hit = hitObject(this.doc, p, tolerance, this.pickable)
    if (!hit) {
      if (!input.shift && this.selection.size > 0) this.setSelection(new Set())
      return
    }
    const next = input.shift ? new Set(this.selection) : new Set<string>()
    if (input.shift && next.has(hit.uuid)) next.delete(hit.uuid)
    else next.add(hit.uuid)
    this.setSelection(next)
  }

  private selectDown(input: PointerInput, p: PointRecord, tolerance: number): void {
    // handles of a single selected object first
    if (this.selection.size === 1) {
      const uuid = [...this.selection][0]!
      const item = this.doc.get(uuid)
      if (item?.kind === 'object' && !this.locked.has(uuid) && this.isShown(item)) {
        const handle = hitHandle(item, p, tolerance)
        if (handle) {
          if (handle.kind === 'vertex' && input.alt) return this.deleteVertex(item, handle.index)
          this.doc.beginGesture()
          if (handle.kind === 'edge') {
            // insert a vertex where the edge was clicked, and drag it
            const g = item.geometry as { type: 'polygon' | 'line'; points: PointRecord[] }
            const points = [...g.points]
            points.splice(handle.index + 1, 0, p)
            this.doc.change([markEdited({ ...item, geometry: { type: g.type, points } })])
            this.drag = {
              kind: 'handle',
              uuid,
              handle: { kind: 'vertex', index: handle.index + 1 },
            }
          } else this.drag = { kind: 'handle', uuid, handle }
          return
        }
      }
    }
    const hit = hitObject(this.doc, p, tolerance, this.pickable)
    if (!hit) {
      if (!input.shift && this.selection.size > 0) this.setSelection(new Set())
      return
    }
    if (input.shift) {
      const next = new Set(this.selection)
      if (!next.delete(hit.uuid)) next.add(hit.uuid)
      this.setSelection(next)
    } else if (!this.selection.has(hit.uuid)) this.setSelection(new Set([hit.uuid]))
    const originals: ObjectItem[] = []
    for (const uuid of this.selection) {
      const item = this.doc.get(uuid)
      if (item?.kind === 'object' && !this.locked.has(uuid)) originals.push(item)
    }
    if (originals.length > 0) {
      this.doc.beginGesture()
      this.drag = { kind: 'move', from: p, originals, moved: false }
    }
    this.emit()
  }

  private deleteVertex(item: ObjectItem, index: number): void {
    const g = item.geometry
    if (g.type !== 'polygon' && g.type !== 'line') return
    if (g.points.length <= (g.type === 'polygon' ? 3 : 2)) return // keeps a valid shape
    const points = g.points.filter((_, i) => i !== index)
    this.doc.change([markEdited({ ...item, geometry: { type: g.type, points } })])
  }

  pointerMove(input: PointerInput): void {
    const p = this.clamp(input.point)
    const current = this.inProgress
    if (current && 'cursor' in current) {
      current.cursor = p
      this.emit(true)
    }
    const drag = this.drag
    if (!drag) return
    switch (drag.kind) {
      case 'box':
        if (current?.type === 'bbox') current.end = p
        this.emit()
        return
      case 'move': {
        const dx = input.point.x - drag.from.x
        const dy = input.point.y - drag.from.y
        drag.moved = true
        this.doc.change(
          drag.originals.map((o) =>
            markEdited({ ...o, geometry: translateGeometry(o.geometry, dx, dy) }),
          ),
        )
        return
      }
      case 'handle': {
        const item = this.doc.get(drag.uuid)
        if (!item || item.kind !== 'object') return
        const g = item.geometry
        let geometry: EditorGeometry | null = null
        if (g.type === 'bbox' && drag.handle.kind === 'box')
          geometry = { type: 'bbox', box: resizeBox(g.box, drag.handle.index, p) }
        else if ((g.type === 'polygon' || g.type === 'line') && drag.handle.kind === 'vertex') {
          const points = [...g.points]
          points[drag.handle.index] = p
          geometry = { type: g.type, points }
        }
        if (geometry) this.doc.change([markEdited({ ...item, geometry })])
        return
      }
      case 'brush': {
        const item = this.doc.get(drag.uuid)
        if (!item || item.kind !== 'object' || item.geometry.type !== 'mask') return
        const { imageWidth, imageHeight } = this.doc
        // painting in place is safe: the gesture's first change copied the mask
        const mask = paintSegment(
          item.geometry.mask,
          drag.last,
          p,
          this.brushRadius,
          drag.value,
          imageWidth,
          imageHeight,
        )
        const r = this.brushRadius + 1
        const d = this.maskDirty
        this.maskDirty = {
          uuid: item.uuid,
          left: Math.min(d?.left ?? Infinity, drag.last.x - r, p.x - r),
          top: Math.min(d?.top ?? Infinity, drag.last.y - r, p.y - r),
          right: Math.max(d?.right ?? -Infinity, drag.last.x + r, p.x + r),
          bottom: Math.max(d?.bottom ?? -Infinity, drag.last.y + r, p.y + r),
        }
        drag.last = p
        this.doc.change([{ ...item, geometry: { type: 'mask', mask } }])
        return
      }
    }
  }

  pointerUp(input: PointerInput): void {
    const drag = this.drag
    this.drag = null
    if (!drag) return
    if (drag.kind === 'box') {
      const current = this.inProgress
      this.inProgress = null
      if (current?.type === 'bbox') {
        const box = boxFromCorners(current.start, this.clamp(input.point))
        // a click without a drag draws nothing
        if (box.width * input.scale >= 3 && box.height * input.scale >= 3)
          this.create({ type: 'bbox', box })
        else this.emit()
      }
      return
    }
    if (drag.kind === 'brush') {
      const item = this.doc.get(drag.uuid)
      if (item?.kind === 'object' && item.geometry.type === 'mask') {
        const mask = tightenMask(item.geometry.mask)
        // an instance erased to nothing is removed
        if (mask.width === 0) this.doc.change([], [item.uuid])
        else this.doc.change([{ ...item, geometry: { type: 'mask', mask } }])
      }
    }
    this.doc.endGesture()
  }

  /** Double-click: ends a polyline or polygon being drawn. */
  doubleClick(): void {
    this.finish()
  }

  get dragging(): boolean {
    return this.drag !== null
  }
}
