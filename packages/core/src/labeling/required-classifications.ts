/**
 * The ontology's `required` flags, checked when a label is submitted (imports do not check them:
 * pre-labels and migrated labels may be partial, as in Labelbox). Issues are `classification_required`
 * with the path of the annotation concerned: `['annotations', uuid, 'classifications']` for one
 * missing under a tool or answer, `['annotations']` for a missing global classification.
 */
import { issue, type Issue, type IssuePath } from '../errors.ts'
import type {
  AnnotationRecord,
  AnswerRecord,
  ClassificationRecord,
} from '../model/annotation-record.ts'
import type { NormalizedClassification, NormalizedOntology } from '../ontology/normalized.ts'

function answered(c: ClassificationRecord): boolean {
  if (c.type === 'text') return c.text.trim().length > 0
  if (c.type === 'checklist') return c.answers.length > 0
  return true
}

function checkLevel(
  expected: readonly NormalizedClassification[],
  given: readonly ClassificationRecord[],
  path: IssuePath,
  out: Issue[],
): void {
  const byId = new Map(given.map((c) => [c.featureSchemaId, c]))
  for (const def of expected) {
    const found = def.featureSchemaId ? byId.get(def.featureSchemaId) : undefined
    if (def.required && (!found || !answered(found)))
      out.push(issue('classification_required', `"${def.name}" is required`, path))
    if (!found) continue
    const answers: AnswerRecord[] =
      found.type === 'radio' ? [found.answer] : found.type === 'checklist' ? found.answers : []
    for (const answer of answers) {
      const option = def.options.find((o) => o.featureSchemaId === answer.featureSchemaId)
      if (option) checkLevel(option.options, answer.classifications, path, out)
    }
  }
}

export function checkRequiredClassifications(
  records: readonly AnnotationRecord[],
  ontology: NormalizedOntology,
): Issue[] {
  const out: Issue[] = []
  const tools = new Map(ontology.tools.map((t) => [t.featureSchemaId, t]))
  const globals = new Map<string, ClassificationRecord[]>()
  for (const r of records) {
    if (r.kind === 'object') {
      const tool = tools.get(r.featureSchemaId)
      if (tool)
        checkLevel(
          tool.classifications,
          r.classifications,
          ['annotations', r.uuid, 'classifications'],
          out,
        )
    } else if (r.kind === 'classification') {
      globals.set(r.featureSchemaId, [...(globals.get(r.featureSchemaId) ?? []), r.classification])
      // nested under a global classification's answers
      const def = ontology.classifications.find((c) => c.featureSchemaId === r.featureSchemaId)
      if (def)
        checkLevel(
          [{ ...def, required: false }],
          [r.classification],
          ['annotations', r.uuid, 'answer'],
          out,
        )
    }
  }
  for (const def of ontology.classifications) {
    const given = def.featureSchemaId ? globals.get(def.featureSchemaId) : undefined
    if (def.required && (!given || !given.some(answered)))
      out.push(
        issue('classification_required', `the global classification "${def.name}" is required`, [
          'annotations',
        ]),
      )
  }
  return out
}
