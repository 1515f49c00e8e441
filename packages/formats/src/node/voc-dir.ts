/**
 * A Pascal VOC folder: every `*.xml` under it (usually `Annotations/`), the image size taken from
 * the image itself when it is there (`JPEGImages/<filename>` or beside the XML), else from `<size>`.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FormatEvent } from '../model.ts'
import { readVocXml, vocFeatures, type VocIndexing } from '../voc.ts'
import { listFiles } from './files.ts'
import { imageSize } from './images.ts'

export async function* readVocDir(
  root: string,
  opts: { indexing?: VocIndexing } = {},
): AsyncGenerator<FormatEvent> {
  const files = await listFiles(root)
  const xmls = files.filter((f) => f.toLowerCase().endsWith('.xml'))
  const present = new Set(files)
  const imageOf = (xmlPath: string, filename: string): string | undefined => {
    const dir = xmlPath.includes('/') ? xmlPath.slice(0, xmlPath.lastIndexOf('/')) : ''
    const parent = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/') + 1) : ''
    return [`${parent}JPEGImages/${filename}`, `${dir ? dir + '/' : ''}${filename}`, filename].find(
      (p) => present.has(p),
    )
  }
  // pass 1: names for the proposed ontology, images with their sizes
  const names: string[] = []
  const sizes = new Map<string, { width: number; height: number } | null>()
  for (const f of xmls) {
    const xml = await readFile(join(root, f), 'utf8')
    const first = readVocXml(xml, f)
    if ('error' in first) continue
    const image = imageOf(f, first.globalKey)
    const size = image ? await imageSize(join(root, image)) : null
    sizes.set(f, size)
    for (const e of first.events) if (e.type === 'line') names.push(e.line.line.name!)
    yield {
      type: 'image',
      image: {
        globalKey: first.globalKey,
        width: size?.width ?? first.width,
        height: size?.height ?? first.height,
        source: { file: image ?? f },
      },
    }
  }
  for (const feature of vocFeatures(names)) yield { type: 'feature', feature }
  for (const f of xmls) {
    const read = readVocXml(await readFile(join(root, f), 'utf8'), f, {
      indexing: opts.indexing ?? 'auto',
      imageSize: sizes.get(f) ?? null,
    })
    if ('error' in read) yield { type: 'issue', issue: read.error }
    else yield* read.events
  }
}
