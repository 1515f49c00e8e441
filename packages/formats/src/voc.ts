/**
 * Pascal VOC XML (one `<annotation>` per image), in and out (conventions: docs/formats.md#pascal-voc).
 *
 * Coordinates: the devkit is 1-based with inclusive `xmax`/`ymax`, so a box is
 * `left = xmin - 1, width = xmax - xmin + 1`. Tools (Datumaro, FiftyOne, CVAT) write 0-based
 * `xmin`/`xmax` as the box's edges. `indexing: 'auto'` takes a file as tool-written when any
 * coordinate is 0 or is written with a decimal point, as devkit files never are. The convention
 * read travels in `customMetrics` (`voc_zero_based`), so export writes each box back the same way.
 * `difficult`, `truncated` and `occluded` become the nested checklist `flags`; `pose` a nested text.
 */
import { XMLParser } from 'fast-xml-parser'
import type { FormatEvent, FormatIssue, ProposedFeature, SourceLocation } from './model.ts'
import { metric } from './model.ts'
import { exportObjects, type ExportRowLike, type Layer } from './rows.ts'
import { vocObjectOrder } from './voc-segmentation.ts'

export type VocIndexing = 'auto' | 'devkit' | 'zero'

export const VOC_FLAGS = ['difficult', 'truncated', 'occluded'] as const
/** The nested classifications every VOC feature gets in the proposed ontology. */
export const VOC_CLASSIFICATIONS = [
  { type: 'checklist' as const, name: 'flags', options: [...VOC_FLAGS] },
  { type: 'text' as const, name: 'pose', options: [] as string[] },
]

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'object' || name === 'part',
})

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  return undefined
}

export interface VocFile {
  /** the image's global key (the `filename`) */
  globalKey: string
  width: number | null
  height: number | null
  events: FormatEvent[]
}

/**
 * One annotation XML. `imageSize` gives the size when `<size>` is missing or 0 (it may also be
 * the size before EXIF rotation: the real image wins when given).
 */
export function readVocXml(
  xml: string,
  file: string,
  opts: { indexing?: VocIndexing; imageSize?: { width: number; height: number } | null } = {},
): VocFile | { error: FormatIssue } {
  let doc: unknown
  try {
    doc = parser.parse(xml, true)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return {
      error: {
        code: 'format_syntax_invalid',
        message: `${file} is not well-formed XML: ${message}`,
        source: { file },
      },
    }
  }
  const ann = (doc as { annotation?: Record<string, unknown> } | null)?.annotation
  const filename = text(ann?.filename)
  if (!ann || typeof ann !== 'object' || filename === undefined || filename === '')
    return {
      error: {
        code: 'format_element_invalid',
        message: `${file} has no <annotation> with a <filename>`,
        source: { file, element: 'annotation' },
      },
    }
  const size = ann.size as Record<string, unknown> | undefined
  const sw = Number(text(size?.width))
  const sh = Number(text(size?.height))
  const width = opts.imageSize?.width ?? (sw > 0 ? sw : null)
  const height = opts.imageSize?.height ?? (sh > 0 ? sh : null)
  const objects = (Array.isArray(ann.object) ? ann.object : []) as Record<string, unknown>[]
  let zeroBased = opts.indexing === 'zero'
  if ((opts.indexing ?? 'auto') === 'auto')
    zeroBased = objects.some((o) => {
      const b = o.bndbox as Record<string, unknown> | undefined
      return ['xmin', 'ymin', 'xmax', 'ymax'].some((k) => {
        const t = text(b?.[k])
        return t !== undefined && (t.includes('.') || Number(t) === 0)
      })
    })
  const events: FormatEvent[] = []
  for (const [i, o] of objects.entries()) {
    const element = `object[${i}]`
    const source: SourceLocation = { file, element }
    const fail = (message: string) =>
      events.push({
        type: 'issue',
        issue: {
          code: 'format_element_invalid',
          message: `${file} ${element}: ${message}`,
          source,
        },
      })
    const name = text(o.name)
    if (name === undefined || name === '') {
      fail('<name> is missing')
      continue
    }
    const b = o.bndbox as Record<string, unknown> | undefined
    const c = ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => Number(text(b?.[k]) ?? NaN))
    if (!b || c.some((n) => !Number.isFinite(n))) {
      fail('<bndbox> needs numeric xmin, ymin, xmax and ymax')
      continue
    }
    const [xmin, ymin, xmax, ymax] = c as [number, number, number, number]
    const bbox = zeroBased
      ? { left: xmin, top: ymin, width: xmax - xmin, height: ymax - ymin }
      : { left: xmin - 1, top: ymin - 1, width: xmax - xmin + 1, height: ymax - ymin + 1 }
    const flags = VOC_FLAGS.filter((f) => {
      const t = text(o[f])
      return t === '1' || t === 'true' || t === 'yes'
    })
    const pose = text(o.pose)
    const classifications = [
      ...(flags.length > 0 ? [{ name: 'flags', answer: flags.map((f) => ({ name: f })) }] : []),
      ...(pose !== undefined && pose !== '' ? [{ name: 'pose', answer: pose }] : []),
    ]
    const present = VOC_FLAGS.filter((f) => text(o[f]) !== undefined)
    events.push({
      type: 'line',
      line: {
        source,
        line: {
          name,
          dataRow: { globalKey: filename },
          bbox,
          ...(classifications.length > 0 ? { classifications } : {}),
          customMetrics: [
            { name: 'voc_zero_based', value: zeroBased ? 1 : 0 },
            // instance i + 1 of a SegmentationObject PNG is this object (voc-segmentation.ts)
            { name: 'voc_object', value: i + 1 },
            // which flags the file wrote (bit 1 difficult, 2 truncated, 4 occluded), so export writes the same tags
            {
              name: 'voc_flags_written',
              value: present.reduce((m, f) => m | (1 << VOC_FLAGS.indexOf(f)), 0),
            },
          ],
        },
      },
    })
    const parts = Array.isArray(o.part) ? o.part.length : 0
    if (parts > 0 || o.actions !== undefined)
      events.push({
        type: 'issue',
        issue: {
          code: 'format_geometry_lossy',
          message: `${file} ${element}: its ${parts > 0 ? `${parts} <part> box(es)` : ''}${parts > 0 && o.actions !== undefined ? ' and ' : ''}${o.actions !== undefined ? '<actions>' : ''} are not imported (the layout and action tasks have no place in an annotation)`,
          source,
          warning: true,
        },
      })
  }
  return { globalKey: filename, width, height, events }
}

