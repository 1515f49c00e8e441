/** Reading images: media attributes (EXIF-corrected size) and thumbnails, with sharp. */
import sharp from 'sharp'
import type { MediaAttributes } from '@labelport/core'

const MIME: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
  heif: 'image/heif',
  svg: 'image/svg+xml',
}

// decoding is refused above this many pixels (sharp's own guard against decompression bombs)
const LIMIT_INPUT_PIXELS = 30_000 * 30_000

/** Reads the header only; returns null when the bytes are not an image sharp can read. */
export async function readMediaAttributes(
  input: Uint8Array | string,
): Promise<MediaAttributes | null> {
  try {
    const meta = await sharp(input, { limitInputPixels: LIMIT_INPUT_PIXELS }).metadata()
    if (!meta.width || !meta.height || !meta.format) return null
    const orientation = meta.orientation ?? 1
    // orientations 5–8 rotate by 90°, so the displayed width is the stored height
    const swap = orientation >= 5 && orientation <= 8
    return {
      width: swap ? meta.height : meta.width,
      height: swap ? meta.width : meta.height,
      mimeType: MIME[meta.format] ?? `image/${meta.format}`,
      exifOrientation: orientation,
    }
  } catch {
    return null
  }
}

export async function makeThumbnail(input: string | Uint8Array, size: number): Promise<Uint8Array> {
  return sharp(input, { limitInputPixels: LIMIT_INPUT_PIXELS })
    .rotate() // apply EXIF orientation
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80 })
    .toBuffer()
}
