// Over 500 lines: this format's reader and writer stay in one module, so its conventions are written once.
/**
 * COCO instances and COCO results, in and out (conventions: docs/formats.md#coco).
 *
 * In: two streaming passes over the file. The first reads `images`, `categories` and, of each
 * annotation, only its category and whether its segmentation is a polygon or an RLE (to propose
 * one tool per feature); the second turns each annotation into NDJSON object lines. Memory holds
 * the image and category tables only.
 * Provenance travels in the lines' `customMetrics` (`coco_id`, `coco_category_id`, `coco_iscrowd`,
 * `coco_area`, `coco_bbox_*`, `coco_part`, `coco_rle_uncompressed`), so export re-emits the ids,
 * the crowd flag, the area and the box verbatim.
 */
import { checkRle, compressCounts, parseCompressedCounts, type CustomMetric } from '@labelport/core'
import { JsonSyntaxError, Nested, streamJson } from './json-stream.ts'
import {
  metric,
  type FileSource,
  type FormatEvent,
  type FormatIssue,
  type ProposedFeature,
  type ProposedTool,
  type SourceLocation,
} from './model.ts'
import { exportObjects, type ExportRowLike, type Layer } from './rows.ts'

export interface CocoImage {
  id: number
  globalKey: string
  width: number | null
  height: number | null
}

/** The tables of an instances file: what a results file refers to. */
export interface CocoCatalog {
  images: Map<number, CocoImage>
  categories: Map<number, string>
}

type SegKind = 'polygon' | 'rle' | 'box'

const MASK_SUFFIX = ' (mask)'
const BOX_SUFFIX = ' (box)'

/** The feature name a category gets for one kind of geometry (docs/formats.md#coco). */
export function cocoFeatureName(
  category: string,
  kind: SegKind,
  kinds: ReadonlySet<SegKind>,
): string {
  if (kinds.size <= 1 || kind === 'polygon') return category
  if (kind === 'rle') return kinds.has('polygon') ? category + MASK_SUFFIX : category
  return kinds.has('polygon') || kinds.has('rle') ? category + BOX_SUFFIX : category
}

/** The category a feature name stands for (the suffix of a second tool removed). */
export function cocoCategoryName(featureName: string): string {
  for (const suffix of [MASK_SUFFIX, BOX_SUFFIX])
    if (featureName.endsWith(suffix)) return featureName.slice(0, -suffix.length)
  return featureName
}

const TOOL: Record<SegKind, ProposedTool> = {
  polygon: 'polygon',
  rle: 'raster-segmentation',
  box: 'rectangle',
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}
function positiveInt(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) > 0
}

