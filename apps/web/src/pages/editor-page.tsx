// Over 500 lines: the editor page wires canvas, panel, autosave, keyboard and submit; its hooks share one editor session.
/**
 * The labeling editor for one data row: canvas with the ontology's tools, suggestions from
 * pre-labels, classifications, autosaved draft, submit (Ctrl+Enter) then the next row of the
 * queue, skip (N), keyboard shortcuts (`?`). The engine lives in @labelport/viewer's editor.
 */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { api } from '@labelport/core'
import type { LabelingView, NormalizedOntology } from '@labelport/core'
import {
  EditorCanvas,
  EditorController,
  EditorDocument,
  acceptSuggestions,
  actionFor,
  displayKey,
  fromDraftAnnotation,
  keyOf,
  pasteItems,
  rejectSuggestions,
  shownSuggestions,
  toDraftAnnotation,
} from '@labelport/viewer'
import type {
  DraftAnnotation,
  EditorAction,
  EditorDebugApi,
  EditorItem,
  EditorTool,
  Keymap,
} from '@labelport/viewer'
import { ApiError } from '../api-client.ts'
import type { ApiClient } from '../api-client.ts'
import { useClient } from '../client-context.ts'
import { href } from '../router.ts'
import { DraftSession, draftOf, rejectedOf } from '../components/editor/draft-session.ts'
import type { SaveStatus } from '../components/editor/draft-session.ts'
import { EditorPanel } from '../components/editor/editor-panel.tsx'
import type { SubmitIssue } from '../components/editor/editor-panel.tsx'
import { KeyboardHelp, loadKeymap } from '../components/editor/keyboard-help.tsx'
import { ErrorNotice } from '../components/ui.tsx'
import { EditorEvaluation, svgTransform } from '../components/editor/editor-evaluation.tsx'
import type { ViewTransformLike } from '../components/editor/editor-evaluation.tsx'
import { useAsync } from '../use-async.ts'

declare global {
  interface Window {
    /** the editor's canvas and draft, for browser tests and benchmarks */
    __labelportEditor?: EditorDebugApi & {
      draft(): DraftAnnotation[]
      /** every record, suggestions included */
      items(): DraftAnnotation[]
      saveStatus(): SaveStatus['state']
      version(): number
      selection(): string[]
    }
  }
}

const PREVIOUS_KEY = 'labelport.editor.previous'

export interface EditorData {
  view: LabelingView
  ontology: NormalizedOntology
  image: ImageBitmap
  projectName: string
}

/** Tools of the ontology in order (digits 1–9 pick them). */
export function editorTools(ontology: NormalizedOntology): EditorTool[] {
  return ontology.tools
    .filter((t) => t.featureSchemaId)
    .map((t) => ({
      featureSchemaId: t.featureSchemaId!,
      name: t.name,
      type: t.tool,
      color: t.color,
    }))
}

/** The records the editor opens with: the draft (or the label), then suggestions not taken yet. */
export function initialItems(view: LabelingView, names: ReadonlyMap<string, string>): EditorItem[] {
  const base = view.draft?.annotations ?? view.label?.annotations ?? []
  const items: EditorItem[] = []
  // accepted ones are in the draft; rejected ones stay rejected
  const taken = new Set<string>(view.draft?.rejectedSuggestions ?? [])
  for (const a of base) {
    const item = fromDraftAnnotation(a as DraftAnnotation, names)
    if (!item) continue
    items.push(item)
    taken.add(item.uuid)
    if (item.provenance.source === 'prelabel') taken.add(item.provenance.originalUuid)
  }
  for (const s of view.suggestions) {
    if (taken.has(s.annotation.uuid)) continue
    const item = fromDraftAnnotation(s.annotation as DraftAnnotation, names)
    if (item)
      items.push({
        ...item,
        suggestion: { importId: s.importId, confidence: s.confidence ?? undefined },
      })
  }
  return items
}

async function openNext(client: ApiClient, projectId: string): Promise<void> {
  const next = await client.send(api.nextDataRowToLabel, { projectId })
  window.location.hash = next.dataRow
    ? href.dataRow(projectId, next.dataRow.id)
    : `${href.project(projectId)}${href.project(projectId).includes('?') ? '&' : '?'}done=1`
}

