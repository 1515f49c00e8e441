/**
 * Colors of composite mask images, for building one mask annotation per color (the SDK's
 * counterpart of Labelbox's mask helpers). Runs in browsers and Node alike: the PNG is decoded
 * here, with the web `DecompressionStream`, so no image library or Node API is needed.
 *
 * Supported: non-interlaced PNG, 8-bit grayscale, gray + alpha, RGB, RGBA, and palette (1, 2, 4
 * or 8 bits), grayscale also at 1, 2 or 4 bits; all five filter types. Alpha is ignored, like
 * Labelbox, which keeps only the first three channels; gray `v` is the color (v, v, v).
 *
 * `image` is a URL (fetched with `fetch`) or the PNG's bytes. For a file on disk in Node, read it
 * first: `extractRgbColors(await readImageFile('mask.png'))` with `readImageFile` from
 * `@labelport/sdk/src/node/read-image.ts` (the Node-only helpers).
 */

export type Rgb = [number, number, number]

/** The image could not be read as a supported PNG; `message` says which form is unsupported. */
export class MaskImageError extends Error {
  override readonly name = 'MaskImageError'
}

export interface DecodedRgb {
  width: number
  height: number
  /** row-major, 3 bytes per pixel */
  rgb: Uint8Array
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }
/** 9000×9000, the import's own limit: bigger masks are refused before inflating them */
const MAX_PIXELS = 81_000_000

async function inflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('deflate'))
  try {
    return new Uint8Array(await new Response(stream).arrayBuffer())
  } catch (err) {
    throw new MaskImageError(
      `PNG image data is corrupt: ${err instanceof Error ? err.message : String(err)}`,
    )
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

/** Reverses the per-row filters in place; returns the unfiltered scanlines without filter bytes. */
function unfilter(data: Uint8Array, height: number, rowBytes: number, bpp: number): Uint8Array {
  const out = new Uint8Array(height * rowBytes)
  if (data.length < height * (rowBytes + 1)) throw new MaskImageError('PNG image data is truncated')
  for (let y = 0; y < height; y++) {
    const filter = data[y * (rowBytes + 1)]!
    const source = y * (rowBytes + 1) + 1
    const row = y * rowBytes
    const above = row - rowBytes
    switch (filter) {
      case 0:
        out.set(data.subarray(source, source + rowBytes), row)
        break
      case 1: // Sub
        for (let i = 0; i < rowBytes; i++)
          out[row + i] = data[source + i]! + (i >= bpp ? out[row + i - bpp]! : 0)
        break
      case 2: // Up
        for (let i = 0; i < rowBytes; i++)
          out[row + i] = data[source + i]! + (y > 0 ? out[above + i]! : 0)
        break
      case 3: // Average
        for (let i = 0; i < rowBytes; i++) {
          const left = i >= bpp ? out[row + i - bpp]! : 0
          const up = y > 0 ? out[above + i]! : 0
          out[row + i] = data[source + i]! + ((left + up) >> 1)
        }
        break
      case 4: // Paeth
        for (let i = 0; i < rowBytes; i++) {
          const left = i >= bpp ? out[row + i - bpp]! : 0
          const up = y > 0 ? out[above + i]! : 0
          const upLeft = y > 0 && i >= bpp ? out[above + i - bpp]! : 0
          out[row + i] = data[source + i]! + paeth(left, up, upLeft)
        }
        break
      default:
        throw new MaskImageError(`PNG row ${y} has an unknown filter type ${filter}`)
    }
  }
  return out
}

/** Decodes a PNG to row-major RGB. Throws MaskImageError for anything it does not support. */
export async function decodePngToRgb(bytes: Uint8Array): Promise<DecodedRgb> {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b))
    throw new MaskImageError('not a PNG image')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let width = 0
  let height = 0
  let bitDepth = 0
  let colorType = -1
  let palette: Uint8Array | null = null
  const idat: Uint8Array[] = []
  let offset = 8
  let ended = false
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset)
    const type = String.fromCharCode(
      bytes[offset + 4]!,
      bytes[offset + 5]!,
      bytes[offset + 6]!,
      bytes[offset + 7]!,
    )
    const data = bytes.subarray(offset + 8, offset + 8 + length)
    if (data.length < length) throw new MaskImageError(`PNG is truncated in its ${type} chunk`)
    if (type === 'IHDR') {
      width = view.getUint32(offset + 8)
      height = view.getUint32(offset + 12)
      bitDepth = data[8]!
      colorType = data[9]!
      const interlace = data[12]!
      if (interlace !== 0)
        throw new MaskImageError(
          'interlaced (Adam7) PNGs are not supported; save the mask without interlacing',
        )
      if (bitDepth === 16)
        throw new MaskImageError(
          '16-bit PNGs are not supported; save the mask with 8 bits per channel',
        )
      const channels = CHANNELS[colorType]
      if (channels === undefined) throw new MaskImageError(`PNG color type ${colorType} is invalid`)
      if (bitDepth < 8 && colorType !== 0 && colorType !== 3)
        throw new MaskImageError(
          `PNG color type ${colorType} with ${bitDepth}-bit samples is invalid`,
        )
      if (width === 0 || height === 0) throw new MaskImageError('PNG has no pixels')
      if (width * height > MAX_PIXELS)
        throw new MaskImageError(`PNG is ${width}×${height}; masks are at most 9000×9000`)
    } else if (type === 'PLTE') {
      palette = data
    } else if (type === 'IDAT') {
      idat.push(data)
    } else if (type === 'IEND') {
      ended = true
      break
    }
    offset += 12 + length
  }
  if (colorType < 0) throw new MaskImageError('PNG has no IHDR chunk')
  if (idat.length === 0) throw new MaskImageError('PNG has no image data')
  if (!ended) throw new MaskImageError('PNG is truncated (no IEND chunk)')
  if (colorType === 3 && palette === null)
    throw new MaskImageError('palette PNG without a PLTE chunk')

  const total = idat.reduce((sum, part) => sum + part.length, 0)
  const joined = new Uint8Array(total)
  let at = 0
  for (const part of idat) {
    joined.set(part, at)
    at += part.length
  }
  const channels = CHANNELS[colorType]!
  const bitsPerPixel = channels * bitDepth
  const rowBytes = Math.ceil((width * bitsPerPixel) / 8)
  const bpp = Math.max(1, bitsPerPixel >> 3)
  const pixels = unfilter(await inflate(joined), height, rowBytes, bpp)

  const rgb = new Uint8Array(width * height * 3)
  const maxSample = (1 << bitDepth) - 1
  for (let y = 0; y < height; y++) {
    const row = y * rowBytes
    for (let x = 0; x < width; x++) {
      const target = (y * width + x) * 3
      if (bitDepth < 8) {
        const bit = x * bitDepth
        const sample = (pixels[row + (bit >> 3)]! >> (8 - bitDepth - (bit & 7))) & maxSample
        if (colorType === 3) {
          if (sample * 3 + 2 >= palette!.length)
            throw new MaskImageError(`palette index ${sample} is outside the palette`)
          rgb[target] = palette![sample * 3]!
          rgb[target + 1] = palette![sample * 3 + 1]!
          rgb[target + 2] = palette![sample * 3 + 2]!
        } else {
          const value = Math.round((sample * 255) / maxSample)
          rgb[target] = rgb[target + 1] = rgb[target + 2] = value
        }
        continue
      }
      const source = row + x * channels
      if (colorType === 3) {
        const index = pixels[source]!
        if (index * 3 + 2 >= palette!.length)
          throw new MaskImageError(`palette index ${index} is outside the palette`)
        rgb[target] = palette![index * 3]!
        rgb[target + 1] = palette![index * 3 + 1]!
        rgb[target + 2] = palette![index * 3 + 2]!
      } else if (channels >= 3) {
        rgb[target] = pixels[source]!
        rgb[target + 1] = pixels[source + 1]!
        rgb[target + 2] = pixels[source + 2]!
      } else {
        rgb[target] = rgb[target + 1] = rgb[target + 2] = pixels[source]!
      }
    }
  }
  return { width, height, rgb }
}

