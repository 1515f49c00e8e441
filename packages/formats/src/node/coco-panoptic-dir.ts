/**
 * COCO panoptic on disk: the JSON and its folder of segment PNGs (by COCO's layout, the folder of
 * the JSON's name without `.json`: `annotations/panoptic_val2017.json` and
 * `annotations/panoptic_val2017/`), decoded and encoded with sharp.
 */
import { readFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import sharp from 'sharp'
import { readCocoPanoptic, type PanopticIds } from '../coco-panoptic.ts'
import type { FormatEvent } from '../model.ts'
import { fileSource } from './files.ts'

/** A panoptic PNG (RGB or RGBA) as segment ids `R + 256·G + 256²·B`, row-major. */
export async function decodePanopticPng(bytes: Uint8Array): Promise<PanopticIds> {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true })
  if (info.channels < 3)
    throw new Error(`a panoptic PNG is RGB; this one has ${info.channels} channel(s)`)
  const ids = new Uint32Array(info.width * info.height)
  for (let p = 0, q = 0; p < ids.length; p++, q += info.channels)
    ids[p] = data[q]! + 256 * data[q + 1]! + 65536 * data[q + 2]!
  return { width: info.width, height: info.height, ids }
}

/** A row-major RGB image as PNG bytes (lossless). */
export async function encodeRgbPng(
  rgb: Uint8Array,
  width: number,
  height: number,
): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), {
      raw: { width, height, channels: 3 },
    })
      .png()
      .toBuffer(),
  )
}

/** Reads a panoptic JSON and the PNGs of its segments (`pngDir`, default beside it by COCO's layout). */
export async function* readCocoPanopticFile(
  jsonPath: string,
  opts: { pngDir?: string; name?: string } = {},
): AsyncGenerator<FormatEvent> {
  const pngDir = opts.pngDir ?? join(dirname(jsonPath), basename(jsonPath).replace(/\.json$/i, ''))
  yield* readCocoPanoptic(fileSource(jsonPath, opts.name ?? basename(jsonPath)), {
    loadIds: async (fileName) => {
      if (fileName.includes('..') || fileName.startsWith('/'))
        throw new Error('a file_name must stay inside the PNG folder')
      return decodePanopticPng(await readFile(join(pngDir, fileName)))
    },
  })
}
