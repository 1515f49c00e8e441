/**
 * Mask editing on a bitmap cropped to the painted area: brush and eraser dabs, polygon fill, and
 * conversion to and from the stored COCO RLE of the whole image. The crop grows as the brush
 * leaves it, so a stroke costs what it touches, not the image size. Image pixel coordinates.
 */
import { countsToMask, encodeRle, parseCompressedCounts } from '@labelport/core'
import type { PointRecord, RleRecord } from '@labelport/core'
import type { MaskBitmap } from './model.ts'

export function emptyMask(): MaskBitmap {
  return { left: 0, top: 0, width: 0, height: 0, data: new Uint8Array(0) }
}

/** A copy covering at least the given rectangle (clipped to the image), content kept. */
export function growMask(
  mask: MaskBitmap,
  left: number,
  top: number,
  right: number,
  bottom: number,
  imageWidth: number,
  imageHeight: number,
): MaskBitmap {
  const hasArea = mask.width > 0 && mask.height > 0
  const l = Math.max(0, Math.min(hasArea ? mask.left : left, Math.floor(left)))
  const t = Math.max(0, Math.min(hasArea ? mask.top : top, Math.floor(top)))
  const r = Math.min(
    imageWidth,
    Math.max(hasArea ? mask.left + mask.width : right, Math.ceil(right)),
  )
  const b = Math.min(
    imageHeight,
    Math.max(hasArea ? mask.top + mask.height : bottom, Math.ceil(bottom)),
  )
  const width = Math.max(0, r - l)
  const height = Math.max(0, b - t)
  if (
    hasArea &&
    l === mask.left &&
    t === mask.top &&
    width === mask.width &&
    height === mask.height
  )
    return mask
  const data = new Uint8Array(width * height)
  for (let y = 0; y < mask.height; y++) {
    const source = y * mask.width
    const target = (y + mask.top - t) * width + (mask.left - l)
    data.set(mask.data.subarray(source, source + mask.width), target)
  }
  return { left: l, top: t, width, height, data }
}

/** Paints (value 1) or erases (value 0) a disc in place; `mask` must already cover it. */
export function paintDisc(
  mask: MaskBitmap,
  centre: PointRecord,
  radius: number,
  value: 0 | 1,
): void {
  const r2 = radius * radius
  const y0 = Math.max(mask.top, Math.floor(centre.y - radius))
  const y1 = Math.min(mask.top + mask.height - 1, Math.ceil(centre.y + radius))
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - centre.y
    const span = r2 - dy * dy
    if (span < 0) continue
    const half = Math.sqrt(span)
    const x0 = Math.max(mask.left, Math.ceil(centre.x - half - 0.5))
    const x1 = Math.min(mask.left + mask.width - 1, Math.floor(centre.x + half - 0.5))
    if (x1 < x0) continue
    const row = (y - mask.top) * mask.width - mask.left
    mask.data.fill(value, row + x0, row + x1 + 1)
  }
}

/** A stroke segment: discs along a→b, spaced a quarter radius apart. Returns the (maybe grown) mask. */
export function paintSegment(
  mask: MaskBitmap,
  a: PointRecord,
  b: PointRecord,
  radius: number,
  value: 0 | 1,
  imageWidth: number,
  imageHeight: number,
): MaskBitmap {
  let target = mask
  if (value === 1)
    target = growMask(
      mask,
      Math.min(a.x, b.x) - radius - 1,
      Math.min(a.y, b.y) - radius - 1,
      Math.max(a.x, b.x) + radius + 1,
      Math.max(a.y, b.y) + radius + 1,
      imageWidth,
      imageHeight,
    )
  const length = Math.hypot(b.x - a.x, b.y - a.y)
  const steps = Math.max(1, Math.ceil(length / Math.max(0.5, radius / 4)))
  for (let i = 0; i <= steps; i++) {
    const k = i / steps
    paintDisc(target, { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k }, radius, value)
  }
  return target
}

