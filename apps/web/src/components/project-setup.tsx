/**
 * Setting a project up from its page: connect an ontology, add a batch of data rows picked from a
 * dataset (all of it, or those whose global key matches a filter) with a priority, and start an
 * import from a file (pre-labels or ground truth), with a dry run offered first.
 */
import { useMemo, useState } from 'react'
import type { FormEvent } from 'react'
import { api } from '@labelport/core'
import type { Dataset, DatasetDataRow, FormatImportResult, OntologyResource } from '@labelport/core'
import { useClient } from '../client-context.ts'
import { useAsync } from '../use-async.ts'
import { href } from '../router.ts'
import { ErrorNotice } from './ui.tsx'
import { ApiError } from '../api-client.ts'
import {
  FormatImportSummary,
  FormatPicker,
  UnmappedFeatures,
  type FileFormat,
} from './format-import.tsx'

export function ConnectOntology({ projectId, onDone }: { projectId: string; onDone: () => void }) {
  const client = useClient()
  const ontologies = useAsync(
    (signal) => client.all<OntologyResource>(api.listOntologies, {}, 10_000, signal),
    [client],
  )
  const [chosen, setChosen] = useState('')
  const [error, setError] = useState<Error | null>(null)
  const connect = async (event: FormEvent) => {
    event.preventDefault()
    setError(null)
    try {
      await client.send(api.connectOntology, { projectId }, { ontologyId: chosen })
      onDone()
    } catch (e) {
      setError(e as Error)
    }
  }
  return (
    <form className="lp-card lp-form-row" onSubmit={(e) => void connect(e)}>
      {error && <ErrorNotice error={error} />}
      <label className="lp-field lp-grow">
        <span className="lp-field__label">Ontology to connect</span>
        <select className="lp-input" value={chosen} onChange={(e) => setChosen(e.target.value)}>
          <option value="">choose…</option>
          {(ontologies.data ?? []).map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      <button className="lp-button lp-button--primary" type="submit" disabled={!chosen}>
        Connect ontology
      </button>
      <a className="lp-button" href={href.ontology('new')}>
        Build a new ontology
      </a>
    </form>
  )
}

export function BatchCreator({ projectId, onDone }: { projectId: string; onDone: () => void }) {
  const client = useClient()
  const datasets = useAsync(
    (signal) => client.all<Dataset>(api.listDatasets, {}, 10_000, signal),
    [client],
  )
  const [datasetId, setDatasetId] = useState('')
  const rows = useAsync(
    (signal) =>
      datasetId
        ? client.all<DatasetDataRow>(api.listDataRows, { datasetId }, 100_000, signal)
        : Promise.resolve([]),
    [client, datasetId],
  )
  const [name, setName] = useState('')
  const [filter, setFilter] = useState('')
  const [priority, setPriority] = useState(5)
  const [error, setError] = useState<Error | null>(null)
  const picked = useMemo(() => {
    const f = filter.trim().toLowerCase()
    const all = rows.data ?? []
    return f ? all.filter((r) => (r.globalKey ?? r.id).toLowerCase().includes(f)) : all
  }, [rows.data, filter])
  const create = async (event: FormEvent) => {
    event.preventDefault()
    setError(null)
    try {
      await client.send(
        api.createBatch,
        { projectId },
        { name: name.trim(), dataRowIds: picked.map((r) => r.id), priority },
      )
      setName('')
      onDone()
    } catch (e) {
      setError(e as Error)
    }
  }
  return (
    <form className="lp-card" onSubmit={(e) => void create(e)} data-testid="batch-creator">
      <h2 className="lp-section-title">New batch</h2>
      {error && <ErrorNotice error={error} />}
      <div className="lp-form-row">
        <label className="lp-field">
          <span className="lp-field__label">Batch name</span>
          <input className="lp-input" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="lp-field">
          <span className="lp-field__label">Dataset</span>
          <select
            className="lp-input"
            value={datasetId}
            onChange={(e) => setDatasetId(e.target.value)}
          >
            <option value="">choose…</option>
            {(datasets.data ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.rowCount})
              </option>
            ))}
          </select>
        </label>
        <label className="lp-field">
          <span className="lp-field__label">Only global keys containing</span>
          <input
            className="lp-input"
            value={filter}
            placeholder="empty: every data row"
            onChange={(e) => setFilter(e.target.value)}
          />
        </label>
        <label className="lp-field">
          <span className="lp-field__label">Priority (1 highest)</span>
          <input
            className="lp-input"
            type="number"
            min={1}
            max={5}
            value={priority}
            onChange={(e) => setPriority(Number(e.target.value))}
          />
        </label>
        <button
          className="lp-button lp-button--primary"
          type="submit"
          disabled={!name.trim() || picked.length === 0}
        >
          Add {picked.length} data rows as a batch
        </button>
      </div>
    </form>
  )
}

