/**
 * The project's data rows in one labeling status (`GET …/labels?status=`), as tiles: the
 * data-row grid when filtered by label state (a click on a count of the labeling summary opens it).
 */
import { useState } from 'react'
import { api } from '@labelport/core'
import type { LabelingRow, LabelingStatus } from '@labelport/core'
import { useClient } from '../client-context.ts'
import { href } from '../router.ts'
import { useAsync } from '../use-async.ts'
import { Thumbnail } from './authed-image.tsx'
import { LABELING_STATES } from './labeling-summary.tsx'
import { AsyncStatus, Empty, formatDate, formatNumber } from './ui.tsx'

const PAGE = 60

export function isLabelingStatus(value: string | null): value is LabelingStatus {
  return LABELING_STATES.some((s) => s.status === value)
}

/** The grid's "Label state" filter: every status, or all rows (null). */
export function LabelStateFilter({
  projectId,
  status,
}: {
  projectId: string
  status: LabelingStatus | null
}) {
  return (
    <>
      <label htmlFor="label-state-filter" className="lp-small">
        Label state
      </label>
      <select
        id="label-state-filter"
        className="lp-select"
        value={status ?? ''}
        data-testid="label-state-filter"
        onChange={(e) => {
          window.location.hash = e.target.value
            ? href.projectRows(projectId, e.target.value)
            : href.project(projectId, 'data-rows')
        }}
      >
        <option value="">all data rows</option>
        {LABELING_STATES.map((s) => (
          <option key={s.status} value={s.status}>
            {s.label}
          </option>
        ))}
      </select>
    </>
  )
}

export function LabelingRowGrid({
  projectId,
  status,
}: {
  projectId: string
  status: LabelingStatus
}) {
  const client = useClient()
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined])
  const page = useAsync(
    async (signal) => {
      const items: LabelingRow[] = []
      let next: string | null = null
      for (const cursor of cursors) {
        const r = await client.json(
          api.listLabelingRows,
          { projectId },
          { status, limit: PAGE, cursor },
          signal,
        )
        items.push(...r.items)
        next = r.nextCursor
      }
      return { items, next }
    },
    [client, projectId, status, cursors],
  )
  const rows = page.data?.items ?? []
  const words = LABELING_STATES.find((s) => s.status === status)?.label ?? status
  return (
    <section>
      <div className="lp-toolbar">
        <LabelStateFilter projectId={projectId} status={status} />
        <span className="lp-muted lp-small" data-testid="label-state-count">
          {formatNumber(rows.length)}
          {page.data?.next ? '+' : ''} data rows {words}
        </span>
      </div>
      <AsyncStatus state={page} what="data rows" />
      {page.data && rows.length === 0 && <Empty>No data rows are {words}.</Empty>}
      <div className="lp-grid" data-testid="data-row-grid" data-status={status}>
        {rows.map((row) => (
          <a
            key={row.dataRowId}
            className="lp-tile"
            href={href.dataRow(projectId, row.dataRowId)}
            data-testid="data-row-tile"
            data-data-row-id={row.dataRowId}
            data-status={row.status}
          >
            <div className="lp-tile__image">
              <Thumbnail dataRowId={row.dataRowId} alt={row.globalKey ?? row.dataRowId} />
            </div>
            <div className="lp-tile__body">
              <div className="lp-tile__title" title={row.globalKey ?? row.dataRowId}>
                {row.globalKey ?? <span className="lp-mono">{row.dataRowId}</span>}
              </div>
              <div className="lp-tile__meta">
                {words}
                {row.updatedAt ? ` · ${formatDate(row.updatedAt)}` : ''}
              </div>
              {row.reviewComment && (
                <div className="lp-tile__meta" data-testid="tile-review-comment">
                  “{row.reviewComment}”
                </div>
              )}
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
