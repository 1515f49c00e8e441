/**
 * COCO panoptic, in and out (conventions: docs/formats.md#coco-panoptic).
 *
 * A panoptic file is a JSON (images, categories with `isthing`, one annotation per image with its
 * `file_name` PNG and `segments_info`) plus one PNG per image whose pixels hold segment ids as
 * `R + 256·G + 256²·B` (0: no segment). In: every segment becomes one mask line (COCO RLE over the
 * image, cut out of the PNG in one column-major walk); provenance in `customMetrics`
 * (`coco_id` = segment id, `coco_category_id`, `coco_iscrowd`, `coco_area`, `coco_bbox_*`,
 * `coco_isthing`). Out: the masks of a row are composed again into one PNG (each segment painted
 * with its id's color) and the JSON written after every PNG.
 * PNG decoding and encoding are given by the caller (sharp in `@labelport/formats/node`).
 */
import { checkRle, compressCounts, rleArea, rleBbox, type CustomMetric } from '@labelport/core'
import { JsonSyntaxError, streamJson } from './json-stream.ts'
import { readCocoCatalog } from './coco.ts'
import { cocoCategoryName } from './coco.ts'
import { metric, type FileSource, type FormatEvent, type FormatIssue } from './model.ts'
import { exportObjects, type ExportRowLike, type Layer } from './rows.ts'

/** A panoptic PNG as segment ids, row-major. */
export interface PanopticIds {
  width: number
  height: number
  ids: Uint32Array
}

