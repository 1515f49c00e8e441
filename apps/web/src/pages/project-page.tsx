/** One project: its data rows (thumbnails and counts), import jobs, batches and ontology. */
import { useState } from 'react'
import { api } from '@labelport/core'
import type { Batch, ImportJob, ProjectDataRow } from '@labelport/core'
import { OntologyTree } from '@labelport/viewer'
import { useClient, useMe } from '../client-context.ts'
import { BatchCreator, ConnectOntology, ImportStarter } from '../components/project-setup.tsx'
import { useAsync } from '../use-async.ts'
import { href } from '../router.ts'
import { readOntology } from '../ontology.ts'
import { EvaluationsTab } from './evaluation-page.tsx'
import { Thumbnail } from '../components/authed-image.tsx'
import {
  AsyncStatus,
  Empty,
  ErrorNotice,
  KindBadge,
  Loading,
  PageHeader,
  StateBadge,
  formatDate,
  formatNumber,
} from '../components/ui.tsx'
import { DeleteButton } from '../components/delete-dialog.tsx'
import { LabelingSummary } from '../components/labeling-summary.tsx'
import {
  LabelStateFilter,
  LabelingRowGrid,
  isLabelingStatus,
} from '../components/labeling-rows.tsx'

const TABS = [
  { id: 'data-rows', label: 'Data rows' },
  { id: 'imports', label: 'Import jobs' },
  { id: 'batches', label: 'Batches' },
  { id: 'ontology', label: 'Ontology' },
  { id: 'metrics', label: 'Metrics' },
] as const

