/**
 * Between stored annotations (AnnotationRecord) and the draft format (NDJSON object grammar plus
 * provenance, api/labeling.ts): a label or a pre-label opens in the editor as draft annotations,
 * and a draft annotation is judged at submit as the NDJSON line it is.
 * Coordinates are pixels of the image as displayed: origin top-left, x right, y down.
 */
import type {
  DraftAnnotation,
  DraftAnswer,
  DraftClassification,
  Provenance,
} from '../api/labeling.ts'
import type {
  AnnotationRecord,
  AnswerRecord,
  ClassificationRecord,
} from '../model/annotation-record.ts'

function toAnswer(a: AnswerRecord): DraftAnswer {
  return {
    schemaId: a.featureSchemaId,
    ...(a.classifications.length > 0
      ? { classifications: a.classifications.map(toClassification) }
      : {}),
  }
}

function answerOf(c: ClassificationRecord): DraftClassification['answer'] {
  if (c.type === 'text') return c.text
  if (c.type === 'radio') return toAnswer(c.answer)
  return c.answers.map(toAnswer)
}

function toClassification(c: ClassificationRecord): DraftClassification {
  return { schemaId: c.featureSchemaId, answer: answerOf(c) }
}

/** A stored annotation in draft form; features are named by schemaId (names may change, ids do not). */
export function recordToDraft(record: AnnotationRecord, provenance: Provenance): DraftAnnotation {
  const base = { uuid: record.uuid, schemaId: record.featureSchemaId }
  if (record.kind === 'classification')
    return { ...base, answer: answerOf(record.classification), provenance }
  if (record.kind === 'relationship')
    return {
      ...base,
      relationship: { source: record.source, target: record.target, type: record.relationshipType },
      provenance,
    }
  const classifications =
    record.classifications.length > 0
      ? { classifications: record.classifications.map(toClassification) }
      : {}
  const g = record.geometry
  const geometry =
    g.type === 'bbox'
      ? { bbox: { top: g.top, left: g.left, height: g.height, width: g.width } }
      : g.type === 'polygon'
        ? { polygon: g.points.map((p) => ({ x: p.x, y: p.y })) }
        : g.type === 'line'
          ? { line: g.points.map((p) => ({ x: p.x, y: p.y })) }
          : g.type === 'point'
            ? { point: { x: g.x, y: g.y } }
            : {
                mask: {
                  counts: g.rle.counts,
                  size: [g.rle.size[0], g.rle.size[1]] as [number, number],
                },
              }
  return { ...base, ...geometry, ...classifications, provenance }
}

/** The NDJSON import line a draft annotation is: its object without provenance, on this data row. */
export function draftToLine(annotation: DraftAnnotation, dataRowId: string): string {
  const { provenance: _provenance, ...line } = annotation
  return JSON.stringify({ ...line, dataRow: { id: dataRowId } })
}

/** What changed between two annotation lists, by uuid (for label versions). */
export function diffDrafts(
  before: readonly DraftAnnotation[],
  after: readonly DraftAnnotation[],
): { added: string[]; removed: string[]; changed: string[] } {
  const old = new Map(before.map((a) => [a.uuid, JSON.stringify(a)]))
  const added: string[] = []
  const changed: string[] = []
  for (const a of after) {
    const was = old.get(a.uuid)
    if (was === undefined) added.push(a.uuid)
    else if (was !== JSON.stringify(a)) changed.push(a.uuid)
    old.delete(a.uuid)
  }
  return { added, removed: [...old.keys()], changed }
}
