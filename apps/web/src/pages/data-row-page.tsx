/**
 * One data row in one project: the image with every pre-label and label drawn over it, layers to
 * toggle, a side panel with the selection, the failed import lines of this row, and every object.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { api } from '@labelport/core'
import type { Evaluation, ImportJob } from '@labelport/core'
import { AnnotationDetails, AnnotationList, LAYER_LABELS, buildScene } from '@labelport/viewer'
import type { LayerVisibility, ViewerAnnotation, ViewerDebugApi } from '@labelport/viewer'
import { AnnotationViewer } from '@labelport/viewer'
import type { StatusLine } from '../api-client.ts'
import { useClient } from '../client-context.ts'
import { useAsync } from '../use-async.ts'
import { MetadataChips } from '../components/metadata-chips.tsx'
import { href } from '../router.ts'
import { readOntology } from '../ontology.ts'
import {
  ErrorNotice,
  KindBadge,
  Loading,
  formatIssuePath,
  formatNumber,
} from '../components/ui.tsx'
import { RowEvaluation } from '../components/row-evaluation.tsx'

declare global {
  interface Window {
    /** the data row view's viewer, for browser tests and benchmarks */
    __labelportViewer?: ViewerDebugApi
  }
}

interface RowFailure {
  job: ImportJob
  status: StatusLine
}

