/** Name, uuid, confidence and nested classifications of one object or relationship. */
import type { AnswerRecord, ClassificationRecord } from '@labelport/core'
import type { SceneObject, SceneRelationship } from './scene.ts'

export const TOOL_LABELS: Record<string, string> = {
  rectangle: 'Bounding box',
  polygon: 'Polygon',
  line: 'Polyline',
  point: 'Point',
  'raster-segmentation': 'Mask',
  edge: 'Relationship',
}

export const LAYER_LABELS = { prelabel: 'Pre-label (MAL)', label: 'Ground truth' } as const

export function formatConfidence(confidence: number | undefined): string {
  return confidence === undefined ? '—' : confidence.toFixed(2)
}

export function AnnotationDetails({
  item,
  compact = false,
}: {
  item: SceneObject | SceneRelationship
  compact?: boolean
}) {
  const isObject = 'geometry' in item
  return (
    <div className="lp-details" data-testid="annotation-details" data-annotation-id={item.id}>
      <div className="lp-details__title">
        <span className="lp-swatch" style={{ background: item.color }} />
        <strong>{item.name}</strong>
        <span className="lp-details__kind">
          {isObject ? TOOL_LABELS[item.tool] : 'Relationship'}
        </span>
      </div>
      <dl className="lp-details__fields">
        <dt>Layer</dt>
        <dd>{LAYER_LABELS[item.layer]}</dd>
        <dt>UUID</dt>
        <dd className="lp-mono">{item.uuid}</dd>
        {isObject && (
          <>
            <dt>Confidence</dt>
            <dd>{formatConfidence(item.confidence)}</dd>
          </>
        )}
        {!isObject && (
          <>
            <dt>From → to</dt>
            <dd>
              {item.source?.name ?? <em>missing {item.record.source}</em>}{' '}
              {item.bidirectional ? '↔' : '→'}{' '}
              {item.target?.name ?? <em>missing {item.record.target}</em>}
            </dd>
          </>
        )}
        {isObject && !compact && <GeometrySummary object={item} />}
      </dl>
      {isObject && item.classifications.length > 0 && (
        <ClassificationTree classifications={item.classifications} />
      )}
    </div>
  )
}

function GeometrySummary({ object }: { object: SceneObject }) {
  const g = object.geometry
  const r = (n: number) => Math.round(n * 10) / 10
  let text: string
  switch (g.type) {
    case 'bbox':
      text = `left ${r(g.box.left)}, top ${r(g.box.top)}, ${r(g.box.width)} × ${r(g.box.height)}`
      break
    case 'polygon':
      text = `${g.points.length} vertices`
      break
    case 'line':
      text = `${g.points.length} points`
      break
    case 'point':
      text = `x ${r(g.point.x)}, y ${r(g.point.y)}`
      break
    case 'mask':
      text = `${g.area.toLocaleString()} px in ${r(g.box.width)} × ${r(g.box.height)}`
      break
  }
  return (
    <>
      <dt>Geometry</dt>
      <dd>{text}</dd>
    </>
  )
}

/** Classifications with their answers, nested to any depth. */
export function ClassificationTree({
  classifications,
}: {
  classifications: readonly ClassificationRecord[]
}) {
  return (
    <ul className="lp-ctree">
      {classifications.map((c, i) => (
        <li key={`${c.featureSchemaId}-${i}`}>
          <span className="lp-ctree__question">{c.name}</span>
          {c.type === 'text' ? (
            <span className="lp-ctree__answer">“{c.text}”</span>
          ) : (
            <Answers answers={c.type === 'radio' ? [c.answer] : c.answers} />
          )}
          {c.confidence !== undefined && (
            <span className="lp-ctree__confidence">{formatConfidence(c.confidence)}</span>
          )}
        </li>
      ))}
    </ul>
  )
}

function Answers({ answers }: { answers: readonly AnswerRecord[] }) {
  return (
    <ul className="lp-ctree__answers">
      {answers.map((a, i) => (
        <li key={`${a.featureSchemaId}-${i}`}>
          <span className="lp-ctree__answer">{a.name}</span>
          {a.confidence !== undefined && (
            <span className="lp-ctree__confidence">{formatConfidence(a.confidence)}</span>
          )}
          {a.classifications.length > 0 && (
            <ClassificationTree classifications={a.classifications} />
          )}
        </li>
      ))}
    </ul>
  )
}
