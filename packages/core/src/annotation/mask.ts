/**
 * Raster masks, mirroring Labelbox's `MaskData` and `Mask`.
 * Pixels are those of the image frame of docs/architecture.md ("Coordinates"); `arr` is row-major.
 */
import { AppError } from '../errors.ts'
import { checkOptionsObject, describe } from './checks.ts'

export type RgbColor = [r: number, g: number, b: number]

/**
 * Where a mask's pixels come from. Exactly the sources Labelbox knows:
 * - `url`: a PNG served somewhere (serialized as `{instanceURI, colorRGB}`)
 * - `imBytes`: PNG bytes (serialized as `{imBytes, colorRGB}`, or `{png}` when the mask has no color)
 * - `filePath`: only stored; core does no IO, the SDK reads it into `imBytes` before serializing
 * - `arr` with `width`/`height`: one byte per pixel, row-major, non-zero = in the mask (serialized as COCO RLE)
 */
export type MaskDataOptions =
  | { url: string }
  | { imBytes: Uint8Array }
  | { filePath: string }
  | { arr: Uint8Array; width: number; height: number }

export class MaskData {
  readonly url?: string
  readonly imBytes?: Uint8Array
  readonly filePath?: string
  readonly arr?: Uint8Array
  readonly width?: number
  readonly height?: number

  constructor(options: MaskDataOptions) {
    checkOptionsObject(options, 'MaskData')
    let sources = 0
    if ('url' in options && options.url !== undefined) {
      if (typeof options.url !== 'string' || options.url.length === 0) {
        throw new AppError(
          'field_invalid',
          `url must be a non-empty string, got ${describe(options.url)}`,
          { path: ['url'] },
        )
      }
      this.url = options.url
      sources++
    }
    if ('imBytes' in options && options.imBytes !== undefined) {
      if (!(options.imBytes instanceof Uint8Array)) {
        throw new AppError(
          'field_invalid',
          `imBytes must be a Uint8Array, got ${describe(options.imBytes)}`,
          { path: ['imBytes'] },
        )
      }
      this.imBytes = options.imBytes
      sources++
    }
    if ('filePath' in options && options.filePath !== undefined) {
      if (typeof options.filePath !== 'string' || options.filePath.length === 0) {
        throw new AppError(
          'field_invalid',
          `filePath must be a non-empty string, got ${describe(options.filePath)}`,
          { path: ['filePath'] },
        )
      }
      this.filePath = options.filePath
      sources++
    }
    if ('arr' in options && options.arr !== undefined) {
      const { arr, width, height } = options
      if (!(arr instanceof Uint8Array)) {
        throw new AppError(
          'field_invalid',
          `arr must be a Uint8Array (one byte per pixel), got ${describe(arr)}`,
          { path: ['arr'] },
        )
      }
      for (const [key, value] of [
        ['width', width],
        ['height', height],
      ] as const) {
        if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
          throw new AppError(
            'field_invalid',
            `${key} must be a positive integer, got ${describe(value)}`,
            { path: [key] },
          )
        }
      }
      if (arr.length !== width * height) {
        throw new AppError(
          'mask_size_mismatch',
          `arr has ${arr.length} bytes, expected width*height = ${width * height}`,
          { path: ['arr'] },
        )
      }
      this.arr = arr
      this.width = width
      this.height = height
      sources++
    }
    if (sources === 0)
      throw new AppError('mask_invalid', 'MaskData needs one of url, imBytes, filePath or arr', {
        path: [],
      })
  }
}

export interface MaskOptions {
  mask: MaskData
  /** the color of this instance in the mask image; a single number is grayscale; none = binary mask */
  color?: RgbColor | number
}

export class Mask {
  readonly mask: MaskData
  readonly color?: RgbColor

  constructor(options: MaskOptions) {
    checkOptionsObject(options, 'Mask')
    if (!(options.mask instanceof MaskData)) {
      throw new AppError(
        'field_invalid',
        `mask must be a MaskData, got ${describe(options.mask)}`,
        { path: ['mask'] },
      )
    }
    this.mask = options.mask
    if (options.color !== undefined) this.color = checkColor(options.color)
  }
}

function checkColor(value: unknown): RgbColor {
  const channels =
    typeof value === 'number'
      ? [value, value, value]
      : Array.isArray(value) && value.length === 1
        ? ([value[0], value[0], value[0]] as unknown[])
        : value
  if (!Array.isArray(channels) || channels.length !== 3) {
    throw new AppError(
      'mask_color_invalid',
      `color must be an (r,g,b) triple or one grayscale value, got ${describe(value)}`,
      { path: ['color'] },
    )
  }
  channels.forEach((c: unknown, i) => {
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 255) {
      throw new AppError(
        'mask_color_invalid',
        `color channels must be integers in 0..255, got ${describe(c)}`,
        { path: ['color', i] },
      )
    }
  })
  return [channels[0] as number, channels[1] as number, channels[2] as number]
}