export function DataRowPage({
  projectId,
  dataRowId,
  focusImportId,
  focusLine,
}: {
  projectId: string
  dataRowId: string
  focusImportId: string | null
  focusLine: number | null
}) {
  const client = useClient()
  const data = useAsync(
    async (signal) => {
      const [annotations, project] = await Promise.all([
        client.json(api.getDataRowAnnotations, { projectId, dataRowId }, undefined, signal),
        client.json(api.getProject, { projectId }, undefined, signal),
      ])
      const ontology = project.ontologyId
        ? readOntology(
            (
              await client.json(
                api.getOntology,
                { ontologyId: project.ontologyId },
                undefined,
                signal,
              )
            ).normalized,
          )
        : null
      return { annotations, project, ontology }
    },
    [client, projectId, dataRowId],
  )
  const image = useAsync(
    async (signal) => {
      const blob = await client.blob(api.getDataRowImage, { dataRowId }, undefined, signal)
      return createImageBitmap(blob)
    },
    [client, dataRowId],
  )
  const failures = useAsync(
    async (signal): Promise<RowFailure[]> => {
      const jobs = await client.all<ImportJob>(api.listImports, { projectId }, 1000, signal)
      const perJob = await Promise.all(
        jobs
          .filter((job) => job.counts.failure > 0)
          .map(async (job) => {
            const lines = await client.ndjson<StatusLine>(
              api.getImportStatuses,
              { importId: job.id },
              { status: 'FAILURE', dataRow: dataRowId, limit: 1000 },
              signal,
            )
            return lines
              .filter((s) => s.dataRow.id === dataRowId || s.dataRow.id === null)
              .map((status) => ({ job, status }))
          }),
      )
      return perJob.flat()
    },
    [client, projectId, dataRowId],
  )

  // the project's latest finished evaluation, drawn on this row as TP / FP / FN on demand
  const evaluation = useAsync(
    async (signal): Promise<Evaluation | null> => {
      const page = await client.json(api.listEvaluations, { projectId }, { limit: 20 }, signal)
      return page.items.find((e) => e.state === 'FINISHED') ?? null
    },
    [client, projectId],
  )
  const [showEvaluation, setShowEvaluation] = useState(false)
  const [layers, setLayers] = useState<LayerVisibility>({ prelabel: true, label: true })
  const [hiddenFeatures, setHiddenFeatures] = useState<ReadonlySet<string>>(new Set())
  const [minConfidence, setMinConfidence] = useState(0)
  const [selectedId, setSelectedId] = useState<string | null>(null)

  const annotations = useMemo<ViewerAnnotation[]>(
    () =>
      (data.data?.annotations.annotations ?? []).map((a) => ({
        id: a.id,
        layer: a.layer,
        importId: a.importId,
        record: a.record,
      })),
    [data.data],
  )
  const scene = useMemo(
    () => buildScene(annotations, data.data?.ontology ?? null),
    [annotations, data.data],
  )
  const onDebugApi = useCallback((debug: ViewerDebugApi | null) => {
    if (debug) window.__labelportViewer = debug
    else delete window.__labelportViewer
  }, [])

  const counts = useMemo(() => {
    const c = { prelabel: 0, label: 0 }
    for (const a of annotations) c[a.layer]++
    return c
  }, [annotations])
  const hasConfidence = scene.objects.some((o) => o.confidence !== undefined)

  if (data.status === 'error')
    return (
      <div className="lp-page">
        <ErrorNotice error={data.error} onRetry={data.reload} />
      </div>
    )
  if (!data.data)
    return (
      <div className="lp-page">
        <Loading what="annotations" />
      </div>
    )
  const { annotations: rowAnnotations, project } = data.data
  const row = rowAnnotations.dataRow
  const selected = selectedId ? scene.byId.get(selectedId) : undefined

  return (
    <div className="lp-rowview" data-testid="data-row-view">
      <div className="lp-rowview__bar">
        <div className="lp-rowview__title">
          <nav className="lp-crumbs">
            <a href={href.projects()}>Projects</a>
            <span className="lp-crumbs__sep">/</span>
            <a href={href.project(projectId)}>{project.name}</a>
            <span className="lp-crumbs__sep">/</span>
          </nav>
          <h1 className="lp-rowview__name" data-testid="data-row-title">
            {row.globalKey ?? row.id}
          </h1>
          <span className="lp-muted lp-small">
            {row.mediaAttributes.width} × {row.mediaAttributes.height} ·{' '}
            {row.mediaAttributes.mimeType} · <a href={href.dataset(row.datasetId)}>dataset</a> ·{' '}
            <a href={href.project(projectId, 'metrics')}>model metrics</a>
            {rowAnnotations.label?.isBenchmarkReference && (
              <span className="lp-badge lp-badge--neutral">benchmark</span>
            )}
          </span>
          {row.metadataFields.length > 0 && (
            <MetadataChips fields={row.metadataFields} testId="data-row-metadata" />
          )}
        </div>
        <div className="lp-rowview__controls">
          {(['label', 'prelabel'] as const).map((layer) => (
            <label
              key={layer}
              className={layers[layer] ? 'lp-layer lp-layer--on' : 'lp-layer'}
              data-testid={`layer-toggle-${layer}`}
            >
              <input
                type="checkbox"
                checked={layers[layer]}
                onChange={() => setLayers({ ...layers, [layer]: !layers[layer] })}
              />
              <span
                className={
                  layer === 'label' ? 'lp-layer__line' : 'lp-layer__line lp-layer__line--dashed'
                }
                aria-hidden
              />
              {LAYER_LABELS[layer]}
              <span className="lp-count">{formatNumber(counts[layer])}</span>
            </label>
          ))}
          {evaluation.data && (
            <label
              className={showEvaluation ? 'lp-layer lp-layer--on' : 'lp-layer'}
              title={`TP / FP / FN of ${evaluation.data.name}`}
              data-testid="evaluation-toggle"
            >
              <input
                type="checkbox"
                checked={showEvaluation}
                onChange={() => setShowEvaluation(!showEvaluation)}
              />
              Model evaluation (TP / FP / FN)
            </label>
          )}
          {hasConfidence && !showEvaluation && (
            <label className="lp-confidence" title="Hide objects whose confidence is below this">
              Confidence ≥ <strong>{minConfidence.toFixed(2)}</strong>
              <input
                type="range"
                min={0}
                max={1}
                step={0.05}
                value={minConfidence}
                onChange={(e) => setMinConfidence(Number(e.target.value))}
                data-testid="confidence-filter"
              />
            </label>
          )}
        </div>
      </div>
      <div className="lp-rowview__body">
        <div className="lp-rowview__stage">
          {image.status === 'error' && (
            <div className="lp-stage-notice">
              <ErrorNotice error={image.error} onRetry={image.reload} />
            </div>
          )}
          {image.status === 'loading' && (
            <div className="lp-stage-notice lp-stage-notice--quiet">
              <Loading what="image" />
            </div>
          )}
          {showEvaluation && evaluation.data ? (
            <RowEvaluation
              evaluation={evaluation.data}
              dataRowId={dataRowId}
              annotations={rowAnnotations.annotations}
              width={row.mediaAttributes.width}
              height={row.mediaAttributes.height}
            />
          ) : (
            <AnnotationViewer
              image={image.data ?? null}
              imageWidth={row.mediaAttributes.width}
              imageHeight={row.mediaAttributes.height}
              scene={scene}
              layers={layers}
              hiddenFeatures={hiddenFeatures}
              minConfidence={minConfidence}
              selectedId={selectedId}
              onSelect={setSelectedId}
              onDebugApi={onDebugApi}
            />
          )}
          {!showEvaluation && <Legend />}
        </div>
        <aside className="lp-rowview__side" data-testid="side-panel">
          {selected && (
            <section className="lp-side-section lp-side-section--selection" data-testid="selection">
              <div className="lp-side-section__head">
                <h2 className="lp-side-title">Selected</h2>
                <button
                  type="button"
                  className="lp-link-button"
                  onClick={() => setSelectedId(null)}
                >
                  Clear
                </button>
              </div>
              <AnnotationDetails item={selected} />
            </section>
          )}
          <FailuresPanel
            failures={failures.data ?? []}
            error={failures.status === 'error' ? failures.error : null}
            focusImportId={focusImportId}
            focusLine={focusLine}
            onSelectUuid={(uuid) =>
              setSelectedId(scene.objects.find((o) => o.uuid === uuid)?.id ?? null)
            }
          />
          <section className="lp-side-section">
            <AnnotationList
              scene={scene}
              layers={layers}
              hiddenFeatures={hiddenFeatures}
              selectedId={selectedId}
              onSelect={setSelectedId}
              onToggleFeature={(id) => {
                const next = new Set(hiddenFeatures)
                if (next.has(id)) next.delete(id)
                else next.add(id)
                setHiddenFeatures(next)
              }}
            />
          </section>
        </aside>
      </div>
    </div>
  )
}

