/**
 * The editor's side panel: the reviewer's rejection comment, submit issues, suggestions (threshold,
 * accept / reject, all at once), the selected object (class, nested classifications), global
 * classifications, and the objects list (select, hide, lock, delete).
 */
import type { NormalizedClassification, NormalizedOntology } from '@labelport/core'
import {
  acceptSuggestions,
  changeClass,
  deleteItems,
  rejectSuggestions,
  setAnswers,
  shownSuggestions,
} from '@labelport/viewer'
import type {
  Answer,
  EditorController,
  EditorItem,
  EditorTool,
  ObjectItem,
} from '@labelport/viewer'
import { ClassificationFields } from './classification-fields.tsx'

export interface SubmitIssue {
  code: string
  message: string
  path: (string | number)[]
}

const LIST_LIMIT = 300

const KIND_LABEL: Record<string, string> = {
  bbox: 'box',
  polygon: 'polygon',
  line: 'polyline',
  point: 'point',
  mask: 'mask',
}

function describe(item: EditorItem): string {
  if (item.kind === 'relationship') return 'relationship'
  if (item.kind === 'classification') return 'classification'
  return KIND_LABEL[item.geometry.type] ?? item.geometry.type
}

/** The classification featureSchemaIds an issue path names (`['annotations', uuid, 'classifications', …]`). */
export function issueMessagesFor(issues: readonly SubmitIssue[], uuid: string | null) {
  return (featureSchemaId: string) =>
    issues
      .filter(
        (i) =>
          (uuid === null ? i.path.length <= 2 : i.path[1] === uuid) &&
          JSON.stringify(i).includes(featureSchemaId),
      )
      .map((i) => `${i.code}: ${i.message}`)
}

