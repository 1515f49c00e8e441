/**
 * Compact per-import memory of the judge. An import may hold a million lines, so nothing here
 * keeps a string or an object per line: uuids are keys of 128 bits and data rows are 64-bit
 * hashes of their ids, in open-addressing tables of typed arrays (linear probing, grown at 1/2 load).
 * Keys are passed in small typed arrays the caller owns and reuses (no module-level state).
 */
import { canonicalUuid } from '../ids.ts'

/** A uuid as 4 big-endian 32-bit words: the key of a `UuidTable`, reused from line to line. */
export type UuidWords = Uint32Array

export function newUuidWords(): UuidWords {
  return new Uint32Array(4)
}

/**
 * Parses a uuid in any form Labelbox accepts (upper case, braces, no dashes).
 * Returns the canonical lowercase dashed form (the input itself when already canonical),
 * or undefined when it is not a uuid.
 */
export function parseUuid(text: string): string | undefined {
  return parseUuidInto(text, scratchWords)
}

// parseUuid's own words, never read: callers that need the words pass theirs
const scratchWords = newUuidWords()

/** `parseUuid` that also writes the uuid's words into `words` (left partly written when invalid). */
export function parseUuidInto(text: string, words: UuidWords): string | undefined {
  let start = 0
  let end = text.length
  if (end > 0 && text.charCodeAt(0) === 0x7b /* { */) start = 1
  if (end > start && text.charCodeAt(end - 1) === 0x7d /* } */) end--
  if (end - start < 32 || end - start > 36) return undefined
  let digits = 0
  let word = 0
  let canonical = start === 0 && end === text.length && end === 36
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x2d /* - */) {
      // a dash may only sit between the groups 8-4-4-4-12
      if (digits !== 8 && digits !== 12 && digits !== 16 && digits !== 20) return undefined
      if (i > start && text.charCodeAt(i - 1) === 0x2d) return undefined
      continue
    }
    let v: number
    if (c >= 0x30 && c <= 0x39) v = c - 0x30
    else if (c >= 0x61 && c <= 0x66) v = c - 0x57
    else if (c >= 0x41 && c <= 0x46) {
      v = c - 0x37
      canonical = false
    } else return undefined
    if (digits === 32) return undefined
    word = ((word << 4) | v) >>> 0
    digits++
    if ((digits & 7) === 0) words[(digits >>> 3) - 1] = word
  }
  if (digits !== 32) return undefined
  if (canonical) {
    // the 36-character form: dashes exactly at 8, 13, 18, 23
    if (
      text.charCodeAt(8) === 0x2d &&
      text.charCodeAt(13) === 0x2d &&
      text.charCodeAt(18) === 0x2d &&
      text.charCodeAt(23) === 0x2d
    )
      return text
  }
  return canonicalUuid(text)
}

/** A 64-bit hash of a data row id, as two 32-bit words. */
export type RowHash = Int32Array

export function newRowHash(): RowHash {
  return new Int32Array(2)
}

/** Hashes a data row id into `out`: FNV-1a and a murmur-style variant. */
export function hashRowId(id: string, out: RowHash): void {
  let a = 0x811c9dc5 | 0
  let b = 0x9747b28c | 0
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
    b ^= b >>> 15
  }
  out[0] = a
  out[1] = mix(b)
}

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/** Bits of a uuid entry. */
export const ENTRY = {
  /** an object line (bbox, polygon, line, point, mask): a valid relationship endpoint */
  object: 1,
  /** the line was judged and accepted (and not rejected later) */
  ok: 2,
  /** the line failed, at any stage */
  failed: 4,
  /** the entry knows its data row */
  rowKnown: 8,
} as const

const EMPTY = 0
const USED = 0x80

/** uuid → {data row hash, flags}: duplicates within an import and relationship endpoints. */
export class UuidTable {
  private keys: Uint32Array
  private rows: Int32Array
  private flags: Uint8Array
  private mask: number
  private count = 0