export function ImportStarter({ projectId }: { projectId: string }) {
  const client = useClient()
  const [file, setFile] = useState<File | null>(null)
  const [name, setName] = useState('')
  const [kind, setKind] = useState<'mal' | 'ground_truth'>('mal')
  const [triedDry, setTriedDry] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<Error | null>(null)
  const [format, setFormat] = useState<FileFormat>('ndjson')
  const [found, setFound] = useState<FormatImportResult | null>(null)
  const start = async (dryRun: boolean) => {
    if (!file) return
    setBusy(true)
    setError(null)
    setFound(null)
    try {
      if (format !== 'ndjson') {
        // another tool's file: the server detects and converts it; a dry run stays here to show it
        const upload = await client.send(api.createUpload, {}, file, {
          contentType: 'application/octet-stream',
        })
        const result = await client.send(
          api.createFormatImport,
          { projectId },
          {
            name: name.trim(),
            kind,
            format,
            fileName: file.name,
            source: { uploadId: upload.id },
            dryRun,
          },
        )
        if (dryRun) {
          setTriedDry(result.job?.id ?? 'planned')
          setFound(result)
        } else if (result.job) window.location.hash = href.importJob(result.job.id)
        else setFound(result)
        return
      }
      const upload = await client.send(api.createUpload, {}, file, {
        contentType: 'application/x-ndjson',
      })
      const body = { name: name.trim(), kind, source: { uploadId: upload.id } }
      const job = await client.send(
        dryRun ? api.validateImport : api.createImport,
        { projectId },
        body,
      )
      if (dryRun) setTriedDry(job.id)
      window.location.hash = href.importJob(job.id)
    } catch (e) {
      setError(e as Error)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="lp-card" data-testid="import-starter">
      <h2 className="lp-section-title">Import annotations</h2>
      {error instanceof ApiError && error.code === 'format_features_unmapped' ? (
        <UnmappedFeatures error={error} />
      ) : (
        error && <ErrorNotice error={error} />
      )}
      {found && <FormatImportSummary result={found} />}
      <div className="lp-form-row">
        <FormatPicker
          value={format}
          onChange={(f) => {
            setFormat(f)
            setTriedDry(null)
            setFound(null)
          }}
        />
        <label className="lp-field">
          <span className="lp-field__label">
            {format === 'ndjson' ? 'NDJSON file' : 'Annotation file'}
          </span>
          <input
            className="lp-input"
            type="file"
            accept={format === 'ndjson' ? '.ndjson,.jsonl,.json,application/x-ndjson' : undefined}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null)
              setTriedDry(null)
              setFound(null)
            }}
          />
        </label>
        <label className="lp-field">
          <span className="lp-field__label">Import name</span>
          <input className="lp-input" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <fieldset className="lp-field lp-fieldset">
          <legend className="lp-field__label">Import as</legend>
          <label className="lp-check">
            <input
              type="radio"
              name="import-kind"
              checked={kind === 'mal'}
              onChange={() => setKind('mal')}
            />
            Pre-labels (MAL)
          </label>
          <label className="lp-check">
            <input
              type="radio"
              name="import-kind"
              checked={kind === 'ground_truth'}
              onChange={() => setKind('ground_truth')}
            />
            Ground truth
          </label>
        </fieldset>
        <button
          type="button"
          className="lp-button lp-button--primary"
          disabled={busy || !file || !name.trim()}
          onClick={() => void start(true)}
        >
          Dry run first
        </button>
        <button
          type="button"
          className="lp-button"
          disabled={busy || !file || !name.trim()}
          onClick={() => void start(false)}
          title={triedDry ? undefined : 'A dry run judges every line and writes nothing'}
        >
          Import
        </button>
      </div>
    </div>
  )
}
