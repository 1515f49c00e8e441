/**
 * Per-object results at one IoU threshold: every prediction TP / FP (or ignored, when it lies in a
 * crowd region), every ground truth TP / FN, with the matched object and its IoU; per-class
 * precision, recall and F1; a confusion matrix with a background row and column.
 *
 * Two matching rules:
 * - `coco` (default): COCOeval's greedy rule. Predictions in descending confidence (ties in input
 *   order) each take the best still-free ground truth with IoU ≥ threshold. A prediction's match
 *   never depends on lower-scored ones, so raising the confidence threshold later only removes
 *   predictions and frees their ground truths: `metricsAtConfidence` recomputes exactly from the
 *   stored matches.
 * - `labelbox`: Labelbox Model's rule. All prediction × ground-truth pairs are ranked by IoU (not by
 *   confidence) and taken greedily one to one. With `strictIou` the pair needs IoU > threshold, as
 *   Labelbox's confusion matrix has it (`agreement > iou`), else ≥. Here a confidence change can
 *   change the pairing, so the slider's recomputation from stored matches is an approximation.
 *
 * `classwise` (default true) lets only objects of one class match; without it a prediction may match
 * a ground truth of another class (counted as FP for its class and FN for the other, and shown off
 * the diagonal of the confusion matrix). Crowd regions match only their own class.
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
import { matchGreedyByScore, objectIou, sortByScore } from './coco-eval.ts'

export type MatchingMethod = 'coco' | 'labelbox'

export interface MatchOptions {
  iouType: IouType
  iouThreshold: number
  /** predictions scored below are left out (default 0: keep all) */
  confidenceThreshold?: number
  method?: MatchingMethod
  classwise?: boolean
  /** `labelbox` only: IoU must exceed the threshold */
  strictIou?: boolean
}

/** `fp` also when matched to a ground truth of another class (`classwise: false`): see `matchCategoryId` */
export type PredictionStatus = 'tp' | 'fp' | 'ignored'
export type GroundTruthStatus = 'tp' | 'fn' | 'ignored'

export interface PredictionOutcome {
  /** index in the detections list given */
  index: number
  imageId: CocoId
  categoryId: CocoId
  score: number
  status: PredictionStatus
  /** the matched ground truth's index in `annotations`, or null */
  match: number | null
  matchCategoryId: CocoId | null
  iou: number | null
}

export interface GroundTruthOutcome {
  index: number
  imageId: CocoId
  categoryId: CocoId
  status: GroundTruthStatus
  match: number | null
  iou: number | null
}

export interface ClassMetrics {
  categoryId: CocoId
  tp: number
  fp: number
  fn: number
  /** 0 when undefined (no prediction, or no ground truth) */
  precision: number
  recall: number
  f1: number
}

export interface ConfusionMatrix {
  /** row and column labels: the categories, then `null` for background */
  labels: (CocoId | null)[]
  /** counts[groundTruthLabel][predictionLabel]; last row: unmatched predictions, last column: missed ground truths */
  counts: number[][]
}

export interface MatchResult {
  predictions: PredictionOutcome[]
  groundTruths: GroundTruthOutcome[]
  perClass: ClassMetrics[]
  confusion: ConfusionMatrix
}

export type MatchOutcome = { ok: true; result: MatchResult } | { ok: false; issues: Issue[] }

export function matchObjects(
  dataset: CocoDataset,
  detections: readonly CocoDetection[],
  options: MatchOptions,
): MatchOutcome {
  const prepared = prepareCocoSet(dataset, detections, options.iouType)
  if (!prepared.ok) return prepared
  return { ok: true, result: matchPrepared(prepared.set, options) }
}

