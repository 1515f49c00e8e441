/**
 * Cancel, preview and revert on the import page (issue 10, docs/import-revert.md): the sentence
 * of what the import does (a dry run: would do), a Cancel button while it runs, and Revert with a
 * confirmation that says what goes and what comes back.
 */
import { useState } from 'react'
import { api, describeImportEffect } from '@labelport/core'
import type { ImportJob } from '@labelport/core'
import { useClient } from '../client-context.ts'
import { formatDate, formatNumber } from './ui.tsx'

/** "This dry run: the import adds 12,030, replaces 417 pre-labels, fails 88." */
export function ImportEffectNotice({ job }: { job: ImportJob }) {
  const effect = describeImportEffect(job)
  if (effect === undefined && !job.revert) return null
  return (
    <div className="lp-notice" data-testid="import-effect-notice">
      {effect !== undefined && (
        <span data-testid="import-effect">
          {job.dryRun
            ? `Preview: the import ${effect}.`
            : job.state === 'RUNNING'
              ? `So far it ${effect}.`
              : `It ${effect}.`}
        </span>
      )}
      {job.revert && (
        <span data-testid="import-reverted">
          Reverted {formatDate(job.revert.revertedAt)}: removed {formatNumber(job.revert.removed)}{' '}
          pre-labels, restored {formatNumber(job.revert.restored)}.
        </span>
      )}
    </div>
  )
}

/** Cancel (queued or running) and Revert… (a finished, failed or cancelled MAL import). */
export function ImportActions({
  job,
  onChange,
}: {
  job: ImportJob
  onChange: (job: ImportJob) => void
}) {
  const client = useClient()
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const act = async (call: () => Promise<ImportJob>) => {
    setBusy(true)
    setError(null)
    try {
      onChange(await call())
      setConfirming(false)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  const cancel = () => act(() => client.send(api.cancelImport, { importId: job.id }))
  const revert = () => act(() => client.send(api.revertImport, { importId: job.id }))
  const revertible = job.kind === 'mal' && !job.dryRun && job.state !== 'RUNNING' && !job.revert
  const effect = job.effect
  return (
    <>
      {job.state === 'RUNNING' && (
        <button
          type="button"
          className="lp-button"
          disabled={busy}
          onClick={() => void cancel()}
          data-testid="cancel-import"
        >
          {busy ? 'Cancelling…' : 'Cancel import'}
        </button>
      )}
      {revertible && (
        <button
          type="button"
          className="lp-button lp-button--danger"
          onClick={() => {
            setError(null)
            setConfirming(true)
          }}
          data-testid="revert-import"
        >
          Revert import…
        </button>
      )}
      {error && !confirming && (
        <span className="lp-text-bad" role="alert" data-testid="import-action-error">
          {error}
        </span>
      )}
      {confirming && (
        <div className="lp-modal-backdrop">
          <div
            className="lp-modal"
            role="dialog"
            aria-modal="true"
            aria-label="Revert import"
            data-testid="revert-dialog"
          >
            <h2 className="lp-card__title">
              Revert import <strong>{job.name}</strong>?
            </h2>
            <p data-testid="revert-plan">
              {effect
                ? `This removes its ${formatNumber(effect.added + effect.replaced)} pre-labels and restores the ${formatNumber(effect.replaced)} pre-labels it replaced, as they were.`
                : 'This removes its pre-labels and restores the pre-labels it replaced, as they were.'}
            </p>
            {error && (
              <p className="lp-text-bad" role="alert" data-testid="import-action-error">
                {error}
              </p>
            )}
            <div className="lp-toolbar">
              <button type="button" className="lp-button" onClick={() => setConfirming(false)}>
                Keep the import
              </button>
              <button
                type="button"
                className="lp-button lp-button--danger"
                disabled={busy}
                onClick={() => void revert()}
                data-testid="revert-confirm"
              >
                {busy ? 'Reverting…' : 'Revert import'}
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  )
}
