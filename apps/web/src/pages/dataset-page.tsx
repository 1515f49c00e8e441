/**
 * One dataset: its data rows with global keys, media attributes and metadata, and the projects
 * that use each one (the data-row list carries each row's usage, with its annotation counts
 * there). The metadata filter runs on the server, over every row of the dataset.
 */
import { useMemo, useState } from 'react'
import { api } from '@labelport/core'
import type { DatasetDataRow } from '@labelport/core'
import { useClient, useIsAdmin } from '../client-context.ts'
import { ImageUploader } from '../components/image-uploader.tsx'
import { useAsync } from '../use-async.ts'
import { href } from '../router.ts'
import { Thumbnail } from '../components/authed-image.tsx'
import {
  AsyncStatus,
  Empty,
  ErrorNotice,
  Loading,
  PageHeader,
  formatDate,
  formatNumber,
} from '../components/ui.tsx'
import { DeleteButton } from '../components/delete-dialog.tsx'
import { MetadataChips } from '../components/metadata-chips.tsx'

const PAGE = 100

export function DatasetPage({ datasetId }: { datasetId: string }) {
  const client = useClient()
  const isAdmin = useIsAdmin()
  const dataset = useAsync(
    (signal) => client.json(api.getDataset, { datasetId }, undefined, signal),
    [client, datasetId],
  )
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined])
  // the metadata filter as typed, and as applied (sent to the server)
  const [metaName, setMetaName] = useState('')
  const [metaValue, setMetaValue] = useState('')
  const [metaFilter, setMetaFilter] = useState<{ name: string; value: string } | null>(null)
  const rows = useAsync(
    async (signal) => {
      const items: DatasetDataRow[] = []
      let next: string | null = null
      for (const cursor of cursors) {
        const page = await client.json(
          api.listDataRows,
          { datasetId },
          {
            limit: PAGE,
            cursor,
            // an empty value is left out of the query: every row that has the field
            metadataName: metaFilter?.name,
            metadataValue: metaFilter?.value,
          },
          signal,
        )
        items.push(...page.items)
        next = page.nextCursor
      }
      return { items, next }
    },
    [client, datasetId, cursors, metaFilter],
  )
  const applyMetadataFilter = (next: { name: string; value: string } | null) => {
    setMetaFilter(next)
    setCursors([undefined])
  }
  const [filter, setFilter] = useState('')
  const shown = useMemo(() => {
    const all = rows.data?.items ?? []
    const f = filter.trim().toLowerCase()
    return f
      ? all.filter(
          (r) =>
            (r.globalKey ?? '').toLowerCase().includes(f) ||
            r.id.includes(f) ||
            r.rowData.toLowerCase().includes(f),
        )
      : all
  }, [rows.data, filter])

  if (dataset.status === 'error')
    return (
      <div className="lp-page">
        <ErrorNotice error={dataset.error} onRetry={dataset.reload} />
      </div>
    )
  if (!dataset.data)
    return (
      <div className="lp-page">
        <Loading what="dataset" />
      </div>
    )
  const d = dataset.data
  return (
    <div className="lp-page" data-testid="dataset-view">
      <PageHeader
        crumbs={[{ label: 'Datasets', href: href.datasets() }]}
        title={d.name}
        meta={
          <>
            {d.description && <span>{d.description} · </span>}
            {formatNumber(d.rowCount)} data rows · <span className="lp-mono">{d.id}</span> · created{' '}
            {formatDate(d.createdAt)}
          </>
        }
        actions={
          isAdmin && (
            <DeleteButton
              what="dataset"
              typeName
              label="Delete dataset…"
              loadImpact={() => client.json(api.getDatasetDeletionImpact, { datasetId })}
              onDelete={async () => {
                await client.send(api.deleteDataset, { datasetId })
                window.location.hash = href.datasets()
              }}
            />
          )
        }
      />
      {isAdmin && (
        <ImageUploader
          datasetId={datasetId}
          onAdded={() => {
            dataset.reload()
            rows.reload()
          }}
        />
      )}
      <div className="lp-toolbar">
        <input
          className="lp-input lp-input--search"
          aria-label="Filter data rows"
          placeholder="Filter by global key, id or source"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <span className="lp-muted lp-small">
          {formatNumber(shown.length)} of {formatNumber(rows.data?.items.length ?? 0)} loaded
        </span>
      </div>
      <form
        className="lp-toolbar"
        data-testid="metadata-filter"
        onSubmit={(e) => {
          e.preventDefault()
          applyMetadataFilter(metaName.trim() ? { name: metaName.trim(), value: metaValue } : null)
        }}
      >
        <label className="lp-field">
          <span className="lp-field__label">Metadata field</span>
          <input
            className="lp-input"
            value={metaName}
            placeholder="e.g. camera"
            onChange={(e) => setMetaName(e.target.value)}
          />
        </label>
        <label className="lp-field">
          <span className="lp-field__label">Metadata value</span>
          <input
            className="lp-input"
            value={metaValue}
            placeholder="any value"
            onChange={(e) => setMetaValue(e.target.value)}
          />
        </label>
        <button className="lp-button" type="submit" disabled={!metaName.trim()}>
          Filter by metadata
        </button>
        {metaFilter && (
          <button
            className="lp-button"
            type="button"
            onClick={() => {
              setMetaName('')
              setMetaValue('')
              applyMetadataFilter(null)
            }}
          >
            Clear metadata filter
          </button>
        )}
        {metaFilter && (
          <span className="lp-muted lp-small" data-testid="metadata-filter-applied">
            rows whose {metaFilter.name} is{' '}
            {metaFilter.value === '' ? 'set' : `“${metaFilter.value}”`}
          </span>
        )}
      </form>
      <AsyncStatus state={rows} what="data rows" />
      {rows.data && rows.data.items.length === 0 && (
        <Empty>
          {metaFilter
            ? 'No data row matches the metadata filter.'
            : 'This dataset has no data rows.'}
        </Empty>
      )}
      {shown.length > 0 && (
        <div className="lp-card lp-card--flush">
          <table className="lp-table" data-testid="dataset-rows">
            <thead>
              <tr>
                <th style={{ width: 72 }} />
                <th>Global key</th>
                <th className="lp-num">Width</th>
                <th className="lp-num">Height</th>
                <th>Type</th>
                <th className="lp-num">EXIF</th>
                <th>Metadata</th>
                <th>Used in</th>
                <th>Created</th>
                {isAdmin && <th />}
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => {
                return (
                  <tr key={row.id} data-testid="dataset-row">
                    <td>
                      <div className="lp-mini-thumb">
                        <Thumbnail dataRowId={row.id} size={128} alt={row.globalKey ?? row.id} />
                      </div>
                    </td>
                    <td>
                      <div className="lp-strong lp-clamp" title={row.globalKey ?? ''}>
                        {row.globalKey ?? <span className="lp-muted">none</span>}
                      </div>
                      <div className="lp-mono lp-muted lp-small">{row.id}</div>
                      <div className="lp-muted lp-small lp-clamp" title={row.rowData}>
                        {row.rowData}
                      </div>
                    </td>
                    <td className="lp-num">{row.mediaAttributes.width}</td>
                    <td className="lp-num">{row.mediaAttributes.height}</td>
                    <td className="lp-mono lp-small">{row.mediaAttributes.mimeType}</td>
                    <td className="lp-num">{row.mediaAttributes.exifOrientation}</td>
                    <td data-testid="row-metadata">
                      {row.metadataFields.length === 0 ? (
                        <span className="lp-muted lp-small">none</span>
                      ) : (
                        <MetadataChips fields={row.metadataFields} />
                      )}
                    </td>
                    <td data-testid="row-usage">
                      {row.usage.length === 0 ? (
                        <span className="lp-muted lp-small">not in a project</span>
                      ) : (
                        row.usage.map((u) => (
                          <a
                            key={u.projectId}
                            className="lp-usage"
                            href={href.dataRow(u.projectId, row.id)}
                          >
                            {u.projectName}
                            <span className="lp-usage__counts">
                              {formatNumber(u.prelabelCount)} pre-labels ·{' '}
                              {formatNumber(u.labelCount)} labels
                            </span>
                          </a>
                        ))
                      )}
                    </td>
                    <td className="lp-muted lp-nowrap">{formatDate(row.createdAt)}</td>
                    {isAdmin && (
                      <td>
                        <DeleteButton
                          what="data row"
                          label="Delete…"
                          small
                          loadImpact={() =>
                            client.json(api.getDataRowDeletionImpact, { dataRowId: row.id })
                          }
                          onDelete={async () => {
                            await client.send(api.deleteDataRow, { dataRowId: row.id })
                            dataset.reload()
                            rows.reload()
                          }}
                        />
                      </td>
                    )}
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
      {rows.data?.next && (
        <div className="lp-more">
          <button
            type="button"
            className="lp-button"
            disabled={rows.status === 'loading'}
            onClick={() => setCursors([...cursors, rows.data?.next ?? undefined])}
          >
            Load more
          </button>
        </div>
      )}
    </div>
  )
}
