/** Every dataset (the catalog). */
import { useState } from 'react'
import type { FormEvent } from 'react'
import { api } from '@labelport/core'
import type { Dataset } from '@labelport/core'
import { useClient, useIsAdmin } from '../client-context.ts'
import { useAsync } from '../use-async.ts'
import { href } from '../router.ts'
import {
  AsyncStatus,
  Empty,
  ErrorNotice,
  PageHeader,
  formatDate,
  formatNumber,
} from '../components/ui.tsx'

export function DatasetsPage() {
  const client = useClient()
  const datasets = useAsync(
    (signal) => client.all<Dataset>(api.listDatasets, {}, 10_000, signal),
    [client],
  )
  const isAdmin = useIsAdmin()
  const [name, setName] = useState('')
  const [error, setError] = useState<Error | null>(null)
  const create = async (event: FormEvent) => {
    event.preventDefault()
    setError(null)
    try {
      const created = await client.send(api.createDataset, {}, { name: name.trim() })
      window.location.hash = href.dataset(created.id)
    } catch (e) {
      setError(e as Error)
    }
  }
  return (
    <div className="lp-page">
      <PageHeader
        title="Datasets"
        meta="Data rows live in datasets; projects use them through batches."
      />
      {isAdmin && (
        <form className="lp-card lp-form-row" onSubmit={(e) => void create(e)}>
          <label className="lp-field lp-grow">
            <span className="lp-field__label">New dataset name</span>
            <input
              className="lp-input"
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
            />
          </label>
          <button className="lp-button lp-button--primary" type="submit" disabled={!name.trim()}>
            Create dataset
          </button>
        </form>
      )}
      {error && <ErrorNotice error={error} />}
      <AsyncStatus state={datasets} what="datasets" />
      {datasets.data && datasets.data.length === 0 && <Empty>No datasets yet.</Empty>}
      {datasets.data && datasets.data.length > 0 && (
        <div className="lp-card lp-card--flush">
          <table className="lp-table" data-testid="datasets-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Description</th>
                <th className="lp-num">Data rows</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {datasets.data.map((d) => (
                <tr
                  key={d.id}
                  className="lp-row-link"
                  onClick={() => (window.location.hash = href.dataset(d.id))}
                >
                  <td>
                    <a className="lp-strong" href={href.dataset(d.id)} data-testid="dataset-link">
                      {d.name}
                    </a>
                    <div className="lp-mono lp-muted lp-small">{d.id}</div>
                  </td>
                  <td className="lp-muted">{d.description || '—'}</td>
                  <td className="lp-num">{formatNumber(d.rowCount)}</td>
                  <td className="lp-muted lp-nowrap">{formatDate(d.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
