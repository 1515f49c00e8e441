/**
 * Judges a draft at submit exactly as a ground-truth import judges its lines (the same
 * `ImportJudge`, the same codes), plus the ontology's `required` flags and the provenance of
 * accepted pre-labels. Unlike a ground-truth import, a submit keeps relationships, each endpoint
 * checked to be an object of the same draft that passed. Every issue's path starts
 * `['annotations', uuid, …]`.
 */
import {
  ImportJudge,
  buildOntologyIndex,
  checkRequiredClassifications,
  draftToLine,
  issue,
  withMaskGeometry,
  type AnnotationRecord,
  type DraftAnnotation,
  type Issue,
  type NormalizedOntology,
} from '@labelport/core'
import type { MaskProcessor } from '../../masks/mask-processor.ts'

export interface JudgedDraft {
  records: AnnotationRecord[]
  issues: Issue[]
  /** composite masks stored while judging (granted to the organization on success) */
  maskShas: Set<string>
}

export async function judgeDraft(input: {
  annotations: readonly DraftAnnotation[]
  ontology: NormalizedOntology
  dataRow: { id: string; globalKey: string | null; width: number; height: number }
  masks: MaskProcessor
  /** `importId uuid` of each pre-label of the row */
  prelabels: ReadonlySet<string>
}): Promise<JudgedDraft> {
  const { annotations, dataRow } = input
  const judge = new ImportJudge({
    ontology: buildOntologyIndex(input.ontology),
    kind: 'ground_truth',
    // the editor draws relationships: a submitted label keeps them (imports still refuse them)
    groundTruthRelationships: true,
  })
  const issues: Issue[] = []
  const records: AnnotationRecord[] = []
  const maskShas = new Set<string>()
  const uuidOfLine = new Map<number, string>()
  const at = (uuid: string, found: readonly Issue[]) =>
    found.map((i) => ({ ...i, path: ['annotations', uuid, ...i.path] }))

  for (const [index, annotation] of annotations.entries()) {
    const line = index + 1
    uuidOfLine.set(line, annotation.uuid)
    const p = annotation.provenance
    if (p.source === 'prelabel' && !input.prelabels.has(`${p.importId} ${p.originalUuid}`))
      issues.push(
        issue(
          'provenance_invalid',
          `no pre-label ${p.originalUuid} of import ${p.importId} on this data row`,
          ['annotations', annotation.uuid, 'provenance'],
        ),
      )
    const parsed = judge.parse(draftToLine(annotation, dataRow.id), line)
    if (!parsed.ok) {
      issues.push(...at(annotation.uuid, parsed.issues))
      continue
    }
    const verdict = judge.check(parsed, dataRow)
    if (verdict.ok === 'deferred') continue
    if (verdict.ok === 'mask') {
      const mask = await input.masks.process(
        verdict.mask.input,
        { width: dataRow.width, height: dataRow.height },
        verdict.mask.path,
      )
      if (mask.ok) {
        records.push(withMaskGeometry(verdict.record, mask.geometry))
        maskShas.add(mask.geometry.compositeSha256)
      } else {
        judge.reject(parsed.uuid)
        issues.push(...at(annotation.uuid, [mask.issue]))
      }
      continue
    }
    if (verdict.ok === true) records.push(verdict.record)
    else issues.push(...at(annotation.uuid, verdict.issues))
  }
  for (const late of judge.finishRelationships()) {
    const uuid = uuidOfLine.get(late.line) ?? late.uuid
    if (late.verdict.ok === true) records.push(late.verdict.record)
    else if (late.verdict.ok === false) issues.push(...at(uuid, late.verdict.issues))
  }
  issues.push(...checkRequiredClassifications(records, input.ontology))
  // the label keeps the draft's order
  const order = new Map(annotations.map((a, i) => [a.uuid.toLowerCase(), i]))
  records.sort((a, b) => (order.get(a.uuid) ?? 0) - (order.get(b.uuid) ?? 0))
  return { records, issues, maskShas }
}