function Legend() {
  return (
    <div className="lp-legend" aria-hidden>
      <span>
        <span className="lp-layer__line" /> ground truth
      </span>
      <span>
        <span className="lp-layer__line lp-layer__line--dashed" /> pre-label
      </span>
      <span className="lp-muted">wheel: zoom · drag: pan · double-click: fit</span>
    </div>
  )
}

/** Failed lines of every import for this row; the one linked from an import job is opened and explained. */
function FailuresPanel({
  failures,
  error,
  focusImportId,
  focusLine,
  onSelectUuid,
}: {
  failures: RowFailure[]
  error: Error | null
  focusImportId: string | null
  focusLine: number | null
  onSelectUuid: (uuid: string) => void
}) {
  const focusRef = useRef<HTMLLIElement>(null)
  useEffect(() => {
    // a block body: newer Chromium returns a Promise from scrollIntoView, which React would call as a cleanup
    void focusRef.current?.scrollIntoView({ block: 'nearest' })
  }, [failures.length])
  if (error)
    return (
      <section className="lp-side-section">
        <ErrorNotice error={error} />
      </section>
    )
  if (failures.length === 0 && !focusImportId) return null
  const dryRuns = failures.filter((f) => f.job.dryRun).length
  return (
    <section className="lp-side-section lp-side-section--failures" data-testid="row-failures">
      <h2 className="lp-side-title">
        Failed import lines <span className="lp-count lp-count--bad">{failures.length}</span>
        {dryRuns > 0 && (
          <span className="lp-muted lp-small" data-testid="dry-run-count">
            {' '}
            {dryRuns} from dry runs
          </span>
        )}
      </h2>
      {failures.length === 0 && (
        <p className="lp-muted lp-small">No failed lines for this data row.</p>
      )}
      <ul className="lp-failures">
        {failures.map(({ job, status }) => {
          const focused = job.id === focusImportId && status.line === focusLine
          return (
            <li
              key={`${job.id}-${status.line}`}
              ref={focused ? focusRef : undefined}
              className={focused ? 'lp-failure lp-failure--focused' : 'lp-failure'}
              data-testid={focused ? 'focused-failure' : 'row-failure'}
              data-dry-run={job.dryRun ? 'true' : 'false'}
            >
              <div className="lp-failure__head">
                <a href={href.importJob(job.id)} className="lp-strong">
                  {job.name}
                </a>
                <KindBadge kind={job.kind} />
                {job.dryRun && (
                  <span
                    className="lp-badge lp-badge--neutral"
                    data-testid="dry-run-marker"
                    title="A dry run: this line was judged, nothing was written"
                  >
                    dry run · nothing written
                  </span>
                )}
                <span className="lp-muted lp-small">line {status.line}</span>
              </div>
              {status.uuid && (
                <button
                  type="button"
                  className="lp-link-button lp-mono lp-small"
                  onClick={() => status.uuid && onSelectUuid(status.uuid)}
                  title="Select if stored in another layer"
                >
                  {status.uuid}
                </button>
              )}
              {(status.errors ?? []).map((e, i) => (
                <div key={i} className="lp-failure__error">
                  <code className="lp-code-badge">{e.code}</code>
                  <span className="lp-failure__message" data-testid="failure-message">
                    {e.message}
                  </span>
                  <span className="lp-muted lp-small">
                    at <code data-testid="failure-path">{formatIssuePath(e.path)}</code>
                  </span>
                </div>
              ))}
              {focused && (
                <FailedLineInput importId={job.id} line={status.line} total={job.counts.total} />
              )}
            </li>
          )
        })}
      </ul>
    </section>
  )
}

const MAX_INPUT_LINES = 20_000

/** The failing NDJSON line as received, for small imports (the input is fetched whole). */
function FailedLineInput({
  importId,
  line,
  total,
}: {
  importId: string
  line: number
  total: number
}) {
  const client = useClient()
  const input = useAsync(
    async (signal) => {
      if (total > MAX_INPUT_LINES) return null
      // status lines count every line of the file (1-based), blank ones included
      const text = (await client.text(api.getImportInput, { importId }, undefined, signal)).split(
        '\n',
      )[line - 1]
      if (text === undefined) return null
      try {
        return JSON.parse(text) as unknown
      } catch {
        return text
      }
    },
    [client, importId, line, total],
  )
  if (input.status !== 'ready' || input.data === null) return null
  return (
    <details className="lp-failure__input" open>
      <summary>The line as imported</summary>
      <pre className="lp-pre">{JSON.stringify(input.data, null, 2)}</pre>
    </details>
  )
}