/** Fills a polygon (pixel centres inside, even-odd) with `value`. Returns the (maybe grown) mask. */
export function fillPolygon(
  mask: MaskBitmap,
  points: readonly PointRecord[],
  value: 0 | 1,
  imageWidth: number,
  imageHeight: number,
): MaskBitmap {
  if (points.length < 3) return mask
  const xs = points.map((p) => p.x)
  const ys = points.map((p) => p.y)
  const target =
    value === 1
      ? growMask(
          mask,
          Math.min(...xs),
          Math.min(...ys),
          Math.max(...xs) + 1,
          Math.max(...ys) + 1,
          imageWidth,
          imageHeight,
        )
      : mask
  for (let y = target.top; y < target.top + target.height; y++) {
    const cy = y + 0.5
    const crossings: number[] = []
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
      const p = points[i]!
      const q = points[j]!
      if (p.y > cy !== q.y > cy) crossings.push(p.x + ((cy - p.y) * (q.x - p.x)) / (q.y - p.y))
    }
    crossings.sort((m, n) => m - n)
    const row = (y - target.top) * target.width - target.left
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const x0 = Math.max(target.left, Math.ceil(crossings[k]! - 0.5))
      const x1 = Math.min(target.left + target.width - 1, Math.floor(crossings[k + 1]! - 0.5))
      if (x1 >= x0) target.data.fill(value, row + x0, row + x1 + 1)
    }
  }
  return target
}

export function copyMask(mask: MaskBitmap): MaskBitmap {
  return { ...mask, data: mask.data.slice() }
}

/** The same pixels in the smallest crop (an erased border no longer counts). */
export function tightenMask(mask: MaskBitmap): MaskBitmap {
  let minX = Infinity
  let minY = Infinity
  let maxX = -1
  let maxY = -1
  for (let y = 0; y < mask.height; y++) {
    const row = y * mask.width
    for (let x = 0; x < mask.width; x++)
      if (mask.data[row + x]) {
        if (x < minX) minX = x
        if (x > maxX) maxX = x
        if (y < minY) minY = y
        maxY = y
      }
  }
  if (maxX < 0) return emptyMask()
  const width = maxX - minX + 1
  const height = maxY - minY + 1
  if (width === mask.width && height === mask.height) return mask
  const data = new Uint8Array(width * height)
  for (let y = 0; y < height; y++) {
    const source = (y + minY) * mask.width + minX
    data.set(mask.data.subarray(source, source + width), y * width)
  }
  return { left: mask.left + minX, top: mask.top + minY, width, height, data }
}

export function maskArea(mask: MaskBitmap): number {
  let area = 0
  for (let i = 0; i < mask.data.length; i++) area += mask.data[i]!
  return area
}

export function maskCoversPixel(mask: MaskBitmap, x: number, y: number): boolean {
  const px = Math.floor(x) - mask.left
  const py = Math.floor(y) - mask.top
  if (px < 0 || py < 0 || px >= mask.width || py >= mask.height) return false
  return mask.data[py * mask.width + px] === 1
}

/** The stored form: COCO RLE of the whole image (column-major), compressed counts. */
export function maskToRle(mask: MaskBitmap, imageWidth: number, imageHeight: number): RleRecord {
  const full = new Uint8Array(imageWidth * imageHeight)
  for (let y = 0; y < mask.height; y++) {
    const iy = y + mask.top
    if (iy < 0 || iy >= imageHeight) continue
    for (let x = 0; x < mask.width; x++) {
      const ix = x + mask.left
      if (ix >= 0 && ix < imageWidth && mask.data[y * mask.width + x])
        full[iy * imageWidth + ix] = 1
    }
  }
  return encodeRle(full, imageWidth, imageHeight)
}

/** Decodes a stored RLE (string or list counts) into a tight crop; null when it does not parse. */
export function maskFromRle(rle: {
  counts: string | number[]
  size: readonly number[]
}): MaskBitmap | null {
  const [height, width] = rle.size
  if (!height || !width) return null
  let counts: number[]
  if (typeof rle.counts === 'string') {
    const parsed = parseCompressedCounts(rle.counts)
    if (!parsed.ok) return null
    counts = parsed.counts
  } else counts = rle.counts
  const full = countsToMask(counts, width, height)
  return tightenMask({ left: 0, top: 0, width, height, data: full })
}
