/**
 * COCO run-length encoding, bit-compatible with pycocotools (`maskApi.c`).
 *
 * Runs are counted in column-major (Fortran) order: down the first column, then the next one.
 * They alternate unset, set, unset…, starting with unset (so the first count may be 0).
 * The compressed string form writes each count (from the 4th on, as the difference to the count
 * two places before) in 5-bit groups, low group first, each group a character `48 + bits` with
 * 0x20 meaning "more groups follow" and 0x10 of the last group the sign.
 * Sizes are `[height, width]`; coordinates are in the image frame of docs/architecture.md ("Coordinates").
 */
import { issue } from '../errors.ts'
import type { Issue, IssuePath } from '../errors.ts'
import type { BoxRecord, RleRecord } from '../model/annotation-record.ts'

/** An RLE as it arrives: compressed string counts or the uncompressed list. */
export interface RleInput {
  counts: string | readonly number[]
  size: readonly [height: number, width: number] | readonly number[]
}

/** Validated runs: non-negative integers summing to `height * width`. */
export interface RleCounts {
  counts: number[]
  height: number
  width: number
}

export type CheckRleResult = ({ ok: true } & RleCounts) | { ok: false; issue: Issue }

export type DecodeRleResult =
  | {
      ok: true
      /** row-major, one byte per pixel, 0 or 1 */ mask: Uint8Array
      width: number
      height: number
    }
  | { ok: false; issue: Issue }

/** The run lengths of a row-major mask (non-zero = set), in COCO column-major order. */
export function countsFromMask(mask: Uint8Array, width: number, height: number): number[] {
  if (mask.length !== width * height)
    throw new RangeError(`mask has ${mask.length} bytes, expected ${width}×${height}`)
  const counts: number[] = []
  let current = 0 // 0 = counting unset pixels
  let run = 0
  for (let x = 0; x < width; x++) {
    for (let index = x; index < mask.length; index += width) {
      const value = mask[index] === 0 ? 0 : 1
      if (value !== current) {
        counts.push(run)
        run = 0
        current = value
      }
      run++
    }
  }
  counts.push(run)
  return counts
}

/** pycocotools' `rleToString`: uncompressed counts to the compressed string form. */
export function compressCounts(counts: ArrayLike<number>): string {
  let out = ''
  for (let i = 0; i < counts.length; i++) {
    // counts fit in 31 bits (at most 9000² here, and COCO images far below 2³¹ pixels)
    let x = counts[i]!
    if (i > 2) x -= counts[i - 2]!
    let more = true
    while (more) {
      let c = x & 0x1f
      x >>= 5
      more = c & 0x10 ? x !== -1 : x !== 0
      if (more) c |= 0x20
      out += String.fromCharCode(c + 48)
    }
  }
  return out
}

/** pycocotools' `rleFrString`: the compressed string form to counts (not yet checked against a size). */
export function parseCompressedCounts(
  text: string,
  path: IssuePath = [],
): { ok: true; counts: number[] } | { ok: false; issue: Issue } {
  const counts: number[] = []
  let p = 0
  while (p < text.length) {
    let x = 0
    let k = 0
    let more = true
    while (more) {
      if (p >= text.length)
        return {
          ok: false,
          issue: issue(
            'mask_rle_invalid',
            'RLE counts string ends in the middle of a number',
            path,
          ),
        }
      const c = text.charCodeAt(p) - 48
      if (c < 0 || c > 63) {
        return {
          ok: false,
          issue: issue(
            'mask_rle_invalid',
            `RLE counts string has an invalid character at ${p}`,
            path,
          ),
        }
      }
      if (k > 6)
        return { ok: false, issue: issue('mask_rle_invalid', `RLE count too large at ${p}`, path) }
      // multiplication instead of << keeps more than 32 bits exact
      x += (c & 0x1f) * 2 ** (5 * k)
      more = (c & 0x20) !== 0
      p++
      k++
      if (!more && c & 0x10) x -= 2 ** (5 * k)
    }
    if (counts.length > 2) x += counts[counts.length - 2]!
    counts.push(x)
  }
  return { ok: true, counts }
}

