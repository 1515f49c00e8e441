/**
 * The evaluator's input, in COCO's own field names (`image_id`, `category_id`, `iscrowd`), so a
 * COCO ground-truth file and a COCO results file go in unchanged. Boxes are `[x, y, width, height]`
 * and polygons `[x0, y0, x1, y1, …]` in pixels of the image, origin top-left, x right, y down.
 */
import { z } from 'zod'
import { issue } from '@labelport/core'
import type { Issue, IssuePath } from '@labelport/core'
import { rleArea, rleFromCoco, rleFromBox, rleFromPolygon, rleToBox, rleUnion } from './mask-api.ts'
import type { Rle, Xywh } from './mask-api.ts'

const IdSchema = z.union([z.number(), z.string()])
/** Image and category ids may be numbers or strings; `"7"` and `7` are the same id. */
export type CocoId = z.infer<typeof IdSchema>

const BoxSchema = z.array(z.number()).length(4)
const RleSchema = z.object({
  counts: z.union([z.string(), z.array(z.number())]),
  size: z.array(z.number().int().positive()).length(2),
})
const SegmentationSchema = z.union([z.array(z.array(z.number())), RleSchema])
export type CocoSegmentation = z.infer<typeof SegmentationSchema>

export const CocoImageSchema = z.looseObject({
  id: IdSchema,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
})
export type CocoImage = z.infer<typeof CocoImageSchema>

export const CocoCategorySchema = z.looseObject({ id: IdSchema, name: z.string().optional() })
export type CocoCategory = z.infer<typeof CocoCategorySchema>

export const CocoGroundTruthSchema = z.looseObject({
  id: IdSchema.optional(),
  image_id: IdSchema,
  category_id: IdSchema,
  bbox: BoxSchema.optional(),
  segmentation: SegmentationSchema.optional(),
  /** COCOeval takes the area ranges from this stored value; computed from the shape when absent */
  area: z.number().optional(),
  iscrowd: z.union([z.number(), z.boolean()]).optional(),
})
export type CocoGroundTruth = z.infer<typeof CocoGroundTruthSchema>

export const CocoDatasetSchema = z.looseObject({
  images: z.array(CocoImageSchema),
  categories: z.array(CocoCategorySchema),
  annotations: z.array(CocoGroundTruthSchema),
})
export type CocoDataset = z.infer<typeof CocoDatasetSchema>

export const CocoDetectionSchema = z.looseObject({
  id: IdSchema.optional(),
  image_id: IdSchema,
  category_id: IdSchema,
  score: z.number(),
  bbox: BoxSchema.optional(),
  segmentation: SegmentationSchema.optional(),
})
export type CocoDetection = z.infer<typeof CocoDetectionSchema>
export const CocoResultsSchema = z.array(CocoDetectionSchema)

export type IouType = 'bbox' | 'segm'

/** One object ready for matching: its image and category as indexes, its box and (segm) mask. */
export interface PreparedObject {
  /** index in the input list */
  index: number
  imageIndex: number
  categoryIndex: number
  box: Xywh
  /** the area the ranges are tested on (stored for ground truth, computed as loadRes does for detections) */
  area: number
  crowd: boolean
  score: number
  mask: Rle | undefined
  maskBox: Xywh | undefined
}

/** The key ids are compared by: numbers and their decimal strings are one id. */
export function idKey(id: CocoId): string {
  return typeof id === 'number' ? String(id) : id
}

/** Ascending like Python's `sorted` on numbers, strings (not numbers) after them in code-point order. */
export function compareIds(a: CocoId, b: CocoId): number {
  const na = typeof a === 'number' ? a : Number(a)
  const nb = typeof b === 'number' ? b : Number(b)
  const aNumeric = a !== '' && Number.isFinite(na)
  const bNumeric = b !== '' && Number.isFinite(nb)
  if (aNumeric && bNumeric) return na - nb
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1
  const sa = String(a)
  const sb = String(b)
  return sa < sb ? -1 : sa > sb ? 1 : 0
}

/**
 * pycocotools' `annToRLE` / `frPyObjects`: polygons are rasterized one by one and united; a
 * "polygon" of exactly four numbers is read as a box, as pycocotools does.
 */
export function segmentationToRle(
  segmentation: CocoSegmentation,
  height: number,
  width: number,
  path: IssuePath,
): { ok: true; mask: Rle } | { ok: false; issue: Issue } {
  if (Array.isArray(segmentation)) {
    const parts: Rle[] = []
    for (const [i, polygon] of segmentation.entries()) {
      if (polygon.length === 4) {
        const [x, y, w, h] = polygon as [number, number, number, number]
        parts.push(rleFromBox([x, y, w, h], height, width))
      } else if (polygon.length >= 6 && polygon.length % 2 === 0)
        parts.push(rleFromPolygon(polygon, height, width))
      else
        return {
          ok: false,
          issue: issue(
            'polygon_too_few_points',
            'a polygon needs an even number of coordinates, at least 3 points',
            [...path, i],
          ),
        }
    }
    if (parts.length === 0)
      return {
        ok: false,
        issue: issue('polygon_too_few_points', 'segmentation has no polygon', path),
      }
    return { ok: true, mask: rleUnion(parts) }
  }
  const [h, w] = segmentation.size as [number, number]
  const mask = rleFromCoco(segmentation.counts, h, w)
  if (mask === undefined)
    return {
      ok: false,
      issue: issue('mask_rle_invalid', 'RLE counts do not add up to its size', [...path, 'counts']),
    }
  return { ok: true, mask }
}