export function EditorPage({
  projectId,
  dataRowId,
  data,
}: {
  projectId: string
  dataRowId: string
  data: EditorData
}) {
  const client = useClient()
  const { view, ontology, image } = data
  const tools = useMemo(() => editorTools(ontology), [ontology])
  const colors = useMemo(() => new Map(tools.map((t) => [t.featureSchemaId, t.color])), [tools])
  const names = useMemo(() => {
    const map = new Map<string, string>()
    for (const t of ontology.tools) if (t.featureSchemaId) map.set(t.featureSchemaId, t.name)
    for (const c of ontology.classifications)
      if (c.featureSchemaId) map.set(c.featureSchemaId, c.name)
    return map
  }, [ontology])
  const { controller, session } = useMemo(() => {
    const { width, height } = view.dataRow.mediaAttributes
    const items = initialItems(view, names)
    const doc = new EditorDocument(width, height, items)
    const controller = new EditorController(doc, tools)
    const offered = items.filter((i) => i.suggestion).map((i) => i.uuid)
    const before = view.draft?.rejectedSuggestions ?? []
    const session = new DraftSession(
      doc,
      view.version,
      async (annotations, baseVersion, rejectedSuggestions) =>
        client.send(
          api.saveDraft,
          { projectId, dataRowId },
          { baseVersion, annotations, rejectedSuggestions },
        ),
      undefined,
      () => rejectedOf(doc, offered, before),
    )
    return { controller, session }
  }, [view, tools, names, client, projectId, dataRowId])
  useEffect(() => () => session.stop(), [session])

  // the panel follows the document, but not during a drag
  const revision = useThrottledRevision(controller)
  const status = useSyncExternalStore(
    (listener) => session.onChange(listener),
    () => session.status,
  )
  const [keymap, setKeymap] = useState<Keymap>(loadKeymap)
  const [help, setHelp] = useState(false)
  const [panMode, setPanMode] = useState(false)
  const [issues, setIssues] = useState<SubmitIssue[]>([])
  const [busy, setBusy] = useState<string | null>(null)
  const [failure, setFailure] = useState<Error | null>(null)
  const [skipping, setSkipping] = useState(false)
  // the project's latest finished evaluation, drawn over the canvas as TP / FP / FN on demand
  const evaluation = useAsync(
    async (signal) =>
      (await client.json(api.listEvaluations, { projectId }, { limit: 20 }, signal)).items.find(
        (e) => e.state === 'FINISHED',
      ) ?? null,
    [client, projectId],
  )
  const [showEvaluation, setShowEvaluation] = useState(false)
  const viewTransform = useRef<ViewTransformLike | null>(null)
  const evaluationGroup = useRef<SVGGElement | null>(null)
  const onTransform = useCallback((t: ViewTransformLike) => {
    viewTransform.current = t
    evaluationGroup.current?.setAttribute('transform', svgTransform(t))
  }, [])

  const submit = useCallback(async () => {
    if (busy) return
    setBusy('Submitting…')
    setFailure(null)
    try {
      controller.cancelDrawing()
      await session.flush()
      if (session.status.state === 'conflict') return
      await client.send(api.submitLabel, { projectId, dataRowId }, { baseVersion: session.version })
      session.stop()
      sessionStorage.setItem(
        PREVIOUS_KEY,
        JSON.stringify({ projectId, annotations: draftOf(controller.doc) }),
      )
      await openNext(client, projectId)
    } catch (error) {
      if (error instanceof ApiError && error.issues.length > 0) {
        setIssues([...error.issues])
        const first = error.issues.find(
          (i) => typeof i.path[1] === 'string' && controller.doc.get(i.path[1]),
        )
        if (first) controller.select([first.path[1] as string])
      } else setFailure(error instanceof Error ? error : new Error(String(error)))
    } finally {
      setBusy(null)
    }
  }, [busy, controller, session, client, projectId, dataRowId])

  const skip = useCallback(
    async (reason: string) => {
      setSkipping(false)
      setBusy('Skipping…')
      try {
        await session.flush()
        session.stop()
        await client.send(api.skipDataRow, { projectId, dataRowId }, { reason })
        await openNext(client, projectId)
      } catch (error) {
        setFailure(error instanceof Error ? error : new Error(String(error)))
      } finally {
        setBusy(null)
      }
    },
    [session, client, projectId, dataRowId],
  )

  const run = useCallback(
    (action: EditorAction): boolean => {
      const doc = controller.doc
      const selected = [...controller.selection]
      switch (action) {
        case 'tool1':
        case 'tool2':
        case 'tool3':
        case 'tool4':
        case 'tool5':
        case 'tool6':
        case 'tool7':
        case 'tool8':
        case 'tool9': {
          const index = Number(action.slice(4)) - 1
          if (!tools[index]) return false
          controller.selectTool(index)
          return true
        }
        case 'select':
          controller.selectTool(null)
          return true
        case 'cancel':
          return controller.cancel()
        case 'delete':
          return controller.deleteSelection() > 0
        case 'undo':
          controller.cancelDrawing()
          return doc.undo()
        case 'redo':
          return doc.redo()
        case 'submit':
          void submit()
          return true
        case 'accept':
          return acceptSuggestions(doc, selected) > 0
        case 'acceptAll':
          return acceptSuggestions(doc, shownSuggestions(doc, controller.threshold)) > 0
        case 'reject':
          return rejectSuggestions(doc, selected) > 0
        case 'skip':
          setSkipping(true)
          return true
        case 'finish':
          return controller.finish()
        case 'removePoint':
          return controller.removeLastPoint()
        case 'brush':
        case 'eraser':
        case 'fill':
          controller.setMaskMode(action)
          return true
        case 'smaller':
          controller.setBrushRadius(Math.round(controller.brushRadius / 1.25))
          return true
        case 'larger':
          controller.setBrushRadius(Math.round(controller.brushRadius * 1.25) + 1)
          return true
        case 'hide':
          for (const uuid of selected) controller.toggleHidden(uuid)
          return selected.length > 0
        case 'lock':
          for (const uuid of selected) controller.toggleLocked(uuid)
          return selected.length > 0
        case 'pastePrevious': {
          const previous = readPrevious(projectId, names)
          if (previous.length === 0) return false
          controller.select(pasteItems(doc, previous))
          return true
        }
        case 'help':
          setHelp(true)
          return true
      }
      return false
    },
    [controller, tools, submit, projectId, names],
  )

  useEffect(() => {
    const typing = (target: EventTarget | null) =>
      target instanceof HTMLElement &&
      (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) &&
      !(target instanceof HTMLInputElement && ['radio', 'checkbox', 'range'].includes(target.type))
    const onKeyDown = (event: KeyboardEvent) => {
      if (help || skipping || typing(event.target)) return
      const key = keyOf(event)
      if (key === 'space') {
        event.preventDefault()
        setPanMode(true)
        return
      }
      const action = actionFor(keymap, key)
      if (action && run(action)) event.preventDefault()
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
  }, [keymap, run, help, skipping])

  const onDebugApi = useCallback(
    (debug: EditorDebugApi | null) => {
      if (!debug) {
        delete window.__labelportEditor
        return
      }
      window.__labelportEditor = {
        ...debug,
        draft: () => draftOf(controller.doc),
        items: () =>
          [...controller.doc.all()].map((item) =>
            toDraftAnnotation(item, controller.doc.imageWidth, controller.doc.imageHeight),
          ),
        saveStatus: () => session.status.state,
        version: () => session.version,
        selection: () => [...controller.selection],
      }
    },
    [controller, session],
  )

  const latestReview = view.label?.reviews[view.label.reviews.length - 1]
  const rejection =
    view.label?.state === 'rejected' && latestReview?.decision === 'reject'
      ? { comment: latestReview.comment, at: latestReview.createdAt }
      : null
  const tool = controller.tool
  void revision
  return (
    <div className="lp-editor" data-testid="editor">
      <div className="lp-editor__bar">
        <nav className="lp-crumbs">
          <a href={href.projects()}>Projects</a>
          <span className="lp-crumbs__sep">/</span>
          <a href={href.project(projectId)}>{data.projectName}</a>
          <span className="lp-crumbs__sep">/</span>
        </nav>
        <h1 className="lp-rowview__name" data-testid="data-row-title">
          {view.dataRow.globalKey ?? view.dataRow.id}
        </h1>
        <div className="lp-editor__tools" role="toolbar" aria-label="Tools">
          <button
            type="button"
            className={tool ? 'lp-tool' : 'lp-tool lp-tool--on'}
            aria-pressed={!tool}
            data-testid="tool-select"
            onClick={() => controller.selectTool(null)}
          >
            <kbd>{displayKey(keymap.select)}</kbd> Select
          </button>
          {tools.map((t, i) => (
            <button
              key={t.featureSchemaId}
              type="button"
              className={controller.active === i ? 'lp-tool lp-tool--on' : 'lp-tool'}
              aria-pressed={controller.active === i}
              data-testid={`tool-${t.name}`}
              onClick={() => controller.selectTool(i)}
            >
              <span
                className="lp-editor-list__swatch"
                style={{ background: t.color }}
                aria-hidden
              />
              {i < 9 && <kbd>{displayKey(keymap[`tool${i + 1}` as EditorAction])}</kbd>} {t.name}
            </button>
          ))}
        </div>
        {tool?.type === 'raster-segmentation' && (
          <div className="lp-editor__tools" role="group" aria-label="Mask tool">
            {(['brush', 'eraser', 'fill'] as const).map((mode) => (
              <button
                key={mode}
                type="button"
                className={controller.maskMode === mode ? 'lp-tool lp-tool--on' : 'lp-tool'}
                aria-pressed={controller.maskMode === mode}
                data-testid={`mask-${mode}`}
                onClick={() => controller.setMaskMode(mode)}
              >
                {mode === 'fill' ? 'polygon fill' : mode}
              </button>
            ))}
            <label htmlFor="brush-size" className="lp-small">
              Size {controller.brushRadius * 2} px
            </label>
            <input
              id="brush-size"
              type="range"
              min={1}
              max={200}
              value={controller.brushRadius}
              data-testid="brush-size"
              onChange={(e) => controller.setBrushRadius(Number(e.target.value))}
            />
          </div>
        )}
        <div className="lp-editor__actions">
          {evaluation.data && (
            <label
              className={showEvaluation ? 'lp-layer lp-layer--on' : 'lp-layer'}
              title={`TP / FP / FN of ${evaluation.data.name}`}
            >
              <input
                type="checkbox"
                checked={showEvaluation}
                onChange={() => setShowEvaluation(!showEvaluation)}
                data-testid="editor-evaluation-toggle"
              />
              TP / FP / FN
            </label>
          )}
          <SaveState status={status} />
          <button
            type="button"
            className="lp-button lp-button--small lp-button--ghost"
            onClick={() => controller.doc.undo()}
            disabled={!controller.doc.canUndo}
            title={displayKey(keymap.undo)}
          >
            Undo
          </button>
          <button
            type="button"
            className="lp-button lp-button--small lp-button--ghost"
            onClick={() => controller.doc.redo()}
            disabled={!controller.doc.canRedo}
            title={displayKey(keymap.redo)}
          >
            Redo
          </button>
          <button
            type="button"
            className="lp-button lp-button--small lp-button--ghost"
            onClick={() => setSkipping(true)}
            data-testid="skip"
          >
            Skip <kbd>{displayKey(keymap.skip)}</kbd>
          </button>
          <button
            type="button"
            className="lp-button lp-button--small"
            onClick={() => void submit()}
            disabled={busy !== null}
            data-testid="submit"
          >
            Submit <kbd>{displayKey(keymap.submit)}</kbd>
          </button>
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
      {status.state === 'conflict' && (
        <div className="lp-notice lp-notice--error" role="alert" data-testid="save-conflict">
          <strong>{status.code}</strong>
          <span>
            {status.code === 'data_row_leased'
              ? 'Another labeler holds this data row now; your changes here are not saved.'
              : 'This label changed in another tab or by another user; your last changes here are not saved. Reload to see the current version.'}
          </span>
          <button
            type="button"
            className="lp-button lp-button--small"
            onClick={() => window.location.reload()}
          >
            Reload
          </button>
        </div>
      )}
      {failure && <ErrorNotice error={failure} />}
      {busy && (
        <div className="lp-notice" role="status">
          {busy}
        </div>
      )}
      <div className="lp-editor__body">
        <EditorCanvas
          controller={controller}
          image={image}
          colors={colors}
          panMode={panMode}
          onDebugApi={onDebugApi}
          onTransform={onTransform}
        >
          {showEvaluation && evaluation.data && (
            <EditorEvaluation
              evaluation={evaluation.data}
              projectId={projectId}
              dataRowId={dataRowId}
              transform={viewTransform}
              groupRef={evaluationGroup}
            />
          )}
        </EditorCanvas>
        <EditorPanel
          controller={controller}
          ontology={ontology}
          tools={tools}
          issues={issues}
          rejection={rejection}
        />
      </div>
      {help && (
        <KeyboardHelp
          keymap={keymap}
          toolNames={tools.map((t) => t.name)}
          onChange={setKeymap}
          onClose={() => setHelp(false)}
        />
      )}
      {skipping && (
        <SkipDialog onSkip={(reason) => void skip(reason)} onCancel={() => setSkipping(false)} />
      )}
    </div>
  )
}

function readPrevious(projectId: string, names: ReadonlyMap<string, string>): EditorItem[] {
  try {
    const stored = JSON.parse(sessionStorage.getItem(PREVIOUS_KEY) ?? 'null') as {
      projectId: string
      annotations: DraftAnnotation[]
    } | null
    if (!stored || stored.projectId !== projectId) return []
    return stored.annotations
      .map((a) => fromDraftAnnotation(a, names))
      .filter((i): i is EditorItem => i !== null)
  } catch {
    return []
  }
}

/**
 * Re-renders on controller changes, but not during a drag or a brush stroke (the canvas draws
 * those itself; the panel, with its lists, catches up when the gesture ends).
 */
function useThrottledRevision(controller: EditorController): number {
  const [revision, setRevision] = useState(0)
  useEffect(
    () =>
      controller.onChange(() => {
        if (!controller.dragging) setRevision(controller.stateRevision)
      }),
    [controller],
  )
  return revision
}

function SaveState({ status }: { status: SaveStatus }) {
  const text =
    status.state === 'saved'
      ? status.at
        ? 'Draft saved'
        : 'No changes'
      : status.state === 'pending'
        ? 'Unsaved changes…'
        : status.state === 'saving'
          ? 'Saving…'
          : status.state === 'conflict'
            ? 'Not saved (conflict)'
            : `Not saved: ${status.message}`
  return (
    <span
      className="lp-muted lp-small"
      role="status"
      data-testid="save-status"
      data-state={status.state}
    >
      {text}
    </span>
  )
}

function SkipDialog({
  onSkip,
  onCancel,
}: {
  onSkip: (reason: string) => void
  onCancel: () => void
}) {
  const [reason, setReason] = useState('Cannot label this image')
  return (
    <div className="lp-keyhelp" role="dialog" aria-modal="true" aria-label="Skip this data row">
      <form
        className="lp-keyhelp__box"
        onSubmit={(e) => {
          e.preventDefault()
          if (reason.trim()) onSkip(reason.trim())
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel()
        }}
      >
        <h2>Skip this data row</h2>
        <label htmlFor="skip-reason">Reason</label>
        <input
          id="skip-reason"
          className="lp-input"
          value={reason}
          autoFocus
          onChange={(e) => setReason(e.target.value)}
          data-testid="skip-reason"
        />
        <div className="lp-editor-panel__row">
          <button type="submit" className="lp-button lp-button--small" data-testid="skip-confirm">
            Skip and open the next
          </button>
          <button
            type="button"
            className="lp-button lp-button--small lp-button--ghost"
            onClick={onCancel}
          >
            Cancel
          </button>
        </div>
      </form>
    </div>
  )
}
