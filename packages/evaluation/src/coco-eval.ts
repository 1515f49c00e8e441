/**
 * COCOeval (pycocotools `cocoeval.py`) for boxes and masks, ported rule for rule: stable sorts by
 * score, `min(t, 1 − 1e−10)`, the crowd rule, area ranges tested on the stored ground-truth area
 * (inclusive at both ends), `maxDets`, 101-point interpolation with 0 past the last recall, and the
 * 12 summary statistics. Matches are tracked by position, so a ground truth with id 0 counts as
 * matched (pycocotools would count its detection as a false positive because it stores ids).
 */
import type { Issue } from '@labelport/core'
import { prepareCocoSet } from './coco-input.ts'
import type {
  CocoDataset,
  CocoDetection,
  CocoId,
  IouType,
  PreparedObject,
  PreparedSet,
} from './coco-input.ts'
import { boxIou, maskIou } from './mask-api.ts'
import { linspace, meanOfPresent } from './numpy-compat.ts'

export interface AreaRange {
  label: string
  min: number
  max: number
}

export interface CocoEvalParams {
  iouType: IouType
  iouThresholds: number[]
  recallThresholds: number[]
  maxDets: number[]
  areaRanges: AreaRange[]
}

export const DEFAULT_AREA_RANGES: AreaRange[] = [
  { label: 'all', min: 0, max: 1e10 },
  { label: 'small', min: 0, max: 32 ** 2 },
  { label: 'medium', min: 32 ** 2, max: 96 ** 2 },
  { label: 'large', min: 96 ** 2, max: 1e10 },
]

export function defaultCocoParams(iouType: IouType): CocoEvalParams {
  return {
    iouType,
    iouThresholds: linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
    recallThresholds: linspace(0, 1, Math.round((1 - 0) / 0.01) + 1),
    maxDets: [1, 10, 100],
    areaRanges: DEFAULT_AREA_RANGES,
  }
}

/** The names of the 12 statistics, in pycocotools' order. */
export const COCO_STAT_NAMES = [
  'AP',
  'AP50',
  'AP75',
  'APsmall',
  'APmedium',
  'APlarge',
  'AR1',
  'AR10',
  'AR100',
  'ARsmall',
  'ARmedium',
  'ARlarge',
] as const

export interface CategoryMetrics {
  categoryId: CocoId
  /** AP@[.5:.95], area all, most detections; −1 without ground truth */
  ap: number
  ap50: number
  ap75: number
  ar: number
  groundTruths: number
  detections: number
}

export interface CocoEvalResult {
  params: CocoEvalParams
  imageIds: CocoId[]
  categoryIds: CocoId[]
  /** `precision[t][r][k][a][m]` flattened in that (C) order; −1 where absent */
  precision: Float64Array
  /** `recall[t][k][a][m]` flattened in that order */
  recall: Float64Array
  /** dimensions [T, R, K, A, M] */
  shape: [number, number, number, number, number]
  /** AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl */
  stats: number[]
  perCategory: CategoryMetrics[]
}

/** One image × category × area range, as `evaluateImg` leaves it (only what accumulate reads). */
interface ImageEvaluation {
  scores: Float64Array
  /** [t * D + d]: 1 when detection d matched at threshold t */
  matched: Uint8Array
  ignored: Uint8Array
  /** ground truths not ignored */
  counted: number
}

export type CocoEvalOutcome = { ok: true; result: CocoEvalResult } | { ok: false; issues: Issue[] }

/** COCOeval from COCO-shaped input: a ground-truth dataset and a results list. */
export function evaluateCoco(
  dataset: CocoDataset,
  detections: readonly CocoDetection[],
  params: CocoEvalParams | IouType = 'bbox',
): CocoEvalOutcome {
  const resolved = typeof params === 'string' ? defaultCocoParams(params) : params
  const prepared = prepareCocoSet(dataset, detections, resolved.iouType)
  if (!prepared.ok) return prepared
  return { ok: true, result: evaluatePrepared(prepared.set, resolved) }
}