/** `matchObjects` on input already prepared (by `prepareCocoSet`, with the same IoU type). */
export function matchPrepared(set: PreparedSet, options: MatchOptions): MatchResult {
  const confidence = options.confidenceThreshold ?? 0
  const classwise = options.classwise ?? true
  const method = options.method ?? 'coco'
  const K = set.categoryIds.length
  const groupOf = (o: PreparedObject) =>
    classwise ? o.imageIndex * K + o.categoryIndex : o.imageIndex
  const groups = new Map<number, { gts: PreparedObject[]; dts: PreparedObject[] }>()
  const group = (key: number) => {
    let found = groups.get(key)
    if (!found) groups.set(key, (found = { gts: [], dts: [] }))
    return found
  }
  for (const g of set.groundTruths) group(groupOf(g)).gts.push(g)
  for (const d of set.detections) if (d.score >= confidence) group(groupOf(d)).dts.push(d)

  const predictions: PredictionOutcome[] = []
  const groundTruths: GroundTruthOutcome[] = []
  const gtOutcome = new Map<number, GroundTruthOutcome>()
  for (const g of set.groundTruths) {
    const outcome: GroundTruthOutcome = {
      index: g.index,
      imageId: set.imageIds[g.imageIndex]!,
      categoryId: set.categoryIds[g.categoryIndex]!,
      status: g.crowd ? 'ignored' : 'fn',
      match: null,
      iou: null,
    }
    gtOutcome.set(g.index, outcome)
    groundTruths.push(outcome)
  }

  for (const { gts: unordered, dts: unsorted } of groups.values()) {
    const dts = sortByScore(unsorted)
    // crowd regions last, as COCOeval orders ignored ground truths
    const gts = [...unordered.filter((g) => !g.crowd), ...unordered.filter((g) => g.crowd)]
    const G = gts.length
    const ious = new Float64Array(dts.length * G)
    for (let d = 0; d < dts.length; d++)
      for (let g = 0; g < G; g++) {
        const truth = gts[g]!
        const sameClass = truth.categoryIndex === dts[d]!.categoryIndex
        ious[d * G + g] = truth.crowd && !sameClass ? 0 : objectIou(dts[d]!, truth, options.iouType)
      }
    const crowd = gts.map((g) => g.crowd)
    const match =
      method === 'coco'
        ? matchGreedyByScore(
            ious,
            dts.length,
            gts.map((_, g) => g),
            crowd,
            crowd,
            options.iouThreshold,
          )
        : matchGreedyByIou(
            ious,
            dts.length,
            crowd,
            options.iouThreshold,
            options.strictIou ?? false,
          )
    for (let d = 0; d < dts.length; d++) {
      const detection = dts[d]!
      const m = match[d]!
      const truth = m >= 0 ? gts[m]! : undefined
      const iou = truth ? ious[d * G + m]! : null
      predictions.push({
        index: detection.index,
        imageId: set.imageIds[detection.imageIndex]!,
        categoryId: set.categoryIds[detection.categoryIndex]!,
        score: detection.score,
        status:
          truth === undefined
            ? 'fp'
            : truth.crowd
              ? 'ignored'
              : truth.categoryIndex === detection.categoryIndex
                ? 'tp'
                : 'fp',
        match: truth?.index ?? null,
        matchCategoryId: truth ? set.categoryIds[truth.categoryIndex]! : null,
        iou,
      })
      if (truth && !truth.crowd) {
        const outcome = gtOutcome.get(truth.index)!
        // matched to another class (classwise: false): still missed, but the mix-up is recorded
        if (truth.categoryIndex === detection.categoryIndex) outcome.status = 'tp'
        outcome.match = detection.index
        outcome.iou = iou
      }
    }
  }
  predictions.sort((a, b) => a.index - b.index)
  const counts = groundTruthCounts(groundTruths)
  return {
    predictions,
    groundTruths,
    perClass: metricsAtConfidence(set.categoryIds, predictions, counts, confidence),
    confusion: confusionMatrix(set.categoryIds, predictions, groundTruths),
  }
}

/**
 * Labelbox's pairing: candidate pairs (IoU ≥ threshold, or > when strict) by descending IoU, ties
 * in prediction-then-truth order, taken one to one. Crowd regions take any number of predictions
 * left unpaired afterwards (they become ignored, not false positives).
 */
