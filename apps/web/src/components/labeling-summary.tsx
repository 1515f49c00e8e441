/** The project's labeling counts (docs/labeling.md defines each state) and the way into the queue. */
import { api } from '@labelport/core'
import type { LabelingCounts, LabelingStatus } from '@labelport/core'
import { useClient, useMe } from '../client-context.ts'
import { href } from '../router.ts'
import { useAsync } from '../use-async.ts'
import { formatNumber } from './ui.tsx'

/** Each count, its words and the labeling status it counts (the data-row grid filters by it). */
export const LABELING_STATES: readonly {
  key: keyof LabelingCounts
  label: string
  status: LabelingStatus
}[] = [
  { key: 'toLabel', label: 'to label', status: 'to_label' },
  { key: 'inProgress', label: 'in progress', status: 'in_progress' },
  { key: 'skipped', label: 'skipped', status: 'skipped' },
  { key: 'submitted', label: 'submitted', status: 'submitted' },
  { key: 'inReview', label: 'in review', status: 'in_review' },
  { key: 'rejected', label: 'rejected', status: 'rejected' },
  { key: 'done', label: 'done', status: 'done' },
]

export function LabelingSummary({ projectId }: { projectId: string }) {
  const client = useClient()
  const role = useMe()?.role
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
      {(role === 'admin' || role === 'reviewer') && (
        <a className="lp-button" href={href.review(projectId)} data-testid="start-review">
          Review
        </a>
      )}
      {c && (
        <ul className="lp-labeling-summary__counts" data-testid="labeling-counts">
          {LABELING_STATES.map((s) => (
            <li key={s.key} data-state={s.key}>
              <a
                href={href.projectRows(projectId, s.status)}
                title={`Show the data rows ${s.label}`}
                data-testid={`count-${s.status}`}
              >
                <strong>{formatNumber(c[s.key])}</strong> {s.label}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