/** Validates an RLE in either form against its size; the one entry point for untrusted RLE. */
export function checkRle(rle: RleInput, path: IssuePath = []): CheckRleResult {
  const size = rle.size
  const height = size[0]
  const width = size[1]
  if (
    size.length !== 2 ||
    height === undefined ||
    width === undefined ||
    !Number.isSafeInteger(height) ||
    !Number.isSafeInteger(width) ||
    height <= 0 ||
    width <= 0
  ) {
    return {
      ok: false,
      issue: issue('mask_rle_invalid', 'RLE size must be [height, width], both positive integers', [
        ...path,
        'size',
      ]),
    }
  }
  let counts: number[]
  if (typeof rle.counts === 'string') {
    const parsed = parseCompressedCounts(rle.counts, [...path, 'counts'])
    if (!parsed.ok) return parsed
    counts = parsed.counts
  } else {
    counts = [...rle.counts]
  }
  let total = 0
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!
    if (!Number.isSafeInteger(count) || count < 0) {
      return {
        ok: false,
        issue: issue('mask_rle_invalid', 'RLE counts must be non-negative integers', [
          ...path,
          'counts',
        ]),
      }
    }
    total += count
  }
  if (total !== height * width) {
    return {
      ok: false,
      issue: issue(
        'mask_rle_invalid',
        `RLE counts sum to ${total}, expected ${height}×${width} = ${height * width}`,
        [...path, 'counts'],
      ),
    }
  }
  return { ok: true, counts, height, width }
}

/** Writes runs into a row-major 0/1 mask. */
export function countsToMask(counts: ArrayLike<number>, width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height)
  let position = 0
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!
    if (i % 2 === 1) {
      for (let p = position; p < position + count; p++)
        mask[(p % height) * width + Math.floor(p / height)] = 1
    }
    position += count
  }
  return mask
}

/** Decodes a COCO RLE (either form) into a row-major 0/1 mask; `mask_rle_invalid` when it does not add up. */
export function decodeRle(rle: RleInput, path: IssuePath = []): DecodeRleResult {
  const checked = checkRle(rle, path)
  if (!checked.ok) return checked
  return {
    ok: true,
    mask: countsToMask(checked.counts, checked.width, checked.height),
    width: checked.width,
    height: checked.height,
  }
}

/** Encodes a row-major mask (non-zero = set) as COCO RLE with compressed string counts. */
export function encodeRle(mask: Uint8Array, width: number, height: number): RleRecord {
  return { counts: compressCounts(countsFromMask(mask, width, height)), size: [height, width] }
}

/** Number of set pixels. */
export function rleArea(counts: ArrayLike<number>): number {
  let area = 0
  for (let i = 1; i < counts.length; i += 2) area += counts[i]!
  return area
}

/** The tight box around the set pixels (pycocotools' `rleToBbox`); all zeros when nothing is set. */
export function rleBbox(counts: ArrayLike<number>, height: number): BoxRecord {
  let left = Infinity
  let right = -1
  let top = Infinity
  let bottom = -1
  let position = 0
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!
    if (i % 2 === 1 && count > 0) {
      const end = position + count - 1
      const x0 = Math.floor(position / height)
      const x1 = Math.floor(end / height)
      if (x0 < left) left = x0
      if (x1 > right) right = x1
      if (x1 > x0) {
        top = 0
        bottom = height - 1
      } else {
        const y0 = position % height
        const y1 = end % height
        if (y0 < top) top = y0
        if (y1 > bottom) bottom = y1
      }
    }
    position += count
  }
  if (right < 0) return { top: 0, left: 0, height: 0, width: 0 }
  return { top, left, height: bottom - top + 1, width: right - left + 1 }
}

/** Re-encodes validated counts into the stored form. */
export function toRleRecord(checked: RleCounts): RleRecord {
  return { counts: compressCounts(checked.counts), size: [checked.height, checked.width] }
}
