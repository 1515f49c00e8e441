/**
 * Pascal VOC segmentation PNGs as masks (conventions: docs/formats.md#pascal-voc).
 *
 * `SegmentationObject/<stem>.png`: pixel value k (1…254) is the k-th `<object>` of the image's
 * annotation XML; `SegmentationClass/<stem>.png`: pixel value c is class c of the label map.
 * 0 is background and 255 the "void" border; both belong to no mask. The devkit writes palette
 * PNGs whose colors follow VOC's color map, tools (Datumaro, CVAT) write RGB with the same
 * colors or a `labelmap.txt` of their own: colors are turned back into indexes through the map.
 * In: one mask line per instance (named by its object, `voc_object` = k, also set on the object's
 * box line), or, for an image without an instance PNG, one mask line per class present
 * (`voc_class_mask`). Out: the instance PNG from masks (each attached to its box by `voc_object`,
 * else written as its own object) and the class PNG from every mask, in the map's colors.
 */
import { compressCounts, parseCompressedCounts } from '@labelport/core'
import { panopticRles } from './coco-panoptic.ts'
import { metric, type FormatEvent, type FormatIssue } from './model.ts'
import { exportObjects, type ExportObjectLike, type ExportRowLike, type Layer } from './rows.ts'
import { labelOfFeature } from './shared.ts'

/** The 21 classes of VOC 2007–2012 in index order (0 is background). */
export const VOC_CLASSES = [
  'background',
  'aeroplane',
  'bicycle',
  'bird',
  'boat',
  'bottle',
  'bus',
  'car',
  'cat',
  'chair',
  'cow',
  'diningtable',
  'dog',
  'horse',
  'motorbike',
  'person',
  'pottedplant',
  'sheep',
  'sofa',
  'train',
  'tvmonitor',
] as const

export const VOC_VOID = 255

/** The devkit's color of index i (`VOCdevkit/VOCcode/VOClabelcolormap.m`: bits of i spread over R, G, B). */
export function vocColor(i: number): [number, number, number] {
  let r = 0
  let g = 0
  let b = 0
  let c = i
  for (let j = 0; j < 8; j++) {
    r |= ((c >> 0) & 1) << (7 - j)
    g |= ((c >> 1) & 1) << (7 - j)
    b |= ((c >> 2) & 1) << (7 - j)
    c >>= 3
  }
  return [r, g, b]
}

export interface VocLabel {
  name: string
  color: [number, number, number]
}

/** The default label map: VOC's classes with the devkit's colors. */
export function defaultVocLabels(): VocLabel[] {
  return VOC_CLASSES.map((name, i) => ({ name, color: vocColor(i) }))
}

/**
 * A `labelmap.txt` as Datumaro and CVAT write it (`name:r,g,b:parts:actions`, `#` comments), in
 * index order; a line without a color takes the devkit's color of its index.
 */
export function parseVocLabelmap(text: string): VocLabel[] | { error: string; line: number } {
  const out: VocLabel[] = []
  const lines = text.split(/\r?\n/)
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim()
    if (line === '' || line.startsWith('#')) continue
    const [name, color] = line.split(':')
    if (name === undefined || name === '') return { error: 'a label needs a name', line: n + 1 }
    if (color === undefined || color.trim() === '') {
      out.push({ name, color: vocColor(out.length) })
      continue
    }
    const rgb = color.split(',').map((v) => Number(v))
    if (rgb.length !== 3 || rgb.some((v) => !Number.isInteger(v) || v < 0 || v > 255))
      return { error: `color "${color}" is not r,g,b`, line: n + 1 }
    out.push({ name, color: rgb as [number, number, number] })
  }
  return out
}

/** A decoded segmentation PNG: one channel (indexes) or RGB(A) colors, row-major. */
export interface VocPng {
  width: number
  height: number
  channels: number
  data: Uint8Array
}

/**
 * Indexes of a segmentation PNG (colors through the label map, the void color to 255); colors
 * the map does not have are counted in `unknown` and read as background.
 */