/** Ground truths and detections of one image and category, each in input order. */
export interface Cell {
  groundTruths: PreparedObject[]
  detections: PreparedObject[]
}

/** Groups by image × category (key `imageIndex * K + categoryIndex`), each list in input order. */
export function groupCells(set: PreparedSet): Map<number, Cell> {
  const K = set.categoryIds.length
  const cells = new Map<number, Cell>()
  const cell = (o: PreparedObject): Cell => {
    const key = o.imageIndex * K + o.categoryIndex
    let found = cells.get(key)
    if (!found) {
      found = { groundTruths: [], detections: [] }
      cells.set(key, found)
    }
    return found
  }
  for (const g of set.groundTruths) cell(g).groundTruths.push(g)
  for (const d of set.detections) cell(d).detections.push(d)
  return cells
}

/** Detections by descending score, ties in input order (numpy's mergesort is stable). */
export function sortByScore(detections: readonly PreparedObject[]): PreparedObject[] {
  return [...detections].sort((a, b) => b.score - a.score)
}

/** IoU of one detection with one ground truth, by box or by mask (crowd: over the detection). */
export function objectIou(d: PreparedObject, g: PreparedObject, iouType: IouType): number {
  if (iouType === 'bbox') return boxIou(d.box, g.box, g.crowd)
  return maskIou(d.mask!, g.mask!, g.crowd, d.maskBox, g.maskBox)
}

/** `computeIoU`: [D × G] row-major, detections in the order given. */
export function iouMatrix(
  detections: readonly PreparedObject[],
  groundTruths: readonly PreparedObject[],
  iouType: IouType,
): Float64Array {
  const G = groundTruths.length
  const out = new Float64Array(detections.length * G)
  for (let d = 0; d < detections.length; d++)
    for (let g = 0; g < G; g++)
      out[d * G + g] = objectIou(detections[d]!, groundTruths[g]!, iouType)
  return out
}

/**
 * COCOeval's greedy matching of one image and category at one IoU threshold: each detection in
 * score order takes the best still-free ground truth with IoU ≥ t; crowds can take many; once a
 * detection holds a counted ground truth it stops at the first ignored one. Returns, per
 * detection, the position of its ground truth or −1.
 */
export function matchGreedyByScore(
  ious: Float64Array,
  detectionCount: number,
  gtOrder: readonly number[],
  gtIgnored: readonly boolean[],
  gtCrowd: readonly boolean[],
  threshold: number,
  /** scratch space to reuse (at least detectionCount / G long); allocated when absent */
  match: Int32Array = new Int32Array(detectionCount),
  gtTaken: Uint8Array = new Uint8Array(gtIgnored.length),
): Int32Array {
  const G = gtOrder.length
  const fullG = gtIgnored.length
  match.fill(-1, 0, detectionCount)
  gtTaken.fill(0, 0, fullG)
  for (let d = 0; d < detectionCount; d++) {
    let best = Math.min(threshold, 1 - 1e-10)
    let m = -1
    for (let position = 0; position < G; position++) {
      const g = gtOrder[position]!
      if (gtTaken[g] && !gtCrowd[g]) continue
      if (m > -1 && !gtIgnored[m] && gtIgnored[g]) break
      const iou = ious[d * fullG + g]!
      if (iou < best) continue
      best = iou
      m = g
    }
    if (m === -1) continue
    match[d] = m
    gtTaken[m] = 1
  }
  return match
}