async function loadImage(image: string | Uint8Array): Promise<Uint8Array> {
  if (typeof image !== 'string') return image
  const response = await fetch(image)
  if (!response.ok) throw new MaskImageError(`could not fetch ${image}: HTTP ${response.status}`)
  return new Uint8Array(await response.arrayBuffer())
}

/** The distinct non-black colors of a mask image, sorted by red, then green, then blue. */
export async function extractRgbColors(image: string | Uint8Array): Promise<Rgb[]> {
  const { rgb } = await decodePngToRgb(await loadImage(image))
  const seen = new Set<number>()
  let last = -1
  for (let i = 0; i < rgb.length; i += 3) {
    const key = (rgb[i]! << 16) | (rgb[i + 1]! << 8) | rgb[i + 2]!
    if (key === last) continue
    last = key
    if (key !== 0) seen.add(key)
  }
  return [...seen].sort((a, b) => a - b).map((key) => [key >> 16, (key >> 8) & 0xff, key & 0xff])
}

/** Whether any pixel of the mask image has exactly this color. */
export async function hasColor(image: string | Uint8Array, color: Rgb): Promise<boolean> {
  const { rgb } = await decodePngToRgb(await loadImage(image))
  const [r, g, b] = color
  for (let i = 0; i < rgb.length; i += 3)
    if (rgb[i] === r && rgb[i + 1] === g && rgb[i + 2] === b) return true
  return false
}