export function ProjectPage({
  projectId,
  tab,
  status = null,
}: {
  projectId: string
  tab: string
  /** the data-row grid's labeling-status filter (`?status=`) */
  status?: string | null
}) {
  const client = useClient()
  const role = useMe()?.role
  const project = useAsync(
    (signal) => client.json(api.getProject, { projectId }, undefined, signal),
    [client, projectId],
  )
  const imports = useAsync(
    (signal) => client.all<ImportJob>(api.listImports, { projectId }, 10_000, signal),
    [client, projectId],
  )
  const batches = useAsync(
    (signal) => client.all<Batch>(api.listBatches, { projectId }, 10_000, signal),
    [client, projectId],
  )
  const ontologyId = project.data?.ontologyId ?? null
  const ontology = useAsync(
    async (signal) =>
      ontologyId
        ? readOntology(
            (await client.json(api.getOntology, { ontologyId }, undefined, signal)).normalized,
          )
        : null,
    [client, ontologyId],
  )
  const active = TABS.some((t) => t.id === tab) ? tab : 'data-rows'
  if (project.status === 'error')
    return (
      <div className="lp-page">
        <ErrorNotice error={project.error} onRetry={project.reload} />
      </div>
    )
  if (!project.data)
    return (
      <div className="lp-page">
        <Loading what="project" />
      </div>
    )
  const p = project.data
  const counts = {
    'data-rows': p.dataRowCount,
    imports: imports.data?.length,
    batches: batches.data?.length,
    ontology: ontology.data
      ? ontology.data.tools.length + ontology.data.classifications.length
      : undefined,
    metrics: undefined,
  }
  return (
    <div className="lp-page">
      <PageHeader
        crumbs={[{ label: 'Projects', href: href.projects() }]}
        title={p.name}
        meta={
          <>
            {p.description && <span>{p.description} · </span>}
            <span className="lp-mono">{p.id}</span> · created {formatDate(p.createdAt)}
          </>
        }
        actions={
          role === 'admin' && (
            <DeleteButton
              what="project"
              typeName
              label="Delete project…"
              loadImpact={() => client.json(api.getProjectDeletionImpact, { projectId })}
              onDelete={async () => {
                await client.send(api.deleteProject, { projectId })
                window.location.hash = href.projects()
              }}
            />
          )
        }
      />
      <LabelingSummary projectId={projectId} />
      <div className="lp-tabs" role="tablist">
        {TABS.map((t) => (
          <a
            key={t.id}
            role="tab"
            aria-selected={active === t.id}
            className={active === t.id ? 'lp-tab lp-tab--active' : 'lp-tab'}
            href={href.project(projectId, t.id)}
            data-testid={`tab-${t.id}`}
          >
            {t.label}
            {counts[t.id] !== undefined && (
              <span className="lp-count">{formatNumber(counts[t.id] ?? 0)}</span>
            )}
          </a>
        ))}
      </div>
      {active === 'data-rows' &&
        (isLabelingStatus(status) ? (
          <LabelingRowGrid key={status} projectId={projectId} status={status} />
        ) : (
          <DataRowGrid projectId={projectId} />
        ))}
      {active === 'metrics' && <EvaluationsTab projectId={projectId} />}
      {active === 'imports' && (role === 'admin' || role === 'reviewer') && (
        <ImportStarter projectId={projectId} />
      )}
      {active === 'batches' && role === 'admin' && (
        <BatchCreator
          projectId={projectId}
          onDone={() => {
            batches.reload()
            project.reload()
          }}
        />
      )}
      {active === 'ontology' && !ontologyId && role === 'admin' && (
        <ConnectOntology projectId={projectId} onDone={project.reload} />
      )}
      {active === 'imports' &&
        (imports.status === 'error' ? (
          <ErrorNotice error={imports.error} onRetry={imports.reload} />
        ) : imports.data ? (
          <ImportTable imports={imports.data} />
        ) : (
          <Loading what="import jobs" />
        ))}
      {active === 'batches' &&
        (batches.status === 'error' ? (
          <ErrorNotice error={batches.error} />
        ) : batches.data ? (
          <BatchTable batches={batches.data} />
        ) : (
          <Loading what="batches" />
        ))}
      {active === 'ontology' &&
        (!ontologyId ? (
          <Empty>No ontology is connected to this project.</Empty>
        ) : ontology.status === 'error' ? (
          <ErrorNotice error={ontology.error} />
        ) : ontology.data ? (
          <div className="lp-card">
            <OntologyTree ontology={ontology.data} />
          </div>
        ) : ontology.status === 'ready' ? (
          <Empty>The stored ontology could not be read.</Empty>
        ) : (
          <Loading what="ontology" />
        ))}
    </div>
  )
}

const PAGE = 60