export interface PanopticReadOptions {
  /** the segment-id PNG named by an annotation's `file_name`; throws when missing or unreadable */
  loadIds(fileName: string): Promise<PanopticIds>
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

/** Is this the start of a COCO panoptic file (annotations with `segments_info`)? */
export function detectCocoPanoptic(head: string): boolean {
  return head.trimStart().startsWith('{') && /"segments_info"\s*:/.test(head)
}

/** The segment id an RGB color of a panoptic PNG stands for. */
export function panopticId(r: number, g: number, b: number): number {
  return r + 256 * g + 65536 * b
}

/**
 * COCO RLE (column-major counts, first run background) of every segment id of the PNG at once.
 * Ids of `wanted` only; the pixel counts of other non-zero ids are returned in `stray`.
 */
export function panopticRles(
  png: PanopticIds,
  wanted: ReadonlySet<number>,
): { counts: Map<number, number[]>; stray: Map<number, number> } {
  const { width, height, ids } = png
  const counts = new Map<number, number[]>()
  const runEnd = new Map<number, number>()
  const stray = new Map<number, number>()
  for (const id of wanted) {
    counts.set(id, [])
    runEnd.set(id, 0)
  }
  let lastId = -1
  let last: number[] | undefined
  let p = 0
  for (let x = 0; x < width; x++)
    for (let index = x; index < ids.length; index += width, p++) {
      const id = ids[index]!
      if (id === 0) continue
      if (id !== lastId) {
        lastId = id
        last = counts.get(id)
      }
      if (last === undefined) {
        stray.set(id, (stray.get(id) ?? 0) + 1)
        continue
      }
      const end = runEnd.get(id)!
      if (end === p && last.length > 0) last[last.length - 1]!++
      else last.push(p - end, 1)
      runEnd.set(id, p + 1)
    }
  const total = width * height
  for (const [id, list] of counts) list.push(total - runEnd.get(id)!)
  return { counts, stray }
}

/** Reads a COCO panoptic JSON and its PNGs: images, one mask feature per category, mask lines. */
export async function* readCocoPanoptic(
  source: FileSource,
  opts: PanopticReadOptions,
): AsyncGenerator<FormatEvent> {
  const file = source.name
  const { catalog, issues } = await readCocoCatalog(source)
  for (const issue of issues) yield { type: 'issue', issue }
  if (issues.some((i) => i.code === 'format_syntax_invalid')) return
  const things = new Map<number, boolean>()
  for await (const batch of streamJson(source, ['categories']))
    for (const item of batch)
      if (isRecord(item.value) && finite(item.value.id))
        things.set(item.value.id, item.value.isthing === 1 || item.value.isthing === true)
  for (const image of catalog.images.values())
    yield {
      type: 'image',
      image: {
        globalKey: image.globalKey,
        width: image.width,
        height: image.height,
        source: { file, element: `images[id=${image.id}]` },
      },
    }
  for (const [id, name] of catalog.categories)
    yield { type: 'feature', feature: { name, tool: 'raster-segmentation', sourceId: id } }
  const issue = (
    code: FormatIssue['code'],
    element: string,
    message: string,
    warning = false,
  ): FormatEvent => ({
    type: 'issue',
    issue: {
      code,
      message: `${element}: ${message}`,
      source: { file, element },
      ...(warning ? { warning } : {}),
    },
  })
  try {
    for await (const batch of streamJson(source, ['annotations']))
      for (const item of batch) {
        const element = `annotations[${item.index}]`
        const ann = item.value
        if (!isRecord(ann) || !Array.isArray(ann.segments_info)) {
          yield issue(
            'format_element_invalid',
            element,
            'needs image_id, file_name and segments_info',
          )
          continue
        }
        const image = finite(ann.image_id) ? catalog.images.get(ann.image_id) : undefined
        if (!image) {
          yield issue(
            'format_image_unknown',
            element,
            `image_id ${JSON.stringify(ann.image_id)} is not among the images`,
          )
          continue
        }
        if (typeof ann.file_name !== 'string' || ann.file_name === '') {
          yield issue('format_element_invalid', element, 'file_name (the segment PNG) is missing')
          continue
        }
        let png: PanopticIds
        try {
          png = await opts.loadIds(ann.file_name)
        } catch (error) {
          yield issue(
            'format_element_invalid',
            element,
            `${ann.file_name} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
          )
          continue
        }
        if (
          (image.width !== null && png.width !== image.width) ||
          (image.height !== null && png.height !== image.height)
        ) {
          yield issue(
            'mask_size_mismatch',
            element,
            `${ann.file_name} is ${png.width}×${png.height}, the image ${image.width}×${image.height}`,
          )
          continue
        }
        const segments: { element: string; seg: Record<string, unknown>; id: number }[] = []
        const seen = new Set<number>()
        ann.segments_info.forEach((seg: unknown, j: number) => {
          segments.push({ element: `${element}.segments_info[${j}]`, seg: seg as never, id: -1 })
        })
        const valid: typeof segments = []
        for (const s of segments) {
          const seg: unknown = s.seg
          if (!isRecord(seg) || !Number.isSafeInteger(seg.id) || (seg.id as number) <= 0) {
            yield issue(
              'format_element_invalid',
              s.element,
              'a segment needs a positive integer id',
            )
            continue
          }
          if (seen.has(seg.id as number)) {
            yield issue(
              'format_element_invalid',
              s.element,
              `segment id ${String(seg.id)} appears twice`,
            )
            continue
          }
          seen.add(seg.id as number)
          if (!finite(seg.category_id) || !catalog.categories.has(seg.category_id)) {
            yield issue(
              'format_category_unknown',
              s.element,
              `category_id ${JSON.stringify(seg.category_id)} is not among the categories`,
            )
            continue
          }
          valid.push({ ...s, seg, id: seg.id as number })
        }
        const { counts, stray } = panopticRles(png, new Set(valid.map((s) => s.id)))
        for (const [id, pixels] of stray) {
          if (seen.has(id)) continue // listed, and refused above
          yield issue(
            'format_element_invalid',
            element,
            `${pixels} pixels of ${ann.file_name} have segment id ${id}, which segments_info does not list; left out`,
            true,
          )
        }
        for (const { seg, id, element: segElement } of valid) {
          const list = counts.get(id)!
          if (list.length <= 1) {
            yield issue(
              'format_element_invalid',
              segElement,
              `segment id ${id} has no pixels in ${ann.file_name}`,
            )
            continue
          }
          const categoryId = seg.category_id as number
          const metrics: CustomMetric[] = [
            { name: 'coco_id', value: id },
            { name: 'coco_category_id', value: categoryId },
            { name: 'coco_iscrowd', value: seg.iscrowd === 1 || seg.iscrowd === true ? 1 : 0 },
            { name: 'coco_isthing', value: things.get(categoryId) ? 1 : 0 },
          ]
          if (finite(seg.area)) metrics.push({ name: 'coco_area', value: seg.area })
          if (Array.isArray(seg.bbox) && seg.bbox.length === 4 && seg.bbox.every(finite)) {
            const [bx, by, bw, bh] = seg.bbox
            metrics.push(
              { name: 'coco_bbox_x', value: bx! },
              { name: 'coco_bbox_y', value: by! },
              { name: 'coco_bbox_w', value: bw! },
              { name: 'coco_bbox_h', value: bh! },
            )
          }
          yield {
            type: 'line',
            line: {
              line: {
                name: catalog.categories.get(categoryId)!,
                dataRow: { globalKey: image.globalKey },
                mask: { counts: compressCounts(list), size: [png.height, png.width] },
                customMetrics: metrics,
              },
              source: { file, element: segElement, annotationId: id },
            },
          }
        }
      }
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error
    yield {
      type: 'issue',
      issue: {
        code: 'format_syntax_invalid',
        message: `${file} is not valid JSON: ${error.message}`,
        source: { file },
      },
    }
  }
}

// ---------------------------------------------------------------------------------------------
// out

export interface PanopticWriteOptions {
  layer: Layer
  /** categories to declare (ids, `isthing`) even when no segment uses them */
  categories?: { id: number; name: string; isthing?: boolean }[]
  /** the JSON's path; the PNGs go to the folder of the same name without `.json` */
  jsonPath?: string
  /** encodes a row-major RGB image (3 bytes a pixel) as PNG */
  encodePng(rgb: Uint8Array, width: number, height: number): Promise<Uint8Array>
}

export interface PanopticFile {
  path: string
  content: string | Uint8Array
}

/** The PNG's name for an image's global key: the key with `.png` for its extension. */
export function panopticPngName(globalKey: string): string {
  return globalKey.replace(/\.[^./]*$/, '') + '.png'
}

/**
 * Writes one segment PNG per row that has masks, then the JSON. Boxes, polygons, lines and points
 * cannot be panoptic segments: they are left out and counted (`stats.skipped`); pixels claimed by
 * two masks go to the later one (`stats.overlaps` counts them).
 */
export async function* writeCocoPanoptic(
  rows: AsyncIterable<ExportRowLike> | Iterable<ExportRowLike>,
  opts: PanopticWriteOptions,
  stats = { segments: 0, skipped: 0, images: 0, overlaps: 0 },
): AsyncGenerator<PanopticFile> {
  const jsonPath = opts.jsonPath ?? 'annotations/panoptic.json'
  const pngDir = jsonPath.replace(/\.json$/i, '')
  const categoryIds = new Map<string, number>()
  const categories = new Map<number, { name: string; isthing: boolean }>()
  for (const c of opts.categories ?? []) {
    categoryIds.set(c.name, c.id)
    categories.set(c.id, { name: c.name, isthing: c.isthing ?? false })
  }
  let nextCategory = Math.max(0, ...categories.keys()) + 1
  const annotations: string[] = []
  const images: string[] = []
  let imageId = 0
  for await (const row of rows) {
    imageId++
    const globalKey = row.data_row.global_key ?? row.data_row.id
    const { width, height } = row.media_attributes
    images.push(
      `{"id":${imageId},"file_name":${JSON.stringify(globalKey)},"width":${width},"height":${height}}`,
    )
    stats.images++
    const masks = exportObjects(row, opts.layer).filter((o) => {
      if (o.mask_rle) return true
      stats.skipped++
      return false
    })
    if (masks.length === 0) continue
    const used = new Set<number>()
    for (const o of masks) {
      const id = metric(o.custom_metrics, 'coco_id')
      if (id !== undefined && Number.isSafeInteger(id) && id > 0 && id < 2 ** 24) used.add(id)
    }
    const rgb = new Uint8Array(width * height * 3)
    const owner = new Uint32Array(width * height)
    let nextId = 1
    const segments: string[] = []
    const taken = new Set<number>()
    for (const o of masks) {
      const m = o.custom_metrics
      let id = metric(m, 'coco_id')
      if (id === undefined || !used.has(id) || taken.has(id)) {
        while (used.has(nextId) || taken.has(nextId)) nextId++
        id = nextId
      }
      taken.add(id)
      const name = cocoCategoryName(o.name)
      let categoryId = metric(m, 'coco_category_id')
      if (categoryId === undefined) {
        categoryId = categoryIds.get(name)
        if (categoryId === undefined) {
          while (categories.has(nextCategory)) nextCategory++
          categoryId = nextCategory++
        }
      }
      if (!categories.has(categoryId))
        categories.set(categoryId, { name, isthing: metric(m, 'coco_isthing') === 1 })
      if (!categoryIds.has(name)) categoryIds.set(name, categoryId)
      const rle = o.mask_rle!
      const checked = checkRle({ counts: rle.counts, size: rle.size })
      if (!checked.ok || checked.width !== width || checked.height !== height) {
        stats.skipped++
        continue
      }
      const r = id & 255
      const g = (id >> 8) & 255
      const b = (id >> 16) & 255
      let position = 0
      const c = checked.counts
      for (let k = 0; k < c.length; k++) {
        if (k % 2 === 1)
          for (let q = position; q < position + c[k]!; q++) {
            const index = (q % height) * width + Math.floor(q / height)
            if (owner[index] !== 0) stats.overlaps++
            owner[index] = id
            rgb[3 * index] = r
            rgb[3 * index + 1] = g
            rgb[3 * index + 2] = b
          }
        position += c[k]!
      }
      const box = rleBbox(c, height)
      const bx = metric(m, 'coco_bbox_x')
      const bbox =
        bx === undefined
          ? [box.left, box.top, box.width, box.height]
          : [
              bx,
              metric(m, 'coco_bbox_y') ?? 0,
              metric(m, 'coco_bbox_w') ?? 0,
              metric(m, 'coco_bbox_h') ?? 0,
            ]
      const area = metric(m, 'coco_area') ?? rleArea(c)
      segments.push(
        `{"id":${id},"category_id":${categoryId},"area":${String(area)},"bbox":[${bbox.map(String).join(',')}],` +
          `"iscrowd":${metric(m, 'coco_iscrowd') === 1 ? 1 : 0}}`,
      )
      stats.segments++
    }
    const png = panopticPngName(globalKey)
    yield { path: `${pngDir}/${png}`, content: await opts.encodePng(rgb, width, height) }
    annotations.push(
      `{"image_id":${imageId},"file_name":${JSON.stringify(png)},"segments_info":[${segments.join(',')}]}`,
    )
  }
  const categoryList = [...categories]
    .sort((a, b) => a[0] - b[0])
    .map(
      ([id, c]) =>
        `{"id":${id},"name":${JSON.stringify(c.name)},"supercategory":"","isthing":${c.isthing ? 1 : 0}}`,
    )
  yield {
    path: jsonPath,
    content:
      `{"images":[${images.join(',')}],"annotations":[${annotations.join(',')}],` +
      `"categories":[${categoryList.join(',')}]}`,
  }
}
