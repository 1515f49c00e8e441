/**
 * `#/projects/<projectId>/review`: the review queue for reviewers and admins. Takes the next
 * submitted label (POST …/review/next, which leases it to the caller), shows it read-only on the
 * editor canvas with its labeler and version, and approves it or rejects it with a comment
 * (docs/labeling.md); then takes the next. Keys: A approves, R writes the rejection comment,
 * Ctrl+Enter in the comment rejects, ? lists them.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { api } from '@labelport/core'
import type { LabelingView, NormalizedOntology, User } from '@labelport/core'
import {
  EditorCanvas,
  EditorController,
  EditorDocument,
  fromDraftAnnotation,
} from '@labelport/viewer'
import type { DraftAnnotation, EditorDebugApi, EditorItem } from '@labelport/viewer'
import { useClient, useMe } from '../client-context.ts'
import { readOntology } from '../ontology.ts'
import { href } from '../router.ts'
import { useAsync } from '../use-async.ts'
import { Empty, ErrorNotice, Loading, formatDate } from '../components/ui.tsx'
import { editorTools } from './editor-page.tsx'

/** The review page's keys, shown by `?` (and in the README's keyboard table). */
export const REVIEW_KEYS: readonly (readonly [string, string])[] = [
  ['A', 'Approve the label and open the next'],
  ['R', 'Reject: write the comment for the labeler (a rejection needs one)'],
  ['Ctrl+Enter', 'In the comment: reject with it and open the next'],
  ['Esc', 'Leave the comment field, close this help'],
  ['Space + drag, wheel', 'Pan, zoom'],
  ['?', 'This help'],
]

interface ReviewItem {
  view: LabelingView
  ontology: NormalizedOntology
  image: ImageBitmap
  projectName: string
  labeler: string | null
}

export function ReviewPage({ projectId }: { projectId: string }) {
  const client = useClient()
  const role = useMe()?.role
  const [round, setRound] = useState(0)
  const [reviewed, setReviewed] = useState(0)
  const current = useAsync(
    async (signal): Promise<ReviewItem | null> => {
      const next = await client.json(
        api.nextDataRowToReview,
        { projectId },
        undefined,
        signal,
        undefined,
      )
      if (!next.dataRow) return null
      const dataRowId = next.dataRow.id
      const [view, project] = await Promise.all([
        client.json(api.getLabelingView, { projectId, dataRowId }, undefined, signal),
        client.json(api.getProject, { projectId }, undefined, signal),
      ])
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
      if (!ontology) throw new Error('The project has no ontology: nothing to review.')
      const blob = await client.blob(api.getDataRowImage, { dataRowId }, undefined, signal)
      const image = await createImageBitmap(blob)
      let labeler = view.label?.labelerId ?? null
      if (labeler && role === 'admin') {
        // only admins may list users; others see the labeler's id
        const users = await client
          .all<User>(api.listUsers, {}, 10_000, signal)
          .catch(() => [] as User[])
        const user = users.find((u) => u.id === labeler)
        if (user) labeler = `${user.name} (${user.email})`
      }
      return { view, ontology, image, projectName: project.name, labeler }
    },
    [client, projectId, round, role],
  )
  const next = useCallback(() => {
    setReviewed((n) => n + 1)
    setRound((r) => r + 1)
  }, [])

  if (current.status === 'error')
    return (
      <div className="lp-page">
        <ErrorNotice error={current.error} onRetry={current.reload} />
      </div>
    )
  if (current.status === 'loading' || current.data === undefined)
    return (
      <div className="lp-page">
        <Loading what="the next label to review" />
      </div>
    )
  if (current.data === null)
    return (
      <div className="lp-page">
        <Empty>
          <span data-testid="review-empty">
            Nothing left to review in this project
            {reviewed > 0 ? ` (you reviewed ${reviewed} here)` : ''}.
          </span>{' '}
          <a href={href.project(projectId)}>Back to the project</a>.
        </Empty>
      </div>
    )
  return (
    <ReviewOne
      key={current.data.view.dataRow.id + ':' + round}
      projectId={projectId}
      item={current.data}
      onDone={next}
    />
  )
}

