/**
 * `#/projects/<projectId>/label`: leases the next data row to label (POST …/queue/next) and opens
 * the editor on it, or says that nothing is left.
 */
import { useEffect, useState } from 'react'
import { api } from '@labelport/core'
import { useClient } from '../client-context.ts'
import { href } from '../router.ts'
import { Empty, ErrorNotice, Loading } from '../components/ui.tsx'

export function LabelQueuePage({ projectId }: { projectId: string }) {
  const client = useClient()
  const [state, setState] = useState<'loading' | 'empty' | Error>('loading')
  useEffect(() => {
    let live = true
    client.send(api.nextDataRowToLabel, { projectId }).then(
      (next) => {
        if (!live) return
        if (next.dataRow) window.location.replace(href.dataRow(projectId, next.dataRow.id))
        else setState('empty')
      },
      (error: unknown) =>
        live && setState(error instanceof Error ? error : new Error(String(error))),
    )
    return () => {
      live = false
    }
  }, [client, projectId])
  return (
    <div className="lp-page">
      {state === 'loading' && <Loading what="the next data row to label" />}
      {state === 'empty' && (
        <Empty>
          Nothing left to label for you in this project.{' '}
          <a href={href.project(projectId)}>Back to the project</a>.
        </Empty>
      )}
      {state instanceof Error && <ErrorNotice error={state} />}
    </div>
  )
}
