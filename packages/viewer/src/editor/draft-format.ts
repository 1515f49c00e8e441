/**
 * The editor's records to and from the draft format: the NDJSON import line grammar (uuid,
 * schemaId, bbox / polygon / line / point / mask RLE / relationship / answer, nested
 * classifications; no dataRow) plus `provenance`; and from stored annotation records (pre-labels).
 * Features are referred to by schemaId. Image pixel coordinates.
 */
import type {
  AnnotationRecord,
  ClassificationRecord,
  NdAnswer,
  NdClassification,
} from '@labelport/core'
import { maskFromRle, maskToRle } from './mask-edit.ts'
import type { Answer, Answers, EditorGeometry, EditorItem, Provenance } from './model.ts'

/** One annotation of a draft, as the server stores it. */
export interface DraftAnnotation {
  uuid: string
  schemaId?: string
  name?: string
  bbox?: { top: number; left: number; height: number; width: number }
  polygon?: { x: number; y: number }[]
  line?: { x: number; y: number }[]
  point?: { x: number; y: number }
  mask?: { counts: string | number[]; size: [number, number] }
  relationship?: { source: string; target: string; type: 'unidirectional' | 'bidirectional' }
  answer?: NdAnswer | NdAnswer[] | string
  classifications?: NdClassification[]
  provenance?: Provenance
  [key: string]: unknown
}

const round = (n: number) => Math.round(n * 100) / 100

function answerToNd(featureSchemaId: string, answer: Answer): NdClassification {
  switch (answer.type) {
    case 'text':
      return { schemaId: featureSchemaId, answer: answer.text }
    case 'radio':
      return {
        schemaId: featureSchemaId,
        answer: { schemaId: answer.option, ...nestedToNd(answer.nested) },
      }
    case 'checklist':
      return {
        schemaId: featureSchemaId,
        answer: Object.entries(answer.options).map(([option, nested]) => ({
          schemaId: option,
          ...nestedToNd(nested),
        })),
      }
  }
}

function nestedToNd(answers: Answers): { classifications?: NdClassification[] } {
  const list = answersToNd(answers)
  return list.length > 0 ? { classifications: list } : {}
}

/** Unanswered text (empty) and checklists with no option are left out, as an import would. */
export function answersToNd(answers: Answers): NdClassification[] {
  const out: NdClassification[] = []
  for (const [id, answer] of Object.entries(answers)) {
    if (answer.type === 'text' && answer.text === '') continue
    if (answer.type === 'checklist' && Object.keys(answer.options).length === 0) continue
    out.push(answerToNd(id, answer))
  }
  return out
}

function answerFromNd(value: NdClassification['answer']): Answer | null {
  if (typeof value === 'string') return { type: 'text', text: value }
  if (Array.isArray(value)) {
    const options: Record<string, Answers> = {}
    for (const a of value) if (a.schemaId) options[a.schemaId] = answersFromNd(a.classifications)
    return { type: 'checklist', options }
  }
  if (!value.schemaId) return null
  return { type: 'radio', option: value.schemaId, nested: answersFromNd(value.classifications) }
}

export function answersFromNd(list: readonly NdClassification[] | undefined): Answers {
  const out: Record<string, Answer> = {}
  for (const c of list ?? []) {
    const answer = c.schemaId ? answerFromNd(c.answer) : null
    if (answer && c.schemaId) out[c.schemaId] = answer
  }
  return out
}

export function answerFromRecord(c: ClassificationRecord): Answer {
  switch (c.type) {
    case 'text':
      return { type: 'text', text: c.text }
    case 'radio':
      return {
        type: 'radio',
        option: c.answer.featureSchemaId,
        nested: answersFromRecords(c.answer.classifications),
      }
    case 'checklist':
      return {
        type: 'checklist',
        options: Object.fromEntries(
          c.answers.map((a) => [a.featureSchemaId, answersFromRecords(a.classifications)]),
        ),
      }
  }
}

export function answersFromRecords(list: readonly ClassificationRecord[]): Answers {
  return Object.fromEntries(list.map((c) => [c.featureSchemaId, answerFromRecord(c)]))
}