export function EditorPanel({
  controller,
  ontology,
  tools,
  issues,
  rejection,
}: {
  controller: EditorController
  ontology: NormalizedOntology
  tools: readonly EditorTool[]
  issues: readonly SubmitIssue[]
  rejection: { comment: string; at: string } | null
}) {
  const doc = controller.doc
  const items = [...doc.all()]
  const suggestions = items.filter((i) => i.suggestion)
  const shown = shownSuggestions(doc, controller.threshold)
  const objects = items.filter((i) => !i.suggestion && i.kind !== 'classification')
  const selected = [...controller.selection]
    .map((uuid) => doc.get(uuid))
    .filter((i): i is EditorItem => i !== undefined)
  const single = selected.length === 1 ? selected[0]! : null
  const toolOf = (item: EditorItem) =>
    ontology.tools.find((t) => t.featureSchemaId === item.featureSchemaId)
  const issuesOf = (uuid: string) => issues.filter((i) => i.path[1] === uuid)

  return (
    <aside className="lp-editor-panel" data-testid="editor-panel" aria-label="Labeling panel">
      {rejection && (
        <section className="lp-side-section lp-notice lp-notice--error" data-testid="rejection">
          <strong>Rejected by the reviewer</strong>
          <span data-testid="rejection-comment">{rejection.comment}</span>
          <span className="lp-muted lp-small">{new Date(rejection.at).toLocaleString()}</span>
        </section>
      )}
      {issues.length > 0 && (
        <section className="lp-side-section" data-testid="submit-issues">
          <h2 className="lp-side-title">Not submitted: fix these first</h2>
          <ul className="lp-issues">
            {issues.map((i, n) => {
              const uuid = typeof i.path[1] === 'string' ? i.path[1] : null
              const item = uuid ? doc.get(uuid) : undefined
              return (
                <li key={n}>
                  <code className="lp-code-badge">{i.code}</code> {i.message}{' '}
                  {item && (
                    <button
                      type="button"
                      className="lp-link-button"
                      onClick={() => controller.select([item.uuid])}
                    >
                      show {item.name || describe(item)}
                    </button>
                  )}
                </li>
              )
            })}
          </ul>
        </section>
      )}
      {suggestions.length > 0 && (
        <section className="lp-side-section" data-testid="suggestions">
          <h2 className="lp-side-title">
            Suggestions <span className="lp-count">{suggestions.length}</span>
          </h2>
          <label className="lp-confidence" htmlFor="editor-threshold">
            Confidence ≥{' '}
            <strong data-testid="threshold-value">{controller.threshold.toFixed(2)}</strong>
          </label>
          <input
            id="editor-threshold"
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={controller.threshold}
            aria-label="Confidence threshold for suggestions"
            data-testid="suggestion-threshold"
            onChange={(e) => controller.setThreshold(Number(e.target.value))}
          />
          <div className="lp-editor-panel__row">
            <button
              type="button"
              className="lp-button lp-button--small"
              data-testid="accept-all"
              disabled={shown.length === 0}
              onClick={() => acceptSuggestions(doc, shown)}
            >
              Accept all shown ({shown.length})
            </button>
            <button
              type="button"
              className="lp-button lp-button--small lp-button--ghost"
              data-testid="reject-all"
              disabled={shown.length === 0}
              onClick={() => rejectSuggestions(doc, shown)}
            >
              Reject all shown
            </button>
          </div>
          <ul className="lp-editor-list" data-testid="suggestion-list">
            {suggestions.slice(0, LIST_LIMIT).map((s) => (
              <li
                key={s.uuid}
                className={
                  controller.selection.has(s.uuid)
                    ? 'lp-editor-list__item lp-editor-list__item--on'
                    : 'lp-editor-list__item'
                }
                data-testid="suggestion"
                data-uuid={s.uuid}
              >
                <button
                  type="button"
                  className="lp-link-button"
                  onClick={() => controller.select([s.uuid])}
                >
                  {s.name || toolOf(s)?.name} · {describe(s)}
                </button>
                <span className="lp-muted lp-small">
                  {s.suggestion?.confidence == null ? '–' : s.suggestion.confidence.toFixed(2)}
                </span>
                <button
                  type="button"
                  className="lp-link-button"
                  aria-label={`Accept suggestion ${s.name}`}
                  onClick={() => acceptSuggestions(doc, [s.uuid])}
                >
                  accept
                </button>
                <button
                  type="button"
                  className="lp-link-button"
                  aria-label={`Reject suggestion ${s.name}`}
                  onClick={() => rejectSuggestions(doc, [s.uuid])}
                >
                  reject
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {single && single.kind === 'object' && (
        <SelectedObject
          controller={controller}
          item={single}
          ontology={ontology}
          tools={tools}
          issues={issuesOf(single.uuid)}
        />
      )}
      {single && single.kind === 'relationship' && (
        <section className="lp-side-section" data-testid="selected">
          <h2 className="lp-side-title">Relationship {single.name}</h2>
          <label className="lp-editor-panel__row">
            <input
              type="checkbox"
              checked={single.bidirectional}
              onChange={() => doc.change([{ ...single, bidirectional: !single.bidirectional }])}
            />
            Both directions
          </label>
          <button
            type="button"
            className="lp-link-button"
            onClick={() =>
              doc.change([{ ...single, source: single.target, target: single.source }])
            }
          >
            Swap direction
          </button>
        </section>
      )}
      {ontology.classifications.length > 0 && (
        <section className="lp-side-section" data-testid="global-classifications">
          <h2 className="lp-side-title">Classifications of the image</h2>
          <GlobalFields
            controller={controller}
            classifications={ontology.classifications}
            issues={issues}
          />
        </section>
      )}
      <section className="lp-side-section" data-testid="objects">
        <h2 className="lp-side-title">
          Objects <span className="lp-count">{objects.length}</span>
        </h2>
        {objects.length === 0 && (
          <p className="lp-muted lp-small">Nothing drawn yet: pick a tool (1–9) and draw.</p>
        )}
        <ul className="lp-editor-list">
          {objects.slice(0, LIST_LIMIT).map((o) => (
            <li
              key={o.uuid}
              className={
                controller.selection.has(o.uuid)
                  ? 'lp-editor-list__item lp-editor-list__item--on'
                  : 'lp-editor-list__item'
              }
              data-testid="object"
              data-uuid={o.uuid}
            >
              <span
                className="lp-editor-list__swatch"
                style={{ background: toolOf(o)?.color ?? '#888' }}
                aria-hidden
              />
              <button
                type="button"
                className="lp-link-button"
                onClick={() => controller.select([o.uuid])}
              >
                {o.name || toolOf(o)?.name} · {describe(o)}
              </button>
              {issuesOf(o.uuid).length > 0 && <span className="lp-count lp-count--bad">!</span>}
              <button
                type="button"
                className="lp-link-button"
                aria-label={`${controller.hidden.has(o.uuid) ? 'Show' : 'Hide'} ${o.name}`}
                onClick={() => controller.toggleHidden(o.uuid)}
              >
                {controller.hidden.has(o.uuid) ? 'show' : 'hide'}
              </button>
              <button
                type="button"
                className="lp-link-button"
                aria-label={`${controller.locked.has(o.uuid) ? 'Unlock' : 'Lock'} ${o.name}`}
                onClick={() => controller.toggleLocked(o.uuid)}
              >
                {controller.locked.has(o.uuid) ? 'unlock' : 'lock'}
              </button>
              <button
                type="button"
                className="lp-link-button"
                aria-label={`Delete ${o.name}`}
                onClick={() => deleteItems(doc, [o.uuid])}
              >
                delete
              </button>
            </li>
          ))}
        </ul>
        {objects.length > LIST_LIMIT && (
          <p className="lp-muted lp-small">and {objects.length - LIST_LIMIT} more</p>
        )}
      </section>
    </aside>
  )
}

function SelectedObject({
  controller,
  item,
  ontology,
  tools,
  issues,
}: {
  controller: EditorController
  item: ObjectItem
  ontology: NormalizedOntology
  tools: readonly EditorTool[]
  issues: SubmitIssue[]
}) {
  const tool = ontology.tools.find((t) => t.featureSchemaId === item.featureSchemaId)
  const sameKind = tools.filter((t) => t.type === tool?.tool)
  return (
    <section className="lp-side-section lp-side-section--selection" data-testid="selected">
      <h2 className="lp-side-title">
        Selected: {item.name || tool?.name} {item.suggestion ? '(suggestion)' : ''}
      </h2>
      {item.provenance.source === 'prelabel' && (
        <p className="lp-muted lp-small" data-testid="provenance">
          from pre-label {item.provenance.modified ? '(modified)' : '(as suggested)'}
        </p>
      )}
      <label className="lp-editor-panel__row" htmlFor="editor-class">
        Class
      </label>
      <select
        id="editor-class"
        className="lp-input lp-input--small"
        value={item.featureSchemaId}
        data-testid="class-select"
        onChange={(e) => {
          const next = sameKind.find((t) => t.featureSchemaId === e.target.value)
          if (next) changeClass(controller.doc, [item.uuid], next)
        }}
      >
        {sameKind.map((t) => (
          <option key={t.featureSchemaId} value={t.featureSchemaId}>
            {t.name}
          </option>
        ))}
      </select>
      {issues.length > 0 && (
        <ul className="lp-cfields__issues" data-testid="object-issues">
          {issues.map((i, n) => (
            <li key={n}>
              <code className="lp-code-badge">{i.code}</code> {i.message}
            </li>
          ))}
        </ul>
      )}
      {tool && tool.classifications.length > 0 && (
        <ClassificationFields
          classifications={tool.classifications}
          answers={item.answers}
          idPrefix={`obj-${item.uuid}`}
          issuesFor={issueMessagesFor(issues, item.uuid)}
          onChange={(answers) => setAnswers(controller.doc, item.uuid, answers)}
        />
      )}
    </section>
  )
}

/** Global classifications: each answer is an annotation of its own (as in NDJSON). */
function GlobalFields({
  controller,
  classifications,
  issues,
}: {
  controller: EditorController
  classifications: readonly NormalizedClassification[]
  issues: readonly SubmitIssue[]
}) {
  const doc = controller.doc
  const byFeature = new Map<string, EditorItem>()
  for (const item of doc.all())
    if (item.kind === 'classification' && !item.suggestion)
      byFeature.set(item.featureSchemaId, item)
  const answers: Record<string, Answer> = {}
  for (const [id, item] of byFeature) if (item.kind === 'classification') answers[id] = item.answer
  return (
    <ClassificationFields
      classifications={classifications}
      answers={answers}
      idPrefix="global"
      issuesFor={issueMessagesFor(issues, null)}
      onChange={(next) => {
        const put: EditorItem[] = []
        const remove: string[] = []
        for (const c of classifications) {
          const id = c.featureSchemaId ?? c.name
          const existing = byFeature.get(id)
          const answer = next[id]
          if (answer && existing?.kind === 'classification' && existing.answer !== answer)
            put.push({ ...existing, answer })
          else if (answer && !existing)
            put.push({
              kind: 'classification',
              uuid: crypto.randomUUID(),
              featureSchemaId: id,
              name: c.name,
              provenance: { source: 'drawn' },
              answer,
            })
          else if (!answer && existing) remove.push(existing.uuid)
        }
        doc.change(put, remove)
      }}
    />
  )
}
