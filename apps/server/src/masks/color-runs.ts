/**
 * One pass over a decoded composite mask that builds the COCO run lengths (column-major) of every
 * color at once, plus those of "any non-black pixel" for binary masks.
 *
 * The raw buffer is row-major and COCO runs go down columns. Visiting every pixel in JavaScript
 * costs more than sharp's whole decode, so the pass looks only at where something changes:
 * each row is compared with the row above 32 bits at a time, and only where a word differs are
 * the pixels read. A column changes color only there ("vertical edges"); those edges, sorted by
 * column, are exactly the column-major run boundaries. Work is one word comparison per 4 bytes
 * plus bookkeeping proportional to the edges, not to the pixels.
 */

/** Growable list of run lengths for one color. */
export class RunList {
  data = new Uint32Array(16)
  length = 0
  /** column-major position just after this color's last set run */
  lastEnd = 0

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Uint32Array(this.data.length * 2)
      grown.set(this.data)
      this.data = grown
    }
    this.data[this.length++] = value
  }

  /** the runs as COCO counts (unset first) */
  counts(): Uint32Array {
    return this.data.subarray(0, this.length)
  }
}

export interface CompositeRuns {
  width: number
  height: number
  /** keyed by 0xRRGGBB; black (0) is background and has no entry */
  colors: Map<number, RunList>
  /** every non-black pixel */
  union: RunList
  /** true when there were more distinct colors than tracked; `colors` is then incomplete */
  overflow: boolean
}

export function colorKey(rgb: readonly [number, number, number]): number {
  return (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]
}

export function keyToColor(key: number): [number, number, number] {
  return [(key >> 16) & 0xff, (key >> 8) & 0xff, key & 0xff]
}

/** Growable column of numbers. */
class Uint32List {
  data: Uint32Array
  length = 0
  constructor(capacity: number) {
    this.data = new Uint32Array(Math.max(16, capacity))
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Uint32Array(this.data.length * 2)
      grown.set(this.data)
      this.data = grown
    }
    this.data[this.length++] = value
  }
}

export class TooManyRunsError extends Error {}

/**
 * @param raw row-major pixels, 8 bits per channel: 1 = gray (v means (v,v,v)), 2 = gray + alpha,
 *   3 = RGB, 4 = RGBA; alpha is ignored, as Labelbox keeps only the first three channels
 * @param maxEdges bound on vertical color changes (memory); beyond it TooManyRunsError is thrown
 */