export function matchGreedyByIou(
  ious: Float64Array,
  detectionCount: number,
  crowd: readonly boolean[],
  threshold: number,
  strict: boolean,
): Int32Array {
  const G = crowd.length
  const pairs: number[] = []
  for (let d = 0; d < detectionCount; d++)
    for (let g = 0; g < G; g++) {
      if (crowd[g]) continue
      const iou = ious[d * G + g]!
      if (strict ? iou > threshold : iou >= threshold) pairs.push(d * G + g)
    }
  pairs.sort((a, b) => ious[b]! - ious[a]!)
  const match = new Int32Array(detectionCount).fill(-1)
  const taken = new Uint8Array(G)
  for (const pair of pairs) {
    const d = Math.floor(pair / G)
    const g = pair % G
    if (match[d] !== -1 || taken[g]) continue
    match[d] = g
    taken[g] = 1
  }
  for (let d = 0; d < detectionCount; d++) {
    if (match[d] !== -1) continue
    for (let g = 0; g < G; g++)
      if (crowd[g] && ious[d * G + g]! >= threshold) {
        match[d] = g
        break
      }
  }
  return match
}

/** Ground truths that count (not crowd regions), per category id key. */
export function groundTruthCounts(
  groundTruths: readonly GroundTruthOutcome[],
): Map<string, number> {
  const counts = new Map<string, number>()
  for (const g of groundTruths)
    if (g.status !== 'ignored')
      counts.set(String(g.categoryId), (counts.get(String(g.categoryId)) ?? 0) + 1)
  return counts
}

/** The fields of a stored prediction outcome the confidence slider needs. */
export interface ScoredOutcome {
  categoryId: CocoId
  score: number
  status: PredictionStatus
  matchCategoryId: CocoId | null
}

/**
 * Per-class TP / FP / FN, precision, recall and F1 keeping only predictions scored ≥ `confidence`,
 * from outcomes matched with every prediction (exact for the `coco` rule: see the file comment).
 */
export function metricsAtConfidence(
  categoryIds: readonly CocoId[],
  predictions: readonly ScoredOutcome[],
  groundTruthsPerCategory: ReadonlyMap<string, number>,
  confidence: number,
): ClassMetrics[] {
  const tp = new Map<string, number>()
  const fp = new Map<string, number>()
  const add = (map: Map<string, number>, key: CocoId) =>
    map.set(String(key), (map.get(String(key)) ?? 0) + 1)
  for (const p of predictions) {
    if (p.score < confidence || p.status === 'ignored') continue
    if (p.status === 'tp') add(tp, p.categoryId)
    else add(fp, p.categoryId)
  }
  return categoryIds.map((categoryId) => {
    const key = String(categoryId)
    const truePositives = tp.get(key) ?? 0
    const falsePositives = fp.get(key) ?? 0
    const falseNegatives = (groundTruthsPerCategory.get(key) ?? 0) - truePositives
    const precision =
      truePositives + falsePositives > 0 ? truePositives / (truePositives + falsePositives) : 0
    const recall =
      truePositives + falseNegatives > 0 ? truePositives / (truePositives + falseNegatives) : 0
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0
    return {
      categoryId,
      tp: truePositives,
      fp: falsePositives,
      fn: falseNegatives,
      precision,
      recall,
      f1,
    }
  })
}

/** Rows are ground-truth labels, columns predicted labels; the last of each is background. */
export function confusionMatrix(
  categoryIds: readonly CocoId[],
  predictions: readonly PredictionOutcome[],
  groundTruths: readonly GroundTruthOutcome[],
): ConfusionMatrix {
  const K = categoryIds.length
  const at = new Map(categoryIds.map((id, k) => [String(id), k]))
  const counts = Array.from({ length: K + 1 }, () => new Array<number>(K + 1).fill(0))
  for (const p of predictions) {
    if (p.status === 'ignored') continue
    const column = at.get(String(p.categoryId))!
    const row = p.matchCategoryId === null ? K : at.get(String(p.matchCategoryId))!
    counts[row]![column]!++
  }
  for (const g of groundTruths)
    if (g.status === 'fn' && g.match === null) counts[at.get(String(g.categoryId))!]![K]!++
  return { labels: [...categoryIds, null], counts }
}
