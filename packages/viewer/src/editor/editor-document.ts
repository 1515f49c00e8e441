/**
 * The records of one data row being labeled, their spatial index, and undo/redo. History steps
 * are diffs of records (before/after); a gesture (a drag, a brush stroke) collects every change
 * between `beginGesture` and `endGesture` into ONE step. Loading a draft is not recorded.
 */
import { boundsOfGeometry } from './model.ts'
import type { Diff, EditorItem } from './model.ts'
import { SpatialIndex } from './spatial-index.ts'

export const HISTORY_LIMIT = 500

export class EditorDocument {
  readonly imageWidth: number
  readonly imageHeight: number
  readonly index: SpatialIndex
  /** in drawing order: later items are drawn above earlier ones */
  private readonly items = new Map<string, EditorItem>()
  private undoStack: Diff[] = []
  private redoStack: Diff[] = []
  private gesture: Diff | null = null
  private readonly listeners = new Set<(changed: ReadonlySet<string>) => void>()
  /** bumps on every change; renderers and autosave compare it */
  revision = 0

  constructor(imageWidth: number, imageHeight: number, items: readonly EditorItem[] = []) {
    this.imageWidth = imageWidth
    this.imageHeight = imageHeight
    this.index = new SpatialIndex(imageWidth, imageHeight)
    for (const item of items) this.write(item.uuid, item)
  }

  get(uuid: string): EditorItem | undefined {
    return this.items.get(uuid)
  }

  all(): IterableIterator<EditorItem> {
    return this.items.values()
  }

  get size(): number {
    return this.items.size
  }

  /** `listener` gets the uuids that changed */
  onChange(listener: (changed: ReadonlySet<string>) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Replaces everything without history (a draft loaded or reloaded). */
  reset(items: readonly EditorItem[]): void {
    const changed = new Set([...this.items.keys()])
    for (const uuid of changed) this.write(uuid, undefined)
    for (const item of items) {
      this.write(item.uuid, item)
      changed.add(item.uuid)
    }
    this.undoStack = []
    this.redoStack = []
    this.gesture = null
    this.changed(changed)
  }

  /** Puts and removes records as one undo step (or as part of the open gesture). */
  change(put: readonly EditorItem[], remove: readonly string[] = []): void {
    const diff: Diff = new Map()
    for (const uuid of remove) {
      const before = this.items.get(uuid)
      if (before) diff.set(uuid, { before, after: undefined })
    }
    for (const item of put) {
      const before = diff.get(item.uuid)?.before ?? this.items.get(item.uuid)
      diff.set(item.uuid, { before, after: item })
    }
    if (diff.size === 0) return
    for (const [uuid, { after }] of diff) this.write(uuid, after)
    if (this.gesture) {
      for (const [uuid, entry] of diff) {
        const open = this.gesture.get(uuid)
        this.gesture.set(uuid, { before: open ? open.before : entry.before, after: entry.after })
      }
    } else this.push(diff)
    this.changed(new Set(diff.keys()))
  }

  beginGesture(): void {
    if (!this.gesture) this.gesture = new Map()
  }

  /** Ends the gesture as one step; a gesture that changed nothing leaves no step. */
  endGesture(): void {
    const g = this.gesture
    this.gesture = null
    if (!g) return
    for (const [uuid, entry] of g) if (entry.before === entry.after) g.delete(uuid)
    if (g.size === 0) return
    this.push(g)
    // listeners (autosave) learn that the gesture is over
    this.changed(new Set(g.keys()))
  }

  /** Ends the gesture by undoing what it did (Esc during a drag). */
  cancelGesture(): void {
    const g = this.gesture
    this.gesture = null
    if (!g || g.size === 0) return
    for (const [uuid, { before }] of g) this.write(uuid, before)
    this.changed(new Set(g.keys()))
  }

  get inGesture(): boolean {
    return this.gesture !== null
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0
  }

  undo(): boolean {
    this.endGesture()
    const diff = this.undoStack.pop()
    if (!diff) return false
    for (const [uuid, { before }] of diff) this.write(uuid, before)
    this.redoStack.push(diff)
    this.changed(new Set(diff.keys()))
    return true
  }

  redo(): boolean {
    this.endGesture()
    const diff = this.redoStack.pop()
    if (!diff) return false
    for (const [uuid, { after }] of diff) this.write(uuid, after)
    this.undoStack.push(diff)
    this.changed(new Set(diff.keys()))
    return true
  }

  private push(diff: Diff): void {
    this.undoStack.push(diff)
    if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift()
    this.redoStack = []
  }

  private write(uuid: string, item: EditorItem | undefined): void {
    if (!item) {
      this.items.delete(uuid)
      this.index.delete(uuid)
      return
    }
    this.items.set(uuid, item)
    if (item.kind === 'object') this.index.set(uuid, boundsOfGeometry(item.geometry))
  }

  private changed(uuids: ReadonlySet<string>): void {
    this.revision++
    for (const listener of this.listeners) listener(uuids)
  }
}
