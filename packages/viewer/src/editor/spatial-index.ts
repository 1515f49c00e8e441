/**
 * A uniform grid over object bounds, updated in place as objects change: a drag moves one entry,
 * never rebuilds the index. Queries return ids whose bounds meet a rectangle (image pixels);
 * callers test the exact shape.
 */
import type { BoxRecord } from '@labelport/core'

interface Entry {
  bounds: BoxRecord
  x0: number
  y0: number
  x1: number
  y1: number
}

export class SpatialIndex {
  readonly cellSize: number
  private readonly cells = new Map<number, Set<string>>()
  private readonly entries = new Map<string, Entry>()
  /** objects larger than this many cells are kept in one list instead of hundreds of cells */
  private readonly large = new Set<string>()
  private static readonly LARGE_CELLS = 256

  constructor(imageWidth: number, imageHeight: number) {
    // about 64 cells across the image, never smaller than 16 px
    this.cellSize = Math.max(16, Math.ceil(Math.max(imageWidth, imageHeight, 1) / 64))
  }

  get size(): number {
    return this.entries.size
  }

  private key(cx: number, cy: number): number {
    return (cx + 32768) * 65536 + (cy + 32768)
  }

  set(id: string, bounds: BoxRecord): void {
    this.delete(id)
    const c = this.cellSize
    const x0 = Math.floor(bounds.left / c)
    const y0 = Math.floor(bounds.top / c)
    const x1 = Math.floor((bounds.left + bounds.width) / c)
    const y1 = Math.floor((bounds.top + bounds.height) / c)
    this.entries.set(id, { bounds, x0, y0, x1, y1 })
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > SpatialIndex.LARGE_CELLS) {
      this.large.add(id)
      return
    }
    for (let cx = x0; cx <= x1; cx++)
      for (let cy = y0; cy <= y1; cy++) {
        const k = this.key(cx, cy)
        let cell = this.cells.get(k)
        if (!cell) this.cells.set(k, (cell = new Set()))
        cell.add(id)
      }
  }

  delete(id: string): void {
    const e = this.entries.get(id)
    if (!e) return
    this.entries.delete(id)
    if (this.large.delete(id)) return
    for (let cx = e.x0; cx <= e.x1; cx++)
      for (let cy = e.y0; cy <= e.y1; cy++) {
        const k = this.key(cx, cy)
        const cell = this.cells.get(k)
        if (!cell) continue
        cell.delete(id)
        if (cell.size === 0) this.cells.delete(k)
      }
  }

  bounds(id: string): BoxRecord | undefined {
    return this.entries.get(id)?.bounds
  }

  /** ids whose bounds, grown by `margin`, meet the rectangle; each once */
  query(rect: BoxRecord, margin = 0): Set<string> {
    const out = new Set<string>()
    const left = rect.left - margin
    const top = rect.top - margin
    const right = rect.left + rect.width + margin
    const bottom = rect.top + rect.height + margin
    const meets = (b: BoxRecord) =>
      b.left <= right && b.top <= bottom && b.left + b.width >= left && b.top + b.height >= top
    const c = this.cellSize
    const x0 = Math.floor(left / c)
    const y0 = Math.floor(top / c)
    const x1 = Math.floor(right / c)
    const y1 = Math.floor(bottom / c)
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > this.cells.size) {
      // a query larger than the populated grid: scanning the entries is cheaper
      for (const [id, e] of this.entries) if (meets(e.bounds)) out.add(id)
      return out
    }
    for (let cx = x0; cx <= x1; cx++)
      for (let cy = y0; cy <= y1; cy++) {
        const cell = this.cells.get(this.key(cx, cy))
        if (!cell) continue
        for (const id of cell) if (!out.has(id) && meets(this.entries.get(id)!.bounds)) out.add(id)
      }
    for (const id of this.large) if (meets(this.entries.get(id)!.bounds)) out.add(id)
    return out
  }
}