  constructor(initialCapacity = 1024) {
    const capacity = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)))
    this.keys = new Uint32Array(capacity * 4)
    this.rows = new Int32Array(capacity * 2)
    this.flags = new Uint8Array(capacity)
    this.mask = capacity - 1
  }

  get size(): number {
    return this.count
  }

  /** Slot of the uuid, or -1. */
  find(uuid: UuidWords): number {
    const w0 = uuid[0]!,
      w1 = uuid[1]!,
      w2 = uuid[2]!,
      w3 = uuid[3]!
    const keys = this.keys
    let slot = hashWords(w0, w1, w2, w3) & this.mask
    while (this.flags[slot] !== EMPTY) {
      const k = slot * 4
      if (keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3)
        return slot
      slot = (slot + 1) & this.mask
    }
    return -1
  }

  /** Inserts the uuid; returns its new slot, or -1 when it was there already. */
  claim(uuid: UuidWords): number {
    if ((this.count + 1) * 2 > this.flags.length) this.grow()
    const w0 = uuid[0]!,
      w1 = uuid[1]!,
      w2 = uuid[2]!,
      w3 = uuid[3]!
    const keys = this.keys
    let slot = hashWords(w0, w1, w2, w3) & this.mask
    while (this.flags[slot] !== EMPTY) {
      const k = slot * 4
      if (keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3)
        return -1
      slot = (slot + 1) & this.mask
    }
    const k = slot * 4
    keys[k] = w0
    keys[k + 1] = w1
    keys[k + 2] = w2
    keys[k + 3] = w3
    this.flags[slot] = USED
    this.count++
    return slot
  }

  flagsAt(slot: number): number {
    return this.flags[slot]! & ~USED
  }

  /** Replaces the entry's bits (USED is kept). */
  setFlags(slot: number, bits: number): void {
    this.flags[slot] = USED | bits
  }

  /** Sets the entry's data row. */
  setRow(slot: number, row: RowHash): void {
    this.rows[slot * 2] = row[0]!
    this.rows[slot * 2 + 1] = row[1]!
    this.flags[slot]! |= ENTRY.rowKnown
  }

  /** Whether the entry's data row is `row`. */
  sameRow(slot: number, row: RowHash): boolean {
    return this.rows[slot * 2] === row[0] && this.rows[slot * 2 + 1] === row[1]
  }

  private grow(): void {
    const { keys, rows, flags } = this
    const capacity = flags.length * 2
    this.keys = new Uint32Array(capacity * 4)
    this.rows = new Int32Array(capacity * 2)
    this.flags = new Uint8Array(capacity)
    this.mask = capacity - 1
    for (let old = 0; old < flags.length; old++) {
      if (flags[old] === EMPTY) continue
      const k = old * 4
      let slot = hashWords(keys[k]!, keys[k + 1]!, keys[k + 2]!, keys[k + 3]!) & this.mask
      while (this.flags[slot] !== EMPTY) slot = (slot + 1) & this.mask
      this.keys.set(keys.subarray(k, k + 4), slot * 4)
      this.rows[slot * 2] = rows[old * 2]!
      this.rows[slot * 2 + 1] = rows[old * 2 + 1]!
      this.flags[slot] = flags[old]!
    }
  }
}

function hashWords(w0: number, w1: number, w2: number, w3: number): number {
  // users write sequential uuids too (…0001, …0002), so mix every word
  let h = mix(w0 ^ 0x9e3779b9)
  h = mix(h ^ w1)
  h = mix(h ^ w2)
  return mix(h ^ w3) >>> 0
}

/** (data row hash, feature ordinal) → number of annotations so far: the per-feature limit. */
export class RowFeatureCounter {
  private keys: Int32Array
  private counts: Int32Array
  private used: Uint8Array
  private mask: number
  private count = 0

  constructor(initialCapacity = 1024) {
    const capacity = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)))
    this.keys = new Int32Array(capacity * 3)
    this.counts = new Int32Array(capacity)
    this.used = new Uint8Array(capacity)
    this.mask = capacity - 1
  }

  /** Adds one annotation of `feature` on the data row `row`; returns the new count. */
  increment(row: RowHash, feature: number): number {
    if ((this.count + 1) * 2 > this.used.length) this.grow()
    const r0 = row[0]!,
      r1 = row[1]!
    const keys = this.keys
    let slot = (mix(mix(r0 ^ r1) ^ feature) >>> 0) & this.mask
    while (this.used[slot] !== 0) {
      const k = slot * 3
      if (keys[k] === r0 && keys[k + 1] === r1 && keys[k + 2] === feature)
        return ++this.counts[slot]!
      slot = (slot + 1) & this.mask
    }
    const k = slot * 3
    keys[k] = r0
    keys[k + 1] = r1
    keys[k + 2] = feature
    this.used[slot] = 1
    this.count++
    return (this.counts[slot] = 1)
  }

  private grow(): void {
    const { keys, counts, used } = this
    const capacity = used.length * 2
    this.keys = new Int32Array(capacity * 3)
    this.counts = new Int32Array(capacity)
    this.used = new Uint8Array(capacity)
    this.mask = capacity - 1
    for (let old = 0; old < used.length; old++) {
      if (used[old] === 0) continue
      const k = old * 3
      let slot = (mix(mix(keys[k]! ^ keys[k + 1]!) ^ keys[k + 2]!) >>> 0) & this.mask
      while (this.used[slot] !== 0) slot = (slot + 1) & this.mask
      this.keys[slot * 3] = keys[k]!
      this.keys[slot * 3 + 1] = keys[k + 1]!
      this.keys[slot * 3 + 2] = keys[k + 2]!
      this.counts[slot] = counts[old]!
      this.used[slot] = 1
    }
  }
}