/** Features proposed for the names seen (all boxes), each with the flags and pose classifications. */
export function vocFeatures(names: Iterable<string>): ProposedFeature[] {
  return [...new Set(names)].map((name) => ({
    name,
    tool: 'rectangle' as const,
    classifications: VOC_CLASSIFICATIONS,
  }))
}

// ---------------------------------------------------------------------------------------------
// out

export interface VocWriteOptions {
  layer: Layer
  /** for boxes made in Labelport (no convention kept): devkit (default) rounds outward to integers */
  indexing?: 'devkit' | 'zero'
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** `Annotations/<key without extension>.xml` per data row with a label; polygons and masks as their box (reported). */
export async function* writeVoc(
  rows: AsyncIterable<ExportRowLike> | Iterable<ExportRowLike>,
  opts: VocWriteOptions,
  issues: FormatIssue[] = [],
): AsyncGenerator<{ path: string; content: string }> {
  for await (const row of rows) {
    // masks that belong to a box (same voc_object) are written in the segmentation PNGs only
    const objects = vocObjectOrder(exportObjects(row, opts.layer)).written
    const all = exportObjects(row, opts.layer).filter(
      (o) => !o.mask_rle && !o.bounding_box && !o.polygon,
    )
    objects.push(...all)
    const key = row.data_row.global_key ?? row.data_row.id
    const path = `Annotations/${key.replace(/\.[^./]*$/, '')}.xml`
    let body = ''
    for (const o of objects) {
      let box = o.bounding_box
      const lossy = (what: string) =>
        issues.push({
          code: 'format_geometry_lossy',
          message: `${key}: ${o.name} is ${what}`,
          source: { file: path, annotationId: o.feature_id },
          warning: true,
        })
      if (!box && o.polygon) {
        const xs = o.polygon.map((p) => p.x)
        const ys = o.polygon.map((p) => p.y)
        const left = Math.min(...xs)
        const top = Math.min(...ys)
        box = { left, top, width: Math.max(...xs) - left, height: Math.max(...ys) - top }
        lossy('a polygon; written as its box')
      } else if (!box && o.mask_rle) {
        box = o.mask_rle.bounding_box
        lossy('a mask; written as its box')
      }
      if (!box) {
        lossy('a line, point or mask without RLE, which VOC cannot hold; left out')
        continue
      }
      const kept = metric(o.custom_metrics, 'voc_zero_based')
      const zero = kept === undefined ? opts.indexing === 'zero' : kept === 1
      const coords = zero
        ? [box.left, box.top, box.left + box.width, box.top + box.height].map(String)
        : kept === 0
          ? [box.left + 1, box.top + 1, box.left + box.width, box.top + box.height].map(String)
          : [
              Math.floor(box.left) + 1,
              Math.floor(box.top) + 1,
              Math.ceil(box.left + box.width),
              Math.ceil(box.top + box.height),
            ].map(String)
      const flagsSet = new Set(
        (o.classifications ?? [])
          .filter((c) => c.name === 'flags')
          .flatMap((c) => (c.checklist_answers ?? []).map((a) => a.name)),
      )
      const pose = (o.classifications ?? []).find((c) => c.name === 'pose')?.text_answer?.content
      const written = metric(o.custom_metrics, 'voc_flags_written') ?? 0b111
      body += `  <object>\n    <name>${esc(o.name)}</name>\n`
      if (pose !== undefined) body += `    <pose>${esc(pose)}</pose>\n`
      VOC_FLAGS.forEach((f, bit) => {
        if (flagsSet.has(f) || written & (1 << bit))
          body += `    <${f}>${flagsSet.has(f) ? 1 : 0}</${f}>\n`
      })
      body +=
        `    <bndbox>\n      <xmin>${coords[0]}</xmin>\n      <ymin>${coords[1]}</ymin>\n` +
        `      <xmax>${coords[2]}</xmax>\n      <ymax>${coords[3]}</ymax>\n    </bndbox>\n  </object>\n`
    }
    const { width, height } = row.media_attributes
    yield {
      path,
      content:
        `<annotation>\n  <filename>${esc(key)}</filename>\n` +
        (width > 0 && height > 0
          ? `  <size>\n    <width>${width}</width>\n    <height>${height}</height>\n    <depth>3</depth>\n  </size>\n`
          : '') +
        body +
        `</annotation>\n`,
    }
  }
}
