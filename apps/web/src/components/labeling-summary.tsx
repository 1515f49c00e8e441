/** The project's labeling counts (docs/labeling.md defines each state) and the way into the queue. */
import { api } from '@labelport/core'
import type { LabelingCounts } from '@labelport/core'
import { useClient } from '../client-context.ts'
import { href } from '../router.ts'
import { useAsync } from '../use-async.ts'
import { formatNumber } from './ui.tsx'

const STATES: readonly { key: keyof LabelingCounts; label: string }[] = [
  { key: 'toLabel', label: 'to label' },
  { key: 'inProgress', label: 'in progress' },
  { key: 'skipped', label: 'skipped' },
  { key: 'submitted', label: 'submitted' },
  { key: 'inReview', label: 'in review' },
  { key: 'rejected', label: 'rejected' },
  { key: 'done', label: 'done' },
]

export function LabelingSummary({ projectId }: { projectId: string }) {
  const client = useClient()
  const counts = useAsync(
    (signal) => client.json(api.getLabelingCounts, { projectId }, undefined, signal),
    [client, projectId],
  )
  const c = counts.data
  return (
    <div className="lp-labeling-summary">
      <a className="lp-button lp-button--primary" href={href.label(projectId)}>
        Start labeling
      </a>
      {c && (
        <ul className="lp-labeling-summary__counts" data-testid="labeling-counts">
          {STATES.map((s) => (
            <li key={s.key} data-state={s.key}>
              <strong>{formatNumber(c[s.key])}</strong> {s.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