export function buildColorRuns(
  raw: Uint8Array,
  width: number,
  height: number,
  channels: number,
  maxColors = 65_536,
  maxEdges = 20_000_000,
): CompositeRuns {
  const rowBytes = width * channels
  if (raw.length < rowBytes * height)
    throw new RangeError('raw buffer smaller than width × height × channels')
  const keyAt =
    channels >= 3
      ? (offset: number): number =>
          (raw[offset]! << 16) | (raw[offset + 1]! << 8) | raw[offset + 2]!
      : (offset: number): number => raw[offset]! * 0x010101

  // 1. vertical edges (x, y, new key), found row by row
  const edgeX = new Uint32List(width * 4)
  const edgeY = new Uint32List(width * 4)
  const edgeKey = new Uint32List(width * 4)
  const columnKey = new Uint32Array(width)
  for (let x = 0; x < width; x++) {
    const key = keyAt(x * channels)
    columnKey[x] = key
    edgeX.push(x)
    edgeY.push(0)
    edgeKey.push(key)
  }
  // rows are compared as 32-bit words; when rows are not 4-byte aligned they are copied first
  const aligned = raw.byteOffset % 4 === 0 && rowBytes % 4 === 0
  const rowWords = Math.ceil(rowBytes / 4)
  const whole = aligned ? new Int32Array(raw.buffer, raw.byteOffset, (rowBytes * height) / 4) : null
  const scratch = aligned ? null : [new Uint8Array(rowWords * 4), new Uint8Array(rowWords * 4)]
  const scratchWords = scratch?.map((bytes) => new Int32Array(bytes.buffer))
  if (scratch) scratch[0]!.set(raw.subarray(0, rowBytes))
  for (let y = 1; y < height; y++) {
    const rowStart = y * rowBytes
    let words: Int32Array
    let current: number
    let previous: number
    if (whole) {
      words = whole
      current = y * rowWords
      previous = current - rowWords
    } else {
      // two scratch rows laid end to end would need one buffer; two views are simpler
      const now = y % 2
      scratch![now]!.set(raw.subarray(rowStart, rowStart + rowBytes))
      words = scratchWords![now]!
      const before = scratchWords![1 - now]!
      for (let w = 0; w < rowWords; w++) {
        if (words[w] === before[w]) continue
        const first = Math.floor((w * 4) / channels)
        const last = Math.min(width - 1, Math.floor((w * 4 + 3) / channels))
        for (let x = first; x <= last; x++) {
          const key = keyAt(rowStart + x * channels)
          if (key !== columnKey[x]) {
            columnKey[x] = key
            edgeX.push(x)
            edgeY.push(y)
            edgeKey.push(key)
          }
        }
      }
      if (edgeX.length > maxEdges) throw new TooManyRunsError()
      continue
    }
    for (let w = 0; w < rowWords; w++) {
      if (words[current + w] === words[previous + w]) continue
      const first = Math.floor((w * 4) / channels)
      const last = Math.floor((w * 4 + 3) / channels)
      for (let x = first; x <= last; x++) {
        const key = keyAt(rowStart + x * channels)
        if (key !== columnKey[x]) {
          columnKey[x] = key
          edgeX.push(x)
          edgeY.push(y)
          edgeKey.push(key)
        }
      }
    }
    if (edgeX.length > maxEdges) throw new TooManyRunsError()
  }

  // 2. sort the edges by column (counting sort; within a column they are already in row order)
  const edgeCount = edgeX.length
  const columnStart = new Uint32Array(width + 1)
  for (let i = 0; i < edgeCount; i++) columnStart[edgeX.data[i]! + 1]!++
  for (let x = 0; x < width; x++) columnStart[x + 1]! += columnStart[x]!
  const fill = columnStart.slice(0, width)
  const sortedPosition = new Uint32Array(edgeCount)
  const sortedKey = new Uint32Array(edgeCount)
  for (let i = 0; i < edgeCount; i++) {
    const x = edgeX.data[i]!
    const slot = fill[x]!++
    sortedPosition[slot] = x * height + edgeY.data[i]!
    sortedKey[slot] = edgeKey.data[i]!
  }

  // 3. walk the edges in column-major order; a color's run ends where the next edge begins
  const colors = new Map<number, RunList>()
  const union = new RunList()
  let overflow = false
  let previousKey = -1 // nothing yet
  let runStart = 0
  let unionStart = 0
  let lastKey = -1
  let lastList: RunList | undefined
  const boundary = (position: number, key: number): void => {
    if (previousKey > 0) {
      let list: RunList | undefined
      if (previousKey === lastKey) list = lastList
      else {
        list = colors.get(previousKey)
        if (list === undefined && !overflow) {
          if (colors.size >= maxColors) overflow = true
          else colors.set(previousKey, (list = new RunList()))
        }
        lastKey = previousKey
        lastList = list
      }
      if (list !== undefined) {
        list.push(runStart - list.lastEnd)
        list.push(position - runStart)
        list.lastEnd = position
      }
    }
    const wasSet = previousKey > 0
    const isSet = key > 0
    if (wasSet !== isSet) {
      if (isSet) unionStart = position
      else {
        union.push(unionStart - union.lastEnd)
        union.push(position - unionStart)
        union.lastEnd = position
      }
    }
    previousKey = key
    runStart = position
  }
  for (let i = 0; i < edgeCount; i++) {
    const key = sortedKey[i]!
    if (key !== previousKey) boundary(sortedPosition[i]!, key)
  }
  const total = width * height
  boundary(total, -1)
  // pycocotools writes no trailing empty run
  for (const list of colors.values()) if (total > list.lastEnd) list.push(total - list.lastEnd)
  if (total > union.lastEnd || union.length === 0) union.push(total - union.lastEnd)
  return { width, height, colors, union, overflow }
}
