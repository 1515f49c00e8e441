/**
 * LabelMe JSON, in and out (conventions: docs/formats.md#labelme). "LabelMe" here is the JSON
 * that wkentaro/labelme writes (one file per image), not the older CSAIL LabelMe XML that CVAT and
 * Datumaro call LabelMe.
 *
 * `{version, flags, shapes: [{label, points, group_id, shape_type, flags, description, mask?}],
 * imagePath, imageData, imageHeight, imageWidth}`; points are continuous pixels `[x, y]`.
 * `rectangle` (2 points, any corner order) → box; `polygon` → polygon; `line` and `linestrip` →
 * polyline; `point` → point; `circle` (centre and a point on the rim) → a 64-sided polygon, the
 * centre and rim point kept (`labelme_circle_*`) and written back as a circle; `mask` (a base64 PNG
 * patch placed at the rounded first point) → mask, decoded by the caller's `decodePng`.
 * Shape flags become the nested checklist `flags`, the description the nested text `description`,
 * image flags the global checklist `flags`; `group_id` is kept (`labelme_group`). `imageData` is
 * ignored on import and not written.
 */
import type { NdClassification, NdObjectLine } from '@labelport/core'
import {
  metric,
  type FormatEvent,
  type FormatIssue,
  type ProposedClassification,
  type ProposedTool,
  type SourceLocation,
} from './model.ts'
import {
  exportClassifications,
  exportObjects,
  hasLabel,
  type ExportRowLike,
  type Layer,
} from './rows.ts'
import {
  cocoRleToCrop,
  cropToCocoRle,
  featuresOf,
  labelOfFeature,
  mergeClassifications,
  noteTool,
  openRing,
  toolFeatureName,
} from './shared.ts'

type Json = Record<string, unknown>
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** Decodes a PNG into a row-major 0/1 mask (non-zero of its first channel, or alpha when it has one). */
export type PngDecoder = (
  bytes: Uint8Array,
) => Promise<{ width: number; height: number; data: Uint8Array }>

export const CIRCLE_SIDES = 64
const TYPES: Record<string, ProposedTool> = {
  rectangle: 'rectangle',
  polygon: 'polygon',
  circle: 'polygon',
  line: 'line',
  linestrip: 'line',
  point: 'point',
  mask: 'raster-segmentation',
}

/** Whether a file's first bytes are LabelMe JSON. */
export function detectLabelme(head: string): boolean {
  const text = head.trimStart()
  return (
    text.startsWith('{') && /"shapes"\s*:/.test(text) && /"(imagePath|shape_type)"\s*:/.test(text)
  )
}

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** The global key of a file's image: `imagePath` resolved against the JSON's folder (`/`-separated, relative to the root). */
export function labelmeImageKey(jsonPath: string, imagePath: string): string {
  const dir = jsonPath.includes('/') ? jsonPath.slice(0, jsonPath.lastIndexOf('/')).split('/') : []
  const parts = [...dir]
  for (const p of imagePath.replace(/\\/g, '/').split('/')) {
    if (p === '..') parts.pop()
    else if (p !== '.' && p !== '') parts.push(p)
  }
  return parts.join('/')
}

export interface LabelmeFile {
  globalKey: string
  width: number | null
  height: number | null
  /** shapes read, before their feature names are known (a label's tools are known after every file) */
  shapes: {
    label: string
    tool: ProposedTool
    line: Omit<NdObjectLine, 'name'>
    source: SourceLocation
  }[]
  flags: string[]
  nested: Map<string, ProposedClassification[]>
  issues: FormatIssue[]
}

