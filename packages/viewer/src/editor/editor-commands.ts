/**
 * Edits that are not gestures, each one undo step: delete (with the relationships that pointed at
 * what went), change class, answer classifications, accept / reject suggestions, paste.
 */
import type { EditorDocument } from './editor-document.ts'
import { acceptSuggestion, markEdited, newUuid, translateGeometry } from './model.ts'
import type { Answers, EditorItem, ObjectItem } from './model.ts'

/** Removes items and every relationship whose source or target is among them. */
export function deleteItems(doc: EditorDocument, uuids: Iterable<string>): number {
  const gone = new Set(uuids)
  for (const item of doc.all())
    if (item.kind === 'relationship' && (gone.has(item.source) || gone.has(item.target)))
      gone.add(item.uuid)
  const present = [...gone].filter((uuid) => doc.get(uuid))
  doc.change([], present)
  return present.length
}

/** Gives objects another tool of the same kind; nested answers of the old tool no longer apply. */
export function changeClass(
  doc: EditorDocument,
  uuids: Iterable<string>,
  tool: { featureSchemaId: string; name: string },
): void {
  const put: EditorItem[] = []
  for (const uuid of uuids) {
    const item = doc.get(uuid)
    if (!item || item.kind !== 'object' || item.featureSchemaId === tool.featureSchemaId) continue
    put.push(
      markEdited({ ...item, featureSchemaId: tool.featureSchemaId, name: tool.name, answers: {} }),
    )
  }
  doc.change(put)
}

export function setAnswers(doc: EditorDocument, uuid: string, answers: Answers): void {
  const item = doc.get(uuid)
  if (!item || item.kind !== 'object') return
  doc.change([markEdited({ ...item, answers })])
}

/** Accepts the suggestions among `uuids` as they are (relationships too). */
export function acceptSuggestions(doc: EditorDocument, uuids: Iterable<string>): number {
  const put: EditorItem[] = []
  for (const uuid of uuids) {
    const item = doc.get(uuid)
    if (item?.suggestion) put.push(acceptSuggestion(item))
  }
  doc.change(put)
  return put.length
}

/** Rejects the suggestions among `uuids`: they leave the document (undo brings them back). */
export function rejectSuggestions(doc: EditorDocument, uuids: Iterable<string>): number {
  const targets = [...uuids].filter((uuid) => doc.get(uuid)?.suggestion)
  return targets.length > 0 ? deleteItems(doc, targets) : 0
}

/** Undecided suggestions at or above the confidence threshold (those without one always count). */
export function shownSuggestions(doc: EditorDocument, threshold: number): string[] {
  const out: string[] = []
  for (const item of doc.all())
    if (item.suggestion && (item.suggestion.confidence ?? 1) >= threshold) out.push(item.uuid)
  return out
}

/**
 * Copies objects (from the previous data row, or the clipboard) as new drawn objects with new
 * uuids, shifted by `offset`; relationships among the copied objects come along.
 */
export function pasteItems(
  doc: EditorDocument,
  items: readonly EditorItem[],
  offset = { x: 0, y: 0 },
): string[] {
  const renamed = new Map<string, string>()
  const put: EditorItem[] = []
  for (const item of items) {
    if (item.kind !== 'object') continue
    const uuid = newUuid()
    renamed.set(item.uuid, uuid)
    const { suggestion: _suggestion, ...rest } = item
    const copy: ObjectItem = {
      ...rest,
      uuid,
      provenance: { source: 'drawn' },
      geometry: translateGeometry(item.geometry, offset.x, offset.y),
    }
    put.push(copy)
  }
  for (const item of items) {
    if (item.kind !== 'relationship') continue
    const source = renamed.get(item.source)
    const target = renamed.get(item.target)
    if (!source || !target) continue
    const { suggestion: _suggestion, ...rest } = item
    put.push({ ...rest, uuid: newUuid(), source, target, provenance: { source: 'drawn' } })
  }
  doc.change(put)
  return put.map((item) => item.uuid)
}
