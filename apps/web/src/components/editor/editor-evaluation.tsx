/**
 * The editor's evaluation overlay (issue 14, item 3): the project's latest finished evaluation
 * drawn over the editor canvas, predictions as TP / FP and labels as TP / FN with their matches,
 * and the confidence slider recomputing precision, recall and F1 from the stored matches. The data
 * and the drawing are the data-row view's (components/row-evaluation.tsx); here an SVG over the
 * canvas follows the editor's view transform, set on each frame without re-rendering React.
 */
import { useLayoutEffect, useMemo, useRef, useState } from 'react'
import type { MutableRefObject } from 'react'
import { api } from '@labelport/core'
import type { Evaluation } from '@labelport/core'
import { useClient } from '../../client-context.ts'
import { useAsync } from '../../use-async.ts'
import { ErrorNotice } from '../ui.tsx'
import {
  EvaluationBar,
  EvaluationLegend,
  EvaluationShapes,
  atConfidence,
  evaluationShapes,
  useEvaluationObjects,
} from '../row-evaluation.tsx'

export interface ViewTransformLike {
  scale: number
  offsetX: number
  offsetY: number
}

/** The SVG transform attribute of a view transform: screen = image × scale + offset. */
export function svgTransform(t: ViewTransformLike): string {
  return `translate(${t.offsetX} ${t.offsetY}) scale(${t.scale})`
}

export function EditorEvaluation({
  evaluation,
  projectId,
  dataRowId,
  transform,
  groupRef,
}: {
  evaluation: Evaluation
  projectId: string
  dataRowId: string
  /** the canvas's latest view transform */
  transform: MutableRefObject<ViewTransformLike | null>
  /** the page moves this group on each frame of the canvas */
  groupRef: MutableRefObject<SVGGElement | null>
}) {
  const client = useClient()
  const objects = useEvaluationObjects(evaluation.id, dataRowId)
  // evaluations refer to stored annotations (labels and pre-labels) by id
  const annotations = useAsync(
    (signal) => client.json(api.getDataRowAnnotations, { projectId, dataRowId }, undefined, signal),
    [client, projectId, dataRowId],
  )
  const [confidence, setConfidence] = useState(0)
  const shapes = useMemo(
    () => evaluationShapes(annotations.data?.annotations ?? [], objects.data ?? []),
    [annotations.data, objects.data],
  )
  const result = useMemo(
    () => atConfidence(objects.data ?? [], confidence),
    [objects.data, confidence],
  )
  const localGroup = useRef<SVGGElement | null>(null)
  useLayoutEffect(() => {
    groupRef.current = localGroup.current
    if (localGroup.current && transform.current)
      localGroup.current.setAttribute('transform', svgTransform(transform.current))
    return () => {
      groupRef.current = null
    }
  })
  const failure =
    objects.status === 'error' ? objects : annotations.status === 'error' ? annotations : null
  return (
    <>
      <svg
        className="lp-editor-evaluation"
        aria-label="TP, FP and FN of the evaluation"
        data-testid="editor-evaluation-overlay"
      >
        <g ref={localGroup}>
          <EvaluationShapes
            rows={result.rows}
            shapes={shapes}
            stroke={2}
            dash={8}
            testId="editor-evaluation"
          />
        </g>
      </svg>
      <div className="lp-editor-evaluation__bar" data-testid="editor-evaluation">
        {failure?.status === 'error' ? (
          <ErrorNotice error={failure.error} onRetry={failure.reload} />
        ) : objects.data && annotations.data ? (
          <EvaluationBar
            evaluation={evaluation}
            confidence={confidence}
            onConfidence={setConfidence}
            result={result}
            testId="editor-evaluation"
          />
        ) : (
          <span className="lp-small">Loading the evaluation of this row…</span>
        )}
      </div>
      {/* bottom left of the stage, as in the data-row view */}
      <EvaluationLegend testId="editor-evaluation" />
    </>
  )
}
