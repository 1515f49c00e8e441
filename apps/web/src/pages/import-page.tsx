/**
 * One import job: state with live progress, counts by status and by error code, and the failed
 * lines (filter by code, search by any text of the line, download all), each linking to its data
 * row with the reason. Texts follow the job's real state: nothing says "all imported" while it runs.
 */
import { useEffect, useState } from 'react'
import { api } from '@labelport/core'
import type { ImportJob } from '@labelport/core'
import type { StatusLine } from '../api-client.ts'
import { useClient, useMe } from '../client-context.ts'
import { DeleteButton } from '../components/delete-dialog.tsx'
import { ImportActions, ImportEffectNotice } from '../components/import-actions.tsx'
import { useAsync } from '../use-async.ts'
import { FailedLinesDownload } from '../components/failed-lines-download.tsx'
import { href } from '../router.ts'
import {
  AsyncStatus,
  Empty,
  ErrorNotice,
  KindBadge,
  Loading,
  PageHeader,
  StateBadge,
  formatDate,
  formatIssuePath,
  formatNumber,
} from '../components/ui.tsx'

const POLL_MS = 1000
const PAGE = 50

export function ImportPage({ importId }: { importId: string }) {
  const client = useClient()
  const role = useMe()?.role
  const [job, setJob] = useState<ImportJob | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const [codeFilter, setCodeFilter] = useState('')

  // poll while RUNNING
  useEffect(() => {
    let live = true
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = async () => {
      try {
        const next = await client.json(api.getImport, { importId })
        if (!live) return
        setJob(next)
        setError(null)
        if (next.state === 'RUNNING') timer = setTimeout(() => void load(), POLL_MS)
      } catch (e) {
        if (!live) return
        setError(e instanceof Error ? e : new Error(String(e)))
        timer = setTimeout(() => void load(), POLL_MS * 3)
      }
    }
    void load()
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [client, importId])

  const project = useAsync(
    (signal) =>
      job
        ? client.json(api.getProject, { projectId: job.projectId }, undefined, signal)
        : Promise.resolve(null),
    [client, job?.projectId],
  )

  if (!job)
    return (
      <div className="lp-page">
        {error ? <ErrorNotice error={error} /> : <Loading what="import job" />}
      </div>
    )
  const percent = Math.max(0, Math.min(100, parseInt(job.progress, 10) || 0))
  const codes = Object.entries(job.errorCounts).sort((a, b) => b[1] - a[1])
  return (
    <div className="lp-page" data-testid="import-view">
      <PageHeader
        crumbs={[
          { label: 'Projects', href: href.projects() },
          { label: project.data?.name ?? 'Project', href: href.project(job.projectId, 'imports') },
        ]}
        title={
          <>
            {job.name} <KindBadge kind={job.kind} dryRun={job.dryRun} />
          </>
        }
        meta={
          <>
            <span className="lp-mono">{job.id}</span> · started {formatDate(job.createdAt)}
            {job.finishedAt && <> · finished {formatDate(job.finishedAt)}</>}
          </>
        }
        actions={
          (role === 'admin' || role === 'reviewer') && (
            <>
              <ImportActions job={job} onChange={setJob} />
              {job.kind === 'mal' && !job.dryRun && job.state !== 'RUNNING' && (
                <DeleteButton
                  what="pre-labels"
                  label="Delete its pre-labels…"
                  loadImpact={() => client.json(api.getImportPrelabelsDeletionImpact, { importId })}
                  onDelete={async () => {
                    await client.send(api.deleteImportPrelabels, { importId })
                  }}
                />
              )}
            </>
          )
        }
      />
      {error && <ErrorNotice error={error} />}
      <ImportEffectNotice job={job} />
      <div className="lp-stats">
        <div className="lp-stat lp-stat--wide">
          <div className="lp-stat__label">State</div>
          <div className="lp-stat__value">
            <StateBadge state={job.state} />
            <span className="lp-stat__progress" data-testid="import-progress">
              {job.progress}
            </span>
          </div>
          <div className="lp-progress" aria-label="progress">
            <div
              className={
                job.state === 'FAILED'
                  ? 'lp-progress__bar lp-progress__bar--bad'
                  : 'lp-progress__bar'
              }
              style={{ width: `${percent}%` }}
            />
          </div>
        </div>
        <div className="lp-stat">
          <div className="lp-stat__label">Lines</div>
          <div className="lp-stat__value" data-testid="count-total">
            {formatNumber(job.counts.total)}
          </div>
        </div>
        <div className="lp-stat">
          <div className="lp-stat__label">Succeeded</div>
          <div className="lp-stat__value lp-text-ok" data-testid="count-success">
            {formatNumber(job.counts.success)}
          </div>
        </div>
        <div className="lp-stat">
          <div className="lp-stat__label">Failed</div>
          <div
            className={job.counts.failure > 0 ? 'lp-stat__value lp-text-bad' : 'lp-stat__value'}
            data-testid="count-failure"
          >
            {formatNumber(job.counts.failure)}
          </div>
        </div>
      </div>
      {job.failureReason && (
        <div className="lp-notice lp-notice--error" data-testid="failure-reason">
          <strong>The job stopped: {job.failureReason.code}</strong>
          <span>{job.failureReason.message}</span>
          {job.failureReason.path.length > 0 && (
            <code>{formatIssuePath(job.failureReason.path)}</code>
          )}
        </div>
      )}
      <div className="lp-import-layout">
        <section className="lp-card lp-card--flush">
          <h2 className="lp-card__title">Failures by error code</h2>
          {codes.length === 0 ? (
            <p className="lp-card__empty" data-testid="error-codes-empty">
              {codesEmptyText(job)}
            </p>
          ) : (
            <table className="lp-table lp-table--compact" data-testid="error-codes">
              <thead>
                <tr>
                  <th>Code</th>
                  <th className="lp-num">Lines</th>
                  <th>First occurrence</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {codes.map(([code, n]) => {
                  const example = job.errorExamples[code]
                  return (
                    <tr key={code} data-testid="error-code-row" data-code={code}>
                      <td className="lp-nowrap">
                        <code className="lp-code-badge">{code}</code>
                      </td>
                      <td className="lp-num">{formatNumber(n)}</td>
                      <td className="lp-muted">
                        {example ? (
                          <>
                            line {example.line}: {example.message}
                            {example.path.length > 0 && (
                              <>
                                {' '}
                                (at <code>{formatIssuePath(example.path)}</code>)
                              </>
                            )}
                          </>
                        ) : (
                          '—'
                        )}
                      </td>
                      <td className="lp-num">
                        <button
                          type="button"
                          className="lp-link-button"
                          onClick={() => setCodeFilter(code)}
                        >
                          Show lines
                        </button>
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          )}
        </section>
        <FailedLines
          job={job}
          codes={codes.map(([c]) => c)}
          code={codeFilter}
          setCode={setCodeFilter}
        />
      </div>
    </div>
  )
}

/** What the empty "failures by code" card says, true to the job's state and counts. */
function codesEmptyText(job: ImportJob): string {
  const judged = `${formatNumber(job.counts.total)} line${job.counts.total === 1 ? '' : 's'} judged`
  if (job.state === 'RUNNING')
    return job.counts.failure > 0
      ? `${formatNumber(job.counts.failure)} lines failed so far (${judged}); their codes appear at the next checkpoint.`
      : `No failure so far (${judged}, ${job.progress}).`
  if (job.state === 'FAILED') return 'The job stopped before any line failed.'
  return job.counts.failure > 0
    ? `${formatNumber(job.counts.failure)} lines failed.`
    : job.dryRun
      ? 'No line failed: every line would be imported.'
      : 'No line failed.'
}

/** What the empty failed-lines table says. */
function failedLinesEmptyText(job: ImportJob, filtered: boolean): string {
  if (job.state === 'RUNNING')
    return job.counts.failure > 0
      ? filtered
        ? 'No failed line matches so far.'
        : `${formatNumber(job.counts.failure)} lines failed so far; they are listed here as their chunk is written.`
      : 'The job is running; failed lines are listed here as their chunk is written.'
  if (job.state === 'FAILED' && job.counts.failure === 0)
    return 'No line failed before the job stopped.'
  if (job.counts.failure === 0)
    return job.dryRun ? 'Every line would be imported.' : 'Every line was imported.'
  return filtered ? 'No failed line matches.' : 'No failed line.'
}

function FailedLines({
  job,
  codes,
  code,
  setCode,
}: {
  job: ImportJob
  codes: string[]
  code: string
  setCode: (code: string) => void
}) {
  const client = useClient()
  const [search, setSearch] = useState('')
  const [query, setQuery] = useState('')
  const [offset, setOffset] = useState(0)
  useEffect(() => {
    const t = setTimeout(() => {
      setQuery(search.trim())
      setOffset(0)
    }, 250)
    return () => clearTimeout(t)
  }, [search])
  const lines = useAsync(
    async (signal) => {
      // one more than a page tells whether there is a next page
      const rows = await client.ndjson<StatusLine>(
        api.getImportStatuses,
        { importId: job.id },
        {
          status: 'FAILURE',
          code: code || undefined,
          search: query || undefined,
          offset,
          limit: PAGE + 1,
        },
        signal,
      )
      return { rows: rows.slice(0, PAGE), more: rows.length > PAGE }
    },
    [client, job.id, code, query, offset, job.counts.failure],
  )
  useEffect(() => setOffset(0), [code])
  const matching = code ? (job.errorCounts[code] ?? 0) : job.counts.failure
  return (
    <section className="lp-card lp-card--flush" data-testid="failed-lines">
      <div className="lp-card__head">
        <h2 className="lp-card__title">Failed lines</h2>
        <div className="lp-toolbar lp-toolbar--inline">
          <select
            className="lp-input lp-select"
            value={code}
            onChange={(e) => {
              setCode(e.target.value)
              setOffset(0)
            }}
            data-testid="code-filter"
            aria-label="Filter by error code"
          >
            <option value="">All codes ({formatNumber(job.counts.failure)})</option>
            {codes.map((c) => (
              <option key={c} value={c}>
                {c} ({formatNumber(job.errorCounts[c] ?? 0)})
              </option>
            ))}
          </select>
          <input
            className="lp-input lp-input--search"
            placeholder="Search: global key, id, uuid, message…"
            aria-label="Search failed lines"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            data-testid="data-row-search"
          />
          <FailedLinesDownload
            importId={job.id}
            jobName={job.name}
            disabled={job.state === 'RUNNING' || job.counts.failure === 0}
          />
        </div>
      </div>
      <AsyncStatus state={lines} what="failed lines" />
      {lines.data && lines.data.rows.length === 0 && (
        <Empty>
          <span data-testid="failed-lines-empty">
            {failedLinesEmptyText(job, Boolean(code || query))}
          </span>
        </Empty>
      )}
      {lines.data && lines.data.rows.length > 0 && (
        <>
          <table className="lp-table lp-table--compact" data-testid="failures-table">
            <thead>
              <tr>
                <th className="lp-num">Line</th>
                <th>Data row</th>
                <th>Error</th>
                <th>Path</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {lines.data.rows.map((s) => {
                const first = s.errors?.[0]
                const rowId = s.dataRow.id
                return (
                  <tr key={s.line} data-testid="failure-row" data-code={first?.code ?? ''}>
                    <td className="lp-num lp-mono">{s.line}</td>
                    <td className="lp-cell-datarow">
                      <div className="lp-clamp" title={s.dataRow.globalKey ?? ''}>
                        {s.dataRow.globalKey ?? <span className="lp-muted">no global key</span>}
                      </div>
                      <div className="lp-mono lp-muted lp-small">{rowId ?? 'unresolved'}</div>
                    </td>
                    <td>
                      {(s.errors ?? []).map((e, i) => (
                        <div key={i} className="lp-error-cell">
                          <code className="lp-code-badge">{e.code}</code>
                          <div className="lp-error-cell__message" data-testid="failure-row-message">
                            {e.message}
                          </div>
                        </div>
                      ))}
                      {s.uuid && <div className="lp-mono lp-muted lp-small">uuid {s.uuid}</div>}
                    </td>
                    <td>
                      <code className="lp-small lp-nowrap" data-testid="failure-row-path">
                        {formatIssuePath(first?.path)}
                      </code>
                    </td>
                    <td className="lp-nowrap">
                      {rowId ? (
                        <a
                          className="lp-button lp-button--small"
                          href={href.dataRow(job.projectId, rowId, {
                            importId: job.id,
                            line: s.line,
                          })}
                          data-testid="failure-link"
                        >
                          View on image
                        </a>
                      ) : (
                        <span className="lp-muted lp-small">data row not found</span>
                      )}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
          <div className="lp-pager">
            <span className="lp-muted lp-small">
              {formatNumber(offset + 1)}–{formatNumber(offset + lines.data.rows.length)}
              {!query && ` of ${formatNumber(matching)}`}
            </span>
            <button
              type="button"
              className="lp-button lp-button--small"
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - PAGE))}
            >
              Previous
            </button>
            <button
              type="button"
              className="lp-button lp-button--small"
              disabled={!lines.data.more}
              onClick={() => setOffset(offset + PAGE)}
            >
              Next
            </button>
          </div>
        </>
      )}
    </section>
  )
}
