/**
 * "Delete…" with a confirmation dialog that first shows what the delete takes (the server counts
 * it: data rows, projects using them, annotations, imports, evaluations). Datasets and projects
 * ask for their name to be typed.
 */
import { useState } from 'react'
import type { DeletionImpact } from '@labelport/core'
import { formatNumber } from './ui.tsx'

const plural = (n: number, one: string, many = `${one}s`) =>
  `${formatNumber(n)} ${n === 1 ? one : many}`

function ImpactList({ impact }: { impact: DeletionImpact }) {
  const { prelabel, label } = impact.annotations
  const items: [string, string][] = []
  if (impact.subject.type === 'project') {
    items.push([
      'batches',
      `${plural(impact.batches, 'batch', 'batches')} holding ${plural(impact.dataRows, 'data row')} (the data rows stay in their datasets)`,
    ])
    items.push(['imports', plural(impact.imports, 'import job')])
  } else if (impact.subject.type === 'import_prelabels') {
    items.push(['dataRows', `on ${plural(impact.dataRows, 'data row')}`])
  } else {
    items.push(['dataRows', plural(impact.dataRows, 'data row')])
    items.push([
      'projects',
      impact.projects.length === 0
        ? 'used by no project'
        : `used by ${plural(impact.projects.length, 'project')}: ${impact.projects.map((p) => p.name).join(', ')}`,
    ])
    if (impact.batches > 0)
      items.push(['batches', `in ${plural(impact.batches, 'batch', 'batches')}`])
  }
  items.push(['annotations', `${plural(prelabel, 'pre-label')} and ${plural(label, 'label')}`])
  if (impact.labels > 0 || impact.drafts > 0)
    items.push([
      'labeling',
      `labeling work: ${plural(impact.labels, 'label')} (with their versions and reviews) and ${plural(impact.drafts, 'draft')} in progress`,
    ])
  if (impact.evaluations > 0)
    items.push([
      'evaluations',
      impact.subject.type === 'dataset' || impact.subject.type === 'data_row'
        ? `their results in ${plural(impact.evaluations, 'evaluation')}`
        : plural(impact.evaluations, 'evaluation'),
    ])
  return (
    <ul className="lp-impact" data-testid="delete-impact">
      {items.map(([key, text]) => (
        <li key={key} data-impact={key}>
          {text}
        </li>
      ))}
    </ul>
  )
}

export function DeleteButton({
  what,
  loadImpact,
  onDelete,
  typeName,
  label = 'Delete…',
  small,
}: {
  /** "dataset", "project", "data row", "pre-labels" */
  what: string
  loadImpact: () => Promise<DeletionImpact>
  onDelete: () => Promise<void>
  /** ask for the subject's name to be typed */
  typeName?: boolean
  label?: string
  small?: boolean
}) {
  const [impact, setImpact] = useState<DeletionImpact | null>(null)
  const [open, setOpen] = useState(false)
  const [typed, setTyped] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const start = async () => {
    setOpen(true)
    setImpact(null)
    setTyped('')
    setError(null)
    try {
      setImpact(await loadImpact())
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }
  const confirm = async () => {
    setBusy(true)
    setError(null)
    try {
      await onDelete()
      setOpen(false)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  const named = !typeName || (impact !== null && typed.trim() === impact.subject.name)
  return (
    <>
      <button
        type="button"
        className={`lp-button lp-button--danger${small ? ' lp-button--small' : ''}`}
        onClick={() => void start()}
        data-testid="delete-button"
      >
        {label}
      </button>
      {open && (
        <div className="lp-modal-backdrop">
          <div
            className="lp-modal"
            role="dialog"
            aria-modal="true"
            aria-label={`Delete ${what}`}
            data-testid="delete-dialog"
          >
            <h2 className="lp-card__title">
              Delete {what} {impact && <strong>{impact.subject.name}</strong>}?
            </h2>
            {impact === null && error === null && (
              <p className="lp-muted">Counting what it uses…</p>
            )}
            {impact && (
              <>
                <p>This deletes, and cannot be undone:</p>
                <ImpactList impact={impact} />
                {typeName && (
                  <label className="lp-field">
                    <span>
                      Type <strong>{impact.subject.name}</strong> to confirm
                    </span>
                    <input
                      className="lp-input"
                      value={typed}
                      onChange={(e) => setTyped(e.target.value)}
                      aria-label={`Type the ${what} name to confirm`}
                      autoFocus
                    />
                  </label>
                )}
              </>
            )}
            {error && <p className="lp-text-bad">{error}</p>}
            <div className="lp-toolbar">
              <button type="button" className="lp-button" onClick={() => setOpen(false)}>
                Cancel
              </button>
              <button
                type="button"
                className="lp-button lp-button--danger"
                disabled={impact === null || !named || busy}
                onClick={() => void confirm()}
                data-testid="delete-confirm"
              >
                {busy ? 'Deleting…' : `Delete ${what}`}
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  )
}
