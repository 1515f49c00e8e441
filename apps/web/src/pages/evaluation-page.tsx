// Over 500 lines: the Metrics tab, one evaluation and its object browser share their loaders and filters.
/**
 * Model evaluations (issue 14): the project's Metrics tab (run one, list them), one evaluation's
 * metrics (COCO statistics; per class with a confidence slider recomputed here from the stored
 * matches; the confusion matrix, whose cells lead to their examples; data rows sortable by FN, FP
 * or lowest IoU), and one data row with its pre-labels drawn as TP / FP and labels as TP / FN.
 */
import { useMemo, useState } from 'react'
import { api } from '@labelport/core'
import type {
  AnnotationRecord,
  Evaluation,
  EvaluationDataRow,
  EvaluationObject,
} from '@labelport/core'
import { metricsAtConfidence } from '@labelport/evaluation'
import type { ApiClient } from '../api-client.ts'
import { useClient } from '../client-context.ts'
import { useAsync } from '../use-async.ts'
import { href } from '../router.ts'
import {
  AsyncStatus,
  Empty,
  ErrorNotice,
  Loading,
  PageHeader,
  formatDate,
} from '../components/ui.tsx'

const STAT_LABELS = [
  'AP @[.50:.95]',
  'AP @.50',
  'AP @.75',
  'AP small',
  'AP medium',
  'AP large',
  'AR @1',
  'AR @10',
  'AR @100',
  'AR small',
  'AR medium',
  'AR large',
]
const fixed = (value: number) => (value < 0 ? '–' : value.toFixed(3))
/** TP green, FP red, FN orange: one palette for the tables and the drawing */
export const STATUS_COLORS = { tp: '#1a9850', fp: '#d73027', fn: '#f28e2b', ignored: '#888888' }