function ReviewOne({
  projectId,
  item,
  onDone,
}: {
  projectId: string
  item: ReviewItem
  onDone: () => void
}) {
  const client = useClient()
  const { view, ontology, image } = item
  const dataRowId = view.dataRow.id
  const tools = useMemo(() => editorTools(ontology), [ontology])
  const colors = useMemo(() => new Map(tools.map((t) => [t.featureSchemaId, t.color])), [tools])
  const names = useMemo(() => {
    const map = new Map<string, string>()
    for (const t of ontology.tools) if (t.featureSchemaId) map.set(t.featureSchemaId, t.name)
    for (const c of ontology.classifications)
      if (c.featureSchemaId) map.set(c.featureSchemaId, c.name)
    return map
  }, [ontology])
  const controller = useMemo(() => {
    const { width, height } = view.dataRow.mediaAttributes
    const items: EditorItem[] = []
    for (const a of view.label?.annotations ?? []) {
      const record = fromDraftAnnotation(a as DraftAnnotation, names)
      if (record) items.push(record)
    }
    const controller = new EditorController(new EditorDocument(width, height, items), tools)
    controller.readOnly = true
    return controller
  }, [view, tools, names])
  const [comment, setComment] = useState('')
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<Error | null>(null)
  const [help, setHelp] = useState(false)
  const [panMode, setPanMode] = useState(false)
  const [needComment, setNeedComment] = useState(false)
  const commentRef = useRef<HTMLTextAreaElement>(null)

  const decide = useCallback(
    async (decision: 'approve' | 'reject') => {
      if (busy) return
      if (decision === 'reject' && !comment.trim()) {
        setNeedComment(true)
        commentRef.current?.focus()
        return
      }
      setBusy(true)
      setFailure(null)
      try {
        await client.send(
          api.reviewLabel,
          { projectId, dataRowId },
          {
            decision,
            comment: decision === 'reject' ? comment.trim() : comment.trim() || '',
            baseVersion: view.version,
          },
        )
        onDone()
      } catch (error) {
        setFailure(error instanceof Error ? error : new Error(String(error)))
        setBusy(false)
      }
    },
    [busy, comment, client, projectId, dataRowId, view.version, onDone],
  )

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const target = event.target
      const typing =
        target instanceof HTMLElement &&
        (['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.isContentEditable)
      if (help) {
        if (event.key === 'Escape') setHelp(false)
        return
      }
      if (typing) return
      if (event.key === ' ') {
        event.preventDefault()
        setPanMode(true)
        return
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return
      if (event.key === 'a' || event.key === 'A') {
        event.preventDefault()
        void decide('approve')
      } else if (event.key === 'r' || event.key === 'R') {
        event.preventDefault()
        commentRef.current?.focus()
      } else if (event.key === '?') {
        event.preventDefault()
        setHelp(true)
      } else if (event.key === 'Escape') controller.cancel()
    }
    const onKeyUp = (event: KeyboardEvent) => {
      if (event.key === ' ') setPanMode(false)
    }
    window.addEventListener('keydown', onKeyDown)
    window.addEventListener('keyup', onKeyUp)
    return () => {
      window.removeEventListener('keydown', onKeyDown)
      window.removeEventListener('keyup', onKeyUp)
    }
  }, [help, decide, controller])

  const onDebugApi = useCallback((debug: EditorDebugApi | null) => {
    if (!debug) delete window.__labelportReview
    else window.__labelportReview = debug
  }, [])

  const label = view.label
  const objects = new Map<string, number>()
  for (const record of controller.doc.all())
    if (record.kind === 'object') objects.set(record.name, (objects.get(record.name) ?? 0) + 1)
  return (
    <div className="lp-editor" data-testid="review">
      <div className="lp-editor__bar">
        <nav className="lp-crumbs">
          <a href={href.projects()}>Projects</a>
          <span className="lp-crumbs__sep">/</span>
          <a href={href.project(projectId)}>{item.projectName}</a>
          <span className="lp-crumbs__sep">/</span>
          <span>Review</span>
          <span className="lp-crumbs__sep">/</span>
        </nav>
        <h1 className="lp-rowview__name" data-testid="review-title" data-data-row-id={dataRowId}>
          {view.dataRow.globalKey ?? dataRowId}
        </h1>
        <div className="lp-editor__actions">
          <button
            type="button"
            className="lp-button lp-button--small lp-button--ghost"
            onClick={() => setHelp(true)}
            aria-label="Keyboard shortcuts"
            data-testid="help"
          >
            ?
          </button>
        </div>
      </div>
      {failure && <ErrorNotice error={failure} />}
      <div className="lp-editor__body">
        <EditorCanvas
          controller={controller}
          image={image}
          colors={colors}
          panMode={panMode}
          onDebugApi={onDebugApi}
        />
        <aside
          className="lp-editor-panel lp-review-panel"
          aria-label="Review"
          data-testid="review-panel"
        >
          <dl className="lp-review-facts">
            <dt>Labeler</dt>
            <dd data-testid="review-labeler">{item.labeler ?? 'an import (no labeler)'}</dd>
            <dt>Version</dt>
            <dd data-testid="review-version">{view.version}</dd>
            <dt>Submitted</dt>
            <dd>{label ? formatDate(label.updatedAt) : '—'}</dd>
            <dt>Source</dt>
            <dd>{label?.source === 'import' ? 'ground-truth import' : 'editor'}</dd>
          </dl>
          <h3>Objects</h3>
          <ul className="lp-editor-list" data-testid="review-objects">
            {[...objects].map(([name, count]) => (
              <li key={name} className="lp-editor-list__item">
                {name}: {count}
              </li>
            ))}
            {objects.size === 0 && <li className="lp-muted">none</li>}
          </ul>
          {label && label.reviews.length > 0 && (
            <>
              <h3>Earlier reviews</h3>
              <ul className="lp-editor-list">
                {label.reviews.map((r) => (
                  <li key={r.id} className="lp-editor-list__item">
                    {r.decision === 'approve' ? 'approved' : 'rejected'} (v{r.version})
                    {r.comment ? `: ${r.comment}` : ''}
                  </li>
                ))}
              </ul>
            </>
          )}
          <label htmlFor="review-comment">
            Comment for the labeler{' '}
            {needComment && <span className="lp-text-bad">(required to reject)</span>}
          </label>
          <textarea
            id="review-comment"
            ref={commentRef}
            className="lp-input"
            rows={4}
            value={comment}
            data-testid="review-comment"
            aria-invalid={needComment && !comment.trim()}
            onChange={(e) => {
              setComment(e.target.value)
              if (e.target.value.trim()) setNeedComment(false)
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault()
                void decide('reject')
              } else if (e.key === 'Escape') e.currentTarget.blur()
            }}
          />
          <div className="lp-editor-panel__row">
            <button
              type="button"
              className="lp-button lp-button--small"
              disabled={busy}
              onClick={() => void decide('approve')}
              data-testid="review-approve"
            >
              Approve <kbd>A</kbd>
            </button>
            <button
              type="button"
              className="lp-button lp-button--small lp-button--danger"
              disabled={busy}
              onClick={() => void decide('reject')}
              data-testid="review-reject"
            >
              Reject <kbd>Ctrl+Enter</kbd>
            </button>
          </div>
        </aside>
      </div>
      {help && (
        <div
          className="lp-keyhelp"
          role="dialog"
          aria-modal="true"
          aria-label="Keyboard shortcuts"
          data-testid="keyboard-help"
        >
          <div className="lp-keyhelp__box">
            <div className="lp-keyhelp__head">
              <h2>Review: keyboard shortcuts</h2>
              <button
                type="button"
                className="lp-button lp-button--small"
                onClick={() => setHelp(false)}
                autoFocus
              >
                Close
              </button>
            </div>
            <table className="lp-table lp-keyhelp__table">
              <tbody>
                {REVIEW_KEYS.map(([key, what]) => (
                  <tr key={key}>
                    <td>
                      <kbd>{key}</kbd>
                    </td>
                    <td>{what}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </div>
  )
}

declare global {
  interface Window {
    /** the review page's canvas, for browser tests */
    __labelportReview?: EditorDebugApi
  }
}