/** One LabelMe JSON file (`file` relative to the dataset root). */
export async function readLabelmeJson(
  json: string,
  file: string,
  decodePng?: PngDecoder,
): Promise<LabelmeFile | { error: FormatIssue }> {
  let doc: unknown
  try {
    doc = JSON.parse(json)
  } catch (error) {
    return {
      error: {
        code: 'format_syntax_invalid',
        message: `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
        source: { file },
      },
    }
  }
  if (
    !isRecord(doc) ||
    !Array.isArray(doc.shapes) ||
    typeof doc.imagePath !== 'string' ||
    doc.imagePath === ''
  )
    return {
      error: {
        code: 'format_element_invalid',
        message: `${file} needs shapes and an imagePath`,
        source: { file },
      },
    }
  const globalKey = labelmeImageKey(file, doc.imagePath)
  const width = finite(doc.imageWidth) && doc.imageWidth > 0 ? doc.imageWidth : null
  const height = finite(doc.imageHeight) && doc.imageHeight > 0 ? doc.imageHeight : null
  const out: LabelmeFile = {
    globalKey,
    width,
    height,
    shapes: [],
    flags: [],
    nested: new Map(),
    issues: [],
  }
  if (isRecord(doc.flags))
    out.flags = Object.entries(doc.flags)
      .filter(([, v]) => v === true)
      .map(([k]) => k)
  const dataRow = { globalKey }
  for (const [i, shape] of (doc.shapes as unknown[]).entries()) {
    const element = `shapes[${i}]`
    const source: SourceLocation = { file, element }
    const fail = (message: string, code: FormatIssue['code'] = 'format_element_invalid') =>
      out.issues.push({ code, message: `${file} ${element}: ${message}`, source })
    if (!isRecord(shape) || typeof shape.label !== 'string' || shape.label === '') {
      fail('a shape needs a label')
      continue
    }
    const label = shape.label
    const type = typeof shape.shape_type === 'string' ? shape.shape_type : 'polygon'
    const tool = TYPES[type]
    if (tool === undefined) {
      fail(`shape_type ${type} has no Labelport geometry; not imported`)
      continue
    }
    const points = shape.points
    if (
      !Array.isArray(points) ||
      !points.every((p) => Array.isArray(p) && p.length === 2 && finite(p[0]) && finite(p[1]))
    ) {
      fail('points must be a list of [x, y] numbers')
      continue
    }
    const pts = (points as [number, number][]).map(([x, y]) => ({ x, y }))
    const need: Record<string, number> = {
      rectangle: 2,
      polygon: 3,
      circle: 2,
      line: 2,
      linestrip: 2,
      point: 1,
      mask: 2,
    }
    if (
      pts.length < need[type]! ||
      (['rectangle', 'circle', 'line', 'point'].includes(type) && pts.length !== need[type])
    ) {
      fail(
        `a ${type} needs ${['rectangle', 'circle', 'line', 'point'].includes(type) ? 'exactly' : 'at least'} ${need[type]} points`,
      )
      continue
    }
    const metrics: { name: string; value: number }[] = []
    if (finite(shape.group_id)) metrics.push({ name: 'labelme_group', value: shape.group_id })
    if (type === 'line') metrics.push({ name: 'labelme_line', value: 1 })
    const classifications: NdClassification[] = []
    const nested: ProposedClassification[] = []
    if (isRecord(shape.flags) && Object.keys(shape.flags).length > 0) {
      const keys = Object.keys(shape.flags)
      nested.push({ type: 'checklist', name: 'flags', options: keys })
      const set = keys.filter((k) => (shape.flags as Json)[k] === true)
      if (set.length > 0)
        classifications.push({ name: 'flags', answer: set.map((name) => ({ name })) })
    }
    if (typeof shape.description === 'string' && shape.description !== '') {
      nested.push({ type: 'text', name: 'description', options: [] })
      classifications.push({ name: 'description', answer: shape.description })
    }
    let geometry: Partial<NdObjectLine>
    if (type === 'rectangle') {
      const [a, b] = pts as [{ x: number; y: number }, { x: number; y: number }]
      geometry = {
        bbox: {
          left: Math.min(a.x, b.x),
          top: Math.min(a.y, b.y),
          width: Math.abs(b.x - a.x),
          height: Math.abs(b.y - a.y),
        },
      }
    } else if (type === 'polygon') geometry = { polygon: pts }
    else if (type === 'circle') {
      const [c, rim] = pts as [{ x: number; y: number }, { x: number; y: number }]
      const r = Math.hypot(rim.x - c.x, rim.y - c.y)
      geometry = {
        polygon: Array.from({ length: CIRCLE_SIDES }, (_, k) => ({
          x: c.x + r * Math.cos((2 * Math.PI * k) / CIRCLE_SIDES),
          y: c.y + r * Math.sin((2 * Math.PI * k) / CIRCLE_SIDES),
        })),
      }
      metrics.push(
        { name: 'labelme_circle_cx', value: c.x },
        { name: 'labelme_circle_cy', value: c.y },
        { name: 'labelme_circle_rx', value: rim.x },
        { name: 'labelme_circle_ry', value: rim.y },
      )
      out.issues.push({
        code: 'format_geometry_lossy',
        message: `${file} ${element}: a circle, imported as a ${CIRCLE_SIDES}-sided polygon (written back as the circle)`,
        source,
        warning: true,
      })
    } else if (type === 'line' || type === 'linestrip') geometry = { line: pts }
    else if (type === 'point') geometry = { point: pts[0]! }
    else {
      if (typeof shape.mask !== 'string' || decodePng === undefined) {
        fail(
          decodePng === undefined
            ? 'mask shapes need a PNG decoder (read the folder with readLabelmeDir)'
            : 'a mask shape needs mask, a base64 PNG',
        )
        continue
      }
      if (width === null || height === null) {
        fail('imageWidth and imageHeight are needed to place a mask', 'format_image_size_unknown')
        continue
      }
      let png: { width: number; height: number; data: Uint8Array }
      try {
        png = await decodePng(decodeBase64(shape.mask))
      } catch (error) {
        fail(
          `mask is not a readable PNG: ${error instanceof Error ? error.message : String(error)}`,
          'mask_rle_invalid',
        )
        continue
      }
      const left = Math.round(pts[0]!.x)
      const top = Math.round(pts[0]!.y)
      metrics.push(
        { name: 'labelme_mask_x1', value: pts[0]!.x },
        { name: 'labelme_mask_y1', value: pts[0]!.y },
        { name: 'labelme_mask_x2', value: pts[1]!.x },
        { name: 'labelme_mask_y2', value: pts[1]!.y },
      )
      geometry = {
        mask: cropToCocoRle(
          { left, top, width: png.width, height: png.height, data: png.data },
          width,
          height,
        ),
      }
    }
    if (nested.length > 0) out.nested.set(label, [...(out.nested.get(label) ?? []), ...nested])
    out.shapes.push({
      label,
      tool,
      source,
      line: {
        ...geometry,
        dataRow,
        ...(classifications.length > 0 ? { classifications } : {}),
        ...(metrics.length > 0 ? { customMetrics: metrics } : {}),
      },
    })
  }
  return out
}

/** The events of several LabelMe files read with `readLabelmeJson` (features named once every label's tools are known). */
export function labelmeEvents(
  files: readonly (LabelmeFile | { error: FormatIssue })[],
): FormatEvent[] {
  const used = new Map<string, Set<ProposedTool>>()
  const nested = new Map<string, ProposedClassification[]>()
  const flags = new Set<string>()
  const out: FormatEvent[] = []
  const issues: FormatEvent[] = []
  const keys = new Set<string>()
  for (const f of files) {
    if ('error' in f) {
      issues.push({ type: 'issue', issue: f.error })
      continue
    }
    if (keys.has(f.globalKey)) {
      issues.push({
        type: 'issue',
        issue: {
          code: 'format_element_invalid',
          message: `image ${f.globalKey} has a second LabelMe file; not imported`,
          source: { file: f.shapes[0]?.source.file ?? f.globalKey },
        },
      })
      f.shapes = []
      continue
    }
    keys.add(f.globalKey)
    out.push({
      type: 'image',
      image: {
        globalKey: f.globalKey,
        width: f.width,
        height: f.height,
        source: { file: f.globalKey },
      },
    })
    for (const s of f.shapes) noteTool(used, s.label, s.tool)
    for (const [label, list] of f.nested) nested.set(label, [...(nested.get(label) ?? []), ...list])
    for (const flag of f.flags) flags.add(flag)
    for (const i of f.issues) issues.push({ type: 'issue', issue: i })
  }
  for (const feature of featuresOf(used, (label) => mergeClassifications(nested.get(label) ?? [])))
    out.push({ type: 'feature', feature })
  if (flags.size > 0)
    out.push({
      type: 'classification',
      classification: { type: 'checklist', name: 'flags', options: [...flags] },
    })
  for (const f of files) {
    if ('error' in f) continue
    for (const s of f.shapes)
      out.push({
        type: 'line',
        line: {
          line: {
            ...s.line,
            name: toolFeatureName(s.label, s.tool, used.get(s.label)!),
          } as NdObjectLine,
          source: s.source,
        },
      })
    if (f.flags.length > 0)
      out.push({
        type: 'line',
        line: {
          line: {
            name: 'flags',
            dataRow: { globalKey: f.globalKey },
            answer: f.flags.map((name) => ({ name })),
          },
          source: { file: f.globalKey, element: 'flags' },
        },
      })
  }
  return [...out, ...issues]
}

// ---------------------------------------------------------------------------------------------
// out

export interface LabelmeWriteOptions {
  layer: Layer
  /** encodes a row-major 0/1 mask as PNG bytes; without it masks are left out (reported) */
  encodePng?: (mask: Uint8Array, width: number, height: number) => Promise<Uint8Array>
}

function encodeBase64(bytes: Uint8Array): string {
  let bin = ''
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]!)
  return btoa(bin)
}

/** One LabelMe JSON per data row with a label, beside its image (`<key without extension>.json`). */
export async function* writeLabelme(
  rows: AsyncIterable<ExportRowLike> | Iterable<ExportRowLike>,
  opts: LabelmeWriteOptions,
  issues: FormatIssue[] = [],
): AsyncGenerator<{ path: string; content: string }> {
  for await (const row of rows) {
    if (!hasLabel(row, opts.layer)) continue
    const key = row.data_row.global_key ?? row.data_row.id
    const path = `${key.replace(/\.[^./]*$/, '')}.json`
    const shapes: Json[] = []
    for (const o of exportObjects(row, opts.layer)) {
      const m = o.custom_metrics
      const group = metric(m, 'labelme_group')
      const flags: Json = {}
      let description = ''
      for (const c of o.classifications ?? []) {
        if (c.name === 'flags') for (const a of c.checklist_answers ?? []) flags[a.name] = true
        if (c.name === 'description' && c.text_answer) description = c.text_answer.content
      }
      const base = { label: labelOfFeature(o.name), group_id: group ?? null, description, flags }
      const cx = metric(m, 'labelme_circle_cx')
      if (o.bounding_box) {
        const b = o.bounding_box
        shapes.push({
          ...base,
          shape_type: 'rectangle',
          points: [
            [b.left, b.top],
            [b.left + b.width, b.top + b.height],
          ],
        })
      } else if (o.polygon && cx !== undefined)
        shapes.push({
          ...base,
          shape_type: 'circle',
          points: [
            [cx, metric(m, 'labelme_circle_cy')],
            [metric(m, 'labelme_circle_rx'), metric(m, 'labelme_circle_ry')],
          ],
        })
      else if (o.polygon)
        shapes.push({
          ...base,
          shape_type: 'polygon',
          points: openRing(o.polygon).map((p) => [p.x, p.y]),
        })
      else if (o.line)
        shapes.push({
          ...base,
          shape_type: metric(m, 'labelme_line') === 1 ? 'line' : 'linestrip',
          points: o.line.map((p) => [p.x, p.y]),
        })
      else if (o.point)
        shapes.push({ ...base, shape_type: 'point', points: [[o.point.x, o.point.y]] })
      else if (o.mask_rle && opts.encodePng) {
        const x1 = metric(m, 'labelme_mask_x1')
        const y1 = metric(m, 'labelme_mask_y1')
        const x2 = metric(m, 'labelme_mask_x2')
        const y2 = metric(m, 'labelme_mask_y2')
        const kept = x1 !== undefined && y1 !== undefined && x2 !== undefined && y2 !== undefined
        const crop = cocoRleToCrop(
          o.mask_rle,
          kept
            ? {
                left: Math.round(x1),
                top: Math.round(y1),
                width: Math.round(x2) - Math.round(x1) + 1,
                height: Math.round(y2) - Math.round(y1) + 1,
              }
            : undefined,
        )
        if (!crop || crop.width === 0) continue
        const png = await opts.encodePng(crop.data, crop.width, crop.height)
        shapes.push({
          ...base,
          shape_type: 'mask',
          points: kept
            ? [
                [x1, y1],
                [x2, y2],
              ]
            : [
                [crop.left, crop.top],
                [crop.left + crop.width - 1, crop.top + crop.height - 1],
              ],
          mask: encodeBase64(png),
        })
      } else
        issues.push({
          code: 'format_geometry_lossy',
          message: `${key}: ${o.name} is a mask${opts.encodePng ? ' without its RLE (export with rle)' : ' (no PNG encoder given)'}; left out`,
          source: { file: path, annotationId: o.feature_id },
          warning: true,
        })
    }
    const imageFlags: Json = {}
    for (const c of exportClassifications(row, opts.layer))
      if (c.name === 'flags') for (const a of c.checklist_answers ?? []) imageFlags[a.name] = true
    const { width, height } = row.media_attributes
    yield {
      path,
      content:
        JSON.stringify(
          {
            version: '5.5.0',
            flags: imageFlags,
            shapes,
            imagePath: key.split('/').pop(),
            imageData: null,
            imageHeight: height,
            imageWidth: width,
          },
          null,
          2,
        ) + '\n',
    }
  }
}