async function allObjects(
  client: ApiClient,
  evaluationId: string,
  query: Record<string, string | undefined>,
  signal: AbortSignal,
): Promise<EvaluationObject[]> {
  const out: EvaluationObject[] = []
  let cursor: string | undefined
  do {
    const page = await client.json(
      api.listEvaluationObjects,
      { evaluationId },
      { ...query, limit: 10000, cursor },
      signal,
    )
    out.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  return out
}

/** The project's Metrics tab: start an evaluation, list them. */
export function EvaluationsTab({ projectId }: { projectId: string }) {
  const client = useClient()
  const list = useAsync(
    (signal) => client.all<Evaluation>(api.listEvaluations, { projectId }, 1000, signal),
    [client, projectId],
  )
  const [iouType, setIouType] = useState<'bbox' | 'segm'>('bbox')
  const [iou, setIou] = useState('0.5')
  const [method, setMethod] = useState<'coco' | 'labelbox'>('coco')
  const [error, setError] = useState<Error | null>(null)
  const [running, setRunning] = useState(false)
  const start = async () => {
    setRunning(true)
    setError(null)
    try {
      const created = await client.json(api.createEvaluation, { projectId }, undefined, undefined, {
        iouType,
        iouThreshold: Number(iou),
        method,
      })
      let current = created
      while (current.state === 'RUNNING') {
        await new Promise((r) => setTimeout(r, 300))
        current = await client.json(api.getEvaluation, { evaluationId: created.id })
      }
      window.location.hash = href.evaluation(created.id)
    } catch (err) {
      setError(err as Error)
    } finally {
      setRunning(false)
    }
  }
  return (
    <section>
      <form
        className="lp-toolbar"
        onSubmit={(e) => {
          e.preventDefault()
          void start()
        }}
      >
        <label className="lp-field">
          <span className="lp-field__label">Compare</span>
          <select
            className="lp-select"
            value={iouType}
            onChange={(e) => setIouType(e.target.value as 'bbox' | 'segm')}
          >
            <option value="bbox">boxes</option>
            <option value="segm">masks</option>
          </select>
        </label>
        <label className="lp-field">
          <span className="lp-field__label">IoU threshold</span>
          <input
            className="lp-input"
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={iou}
            onChange={(e) => setIou(e.target.value)}
          />
        </label>
        <label className="lp-field">
          <span className="lp-field__label">Matching</span>
          <select
            className="lp-select"
            value={method}
            onChange={(e) => setMethod(e.target.value as 'coco' | 'labelbox')}
          >
            <option value="coco">COCO: greedy by confidence</option>
            <option value="labelbox">Labelbox: greedy by IoU</option>
          </select>
        </label>
        <button type="submit" className="lp-button lp-button--primary" disabled={running}>
          {running ? 'Evaluating…' : 'Run evaluation'}
        </button>
      </form>
      {error && <ErrorNotice error={error} />}
      <AsyncStatus state={list} what="evaluations" />
      {list.data && list.data.length === 0 && (
        <Empty>No evaluation yet: compare the pre-labels with the labels above.</Empty>
      )}
      {list.data && list.data.length > 0 && (
        <table className="lp-table" data-testid="evaluation-list">
          <thead>
            <tr>
              <th>Name</th>
              <th>State</th>
              <th>AP @[.50:.95]</th>
              <th>AP @.50</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((e) => (
              <tr key={e.id}>
                <td>
                  <a href={href.evaluation(e.id)}>{e.name}</a>
                </td>
                <td>
                  {e.state} {e.progress}
                </td>
                <td>{e.summary ? fixed(e.summary.cocoStats[0] ?? -1) : '…'}</td>
                <td>{e.summary ? fixed(e.summary.cocoStats[1] ?? -1) : '…'}</td>
                <td>{formatDate(e.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** One evaluation's metrics, confusion matrix with examples, and data rows. */
export function EvaluationPage({
  evaluationId,
  cell,
}: {
  evaluationId: string
  cell: { gt: string; pred: string } | null
}) {
  const client = useClient()
  const evaluation = useAsync(
    (signal) => client.json(api.getEvaluation, { evaluationId }, undefined, signal),
    [client, evaluationId],
  )
  const predictions = useAsync(
    (signal) => allObjects(client, evaluationId, { layer: 'prelabel' }, signal),
    [client, evaluationId],
  )
  const [confidence, setConfidence] = useState(0)
  const e = evaluation.data
  const classes = e?.summary?.classes ?? []
  const recomputed = useMemo(() => {
    if (!predictions.data) return null
    return metricsAtConfidence(
      classes.map((c) => c.featureSchemaId),
      predictions.data
        .filter((p) => p.score !== null)
        .map((p) => ({
          categoryId: p.featureSchemaId,
          score: p.score ?? 0,
          status: p.status === 'fn' ? 'fp' : p.status,
          matchCategoryId: p.matchFeatureSchemaId,
        })),
      new Map(classes.map((c) => [c.featureSchemaId, c.groundTruths])),
      confidence,
    )
  }, [predictions.data, classes, confidence])

  if (evaluation.status === 'error')
    return (
      <div className="lp-page">
        <ErrorNotice error={evaluation.error} onRetry={evaluation.reload} />
      </div>
    )
  if (!e)
    return (
      <div className="lp-page">
        <Loading what="evaluation" />
      </div>
    )
  const s = e.summary
  const names = new Map(classes.map((c) => [c.featureSchemaId, c.name]))
  const label = (id: string | null) => (id === null ? 'background' : (names.get(id) ?? id))
  return (
    <div className="lp-page">
      <PageHeader
        crumbs={[
          { label: 'Projects', href: href.projects() },
          { label: 'Metrics', href: href.project(e.projectId, 'metrics') },
        ]}
        title={e.name}
        meta={
          <>
            {e.state} {e.progress} · {e.params.iouType === 'bbox' ? 'boxes' : 'masks'} · IoU{' '}
            {e.params.iouThreshold} ·{' '}
            {e.params.method === 'coco'
              ? 'COCO matching (greedy by confidence)'
              : 'Labelbox matching (greedy by IoU)'}
          </>
        }
      />
      {e.failureReason && <ErrorNotice error={new Error(e.failureReason.message)} />}
      {s && (
        <>
          <section className="lp-card">
            <h2>COCO statistics (pycocotools rules, IoU .50:.95)</h2>
            <table className="lp-table lp-table--compact" data-testid="coco-stats">
              <tbody>
                {STAT_LABELS.map((l, i) => (
                  <tr key={l}>
                    <th scope="row">{l}</th>
                    <td>{fixed(s.cocoStats[i] ?? -1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section className="lp-card">
            <h2>
              Per class at IoU {e.params.iouThreshold}, predictions with confidence ≥{' '}
              {confidence.toFixed(2)}
            </h2>
            <label className="lp-field">
              <span className="lp-field__label">Confidence threshold</span>
              <input
                type="range"
                min={0}
                max={1}
                step={0.01}
                value={confidence}
                onChange={(ev) => setConfidence(Number(ev.target.value))}
                data-testid="confidence-slider"
              />
            </label>
            <table className="lp-table" data-testid="class-metrics">
              <thead>
                <tr>
                  <th>Class</th>
                  <th>Labels</th>
                  <th>TP</th>
                  <th>FP</th>
                  <th>FN</th>
                  <th>Precision</th>
                  <th>Recall</th>
                  <th>F1</th>
                  <th>AP</th>
                </tr>
              </thead>
              <tbody>
                {classes.map((c, k) => {
                  const m = recomputed?.[k] ?? c
                  return (
                    <tr key={c.featureSchemaId} data-class={c.name}>
                      <td>{c.name}</td>
                      <td>{c.groundTruths}</td>
                      <td data-metric="tp">{m.tp}</td>
                      <td data-metric="fp">{m.fp}</td>
                      <td data-metric="fn">{m.fn}</td>
                      <td data-metric="precision">{m.precision.toFixed(3)}</td>
                      <td data-metric="recall">{m.recall.toFixed(3)}</td>
                      <td data-metric="f1">{m.f1.toFixed(3)}</td>
                      <td>{fixed(c.ap)}</td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </section>
          <section className="lp-card">
            <h2>Confusion matrix (rows: labels, columns: predictions)</h2>
            <table className="lp-table lp-table--compact" data-testid="confusion-matrix">
              <thead>
                <tr>
                  <th>label \ prediction</th>
                  {s.confusion.labels.map((l) => (
                    <th key={l ?? 'background'}>{label(l)}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {s.confusion.counts.map((row, i) => (
                  <tr key={i}>
                    <th scope="row">{label(s.confusion.labels[i] ?? null)}</th>
                    {row.map((count, j) => {
                      const gt = s.confusion.labels[i] ?? null
                      const pred = s.confusion.labels[j] ?? null
                      return (
                        <td key={j}>
                          {count > 0 ? (
                            <a
                              href={href.evaluation(evaluationId, {
                                gt: gt ?? 'background',
                                pred: pred ?? 'background',
                              })}
                              aria-label={`${count} with label ${label(gt)} predicted as ${label(pred)}`}
                            >
                              {count}
                            </a>
                          ) : (
                            <span className="lp-muted">0</span>
                          )}
                        </td>
                      )
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
            {cell && (
              <CellExamples
                evaluation={e}
                cell={cell}
                label={(id) => label(id === 'background' ? null : id)}
              />
            )}
          </section>
          <RowTable evaluation={e} />
        </>
      )}
    </div>
  )
}

function CellExamples({
  evaluation,
  cell,
  label,
}: {
  evaluation: Evaluation
  cell: { gt: string; pred: string }
  label: (id: string) => string
}) {
  const client = useClient()
  // a prediction's cell is (its match's class, its class); a missed label's is (its class, background)
  const query =
    cell.pred === 'background'
      ? { layer: 'label', featureSchemaId: cell.gt, matchFeatureSchemaId: 'background' }
      : { layer: 'prelabel', featureSchemaId: cell.pred, matchFeatureSchemaId: cell.gt }
  const objects = useAsync(
    (signal) => allObjects(client, evaluation.id, query, signal),
    [client, evaluation.id, cell.gt, cell.pred],
  )
  return (
    <div data-testid="cell-examples">
      <h3>
        Label {label(cell.gt)} · prediction {label(cell.pred)}
      </h3>
      <AsyncStatus state={objects} what="examples" />
      <ul>
        {objects.data?.map((o) => (
          <li key={o.annotationId}>
            <a href={href.evaluationRow(evaluation.id, o.dataRowId)}>{o.dataRowId}</a>{' '}
            <span style={{ color: STATUS_COLORS[o.status] }}>{o.status.toUpperCase()}</span>
            {o.iou !== null && ` IoU ${o.iou.toFixed(3)}`}
            {o.score !== null && ` confidence ${o.score.toFixed(2)}`}
          </li>
        ))}
      </ul>
    </div>
  )
}

function RowTable({ evaluation }: { evaluation: Evaluation }) {
  const client = useClient()
  const [sort, setSort] = useState<'fn' | 'fp' | 'lowestIou'>('fn')
  const [only, setOnly] = useState<'' | 'fn' | 'fp'>('')
  const rows = useAsync(
    async (signal) =>
      (
        await client.json(
          api.listEvaluationDataRows,
          { evaluationId: evaluation.id },
          { sort, only: only || undefined, limit: 500 },
          signal,
        )
      ).items,
    [client, evaluation.id, sort, only],
  )
  return (
    <section className="lp-card">
      <h2>Data rows</h2>
      <div className="lp-toolbar">
        <label className="lp-field">
          <span className="lp-field__label">Sort by</span>
          <select
            className="lp-select"
            value={sort}
            onChange={(e) => setSort(e.target.value as typeof sort)}
          >
            <option value="fn">most false negatives</option>
            <option value="fp">most false positives</option>
            <option value="lowestIou">lowest IoU</option>
          </select>
        </label>
        <label className="lp-field">
          <span className="lp-field__label">Only rows with</span>
          <select
            className="lp-select"
            value={only}
            onChange={(e) => setOnly(e.target.value as typeof only)}
          >
            <option value="">any result</option>
            <option value="fn">a false negative</option>
            <option value="fp">a false positive</option>
          </select>
        </label>
      </div>
      <AsyncStatus state={rows} what="data rows" />
      <table className="lp-table" data-testid="evaluation-rows">
        <thead>
          <tr>
            <th>Data row</th>
            <th>TP</th>
            <th>FP</th>
            <th>FN</th>
            <th>Lowest IoU</th>
          </tr>
        </thead>
        <tbody>
          {rows.data?.map((r: EvaluationDataRow) => (
            <tr key={r.dataRowId} data-data-row-id={r.dataRowId}>
              <td>
                <a href={href.evaluationRow(evaluation.id, r.dataRowId)}>
                  {r.globalKey ?? r.dataRowId}
                </a>
              </td>
              <td>{r.tp}</td>
              <td>{r.fp}</td>
              <td>{r.fn}</td>
              <td>{r.lowestIou === null ? '–' : r.lowestIou.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

/** A shape's outline in image pixels: boxes, polygons; a mask by its bounding box. */
function outline(record: AnnotationRecord): { points: string } | null {
  if (record.kind !== 'object') return null
  const g = record.geometry
  const box = (left: number, top: number, width: number, height: number) => ({
    points: `${left},${top} ${left + width},${top} ${left + width},${top + height} ${left},${top + height}`,
  })
  switch (g.type) {
    case 'bbox':
      return box(g.left, g.top, g.width, g.height)
    case 'polygon':
      return { points: g.points.map((p) => `${p.x},${p.y}`).join(' ') }
    case 'mask':
      return box(g.bbox.left, g.bbox.top, g.bbox.width, g.bbox.height)
    case 'line':
    case 'point':
      return null
  }
}

function centre(points: string): [number, number] {
  const xy = points.split(' ').map((p) => p.split(',').map(Number) as [number, number])
  const xs = xy.map((p) => p[0])
  const ys = xy.map((p) => p[1])
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2]
}

/** One data row: labels as TP / FN (solid), pre-labels as TP / FP (dashed), matches joined by a line. */
export function EvaluationRowPage({
  evaluationId,
  dataRowId,
}: {
  evaluationId: string
  dataRowId: string
}) {
  const client = useClient()
  const data = useAsync(
    async (signal) => {
      const evaluation = await client.json(api.getEvaluation, { evaluationId }, undefined, signal)
      const [objects, annotations, image] = await Promise.all([
        allObjects(client, evaluationId, { dataRowId }, signal),
        client.json(
          api.getDataRowAnnotations,
          { projectId: evaluation.projectId, dataRowId },
          undefined,
          signal,
        ),
        client.blob(api.getDataRowImage, { dataRowId }, undefined, signal),
      ])
      return { evaluation, objects, annotations, imageUrl: URL.createObjectURL(image) }
    },
    [client, evaluationId, dataRowId],
  )
  if (data.status === 'error')
    return (
      <div className="lp-page">
        <ErrorNotice error={data.error} onRetry={data.reload} />
      </div>
    )
  if (!data.data)
    return (
      <div className="lp-page">
        <Loading what="data row" />
      </div>
    )
  const { evaluation, objects, annotations, imageUrl } = data.data
  const { width, height } = annotations.dataRow.mediaAttributes
  const records = new Map(annotations.annotations.map((a) => [a.id, a.record]))
  const shapes = objects
    .map((o) => {
      const record = records.get(o.annotationId)
      const shape = record && outline(record)
      return shape ? { o, name: record.kind === 'object' ? record.name : '', ...shape } : null
    })
    .filter((x) => x !== null)
  const byId = new Map(shapes.map((s) => [s.o.annotationId, s]))
  return (
    <div className="lp-page">
      <PageHeader
        crumbs={[
          { label: 'Projects', href: href.projects() },
          { label: evaluation.name, href: href.evaluation(evaluationId) },
        ]}
        title={annotations.dataRow.globalKey ?? dataRowId}
        meta={
          <>
            <span style={{ color: STATUS_COLORS.tp }}>■ TP</span>{' '}
            <span style={{ color: STATUS_COLORS.fp }}>■ FP (pre-label)</span>{' '}
            <span style={{ color: STATUS_COLORS.fn }}>■ FN (label)</span> · labels solid, pre-labels
            dashed, a line joins each match ·{' '}
            <a href={href.dataRow(evaluation.projectId, dataRowId)}>open in the data row view</a>
          </>
        }
      />
      <div style={{ position: 'relative', maxWidth: 900 }} data-testid="evaluation-canvas">
        <img
          src={imageUrl}
          alt={annotations.dataRow.globalKey ?? dataRowId}
          style={{ display: 'block', width: '100%' }}
        />
        <svg
          viewBox={`0 0 ${width} ${height}`}
          preserveAspectRatio="none"
          style={{ position: 'absolute', inset: 0, width: '100%', height: '100%' }}
          aria-label="evaluation overlay"
        >
          {shapes.map((s) => (
            <polygon
              key={s.o.annotationId}
              points={s.points}
              fill="none"
              stroke={STATUS_COLORS[s.o.status]}
              strokeWidth={Math.max(2, width / 300)}
              strokeDasharray={s.o.layer === 'prelabel' ? `${width / 80}` : undefined}
              vectorEffect="non-scaling-stroke"
              data-testid="evaluation-shape"
              data-status={s.o.status}
              data-layer={s.o.layer}
              data-annotation-id={s.o.annotationId}
            >
              <title>
                {s.name}: {s.o.status.toUpperCase()}
                {s.o.iou !== null ? ` IoU ${s.o.iou.toFixed(3)}` : ''}
              </title>
            </polygon>
          ))}
          {shapes
            .filter((s) => s.o.layer === 'prelabel' && s.o.matchAnnotationId !== null)
            .map((s) => {
              const other = byId.get(s.o.matchAnnotationId!)
              if (!other) return null
              const [x1, y1] = centre(s.points)
              const [x2, y2] = centre(other.points)
              return (
                <line
                  key={`m-${s.o.annotationId}`}
                  x1={x1}
                  y1={y1}
                  x2={x2}
                  y2={y2}
                  stroke={STATUS_COLORS[s.o.status]}
                  vectorEffect="non-scaling-stroke"
                  data-testid="evaluation-match"
                />
              )
            })}
        </svg>
      </div>
      <table className="lp-table" data-testid="evaluation-objects">
        <thead>
          <tr>
            <th>Layer</th>
            <th>Class</th>
            <th>Result</th>
            <th>IoU</th>
            <th>Confidence</th>
          </tr>
        </thead>
        <tbody>
          {shapes.map((s) => (
            <tr key={s.o.annotationId}>
              <td>{s.o.layer === 'label' ? 'label' : 'pre-label'}</td>
              <td>{s.name}</td>
              <td style={{ color: STATUS_COLORS[s.o.status] }}>{s.o.status.toUpperCase()}</td>
              <td>{s.o.iou === null ? '–' : s.o.iou.toFixed(3)}</td>
              <td>{s.o.score === null ? '–' : s.o.score.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