export function vocIndexes(
  png: VocPng,
  labels: readonly VocLabel[],
): { ids: Uint32Array; unknown: number } {
  const ids = new Uint32Array(png.width * png.height)
  let unknown = 0
  if (png.channels < 3) {
    for (let p = 0; p < ids.length; p++) ids[p] = png.data[p * png.channels]!
    return { ids, unknown }
  }
  const byColor = new Map<number, number>()
  for (let i = 1; i < 255; i++) {
    const [r, g, b] = vocColor(i)
    byColor.set((r << 16) | (g << 8) | b, i)
  }
  labels.forEach((l, i) => byColor.set((l.color[0] << 16) | (l.color[1] << 8) | l.color[2], i))
  const [vr, vg, vb] = vocColor(VOC_VOID)
  byColor.set((vr << 16) | (vg << 8) | vb, VOC_VOID)
  for (let p = 0, q = 0; p < ids.length; p++, q += png.channels) {
    const key = (png.data[q]! << 16) | (png.data[q + 1]! << 8) | png.data[q + 2]!
    if (key === 0) continue
    const i = byColor.get(key)
    if (i === undefined) unknown++
    else ids[p] = i
  }
  return { ids, unknown }
}

/** The name of a mask feature: `label (mask)` when the label is also drawn as boxes. */
export function vocMaskFeatureName(label: string, boxLabels: ReadonlySet<string>): string {
  return boxLabels.has(label) ? `${label} (mask)` : label
}

export interface VocSegmentationInput {
  globalKey: string
  width: number
  height: number
  /** the XML's object names in order (`<object>` k is instance k + 1) */
  objectNames: readonly (string | undefined)[]
  labels: readonly VocLabel[]
  /** labels that are also drawn as boxes (their masks get ` (mask)`) */
  boxLabels: ReadonlySet<string>
  object?: { file: string; png: VocPng }
  class?: { file: string; png: VocPng }
}

/** The indexes present in a segmentation PNG (0 and void left out). */
export function vocIndexesPresent(ids: Uint32Array): Set<number> {
  const out = new Set<number>()
  for (let p = 0; p < ids.length; p++) {
    const i = ids[p]!
    if (i !== 0 && i !== VOC_VOID) out.add(i)
  }
  return out
}

/** Mask lines of one image's segmentation PNGs, with coded issues naming the PNG. */
export function vocSegmentationEvents(input: VocSegmentationInput): FormatEvent[] {
  const events: FormatEvent[] = []
  const issue = (code: FormatIssue['code'], file: string, message: string, warning = false) =>
    events.push({
      type: 'issue',
      issue: {
        code,
        message: `${file}: ${message}`,
        source: { file },
        ...(warning ? { warning } : {}),
      },
    })
  const png = input.object ?? input.class
  if (!png) return events
  if (png.png.width !== input.width || png.png.height !== input.height) {
    issue(
      'mask_size_mismatch',
      png.file,
      `${png.png.width}×${png.png.height}, the image ${input.width}×${input.height}; left out`,
    )
    return events
  }
  const { ids, unknown } = vocIndexes(png.png, input.labels)
  if (unknown > 0)
    issue(
      'format_element_invalid',
      png.file,
      `${unknown} pixels have a color the label map does not have; read as background`,
      true,
    )
  const present = [...vocIndexesPresent(ids)].sort((a, b) => a - b)
  const { counts } = panopticRles(
    { width: input.width, height: input.height, ids },
    new Set(present),
  )
  for (const i of present) {
    let label: string | undefined
    let element: string
    if (input.object) {
      label = input.objectNames[i - 1]
      element = `instance ${i}`
      if (label === undefined) {
        issue(
          'format_element_invalid',
          png.file,
          `instance ${i} has no <object> ${i} with a <name> in the annotation XML; left out`,
        )
        continue
      }
    } else {
      label = input.labels[i]?.name
      element = `class ${i}`
      if (label === undefined) {
        issue(
          'format_category_unknown',
          png.file,
          `class index ${i} is not in the label map; left out`,
        )
        continue
      }
    }
    events.push({
      type: 'line',
      line: {
        line: {
          name: vocMaskFeatureName(label, input.boxLabels),
          dataRow: { globalKey: input.globalKey },
          mask: { counts: compressCounts(counts.get(i)!), size: [input.height, input.width] },
          customMetrics: [{ name: input.object ? 'voc_object' : 'voc_class_mask', value: i }],
        },
        source: { file: png.file, element },
      },
    })
  }
  return events
}

// ---------------------------------------------------------------------------------------------
// out

/**
 * The objects of a row in the order writeVoc writes them as `<object>`s, and for each mask the
 * instance index it gets: the index of the box it belongs to (same `voc_object`), else its own.
 */