function syntaxIssue(file: string, error: unknown): FormatIssue {
  return {
    code: 'format_syntax_invalid',
    message: `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    source: { file },
  }
}

/** Is this text the start of a COCO instances file (an object with images/annotations/categories)? */
export function detectCoco(head: string): 'coco' | 'coco-results' | null {
  const text = head.trimStart()
  if (text.startsWith('{') && /"(images|annotations|categories)"\s*:/.test(text)) {
    if (/"(images|annotations|categories)"\s*:\s*\[/.test(text)) return 'coco'
  }
  if (text.startsWith('[') && /"image_id"\s*:/.test(text) && /"score"\s*:/.test(text))
    return 'coco-results'
  return null
}

/**
 * Pass 1: images, categories and the kinds of geometry each category uses.
 * Issues: duplicate or malformed images and categories.
 */
export async function readCocoCatalog(
  source: FileSource,
): Promise<{ catalog: CocoCatalog; kinds: Map<number, Set<SegKind>>; issues: FormatIssue[] }> {
  const images = new Map<number, CocoImage>()
  const categories = new Map<number, string>()
  const kinds = new Map<number, Set<SegKind>>()
  const issues: FormatIssue[] = []
  const file = source.name
  try {
    for await (const batch of streamJson(source, ['images', 'categories', 'annotations'], {
      shallow: ['annotations'],
      shallowKeys: ['category_id', 'segmentation'],
    })) {
      for (const item of batch) {
        if (item.member === 'annotations') {
          // only the category and the kind of geometry (not parsed), to propose one tool per feature
          const ann = item.value
          if (!isRecord(ann) || !finite(ann.category_id)) continue
          const seg = ann.segmentation
          const kind: SegKind =
            seg instanceof Nested
              ? seg.kind === 'object'
                ? 'rle'
                : seg.empty
                  ? 'box'
                  : 'polygon'
              : 'box'
          let set = kinds.get(ann.category_id)
          if (!set) kinds.set(ann.category_id, (set = new Set()))
          set.add(kind)
          continue
        }
        const element = `${item.member}[${item.index}]`
        const v = item.value
        if (item.member === 'images') {
          if (
            !isRecord(v) ||
            !finite(v.id) ||
            typeof v.file_name !== 'string' ||
            v.file_name === ''
          ) {
            issues.push({
              code: 'format_element_invalid',
              message: `${element} needs a numeric id and a file_name`,
              source: { file, element },
            })
            continue
          }
          if (images.has(v.id)) {
            issues.push({
              code: 'format_element_invalid',
              message: `${element}: image id ${v.id} appears twice; the first one is kept`,
              source: { file, element },
            })
            continue
          }
          images.set(v.id, {
            id: v.id,
            globalKey: v.file_name,
            width: positiveInt(v.width) ? v.width : null,
            height: positiveInt(v.height) ? v.height : null,
          })
        } else if (item.member === 'categories') {
          if (!isRecord(v) || !finite(v.id) || typeof v.name !== 'string' || v.name === '') {
            issues.push({
              code: 'format_element_invalid',
              message: `${element} needs a numeric id and a name`,
              source: { file, element },
            })
            continue
          }
          if (categories.has(v.id)) {
            issues.push({
              code: 'format_element_invalid',
              message: `${element}: category id ${v.id} appears twice; the first one is kept`,
              source: { file, element },
            })
            continue
          }
          categories.set(v.id, v.name)
        }
      }
    }
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error
    issues.push(syntaxIssue(file, error))
  }
  return { catalog: { images, categories }, kinds, issues }
}

/** One COCO `segmentation` + `bbox` as NDJSON geometry (without name and data row). */
type Geometry =
  | { kind: 'box'; bbox: { left: number; top: number; width: number; height: number } }
  | { kind: 'polygon'; parts: { x: number; y: number }[][] }
  | { kind: 'rle'; counts: string; size: [number, number]; uncompressed: boolean }

function readGeometry(
  ann: Record<string, unknown>,
  image: CocoImage,
): { ok: true; geometry: Geometry } | { ok: false; message: string; mismatch?: boolean } {
  const seg = ann.segmentation
  if (Array.isArray(seg) && seg.length > 0) {
    const parts: { x: number; y: number }[][] = []
    for (let p = 0; p < seg.length; p++) {
      const part: unknown = seg[p]
      if (!Array.isArray(part) || part.length < 6 || part.length % 2 !== 0)
        return {
          ok: false,
          message: `segmentation[${p}] must be a list of at least 3 x, y pairs`,
        }
      const points: { x: number; y: number }[] = []
      for (let i = 0; i < part.length; i += 2) {
        const x: unknown = part[i]
        const y: unknown = part[i + 1]
        if (!finite(x) || !finite(y))
          return { ok: false, message: `segmentation[${p}][${i}] is not a finite number` }
        points.push({ x, y })
      }
      parts.push(points)
    }
    return { ok: true, geometry: { kind: 'polygon', parts } }
  }
  if (isRecord(seg)) {
    const counts = seg.counts
    const size = seg.size
    if (!Array.isArray(size) || (typeof counts !== 'string' && !Array.isArray(counts)))
      return { ok: false, message: 'segmentation must be polygons or an RLE {size, counts}' }
    const checked = checkRle({ counts: counts as string | number[], size: size as number[] })
    if (!checked.ok) return { ok: false, message: `segmentation: ${checked.issue.message}` }
    if (
      image.height !== null &&
      image.width !== null &&
      (checked.height !== image.height || checked.width !== image.width)
    )
      return {
        ok: false,
        mismatch: true,
        message: `RLE size [${checked.height}, ${checked.width}] does not match the image (${image.height}×${image.width}, [height, width])`,
      }
    return {
      ok: true,
      geometry: {
        kind: 'rle',
        counts: typeof counts === 'string' ? counts : compressCounts(checked.counts),
        size: [checked.height, checked.width],
        uncompressed: typeof counts !== 'string',
      },
    }
  }
  const bbox = ann.bbox
  if (Array.isArray(bbox) && bbox.length === 4 && bbox.every(finite)) {
    const [left, top, width, height] = bbox as [number, number, number, number]
    return { ok: true, geometry: { kind: 'box', bbox: { left, top, width, height } } }
  }
  return { ok: false, message: 'the annotation has neither a segmentation nor a bbox [x, y, w, h]' }
}

function annotationLines(
  ann: unknown,
  element: string,
  file: string,
  catalog: CocoCatalog,
  kinds: Map<number, Set<SegKind>>,
  results: boolean,
): FormatEvent[] {
  const source: SourceLocation = { file, element }
  const fail = (code: FormatIssue['code'], message: string): FormatEvent[] => [
    { type: 'issue', issue: { code, message: `${element}: ${message}`, source } },
  ]
  if (!isRecord(ann)) return fail('format_element_invalid', 'an annotation must be an object')
  if (finite(ann.id)) source.annotationId = ann.id
  const image = finite(ann.image_id) ? catalog.images.get(ann.image_id) : undefined
  if (!image)
    return fail(
      'format_image_unknown',
      `image_id ${JSON.stringify(ann.image_id)} is not among the images`,
    )
  const categoryId = ann.category_id
  const category = finite(categoryId) ? catalog.categories.get(categoryId) : undefined
  if (category === undefined || !finite(categoryId))
    return fail(
      'format_category_unknown',
      `category_id ${JSON.stringify(categoryId)} is not among the categories`,
    )
  const read = readGeometry(ann, image)
  if (!read.ok)
    return fail(read.mismatch ? 'mask_size_mismatch' : 'format_element_invalid', read.message)
  const geometry = read.geometry
  const metrics: CustomMetric[] = []
  if (finite(ann.id)) metrics.push({ name: 'coco_id', value: ann.id })
  metrics.push({ name: 'coco_category_id', value: categoryId })
  if (!results) {
    metrics.push({ name: 'coco_iscrowd', value: ann.iscrowd === 1 || ann.iscrowd === true ? 1 : 0 })
    if (finite(ann.area)) metrics.push({ name: 'coco_area', value: ann.area })
  }
  if (
    geometry.kind !== 'box' &&
    Array.isArray(ann.bbox) &&
    ann.bbox.length === 4 &&
    ann.bbox.every(finite)
  ) {
    const [x, y, w, h] = ann.bbox
    metrics.push(
      { name: 'coco_bbox_x', value: x! },
      { name: 'coco_bbox_y', value: y! },
      { name: 'coco_bbox_w', value: w! },
      { name: 'coco_bbox_h', value: h! },
    )
  }
  const score = ann.score
  if (results && !finite(score))
    return fail('format_element_invalid', 'a result needs a numeric score')
  const name = cocoFeatureName(
    category,
    geometry.kind,
    kinds.get(categoryId) ?? new Set([geometry.kind]),
  )
  const base = {
    name,
    dataRow: { globalKey: image.globalKey },
    ...(results ? { confidence: score as number } : {}),
  }
  switch (geometry.kind) {
    case 'box':
      return [
        {
          type: 'line',
          line: { line: { ...base, bbox: geometry.bbox, customMetrics: metrics }, source },
        },
      ]
    case 'rle':
      if (geometry.uncompressed) metrics.push({ name: 'coco_rle_uncompressed', value: 1 })
      return [
        {
          type: 'line',
          line: {
            line: {
              ...base,
              mask: { counts: geometry.counts, size: geometry.size },
              customMetrics: metrics,
            },
            source,
          },
        },
      ]
    case 'polygon':
      return geometry.parts.map((points, part) => ({
        type: 'line' as const,
        line: {
          line: {
            ...base,
            polygon: points,
            customMetrics:
              geometry.parts.length > 1
                ? [...metrics, { name: 'coco_part', value: part }]
                : metrics,
          },
          source: part === 0 ? source : { ...source, element: `${element}.segmentation[${part}]` },
        },
      }))
  }
}

function proposedFeatures(
  catalog: CocoCatalog,
  kinds: Map<number, Set<SegKind>>,
): ProposedFeature[] {
  const out: ProposedFeature[] = []
  const seen = new Set<string>()
  for (const [id, category] of catalog.categories) {
    const used = kinds.get(id) ?? new Set<SegKind>(['polygon'])
    for (const kind of (['polygon', 'rle', 'box'] as const).filter((k) => used.has(k))) {
      const name = cocoFeatureName(category, kind, used)
      if (seen.has(name)) continue
      seen.add(name)
      out.push({ name, tool: TOOL[kind], sourceId: id })
    }
  }
  return out
}

/** Reads a COCO instances file: images, proposed features, then the object lines. */
export async function* readCoco(source: FileSource): AsyncGenerator<FormatEvent> {
  const { catalog, kinds, issues } = await readCocoCatalog(source)
  for (const issue of issues) yield { type: 'issue', issue }
  if (issues.some((i) => i.code === 'format_syntax_invalid')) return
  for (const image of catalog.images.values())
    yield {
      type: 'image',
      image: {
        globalKey: image.globalKey,
        width: image.width,
        height: image.height,
        source: { file: source.name, element: `images[id=${image.id}]` },
      },
    }
  for (const feature of proposedFeatures(catalog, kinds)) yield { type: 'feature', feature }
  try {
    for await (const batch of streamJson(source, ['annotations']))
      for (const item of batch)
        yield* annotationLines(
          item.value,
          `annotations[${item.index}]`,
          source.name,
          catalog,
          kinds,
          false,
        )
  } catch (error) {
    // the first pass does not parse inside annotations: a malformed one stops the second here
    if (!(error instanceof JsonSyntaxError)) throw error
    yield { type: 'issue', issue: syntaxIssue(source.name, error) }
  }
}

/**
 * Reads a COCO results file (a bare list of detections with `score`) as pre-labels with
 * `confidence = score`, resolving image and category ids through the instances file's catalog.
 * The evaluation package reads detections through this function.
 */
export async function* readCocoResults(
  source: FileSource,
  catalog: CocoCatalog,
): AsyncGenerator<FormatEvent> {
  // results name one geometry kind per category as the instances file would propose it
  const kinds = new Map<number, Set<SegKind>>()
  try {
    for await (const batch of streamJson(source, null))
      for (const item of batch) {
        const ann = item.value
        if (isRecord(ann) && finite(ann.category_id) && !kinds.has(ann.category_id)) {
          const seg = ann.segmentation
          kinds.set(
            ann.category_id,
            new Set([
              isRecord(seg) ? 'rle' : Array.isArray(seg) && seg.length > 0 ? 'polygon' : 'box',
            ]),
          )
        }
        yield* annotationLines(ann, `[${item.index}]`, source.name, catalog, kinds, true)
      }
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error
    yield { type: 'issue', issue: syntaxIssue(source.name, error) }
  }
}

// ---------------------------------------------------------------------------------------------
// out

export interface CocoWriteOptions {
  layer: Layer
  /** categories to declare (with their ids) even when no object uses them */
  categories?: { id: number; name: string }[]
  /** write a results list (`score` from confidence) instead of an instances file */
  results?: boolean
}

/** Annotations without a kept `coco_id` are numbered from here, so they never meet kept ids. */
export const NEW_COCO_ID_BASE = 1_000_000_000

function num(n: number): string {
  return String(n)
}

function polygonFlat(points: readonly { x: number; y: number }[]): string {
  // NDJSON polygons are closed on import (last point = first); COCO's are not
  const n =
    points.length > 3 &&
    points[0]!.x === points[points.length - 1]!.x &&
    points[0]!.y === points[points.length - 1]!.y
      ? points.length - 1
      : points.length
  let out = ''
  for (let i = 0; i < n; i++)
    out += (i > 0 ? ',' : '') + num(points[i]!.x) + ',' + num(points[i]!.y)
  return '[' + out + ']'
}

function bboxOf(points: readonly { x: number; y: number }[]): [number, number, number, number] {
  let x0 = Infinity
  let y0 = Infinity
  let x1 = -Infinity
  let y1 = -Infinity
  for (const p of points) {
    x0 = Math.min(x0, p.x)
    y0 = Math.min(y0, p.y)
    x1 = Math.max(x1, p.x)
    y1 = Math.max(y1, p.y)
  }
  return [x0, y0, x1 - x0, y1 - y0]
}

/** Shoelace area of the parts (used only when the imported `area` is not kept). */
function polygonArea(parts: readonly (readonly { x: number; y: number }[])[]): number {
  let total = 0
  for (const pts of parts) {
    let a = 0
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i]!
      const q = pts[(i + 1) % pts.length]!
      a += p.x * q.y - q.x * p.y
    }
    total += Math.abs(a) / 2
  }
  return total
}

/**
 * Streams a COCO file (text chunks) from export v2 rows. Annotations are written as they come;
 * images and categories (small) are written after them. Objects a COCO file cannot hold
 * (lines, points) are skipped and counted in `skipped`.
 */
export async function* writeCoco(
  rows: AsyncIterable<ExportRowLike> | Iterable<ExportRowLike>,
  opts: CocoWriteOptions,
  stats: { annotations: number; skipped: number; images: number } = {
    annotations: 0,
    skipped: 0,
    images: 0,
  },
): AsyncGenerator<string> {
  const categoryIds = new Map<string, number>()
  const categoryNames = new Map<number, string>()
  for (const c of opts.categories ?? []) {
    categoryIds.set(c.name, c.id)
    categoryNames.set(c.id, c.name)
  }
  let nextCategory = Math.max(0, ...categoryNames.keys()) + 1
  let nextId = NEW_COCO_ID_BASE
  const images: string[] = []
  let imageIndex = 0
  let first = true
  // rows' texts gathered into chunks of about 1 MB: a write per row costs more than the row
  let pending = opts.results ? '[' : '{"annotations":['
  for await (const row of rows) {
    imageIndex++
    const imageId = imageIndex
    const globalKey = row.data_row.global_key ?? row.data_row.id
    images.push(
      `{"id":${imageId},"file_name":${JSON.stringify(globalKey)},"width":${row.media_attributes.width},"height":${row.media_attributes.height}}`,
    )
    // consecutive parts of one multi-part polygon share coco_id
    const objects = exportObjects(row, opts.layer)
    let chunk = ''
    for (let i = 0; i < objects.length; i++) {
      const o = objects[i]!
      const m = o.custom_metrics
      const kind = o.polygon ? 'polygon' : o.mask_rle ? 'rle' : o.bounding_box ? 'box' : null
      if (kind === null) {
        stats.skipped++
        continue
      }
      const categoryName = cocoCategoryName(o.name)
      let categoryId = metric(m, 'coco_category_id')
      if (categoryId === undefined) {
        categoryId = categoryIds.get(categoryName)
        if (categoryId === undefined) {
          while (categoryNames.has(nextCategory)) nextCategory++
          categoryId = nextCategory++
        }
      }
      if (!categoryNames.has(categoryId)) categoryNames.set(categoryId, categoryName)
      if (!categoryIds.has(categoryName)) categoryIds.set(categoryName, categoryId)
      const cocoId = metric(m, 'coco_id')
      let segmentation: string
      let bbox: [number, number, number, number]
      let area: number
      if (kind === 'polygon') {
        const parts = [o.polygon!]
        while (
          cocoId !== undefined &&
          i + 1 < objects.length &&
          objects[i + 1]!.polygon &&
          metric(objects[i + 1]!.custom_metrics, 'coco_id') === cocoId &&
          (metric(objects[i + 1]!.custom_metrics, 'coco_part') ?? 0) > 0
        )
          parts.push(objects[++i]!.polygon!)
        const open = parts.map((p) =>
          p.length > 3 && p[0]!.x === p[p.length - 1]!.x && p[0]!.y === p[p.length - 1]!.y
            ? p.slice(0, -1)
            : p,
        )
        segmentation = '[' + parts.map(polygonFlat).join(',') + ']'
        bbox = bboxOf(open.flat())
        area = polygonArea(open)
      } else if (kind === 'rle') {
        const rle = o.mask_rle!
        segmentation =
          metric(m, 'coco_rle_uncompressed') === 1
            ? `{"size":[${rle.size[0]},${rle.size[1]}],"counts":${JSON.stringify(uncompressed(rle.counts))}}`
            : `{"size":[${rle.size[0]},${rle.size[1]}],"counts":${JSON.stringify(rle.counts)}}`
        const b = rle.bounding_box
        bbox = [b.left, b.top, b.width, b.height]
        area = rle.area
      } else {
        const b = o.bounding_box!
        segmentation = '[]'
        bbox = [b.left, b.top, b.width, b.height]
        area = b.width * b.height
      }
      const bx = metric(m, 'coco_bbox_x')
      if (kind !== 'box' && bx !== undefined)
        bbox = [
          bx,
          metric(m, 'coco_bbox_y') ?? 0,
          metric(m, 'coco_bbox_w') ?? 0,
          metric(m, 'coco_bbox_h') ?? 0,
        ]
      area = metric(m, 'coco_area') ?? area
      const id = cocoId ?? nextId++
      const bboxText = `[${bbox.map(num).join(',')}]`
      const text = opts.results
        ? `{"image_id":${imageId},"category_id":${categoryId},` +
          (kind === 'box' ? '' : `"segmentation":${segmentation},`) +
          `"bbox":${bboxText},"score":${num(o.confidence ?? 1)}}`
        : `{"id":${id},"image_id":${imageId},"category_id":${categoryId},"segmentation":${segmentation},` +
          `"area":${num(area)},"bbox":${bboxText},"iscrowd":${metric(m, 'coco_iscrowd') === 1 ? 1 : 0}}`
      chunk += (first ? '' : ',') + text
      first = false
      stats.annotations++
    }
    pending += chunk
    if (pending.length >= 1 << 20) {
      yield pending
      pending = ''
    }
  }
  stats.images = images.length
  if (opts.results) {
    yield pending + ']'
    return
  }
  yield pending + '],"images":['
  for (let i = 0; i < images.length; i += 1000)
    yield (i > 0 ? ',' : '') + images.slice(i, i + 1000).join(',')
  const categories = [...categoryNames].sort((a, b) => a[0] - b[0])
  yield (
    '],"categories":[' +
    categories
      .map(([id, name]) => `{"id":${id},"name":${JSON.stringify(name)},"supercategory":""}`)
      .join(',') +
    ']}'
  )
}

function uncompressed(counts: string): number[] {
  // the compressed string was checked on import, so it decodes
  const parsed = parseCompressedCounts(counts)
  return parsed.ok ? parsed.counts : []
}
