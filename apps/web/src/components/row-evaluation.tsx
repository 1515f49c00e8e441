/**
 * The data-row view's evaluation mode (issue 14, item 3): the project's latest finished evaluation
 * drawn on this row, predictions as TP / FP and labels as TP / FN with a line joining each match,
 * and a confidence slider that recomputes precision, recall and F1 here from the stored matches
 * (a prediction under the threshold is dropped; the label it matched becomes a FN). The editor
 * draws the same data over its canvas (components/editor/editor-evaluation.tsx) with the parts
 * exported here: the stored objects, their shapes, the bar, the SVG shapes and the legend.
 */
import { useMemo, useState } from 'react'
import type { Dispatch, SetStateAction } from 'react'
import { api } from '@labelport/core'
import type { AnnotationRecord, Evaluation, EvaluationObject } from '@labelport/core'
import { useClient } from '../client-context.ts'
import { useAsync } from '../use-async.ts'
import { href } from '../router.ts'
import { ErrorNotice, Loading } from './ui.tsx'

/** TP green, FP red, FN orange (as on the evaluation pages) */
export const COLORS = { tp: '#1a9850', fp: '#d73027', fn: '#f28e2b', ignored: '#888888' }

/** A shape's outline in image pixels: boxes, polygons; a mask by its bounding box. */
function outline(record: AnnotationRecord): [number, number][] | null {
  if (record.kind !== 'object') return null
  const g = record.geometry
  const box = (left: number, top: number, width: number, height: number): [number, number][] => [
    [left, top],
    [left + width, top],
    [left + width, top + height],
    [left, top + height],
  ]
  switch (g.type) {
    case 'bbox':
      return box(g.left, g.top, g.width, g.height)
    case 'polygon':
      return g.points.map((p) => [p.x, p.y])
    case 'mask':
      return box(g.bbox.left, g.bbox.top, g.bbox.width, g.bbox.height)
    case 'line':
    case 'point':
      return null
  }
}

function centre(points: [number, number][]): [number, number] {
  const xs = points.map((p) => p[0])
  const ys = points.map((p) => p[1])
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2]
}

export interface RowObject {
  object: EvaluationObject
  /** the status at the chosen confidence */
  status: EvaluationObject['status']
  visible: boolean
}