export function vocObjectOrder(objects: readonly ExportObjectLike[]): {
  written: ExportObjectLike[]
  instanceOf: Map<ExportObjectLike, number>
} {
  const boxes = new Map<number, number>()
  const written: ExportObjectLike[] = []
  const instanceOf = new Map<ExportObjectLike, number>()
  for (const o of objects) {
    if (o.mask_rle) continue
    if (!o.bounding_box && !o.polygon) continue
    written.push(o)
    const k = metric(o.custom_metrics, 'voc_object')
    if (k !== undefined && o.bounding_box && !boxes.has(k)) boxes.set(k, written.length)
  }
  for (const o of objects) {
    if (!o.mask_rle) continue
    const k = metric(o.custom_metrics, 'voc_object')
    const attached = k === undefined ? undefined : boxes.get(k)
    if (attached !== undefined) instanceOf.set(o, attached)
    else {
      written.push(o)
      instanceOf.set(o, written.length)
    }
  }
  return { written, instanceOf }
}

export interface VocSegmentationWriteOptions {
  layer: Layer
  /** the label map (default: VOC's classes); labels met that it lacks are added with the next colors */
  labels?: VocLabel[]
  /** encodes a row-major RGB image as PNG */
  encodePng(rgb: Uint8Array, width: number, height: number): Promise<Uint8Array>
}

/**
 * `SegmentationObject/<stem>.png` and `SegmentationClass/<stem>.png` for each row with masks (in
 * the devkit's colors), then `labelmap.txt` when labels were added. Instances above 254 cannot be
 * written (reported in `issues`).
 */
export async function* writeVocSegmentation(
  rows: AsyncIterable<ExportRowLike> | Iterable<ExportRowLike>,
  opts: VocSegmentationWriteOptions,
  issues: FormatIssue[] = [],
): AsyncGenerator<{ path: string; content: Uint8Array | string }> {
  const labels = [...(opts.labels ?? defaultVocLabels())]
  const index = new Map(labels.map((l, i) => [l.name, i]))
  const added = labels.length
  for await (const row of rows) {
    const { instanceOf } = vocObjectOrder(exportObjects(row, opts.layer))
    if (instanceOf.size === 0) continue
    const key = row.data_row.global_key ?? row.data_row.id
    const stem = key.replace(/\.[^./]*$/, '')
    const { width, height } = row.media_attributes
    const object = new Uint8Array(width * height * 3)
    const cls = new Uint8Array(width * height * 3)
    let wroteInstance = false
    for (const [o, k] of instanceOf) {
      const rle = o.mask_rle!
      if (rle.size[0] !== height || rle.size[1] !== width) {
        issues.push({
          code: 'mask_size_mismatch',
          message: `${key}: ${o.name}'s mask is not the image's size; left out`,
          source: { file: `SegmentationObject/${stem}.png`, annotationId: o.feature_id },
        })
        continue
      }
      const label = labelOfFeature(o.name)
      let c = index.get(label)
      if (c === undefined) {
        c = labels.length
        labels.push({ name: label, color: vocColor(c) })
        index.set(label, c)
      }
      const objectColor = k <= 254 ? vocColor(k) : null
      if (!objectColor)
        issues.push({
          code: 'format_geometry_lossy',
          message: `${key}: instance ${k} is above 254, which a VOC PNG cannot hold; only its class is written`,
          source: { file: `SegmentationObject/${stem}.png`, annotationId: o.feature_id },
          warning: true,
        })
      const classColor = labels[c]!.color
      const counts = rleCounts(rle.counts)
      let position = 0
      for (let r = 0; r < counts.length; r++) {
        if (r % 2 === 1)
          for (let q = position; q < position + counts[r]!; q++) {
            const p = 3 * ((q % height) * width + Math.floor(q / height))
            if (objectColor) {
              object.set(objectColor, p)
              wroteInstance = true
            }
            cls.set(classColor, p)
          }
        position += counts[r]!
      }
    }
    if (wroteInstance)
      yield {
        path: `SegmentationObject/${stem}.png`,
        content: await opts.encodePng(object, width, height),
      }
    yield {
      path: `SegmentationClass/${stem}.png`,
      content: await opts.encodePng(cls, width, height),
    }
  }
  if (labels.length > added || opts.labels)
    yield {
      path: 'labelmap.txt',
      content:
        '# label:color_rgb:parts:actions\n' +
        labels.map((l) => `${l.name}:${l.color.join(',')}::\n`).join(''),
    }
}

function rleCounts(counts: string): number[] {
  // stored RLE strings were checked on import, so they decode
  const parsed = parseCompressedCounts(counts)
  return parsed.ok ? parsed.counts : []
}