/** A record of the editor as a draft annotation. */
export function toDraftAnnotation(
  item: EditorItem,
  imageWidth: number,
  imageHeight: number,
): DraftAnnotation {
  const base = { uuid: item.uuid, schemaId: item.featureSchemaId, provenance: item.provenance }
  switch (item.kind) {
    case 'classification': {
      const nd = answerToNd(item.featureSchemaId, item.answer)
      return { ...base, answer: nd.answer }
    }
    case 'relationship':
      return {
        ...base,
        relationship: {
          source: item.source,
          target: item.target,
          type: item.bidirectional ? 'bidirectional' : 'unidirectional',
        },
      }
    case 'object': {
      const classifications = answersToNd(item.answers)
      const withNested = classifications.length > 0 ? { ...base, classifications } : base
      const g = item.geometry
      const point = (p: { x: number; y: number }) => ({ x: round(p.x), y: round(p.y) })
      switch (g.type) {
        case 'bbox':
          return {
            ...withNested,
            bbox: {
              left: round(g.box.left),
              top: round(g.box.top),
              width: round(g.box.width),
              height: round(g.box.height),
            },
          }
        case 'polygon':
          return { ...withNested, polygon: g.points.map(point) }
        case 'line':
          return { ...withNested, line: g.points.map(point) }
        case 'point':
          return { ...withNested, point: point(g.point) }
        case 'mask': {
          const rle = maskToRle(g.mask, imageWidth, imageHeight)
          return { ...withNested, mask: { counts: rle.counts, size: rle.size } }
        }
      }
    }
  }
}

function geometryFromDraft(a: DraftAnnotation): EditorGeometry | null {
  if (a.bbox) return { type: 'bbox', box: { ...a.bbox } }
  if (a.polygon) return { type: 'polygon', points: openRing(a.polygon) }
  if (a.line) return { type: 'line', points: a.line.map((p) => ({ x: p.x, y: p.y })) }
  if (a.point) return { type: 'point', point: { x: a.point.x, y: a.point.y } }
  if (a.mask) {
    const mask = maskFromRle(a.mask)
    return mask ? { type: 'mask', mask } : null
  }
  return null
}

/** Stored polygons repeat their first point at the end; the editor's do not. */
export function openRing(points: readonly { x: number; y: number }[]): { x: number; y: number }[] {
  const out = points.map((p) => ({ x: p.x, y: p.y }))
  const first = out[0]
  const last = out[out.length - 1]
  if (out.length > 3 && first && last && first.x === last.x && first.y === last.y) out.pop()
  return out
}

/**
 * A draft annotation as an editor record; null for what the editor cannot show. `names` maps
 * featureSchemaIds to names (the draft refers to features by schemaId only).
 */
export function fromDraftAnnotation(
  a: DraftAnnotation,
  names: ReadonlyMap<string, string> = new Map(),
): EditorItem | null {
  const featureSchemaId = a.schemaId ?? ''
  const base = {
    uuid: a.uuid,
    featureSchemaId,
    name: a.name ?? names.get(featureSchemaId) ?? '',
    provenance: a.provenance ?? { source: 'drawn' as const },
  }
  if (a.relationship)
    return {
      ...base,
      kind: 'relationship',
      source: a.relationship.source,
      target: a.relationship.target,
      bidirectional: a.relationship.type === 'bidirectional',
    }
  if (a.answer !== undefined) {
    const answer = answerFromNd(a.answer)
    return answer ? { ...base, kind: 'classification', answer } : null
  }
  const geometry = geometryFromDraft(a)
  if (!geometry) return null
  return { ...base, kind: 'object', geometry, answers: answersFromNd(a.classifications) }
}

/** A stored annotation record (a pre-label, or a label without a draft) as an editor record. */
export function fromAnnotationRecord(
  record: AnnotationRecord,
  provenance: Provenance,
  suggestion?: { importId: string; confidence: number | undefined },
): EditorItem | null {
  const base = {
    uuid: record.uuid,
    featureSchemaId: record.featureSchemaId,
    name: record.name,
    provenance,
    ...(suggestion ? { suggestion } : {}),
  }
  if (record.kind === 'relationship')
    return {
      ...base,
      kind: 'relationship',
      source: record.source,
      target: record.target,
      bidirectional: record.relationshipType === 'bidirectional',
    }
  if (record.kind === 'classification')
    return { ...base, kind: 'classification', answer: answerFromRecord(record.classification) }
  const g = record.geometry
  let geometry: EditorGeometry | null
  switch (g.type) {
    case 'bbox':
      geometry = {
        type: 'bbox',
        box: { left: g.left, top: g.top, width: g.width, height: g.height },
      }
      break
    case 'polygon':
      geometry = { type: 'polygon', points: openRing(g.points) }
      break
    case 'line':
      geometry = { type: 'line', points: g.points.map((p) => ({ x: p.x, y: p.y })) }
      break
    case 'point':
      geometry = { type: 'point', point: { x: g.x, y: g.y } }
      break
    case 'mask': {
      const mask = maskFromRle(g.rle)
      geometry = mask ? { type: 'mask', mask } : null
      break
    }
  }
  if (!geometry) return null
  return { ...base, kind: 'object', geometry, answers: answersFromRecords(record.classifications) }
}
