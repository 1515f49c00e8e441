/**
 * A Pascal VOC folder: every `*.xml` under it (usually `Annotations/`), the image size taken from
 * the image itself when it is there (`JPEGImages/<filename>` or beside the XML), else from `<size>`;
 * `SegmentationObject/` and `SegmentationClass/` PNGs beside `Annotations/` as masks, colors read
 * through `labelmap.txt` when the folder has one (voc-segmentation.ts).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import type { FormatEvent, FormatIssue } from '../model.ts'
import { readVocXml, vocFeatures, type VocIndexing } from '../voc.ts'
import {
  defaultVocLabels,
  parseVocLabelmap,
  vocIndexes,
  vocIndexesPresent,
  vocMaskFeatureName,
  vocSegmentationEvents,
  type VocLabel,
  type VocPng,
} from '../voc-segmentation.ts'
import { listFiles } from './files.ts'
import { imageSize } from './images.ts'

/** A segmentation PNG's pixels: palette PNGs come out as their colors, grey ones as indexes. */
export async function decodeVocPng(bytes: Uint8Array): Promise<VocPng> {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, channels: info.channels, data }
}

export async function* readVocDir(
  root: string,
  opts: { indexing?: VocIndexing } = {},
): AsyncGenerator<FormatEvent> {
  const files = await listFiles(root)
  const xmls = files.filter((f) => f.toLowerCase().endsWith('.xml'))
  const present = new Set(files)
  const parentOf = (xmlPath: string): string => {
    const dir = xmlPath.includes('/') ? xmlPath.slice(0, xmlPath.lastIndexOf('/')) : ''
    return dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/') + 1) : ''
  }
  const imageOf = (xmlPath: string, filename: string): string | undefined => {
    const dir = xmlPath.includes('/') ? xmlPath.slice(0, xmlPath.lastIndexOf('/')) : ''
    return [
      `${parentOf(xmlPath)}JPEGImages/${filename}`,
      `${dir ? dir + '/' : ''}${filename}`,
      filename,
    ].find((p) => present.has(p))
  }
  const segmentationOf = (xmlPath: string, kind: 'Object' | 'Class'): string | undefined => {
    const stem = xmlPath
      .split('/')
      .pop()!
      .replace(/\.xml$/i, '')
    const path = `${parentOf(xmlPath)}Segmentation${kind}/${stem}.png`
    return present.has(path) ? path : undefined
  }
  const issues: FormatIssue[] = []
  let labels: VocLabel[] = defaultVocLabels()
  const labelmap = files.find((f) => f.split('/').pop() === 'labelmap.txt')
  if (labelmap !== undefined) {
    const parsed = parseVocLabelmap(await readFile(join(root, labelmap), 'utf8'))
    if ('error' in parsed)
      issues.push({
        code: 'format_element_invalid',
        message: `${labelmap} line ${parsed.line}: ${parsed.error}; VOC's classes are used`,
        source: { file: labelmap, line: parsed.line },
      })
    else labels = parsed
  }
  const loadPng = async (path: string | undefined) => {
    if (path === undefined) return undefined
    try {
      return { file: path, png: await decodeVocPng(await readFile(join(root, path))) }
    } catch (error) {
      issues.push({
        code: 'format_element_invalid',
        message: `${path} is not a readable PNG: ${error instanceof Error ? error.message : String(error)}`,
        source: { file: path },
      })
      return undefined
    }
  }
  // pass 1: names for the proposed ontology (boxes, and the labels masks are drawn with), images
  const names: string[] = []
  const maskLabels = new Set<string>()
  const sizes = new Map<string, { width: number; height: number } | null>()
  for (const f of xmls) {
    const xml = await readFile(join(root, f), 'utf8')
    const first = readVocXml(xml, f)
    if ('error' in first) continue
    const image = imageOf(f, first.globalKey)
    const size = image ? await imageSize(join(root, image)) : null
    sizes.set(f, size)
    const objectNames = first.events.flatMap((e) => (e.type === 'line' ? [e.line.line.name!] : []))
    names.push(...objectNames)
    const object = segmentationOf(f, 'Object')
    const cls = object === undefined ? segmentationOf(f, 'Class') : undefined
    if (object !== undefined || cls !== undefined) {
      // which labels the PNG draws (decoded again in pass 2: the masks are not kept)
      const png = await loadPng(object ?? cls).catch(() => undefined)
      if (png) {
        const { ids } = vocIndexes(png.png, labels)
        for (const i of vocIndexesPresent(ids)) {
          const label = object !== undefined ? objectNames[i - 1] : labels[i]?.name
          if (label !== undefined) maskLabels.add(label)
        }
      }
    }
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
  const boxLabels = new Set(names)
  for (const feature of vocFeatures(names)) yield { type: 'feature', feature }
  for (const label of maskLabels)
    yield {
      type: 'feature',
      feature: { name: vocMaskFeatureName(label, boxLabels), tool: 'raster-segmentation' },
    }
  // issues of pass 1 (a labelmap, unreadable PNGs) once; pass 2 reports PNG content issues
  const reported = issues.length
  for (const issue of issues) yield { type: 'issue', issue }
  for (const f of xmls) {
    const read = readVocXml(await readFile(join(root, f), 'utf8'), f, {
      indexing: opts.indexing ?? 'auto',
      imageSize: sizes.get(f) ?? null,
    })
    if ('error' in read) {
      yield { type: 'issue', issue: read.error }
      continue
    }
    yield* read.events
    const object = segmentationOf(f, 'Object')
    const cls = object === undefined ? segmentationOf(f, 'Class') : undefined
    if (object === undefined && cls === undefined) continue
    const png = await loadPng(object ?? cls)
    issues.length = reported
    if (!png || read.width === null || read.height === null) continue
    yield* vocSegmentationEvents({
      globalKey: read.globalKey,
      width: read.width,
      height: read.height,
      objectNames: readObjectNames(read.events),
      labels,
      boxLabels,
      ...(object !== undefined ? { object: png } : { class: png }),
    })
  }
}

/** The XML's object names by `voc_object` index (objects refused by the reader stay holes). */
function readObjectNames(events: readonly FormatEvent[]): (string | undefined)[] {
  const out: (string | undefined)[] = []
  for (const e of events)
    if (e.type === 'line') {
      const k = e.line.line.customMetrics?.find((m) => m.name === 'voc_object')?.value
      if (k !== undefined) out[k - 1] = e.line.line.name
    }
  return out
}
