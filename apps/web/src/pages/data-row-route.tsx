/**
 * `#/projects/<projectId>/data-rows/<dataRowId>`: the labeling editor for whoever may edit the
 * row's label now and has work to do on it (no label yet, a draft, or a rejected label); the
 * read-only data row view otherwise (a submitted or approved label, a row leased to someone else,
 * a viewer), and when asked for (`?view=1`, or a failed import line to show). `?edit=1` opens
 * the editor on a labeled row for those allowed (a reviewer fixing a label).
 */
import { api } from '@labelport/core'
import { ApiError } from '../api-client.ts'
import { useClient } from '../client-context.ts'
import { readOntology } from '../ontology.ts'
import { useAsync } from '../use-async.ts'
import { href } from '../router.ts'
import { ErrorNotice, Loading } from '../components/ui.tsx'
import { DataRowPage } from './data-row-page.tsx'
import { EditorPage } from './editor-page.tsx'
import type { EditorData } from './editor-page.tsx'

export function DataRowRoute(props: {
  projectId: string
  dataRowId: string
  focusImportId: string | null
  focusLine: number | null
  mode: 'edit' | 'view' | null
}) {
  const { projectId, dataRowId, focusImportId, mode } = props
  const client = useClient()
  const readOnly = mode === 'view' || focusImportId !== null
  const data = useAsync(
    async (signal): Promise<{ editor: EditorData | null; reason: string | null }> => {
      if (readOnly) return { editor: null, reason: null }
      const [view, project] = await Promise.all([
        client
          .json(api.getLabelingView, { projectId, dataRowId }, undefined, signal)
          .catch((error: unknown) => {
            // the row's labeling state cannot be read (a server without labeling, a 404 the
            // read-only view explains better): show what can be shown
            if (signal.aborted || (error instanceof ApiError && error.status === 401)) throw error
            return null
          }),
        client.json(api.getProject, { projectId }, undefined, signal),
      ])
      if (!view) return { editor: null, reason: null }
      const labeled = view.label !== null && view.label.state !== 'rejected' && view.draft === null
      if (!view.canEdit || (labeled && mode !== 'edit'))
        return {
          editor: null,
          reason: !view.canEdit
            ? view.lease
              ? 'Another labeler is working on this data row.'
              : 'You may not edit this label.'
            : `This data row's label is ${view.label?.state ?? 'stored'}.`,
        }
      const ontology = project.ontologyId
        ? readOntology(
            (
              await client.json(
                api.getOntology,
                { ontologyId: project.ontologyId },
                undefined,
                signal,
              )
            ).normalized,
          )
        : null
      if (!ontology)
        return { editor: null, reason: 'The project has no ontology: nothing to label with.' }
      const blob = await client.blob(api.getDataRowImage, { dataRowId }, undefined, signal)
      const image = await createImageBitmap(blob)
      return { editor: { view, ontology, image, projectName: project.name }, reason: null }
    },
    [client, projectId, dataRowId, readOnly, mode],
  )
  if (data.status === 'error')
    return (
      <div className="lp-page">
        <ErrorNotice error={data.error} onRetry={data.reload} />
      </div>
    )
  if (!data.data)
    return (
      <div className="lp-page">
        <Loading what="the data row" />
      </div>
    )
  const { editor, reason } = data.data
  if (editor) return <EditorPage projectId={projectId} dataRowId={dataRowId} data={editor} />
  return (
    <>
      {reason && (
        <div className="lp-notice lp-editor-reason" data-testid="read-only-reason">
          <span>{reason}</span>
          {reason.startsWith("This data row's label") && (
            <a href={`${href.dataRow(projectId, dataRowId)}?edit=1`} data-testid="edit-label">
              Edit the label
            </a>
          )}
        </div>
      )}
      <DataRowPage {...props} />
    </>
  )
}