export function evaluatePrepared(set: PreparedSet, params: CocoEvalParams): CocoEvalResult {
  const T = params.iouThresholds.length
  const R = params.recallThresholds.length
  const K = set.categoryIds.length
  const A = params.areaRanges.length
  const M = params.maxDets.length
  const I = set.imageIds.length
  const maxDet = params.maxDets[M - 1] ?? 100
  const cells = groupCells(set)
  // evalImgs[(k * A + a) * I + i]
  const evaluations: (ImageEvaluation | undefined)[] = new Array<ImageEvaluation | undefined>(
    K * A * I,
  )
  const groundTruthCount = new Array<number>(K).fill(0)
  const detectionCount = new Array<number>(K).fill(0)
  for (const [key, cell] of cells) {
    const i = Math.floor(key / K)
    const k = key % K
    const gts = cell.groundTruths
    const dts = sortByScore(cell.detections).slice(0, maxDet)
    groundTruthCount[k]! += gts.filter((g) => !g.crowd).length
    detectionCount[k]! += dts.length
    const D = dts.length
    const G = gts.length
    const ious = D > 0 && G > 0 ? iouMatrix(dts, gts, params.iouType) : new Float64Array(0)
    const gtCrowd = gts.map((g) => g.crowd)
    const scores = Float64Array.from(dts, (d) => d.score)
    const match = new Int32Array(D)
    const taken = new Uint8Array(G)
    for (let a = 0; a < A; a++) {
      const range = params.areaRanges[a]!
      const gtIgnored = gts.map((g) => g.crowd || g.area < range.min || g.area > range.max)
      // stable: counted ground truths first, each group in input order
      const gtOrder: number[] = []
      let counted = 0
      for (let g = 0; g < G; g++) if (!gtIgnored[g]) gtOrder.push(g)
      counted = gtOrder.length
      for (let g = 0; g < G; g++) if (gtIgnored[g]) gtOrder.push(g)
      const matched = new Uint8Array(T * D)
      const ignored = new Uint8Array(T * D)
      if (D > 0 && G > 0) {
        for (let t = 0; t < T; t++) {
          matchGreedyByScore(
            ious,
            D,
            gtOrder,
            gtIgnored,
            gtCrowd,
            params.iouThresholds[t]!,
            match,
            taken,
          )
          for (let d = 0; d < D; d++) {
            const m = match[d]!
            if (m === -1) continue
            matched[t * D + d] = 1
            ignored[t * D + d] = gtIgnored[m] ? 1 : 0
          }
        }
      }
      for (let d = 0; d < D; d++) {
        const area = dts[d]!.area
        if (area < range.min || area > range.max)
          for (let t = 0; t < T; t++) if (!matched[t * D + d]) ignored[t * D + d] = 1
      }
      evaluations[(k * A + a) * I + i] = { scores, matched, ignored, counted }
    }
  }

  const precision = new Float64Array(T * R * K * A * M).fill(-1)
  const recall = new Float64Array(T * K * A * M).fill(-1)
  const eps = 2.220446049250313e-16 // np.spacing(1)
  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      const present: ImageEvaluation[] = []
      for (let i = 0; i < I; i++) {
        const e = evaluations[(k * A + a) * I + i]
        if (e) present.push(e)
      }
      if (present.length === 0) continue
      let npig = 0
      for (const e of present) npig += e.counted
      if (npig === 0) continue
      for (let m = 0; m < M; m++) {
        const cap = params.maxDets[m]!
        // concatenate each image's first `cap` detections in image order, then sort stably
        const owner: number[] = []
        const position: number[] = []
        const scores: number[] = []
        for (let e = 0; e < present.length; e++) {
          const n = Math.min(cap, present[e]!.scores.length)
          for (let d = 0; d < n; d++) {
            owner.push(e)
            position.push(d)
            scores.push(present[e]!.scores[d]!)
          }
        }
        const order = scores.map((_, j) => j)
        order.sort((x, y) => scores[y]! - scores[x]!)
        const nd = order.length
        const rc = new Float64Array(nd)
        const pr = new Float64Array(nd)
        for (let t = 0; t < T; t++) {
          let tp = 0
          let fp = 0
          for (let j = 0; j < nd; j++) {
            const e = present[owner[order[j]!]!]!
            const D = e.scores.length
            const d = position[order[j]!]!
            if (!e.ignored[t * D + d]) {
              if (e.matched[t * D + d]) tp++
              else fp++
            }
            rc[j] = tp / npig
            pr[j] = tp / (fp + tp + eps)
          }
          recall[((t * K + k) * A + a) * M + m] = nd > 0 ? rc[nd - 1]! : 0
          for (let j = nd - 1; j > 0; j--) if (pr[j]! > pr[j - 1]!) pr[j - 1] = pr[j]!
          let pointer = 0
          for (let r = 0; r < R; r++) {
            const threshold = params.recallThresholds[r]!
            while (pointer < nd && rc[pointer]! < threshold) pointer++
            const at = (((t * R + r) * K + k) * A + a) * M + m
            precision[at] = pointer < nd ? pr[pointer]! : 0
          }
        }
      }
    }
  }

  const shape: [number, number, number, number, number] = [T, R, K, A, M]
  const result: CocoEvalResult = {
    params,
    imageIds: set.imageIds,
    categoryIds: set.categoryIds,
    precision,
    recall,
    shape,
    stats: [],
    perCategory: [],
  }
  result.stats = summarizeCoco(result)
  const all = params.areaRanges.findIndex((range) => range.label === 'all')
  result.perCategory = set.categoryIds.map((categoryId, k) => ({
    categoryId,
    ap: all < 0 ? -1 : meanOfPresent(precisionSlice(result, undefined, k, all, M - 1)),
    ap50: all < 0 ? -1 : meanOfPresent(precisionSlice(result, 0.5, k, all, M - 1)),
    ap75: all < 0 ? -1 : meanOfPresent(precisionSlice(result, 0.75, k, all, M - 1)),
    ar: all < 0 ? -1 : meanOfPresent(recallSlice(result, undefined, k, all, M - 1)),
    groundTruths: groundTruthCount[k]!,
    detections: detectionCount[k]!,
  }))
  return result
}