function DataRowGrid({ projectId }: { projectId: string }) {
  const client = useClient()
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined])
  const [filter, setFilter] = useState('')
  const page = useAsync(
    async (signal) => {
      const items: ProjectDataRow[] = []
      let next: string | null = null
      for (const cursor of cursors) {
        const r = await client.json(
          api.listProjectDataRows,
          { projectId },
          { limit: PAGE, cursor },
          signal,
        )
        items.push(...r.items)
        next = r.nextCursor
      }
      return { items, next }
    },
    [client, projectId, cursors],
  )
  const rows = page.data?.items ?? []
  const shown = filter
    ? rows.filter(
        (r) =>
          (r.globalKey ?? '').toLowerCase().includes(filter.toLowerCase()) || r.id.includes(filter),
      )
    : rows
  return (
    <section>
      <div className="lp-toolbar">
        <LabelStateFilter projectId={projectId} status={null} />
        <input
          className="lp-input lp-input--search"
          aria-label="Filter data rows"
          placeholder="Filter by global key or id"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <span className="lp-muted lp-small">
          {formatNumber(shown.length)} of {formatNumber(rows.length)} loaded
        </span>
      </div>
      <AsyncStatus state={page} what="data rows" />
      {page.data && rows.length === 0 && (
        <Empty>No data rows yet: add a batch to this project.</Empty>
      )}
      <div className="lp-grid" data-testid="data-row-grid">
        {shown.map((row) => (
          <a
            key={row.id}
            className="lp-tile"
            href={href.dataRow(projectId, row.id)}
            data-testid="data-row-tile"
            data-data-row-id={row.id}
          >
            <div className="lp-tile__image">
              <Thumbnail dataRowId={row.id} alt={row.globalKey ?? row.id} />
            </div>
            <div className="lp-tile__body">
              <div className="lp-tile__title" title={row.globalKey ?? row.id}>
                {row.globalKey ?? <span className="lp-mono">{row.id}</span>}
              </div>
              <div className="lp-tile__meta">
                {row.mediaAttributes.width}×{row.mediaAttributes.height}
              </div>
              <div className="lp-tile__counts">
                <span
                  className="lp-pill lp-pill--mal"
                  title="pre-labels (MAL)"
                  data-testid="prelabel-count"
                >
                  {formatNumber(row.prelabelCount)} pre-labels
                </span>
                <span
                  className="lp-pill lp-pill--gt"
                  title="ground-truth labels"
                  data-testid="label-count"
                >
                  {formatNumber(row.labelCount)} labels
                </span>
              </div>
            </div>
          </a>
        ))}
      </div>
      {page.data?.next && (
        <div className="lp-more">
          <button
            type="button"
            className="lp-button"
            disabled={page.status === 'loading'}
            onClick={() => setCursors([...cursors, page.data?.next ?? undefined])}
          >
            {page.status === 'loading' ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </section>
  )
}

export function ImportTable({ imports }: { imports: ImportJob[] }) {
  if (imports.length === 0)
    return (
      <Empty>
        No imports yet. Start one with <code>MALPredictionImport</code> or <code>LabelImport</code>.
      </Empty>
    )
  return (
    <div className="lp-card lp-card--flush">
      <table className="lp-table" data-testid="imports-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Kind</th>
            <th>State</th>
            <th className="lp-num">Lines</th>
            <th className="lp-num">Succeeded</th>
            <th className="lp-num">Failed</th>
            <th>Started</th>
          </tr>
        </thead>
        <tbody>
          {[...imports]
            .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
            .map((job) => (
              <tr
                key={job.id}
                className="lp-row-link"
                onClick={() => (window.location.hash = href.importJob(job.id))}
              >
                <td>
                  <a href={href.importJob(job.id)} className="lp-strong" data-testid="import-link">
                    {job.name}
                  </a>
                </td>
                <td>
                  <KindBadge kind={job.kind} dryRun={job.dryRun} />
                </td>
                <td>
                  <StateBadge state={job.state} />{' '}
                  {job.state === 'RUNNING' && (
                    <span className="lp-muted lp-small">{job.progress}</span>
                  )}
                </td>
                <td className="lp-num">{formatNumber(job.counts.total)}</td>
                <td className="lp-num">{formatNumber(job.counts.success)}</td>
                <td className={job.counts.failure > 0 ? 'lp-num lp-text-bad' : 'lp-num'}>
                  {formatNumber(job.counts.failure)}
                </td>
                <td className="lp-muted lp-nowrap">{formatDate(job.createdAt)}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  )
}

function BatchTable({ batches }: { batches: Batch[] }) {
  if (batches.length === 0) return <Empty>No batches yet.</Empty>
  return (
    <div className="lp-card lp-card--flush">
      <table className="lp-table" data-testid="batches-table">
        <thead>
          <tr>
            <th>Name</th>
            <th className="lp-num">Priority</th>
            <th className="lp-num">Data rows</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {batches.map((b) => (
            <tr key={b.id}>
              <td>
                <span className="lp-strong">{b.name}</span>
                <div className="lp-mono lp-muted lp-small">{b.id}</div>
              </td>
              <td className="lp-num">{b.priority}</td>
              <td className="lp-num">{formatNumber(b.size)}</td>
              <td className="lp-muted lp-nowrap">{formatDate(b.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
