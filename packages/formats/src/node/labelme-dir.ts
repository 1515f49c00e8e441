/**
 * A LabelMe (wkentaro/labelme JSON) folder: every `*.json` under it that has `shapes`, mask
 * patches decoded and encoded with sharp.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { labelmeEvents, readLabelmeJson, type LabelmeFile, type PngDecoder } from '../labelme.ts'
import type { FileSource, FormatEvent, FormatIssue } from '../model.ts'
import { readText } from '../model.ts'
import { listFiles } from './files.ts'

/** A PNG patch as a 0/1 mask: alpha when the PNG has it, else the first channel, non-zero = set. */
export const decodePngMask: PngDecoder = async (bytes) => {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true })
  const channel = info.channels === 4 || info.channels === 2 ? info.channels - 1 : 0
  const mask = new Uint8Array(info.width * info.height)
  for (let p = 0; p < mask.length; p++) mask[p] = data[p * info.channels + channel]! > 0 ? 1 : 0
  return { width: info.width, height: info.height, data: mask }
}

/** A 0/1 mask as a 1-channel PNG (255 where set), as labelme writes mask patches. */
export async function encodePngMask(
  mask: Uint8Array,
  width: number,
  height: number,
): Promise<Uint8Array> {
  const gray = Buffer.alloc(mask.length)
  for (let p = 0; p < mask.length; p++) gray[p] = mask[p] ? 255 : 0
  return new Uint8Array(
    await sharp(gray, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer(),
  )
}

export async function* readLabelmeDir(root: string): AsyncGenerator<FormatEvent> {
  const files: (LabelmeFile | { error: FormatIssue })[] = []
  for (const f of (await listFiles(root)).filter((f) => f.toLowerCase().endsWith('.json')))
    files.push(await readLabelmeJson(await readFile(join(root, f), 'utf8'), f, decodePngMask))
  yield* labelmeEvents(files)
}

/** One LabelMe file (its imagePath resolved against its own folder). */
export async function* readLabelmeFile(source: FileSource): AsyncGenerator<FormatEvent> {
  const name = source.name.split('/').pop() ?? source.name
  yield* labelmeEvents([await readLabelmeJson(await readText(source), name, decodePngMask)])
}