/** Statuses at a confidence threshold, from the matches stored at confidence 0. */
export function atConfidence(objects: readonly EvaluationObject[], confidence: number) {
  const kept = new Set(
    objects
      .filter((o) => o.layer === 'prelabel' && (o.score ?? 1) >= confidence)
      .map((o) => o.annotationId),
  )
  const rows: RowObject[] = objects.map((o) => {
    if (o.layer === 'prelabel')
      return { object: o, status: o.status, visible: kept.has(o.annotationId) }
    const matched =
      o.status === 'tp' && o.matchAnnotationId !== null && kept.has(o.matchAnnotationId)
    return {
      object: o,
      status: o.status === 'ignored' ? 'ignored' : matched ? 'tp' : 'fn',
      visible: true,
    }
  })
  let tp = 0
  let fp = 0
  let fn = 0
  for (const r of rows) {
    if (!r.visible) continue
    if (r.object.layer === 'prelabel') {
      if (r.status === 'tp') tp++
      else if (r.status === 'fp') fp++
    } else if (r.status === 'fn') fn++
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0
  return { rows, tp, fp, fn, precision, recall, f1 }
}

/** The stored per-object results of an evaluation on one data row (matches at confidence 0). */
export function useEvaluationObjects(evaluationId: string, dataRowId: string) {
  const client = useClient()
  return useAsync(
    async (signal) => {
      const objects: EvaluationObject[] = []
      let cursor: string | undefined
      do {
        const page = await client.json(
          api.listEvaluationObjects,
          { evaluationId },
          { dataRowId, limit: 10000, cursor },
          signal,
        )
        objects.push(...page.items)
        cursor = page.nextCursor ?? undefined
      } while (cursor !== undefined)
      return objects
    },
    [client, evaluationId, dataRowId],
  )
}

export type EvaluationShapeMap = Map<string, { points: [number, number][]; name: string }>

/** Each evaluated object's outline (image pixels), by annotation id. */
export function evaluationShapes(
  annotations: readonly { id: string; record: unknown }[],
  objects: readonly EvaluationObject[],
): EvaluationShapeMap {
  const records = new Map(annotations.map((a) => [a.id, a.record as AnnotationRecord]))
  const out: EvaluationShapeMap = new Map()
  for (const o of objects) {
    const record = records.get(o.annotationId)
    const points = record ? outline(record) : null
    if (record && points)
      out.set(o.annotationId, { points, name: record.kind === 'object' ? record.name : '' })
  }
  return out
}

/** The evaluation's name, the confidence slider and the metrics at that confidence. */
export function EvaluationBar({
  evaluation,
  confidence,
  onConfidence,
  result,
  testId,
}: {
  evaluation: Evaluation
  confidence: number
  onConfidence: Dispatch<SetStateAction<number>>
  result: ReturnType<typeof atConfidence>
  /** data-testid prefix: `row-evaluation` in the data-row view, `editor-evaluation` in the editor */
  testId: string
}) {
  return (
    <div className="lp-toolbar lp-row-evaluation__bar">
      <span className="lp-small">
        <a href={href.evaluation(evaluation.id)}>{evaluation.name}</a> · IoU{' '}
        {evaluation.params.iouThreshold}
      </span>
      <label className="lp-confidence">
        Confidence ≥ <strong>{confidence.toFixed(2)}</strong>
        <input
          type="range"
          min={0}
          max={1}
          step={0.01}
          value={confidence}
          onChange={(e) => onConfidence(Number(e.target.value))}
          aria-label="Evaluation confidence threshold"
          data-testid={`${testId}-confidence`}
        />
      </label>
      <span className="lp-small" data-testid={`${testId}-metrics`}>
        TP <strong data-metric="tp">{result.tp}</strong> · FP{' '}
        <strong data-metric="fp">{result.fp}</strong> · FN{' '}
        <strong data-metric="fn">{result.fn}</strong> · precision{' '}
        <strong data-metric="precision">{result.precision.toFixed(3)}</strong> · recall{' '}
        <strong data-metric="recall">{result.recall.toFixed(3)}</strong> · F1{' '}
        <strong data-metric="f1">{result.f1.toFixed(3)}</strong>
      </span>
    </div>
  )
}

/**
 * The shapes as SVG: each visible object outlined in its status color (pre-labels dashed) and a
 * line joining each TP pre-label to its label. Coordinates are image pixels; strokes do not scale.
 */
export function EvaluationShapes({
  rows,
  shapes,
  stroke,
  dash,
  testId,
}: {
  rows: readonly RowObject[]
  shapes: EvaluationShapeMap
  /** stroke width, screen pixels */
  stroke: number
  /** dash length of pre-labels, screen pixels */
  dash: number
  testId: string
}) {
  const drawn = rows.filter((r) => r.visible && shapes.has(r.object.annotationId))
  return (
    <>
      {drawn.map(({ object: o, status }) => (
        <polygon
          key={o.annotationId}
          points={shapes
            .get(o.annotationId)!
            .points.map((p) => p.join(','))
            .join(' ')}
          fill="none"
          stroke={COLORS[status]}
          strokeWidth={stroke}
          strokeDasharray={o.layer === 'prelabel' ? `${dash}` : undefined}
          vectorEffect="non-scaling-stroke"
          data-testid={`${testId}-shape`}
          data-status={status}
          data-layer={o.layer}
          data-annotation-id={o.annotationId}
        >
          <title>
            {shapes.get(o.annotationId)!.name}: {status.toUpperCase()}
            {o.iou !== null ? ` IoU ${o.iou.toFixed(3)}` : ''}
            {o.score !== null && o.layer === 'prelabel' ? ` confidence ${o.score.toFixed(2)}` : ''}
          </title>
        </polygon>
      ))}
      {drawn
        .filter((r) => r.object.layer === 'prelabel' && r.status === 'tp')
        .map(({ object: o }) => {
          const self = shapes.get(o.annotationId)
          const other = o.matchAnnotationId ? shapes.get(o.matchAnnotationId) : undefined
          if (!self || !other) return null
          const [x1, y1] = centre(self.points)
          const [x2, y2] = centre(other.points)
          return (
            <line
              key={`m-${o.annotationId}`}
              x1={x1}
              y1={y1}
              x2={x2}
              y2={y2}
              stroke={COLORS.tp}
              strokeWidth={stroke}
              vectorEffect="non-scaling-stroke"
              data-testid={`${testId}-match`}
            />
          )
        })}
    </>
  )
}

export function EvaluationLegend({ testId }: { testId: string }) {
  return (
    <div className="lp-legend" data-testid={`${testId}-legend`}>
      <span style={{ color: COLORS.tp }}>■ TP (matched)</span>
      <span style={{ color: COLORS.fp }}>■ FP (pre-label, no match)</span>
      <span style={{ color: COLORS.fn }}>■ FN (label, missed)</span>
      <span className="lp-muted">labels solid · pre-labels dashed · a line joins each match</span>
    </div>
  )
}

export function RowEvaluation({
  evaluation,
  dataRowId,
  annotations,
  width,
  height,
}: {
  evaluation: Evaluation
  dataRowId: string
  annotations: readonly { id: string; record: unknown }[]
  width: number
  height: number
}) {
  const client = useClient()
  const objects = useEvaluationObjects(evaluation.id, dataRowId)
  const image = useAsync(
    async (signal) =>
      URL.createObjectURL(await client.blob(api.getDataRowImage, { dataRowId }, undefined, signal)),
    [client, dataRowId],
  )
  const [confidence, setConfidence] = useState(0)
  const shapes = useMemo(
    () => evaluationShapes(annotations, objects.data ?? []),
    [annotations, objects.data],
  )
  const result = useMemo(
    () => atConfidence(objects.data ?? [], confidence),
    [objects.data, confidence],
  )
  if (objects.status === 'error')
    return <ErrorNotice error={objects.error} onRetry={objects.reload} />
  if (image.status === 'error') return <ErrorNotice error={image.error} onRetry={image.reload} />
  if (!objects.data || !image.data) return <Loading what="evaluation of this row" />
  return (
    <div className="lp-row-evaluation" data-testid="row-evaluation">
      <EvaluationBar
        evaluation={evaluation}
        confidence={confidence}
        onConfidence={setConfidence}
        result={result}
        testId="row-evaluation"
      />
      <div className="lp-row-evaluation__stage" data-testid="row-evaluation-canvas">
        {/* the image (object-fit: contain) and the drawing (meet) letterbox alike, so they align */}
        <div className="lp-row-evaluation__frame">
          <img src={image.data} alt="" />
          <svg
            viewBox={`0 0 ${width} ${height}`}
            preserveAspectRatio="xMidYMid meet"
            aria-label="TP, FP and FN of the evaluation"
          >
            <EvaluationShapes
              rows={result.rows}
              shapes={shapes}
              stroke={Math.max(2, width / 300)}
              dash={width / 80}
              testId="row-evaluation"
            />
          </svg>
        </div>
      </div>
      <EvaluationLegend testId="row-evaluation" />
    </div>
  )
}