export interface PreparedSet {
  imageIds: CocoId[]
  categoryIds: CocoId[]
  groundTruths: PreparedObject[]
  detections: PreparedObject[]
}

/**
 * Validates and indexes both sides. Objects on images or categories not in the dataset are left
 * out, as COCOeval leaves them out. Detections get what `loadRes` gives them: `area` = box area
 * when a box is given, else mask area; `iscrowd` 0.
 */
export function prepareCocoSet(
  dataset: CocoDataset,
  detections: readonly CocoDetection[],
  iouType: IouType,
): { ok: true; set: PreparedSet } | { ok: false; issues: Issue[] } {
  const issues: Issue[] = []
  const images = [...dataset.images].sort((a, b) => compareIds(a.id, b.id))
  const imageIndex = new Map<string, number>()
  const uniqueImages: CocoImage[] = []
  for (const image of images) {
    if (imageIndex.has(idKey(image.id))) continue
    imageIndex.set(idKey(image.id), uniqueImages.length)
    uniqueImages.push(image)
  }
  const categoryIds = [...new Map(dataset.categories.map((c) => [idKey(c.id), c.id])).values()]
  categoryIds.sort(compareIds)
  const categoryIndex = new Map(categoryIds.map((id, i) => [idKey(id), i]))

  const prepare = (
    object: CocoGroundTruth | CocoDetection,
    index: number,
    side: 'annotations' | 'detections',
  ): PreparedObject | undefined => {
    const imageAt = imageIndex.get(idKey(object.image_id))
    const categoryAt = categoryIndex.get(idKey(object.category_id))
    if (imageAt === undefined || categoryAt === undefined) return undefined
    const image = uniqueImages[imageAt]!
    const path: IssuePath = [side, index]
    let mask: Rle | undefined
    if (iouType === 'segm') {
      let segmentation = object.segmentation
      if (segmentation === undefined && object.bbox !== undefined) {
        // loadRes gives a box result the polygon of its corners
        const [x, y, w, h] = object.bbox as [number, number, number, number]
        segmentation = [[x, y, x, y + h, x + w, y + h, x + w, y]]
      }
      if (segmentation === undefined) {
        issues.push(
          issue('field_invalid', 'a mask evaluation needs a segmentation or a bbox', path),
        )
        return undefined
      }
      const converted = segmentationToRle(segmentation, image.height, image.width, [
        ...path,
        'segmentation',
      ])
      if (!converted.ok) {
        issues.push(converted.issue)
        return undefined
      }
      mask = converted.mask
    }
    let box: Xywh
    if (object.bbox !== undefined) box = object.bbox as unknown as Xywh
    else if (mask !== undefined) box = rleToBox(mask)
    else {
      issues.push(issue('field_invalid', 'a box evaluation needs a bbox', [...path, 'bbox']))
      return undefined
    }
    const isDetection = side === 'detections'
    const detection = object as CocoDetection
    const truth = object as CocoGroundTruth
    let area: number
    if (isDetection) area = object.bbox !== undefined ? box[2] * box[3] : rleArea(mask!)
    else area = truth.area ?? (mask !== undefined ? rleArea(mask) : box[2] * box[3])
    const score = isDetection ? detection.score : 0
    return {
      index,
      imageIndex: imageAt,
      categoryIndex: categoryAt,
      box,
      area,
      crowd:
        !isDetection &&
        (truth.iscrowd === true || (typeof truth.iscrowd === 'number' && truth.iscrowd !== 0)),
      score,
      mask,
      maskBox: mask === undefined ? undefined : rleToBox(mask),
    }
  }

  const groundTruths: PreparedObject[] = []
  for (const [i, object] of dataset.annotations.entries()) {
    const prepared = prepare(object, i, 'annotations')
    if (prepared) groundTruths.push(prepared)
  }
  const prepared: PreparedObject[] = []
  for (const [i, object] of detections.entries()) {
    const found = prepare(object, i, 'detections')
    if (found) prepared.push(found)
  }
  if (issues.length > 0) return { ok: false, issues }
  return {
    ok: true,
    set: {
      imageIds: uniqueImages.map((image) => image.id),
      categoryIds,
      groundTruths,
      detections: prepared,
    },
  }
}
