/**
 * YOLO detection and segmentation (darknet and Ultralytics layouts), in and out
 * (conventions: docs/formats.md#yolo). Pure: the directory walk and image sizes are in node/yolo-dir.ts.
 *
 * A label line is `class cx cy w h [confidence]` (a box, normalised centre and size) or
 * `class x1 y1 x2 y2 … xn yn` (one polygon, normalised, n ≥ 3). The class index is 0-based into
 * the names list (`data.yaml` `names` as a list or a {index: name} map, `obj.names`, `classes.txt`).
 * The index travels in the line's `customMetrics` as `yolo_class`.
 */
import { load as loadYaml } from 'js-yaml'
import type { FormatEvent, FormatIssue, ProposedFeature, SourceLocation } from './model.ts'
import { metric } from './model.ts'
import { exportObjects, type ExportRowLike, type Layer } from './rows.ts'

/** Names from `data.yaml` (list or map) or a names file (one a line); issues name the file. */
export function parseYoloNames(
  text: string,
  file: string,
): { names: string[]; issues: FormatIssue[] } {
  if (/\.ya?ml$/i.test(file)) {
    let doc: unknown
    try {
      doc = loadYaml(text)
    } catch (error) {
      return {
        names: [],
        issues: [
          {
            code: 'format_syntax_invalid',
            message: `${file} is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
            source: { file },
          },
        ],
      }
    }
    const names = (doc as { names?: unknown } | null)?.names
    if (Array.isArray(names)) return { names: names.map(String), issues: [] }
    if (typeof names === 'object' && names !== null) {
      const out: string[] = []
      for (const [k, v] of Object.entries(names)) out[Number(k)] = String(v)
      return { names: Array.from(out, (n, i) => n ?? `class ${i}`), issues: [] }
    }
    return {
      names: [],
      issues: [
        {
          code: 'format_element_invalid',
          message: `${file} has no names list`,
          source: { file, element: 'names' },
        },
      ],
    }
  }
  return {
    names: text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== ''),
    issues: [],
  }
}

export type YoloShape = 'box' | 'polygon'

/** What a line is, from its count of numbers (class included): 5 or 6 a box, odd ≥ 7 a polygon. */
export function yoloShapeOf(count: number): YoloShape | null {
  if (count === 5 || count === 6) return 'box'
  if (count >= 7 && count % 2 === 1) return 'polygon'
  return null
}

/** The feature name of a class for one shape: the class name, `name (box)` when it has both. */
export function yoloFeatureName(name: string, shape: YoloShape, both: boolean): string {
  return both && shape === 'box' ? `${name} (box)` : name
}

export interface YoloImageContext {
  /** the label file, as it appears in locations */
  file: string
  globalKey: string
  width: number
  height: number
  names: readonly string[]
  /** class indexes that have both boxes and polygons in the dataset */
  both: ReadonlySet<number>
}

/** The shapes each class uses in one label file (for the proposed ontology). */
export function scanYoloShapes(text: string, into: Map<number, Set<YoloShape>>): void {
  for (const raw of text.split('\n')) {
    const parts = raw.trim().split(/\s+/)
    if (parts[0] === '' || parts[0] === undefined) continue
    const shape = yoloShapeOf(parts.length)
    const cls = Number(parts[0])
    if (shape === null || !Number.isInteger(cls)) continue
    let set = into.get(cls)
    if (!set) into.set(cls, (set = new Set()))
    set.add(shape)
  }
}

export function yoloFeatures(
  names: readonly string[],
  shapes: ReadonlyMap<number, ReadonlySet<YoloShape>>,
): ProposedFeature[] {
  const out: ProposedFeature[] = []
  names.forEach((name, i) => {
    const used = shapes.get(i) ?? new Set<YoloShape>(['box'])
    const both = used.size > 1
    if (used.has('polygon')) out.push({ name, tool: 'polygon', sourceId: i })
    if (used.has('box'))
      out.push({ name: yoloFeatureName(name, 'box', both), tool: 'rectangle', sourceId: i })
  })
  return out
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/

/** One label file's lines as NDJSON object lines; bad lines become issues with their line number. */
export function readYoloLabels(text: string, ctx: YoloImageContext): FormatEvent[] {
  const out: FormatEvent[] = []
  const lines = text.split('\n')
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!.trim()
    if (raw === '' || raw.startsWith('#')) continue
    const source: SourceLocation = { file: ctx.file, line: n + 1 }
    const fail = (code: FormatIssue['code'], message: string) =>
      out.push({
        type: 'issue',
        issue: { code, message: `${ctx.file} line ${n + 1}: ${message}`, source },
      })
    const parts = raw.split(/\s+/)
    const bad = parts.findIndex((p) => !NUMBER.test(p))
    if (bad >= 0) {
      fail('format_element_invalid', `'${parts[bad]}' is not a number`)
      continue
    }
    const shape = yoloShapeOf(parts.length)
    if (shape === null) {
      fail(
        'format_element_invalid',
        `${parts.length} numbers; expected 5 or 6 (class, box, confidence) or an odd number ≥ 7 (class, polygon)`,
      )
      continue
    }
    const cls = Number(parts[0])
    const name = ctx.names[cls]
    if (!Number.isInteger(cls) || name === undefined) {
      fail(
        'format_category_unknown',
        `class ${parts[0]} is not among the ${ctx.names.length} names`,
      )
      continue
    }
    const v = parts.slice(1).map(Number)
    const featureName = yoloFeatureName(name, shape, ctx.both.has(cls))
    const base = {
      name: featureName,
      dataRow: { globalKey: ctx.globalKey },
      customMetrics: [{ name: 'yolo_class', value: cls }],
    }
    const { width: W, height: H } = ctx
    if (shape === 'box') {
      const [cx, cy, w, h, conf] = v as [number, number, number, number, number | undefined]
      out.push({
        type: 'line',
        line: {
          source,
          line: {
            ...base,
            ...(conf !== undefined ? { confidence: conf } : {}),
            bbox: { left: (cx - w / 2) * W, top: (cy - h / 2) * H, width: w * W, height: h * H },
          },
        },
      })
    } else {
      const polygon: { x: number; y: number }[] = []
      for (let i = 0; i < v.length; i += 2) polygon.push({ x: v[i]! * W, y: v[i + 1]! * H })
      out.push({ type: 'line', line: { source, line: { ...base, polygon } } })
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// out

export interface YoloWriteOptions {
  layer: Layer
  /** class names in index order; classes met that are not listed get the next indexes */
  names?: string[]
  /** significant digits of normalised coordinates (default 12: exact to far below 1e-6 px) */
  digits?: number
}

export interface WrittenFile {
  path: string
  content: string
}

function fmt(n: number, digits: number): string {
  return String(Number(n.toPrecision(digits)))
}

/** The label file's path for an image's global key: `labels/<key without extension>.txt`. */
export function yoloLabelPath(globalKey: string): string {
  return `labels/${globalKey.replace(/\.[^./]*$/, '')}.txt`
}

/**
 * Streams one label file per data row that has a label (an empty file when it has no objects),
 * then `data.yaml`. Masks, lines and points cannot be written: each is reported in `issues` as
 * `format_geometry_lossy`; a polygon with several parts is written one line per part (reported).
 */
export async function* writeYolo(
  rows: AsyncIterable<ExportRowLike> | Iterable<ExportRowLike>,
  opts: YoloWriteOptions,
  issues: FormatIssue[] = [],
): AsyncGenerator<WrittenFile> {
  const digits = opts.digits ?? 12
  const names = [...(opts.names ?? [])]
  const index = new Map(names.map((n, i) => [n, i]))
  for await (const row of rows) {
    const hasLabel = Object.values(row.projects).some(
      (p) =>
        (opts.layer !== 'prelabels' && (p.labels?.length ?? 0) > 0) ||
        (opts.layer !== 'labels' && (p.prelabels?.length ?? 0) > 0),
    )
    if (!hasLabel) continue
    const key = row.data_row.global_key ?? row.data_row.id
    const path = yoloLabelPath(key)
    const { width: W, height: H } = row.media_attributes
    let content = ''
    for (const o of exportObjects(row, opts.layer)) {
      const plain = o.name.endsWith(' (box)') ? o.name.slice(0, -6) : o.name
      let cls = metric(o.custom_metrics, 'yolo_class')
      if (cls === undefined || names[cls] !== plain) {
        cls = index.get(plain)
        if (cls === undefined) {
          cls = names.length
          names.push(plain)
          index.set(plain, cls)
        }
      }
      const lossy = (what: string) =>
        issues.push({
          code: 'format_geometry_lossy',
          message: `${key}: ${o.name} is ${what}`,
          source: { file: path, annotationId: o.feature_id },
          warning: true,
        })
      if (o.bounding_box) {
        const b = o.bounding_box
        const cols = [
          (b.left + b.width / 2) / W,
          (b.top + b.height / 2) / H,
          b.width / W,
          b.height / H,
        ].map((n) => fmt(n, digits))
        if (o.confidence !== undefined) cols.push(fmt(o.confidence, digits))
        content += `${cls} ${cols.join(' ')}\n`
      } else if (o.polygon) {
        const p = o.polygon
        const closed =
          p.length > 3 && p[0]!.x === p[p.length - 1]!.x && p[0]!.y === p[p.length - 1]!.y
        const pts = closed ? p.slice(0, -1) : p
        if (metric(o.custom_metrics, 'coco_part') !== undefined)
          lossy('one part of a polygon with several parts, written as a polygon of its own')
        content += `${cls} ${pts.map((q) => `${fmt(q.x / W, digits)} ${fmt(q.y / H, digits)}`).join(' ')}\n`
      } else if (o.mask_rle) lossy('a mask, which YOLO cannot hold; left out')
      else if (o.line) lossy('a polyline, which YOLO cannot hold; left out')
      else if (o.point) lossy('a point, which YOLO cannot hold; left out')
      else lossy('a mask without its RLE (export with rle); left out')
    }
    yield { path, content }
  }
  yield {
    path: 'data.yaml',
    content:
      `nc: ${names.length}\nnames:\n` +
      names.map((n, i) => `  ${i}: ${JSON.stringify(n)}\n`).join(''),
  }
}
