/**
 * Reads a PNG's size and pixel format from its IHDR chunk alone, so that oversized or foreign
 * images are refused before anything is decompressed (a 30,000×30,000 PNG can be a few kB).
 */
import { issue } from '../errors.ts'
import type { Issue, IssuePath } from '../errors.ts'

export interface PngHeader {
  width: number
  height: number
  /** bits per sample: 1, 2, 4, 8 or 16 */
  bitDepth: number
  /** 0 grayscale, 2 RGB, 3 palette, 4 grayscale + alpha, 6 RGBA */
  colorType: number
  /** 0 none, 1 Adam7 */
  interlace: number
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const VALID_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
}

export function isPngHeader(value: PngHeader | Issue): value is PngHeader {
  return !('code' in value)
}

/** The IHDR fields of a PNG, or `mask_decode_failed` when the bytes do not start like one. */
export function readPngHeader(bytes: Uint8Array, path: IssuePath = []): PngHeader | Issue {
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    return issue('mask_decode_failed', 'not a PNG image', path)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const length = view.getUint32(8)
  const type = String.fromCharCode(bytes[12]!, bytes[13]!, bytes[14]!, bytes[15]!)
  if (type !== 'IHDR' || length !== 13)
    return issue('mask_decode_failed', 'PNG does not start with an IHDR chunk', path)
  const header: PngHeader = {
    width: view.getUint32(16),
    height: view.getUint32(20),
    bitDepth: bytes[24]!,
    colorType: bytes[25]!,
    interlace: bytes[28]!,
  }
  if (header.width === 0 || header.height === 0)
    return issue('mask_decode_failed', 'PNG has a zero width or height', path)
  if (!VALID_DEPTHS[header.colorType]?.includes(header.bitDepth) || header.interlace > 1) {
    return issue(
      'mask_decode_failed',
      `PNG has an invalid color type ${header.colorType} / bit depth ${header.bitDepth}`,
      path,
    )
  }
  return header
}