/** precision[t?, :, k?, a, m] in C order (t, r, k), as numpy's boolean indexing flattens it. */
function precisionSlice(
  result: CocoEvalResult,
  iouThreshold: number | undefined,
  k: number | undefined,
  a: number,
  m: number,
): number[] {
  const [T, R, K, A, M] = result.shape
  const out: number[] = []
  for (let t = 0; t < T; t++) {
    if (iouThreshold !== undefined && result.params.iouThresholds[t] !== iouThreshold) continue
    for (let r = 0; r < R; r++)
      for (let kk = 0; kk < K; kk++)
        if (k === undefined || kk === k)
          out.push(result.precision[(((t * R + r) * K + kk) * A + a) * M + m]!)
  }
  return out
}

function recallSlice(
  result: CocoEvalResult,
  iouThreshold: number | undefined,
  k: number | undefined,
  a: number,
  m: number,
): number[] {
  const [T, , K, A, M] = result.shape
  const out: number[] = []
  for (let t = 0; t < T; t++) {
    if (iouThreshold !== undefined && result.params.iouThresholds[t] !== iouThreshold) continue
    for (let kk = 0; kk < K; kk++)
      if (k === undefined || kk === k) out.push(result.recall[((t * K + kk) * A + a) * M + m]!)
  }
  return out
}

/** `summarize()`: the 12 statistics; −1 where no cell has a value. */
export function summarizeCoco(result: CocoEvalResult): number[] {
  const { params } = result
  const cell = (
    ap: boolean,
    iouThreshold: number | undefined,
    areaLabel: string,
    maxDets: number | undefined,
  ): number => {
    const a = params.areaRanges.findIndex((range) => range.label === areaLabel)
    const m = params.maxDets.findIndex((value) => value === maxDets)
    if (a < 0 || m < 0) return -1
    return meanOfPresent(
      ap
        ? precisionSlice(result, iouThreshold, undefined, a, m)
        : recallSlice(result, iouThreshold, undefined, a, m),
    )
  }
  const [m0, m1, m2] = params.maxDets
  return [
    cell(true, undefined, 'all', m2),
    cell(true, 0.5, 'all', m2),
    cell(true, 0.75, 'all', m2),
    cell(true, undefined, 'small', m2),
    cell(true, undefined, 'medium', m2),
    cell(true, undefined, 'large', m2),
    cell(false, undefined, 'all', m0),
    cell(false, undefined, 'all', m1),
    cell(false, undefined, 'all', m2),
    cell(false, undefined, 'small', m2),
    cell(false, undefined, 'medium', m2),
    cell(false, undefined, 'large', m2),
  ]
}
