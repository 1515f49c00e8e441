/**
 * Masks drawn from their COCO RLE without the server: the runs are decoded straight into an RGBA
 * crop of the mask's bounding box (column-major runs, row-major pixels), in the tool color.
 * A 4096² image costs only its mask's bbox, not 64 MB per mask.
 */
import { parseCompressedCounts } from '@labelport/core'
import type { BoxRecord, RleRecord } from '@labelport/core'

export interface DecodedMask {
  /** crop origin and size in image pixels */
  left: number
  top: number
  width: number
  height: number
  /** 1 where the mask is set, row-major over the crop */
  bits: Uint8Array
}

/** Decodes `rle` into the crop `box` (rounded out to whole pixels). */
export function decodeMaskCrop(rle: RleRecord, box: BoxRecord): DecodedMask | null {
  const [height, width] = rle.size
  const parsed = parseCompressedCounts(rle.counts)
  if (!parsed.ok) return null
  const counts = parsed.counts
  const left = Math.max(0, Math.floor(box.left))
  const top = Math.max(0, Math.floor(box.top))
  const right = Math.min(width, Math.ceil(box.left + box.width))
  const bottom = Math.min(height, Math.ceil(box.top + box.height))
  const cropWidth = Math.max(1, right - left)
  const cropHeight = Math.max(1, bottom - top)
  const bits = new Uint8Array(cropWidth * cropHeight)
  let position = 0
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i]!
    if (i % 2 === 1) {
      // set pixels position … position+run-1, column-major: index = x*height + y
      let p = position
      const end = position + run
      while (p < end) {
        const x = Math.floor(p / height)
        const y = p - x * height
        const columnEnd = Math.min(end, (x + 1) * height)
        if (x >= left && x < right) {
          const y1 = Math.min(bottom, y + (columnEnd - p))
          for (let yy = Math.max(y, top); yy < y1; yy++)
            bits[(yy - top) * cropWidth + (x - left)] = 1
        }
        p = columnEnd
      }
    }
    position += run
  }
  return { left, top, width: cropWidth, height: cropHeight, bits }
}

/** RGBA pixels of a decoded mask in `color` (#rrggbb) at `alpha` 0–255. */
export function maskPixels(
  mask: DecodedMask,
  color: string,
  alpha: number,
): Uint8ClampedArray<ArrayBuffer> {
  const r = parseInt(color.slice(1, 3), 16)
  const g = parseInt(color.slice(3, 5), 16)
  const b = parseInt(color.slice(5, 7), 16)
  const out = new Uint8ClampedArray(new ArrayBuffer(mask.bits.length * 4))
  for (let i = 0; i < mask.bits.length; i++) {
    if (mask.bits[i] === 0) continue
    const o = i * 4
    out[o] = r
    out[o + 1] = g
    out[o + 2] = b
    out[o + 3] = alpha
  }
  return out
}

export function maskCovers(mask: DecodedMask, x: number, y: number): boolean {
  const cx = x - mask.left
  const cy = y - mask.top
  if (cx < 0 || cy < 0 || cx >= mask.width || cy >= mask.height) return false
  return mask.bits[cy * mask.width + cx] === 1
}
