/** The checks of each kind of line once its feature is known: object, classification, relationship. */
import type { Issue } from '../errors.ts'
import type {
  ClassificationLineRecord,
  GeometryRecord,
  MaskLineRecord,
  ObjectRecord,
  RelationshipRecord,
} from '../model/annotation-record.ts'
import type { KindKey, NdMask } from '../ndjson/line.ts'
import type { IndexedClassification, IndexedTool } from '../ontology/ontology-index.ts'
import { answerKey, checkAnswer, checkNestedList } from './check-classifications.ts'
import { checkBbox, checkMask, checkPath, checkPoint, type Bounds } from './check-geometry.ts'
import { add, isAbsent, isObject, show, wrongType, type Json } from './check-values.ts'
import { parseUuid } from './uuid-table.ts'

/** What the checks read of a parsed line: its value and its uuid. */
export interface LineOfRecord {
  uuid: string
  value: Json
}

export function checkClassificationLine(
  parsed: LineOfRecord,
  dataRowId: string,
  question: IndexedClassification,
  issues: Issue[],
): ClassificationLineRecord | undefined {
  const { value } = parsed
  const nested = value.classifications
  if (Array.isArray(nested) && nested.length > 0) {
    // a question has no questions of its own; nested ones go under an answer
    add(
      issues,
      'classification_too_deep',
      `'${question.name}' is a question: nest classifications under its answer, not beside it`,
      ['classifications'],
    )
  } else if (!isAbsent(nested) && !Array.isArray(nested))
    wrongType(issues, ['classifications'], 'a list', nested)
  const key = answerKey(value)
  const classification = checkAnswer(question, value[key], [key], issues)
  if (classification === undefined) return undefined
  return {
    kind: 'classification',
    uuid: parsed.uuid,
    dataRowId,
    featureSchemaId: question.featureSchemaId,
    name: question.name,
    classification,
  }
}

export function checkRelationshipLine(
  parsed: LineOfRecord,
  dataRowId: string,
  tool: IndexedTool,
  issues: Issue[],
): RelationshipRecord | undefined {
  const rel = parsed.value.relationship
  if (!isObject(rel))
    return void wrongType(issues, ['relationship'], 'an object {source, target, type}', rel)
  const source = endpoint(rel, 'source', issues)
  const target = endpoint(rel, 'target', issues)
  let type = rel.type
  if (isAbsent(type)) type = 'unidirectional'
  else if (typeof type === 'string' && type !== 'unidirectional' && type !== 'bidirectional')
    type = type.toLowerCase()
  if (type !== 'unidirectional' && type !== 'bidirectional') {
    add(
      issues,
      'relationship_type_invalid',
      `relationship type ${show(rel.type)} must be 'unidirectional' or 'bidirectional'`,
      ['relationship', 'type'],
    )
    return undefined
  }
  if (source === undefined || target === undefined) return undefined
  if (source === target) {
    add(
      issues,
      'relationship_self_reference',
      `relationship source and target are both '${source}'`,
      ['relationship', 'target'],
    )
    return undefined
  }
  return {
    kind: 'relationship',
    uuid: parsed.uuid,
    dataRowId,
    featureSchemaId: tool.featureSchemaId,
    name: tool.name,
    source,
    target,
    relationshipType: type,
  }
}

function endpoint(rel: Json, end: 'source' | 'target', issues: Issue[]): string | undefined {
  const raw = rel[end]
  if (typeof raw !== 'string')
    return void wrongType(issues, ['relationship', end], 'the uuid of an object line', raw)
  const canonical = parseUuid(raw)
  if (canonical === undefined)
    add(issues, 'uuid_invalid', `relationship ${end} ${show(raw)} is not a uuid`, [
      'relationship',
      end,
    ])
  return canonical
}

/**
 * An object line (bbox, polygon, line, point, mask): its geometry and nested classifications. A
 * mask line's record has no geometry yet: the server decodes `mask` and completes it.
 */
export function checkObjectLine(
  parsed: LineOfRecord & { kind: Exclude<KindKey, 'answer' | 'relationship'> },
  dataRowId: string,
  tool: IndexedTool,
  bounds: Bounds | null,
  issues: Issue[],
):
  | { record: ObjectRecord; mask?: undefined }
  | { record: MaskLineRecord; mask: NdMask }
  | undefined {
  const { value, kind } = parsed
  let geometry: GeometryRecord | undefined
  let mask: NdMask | undefined
  switch (kind) {
    case 'bbox':
      geometry = checkBbox(value.bbox, bounds, issues)
      break
    case 'polygon':
      geometry = checkPath('polygon', value.polygon, bounds, issues)
      break
    case 'line':
      geometry = checkPath('line', value.line, bounds, issues)
      break
    case 'point':
      geometry = checkPoint(value.point, bounds, issues)
      break
    case 'mask':
      mask = checkMask(value.mask, issues)
      break
  }
  const classifications: ObjectRecord['classifications'] = []
  if (!isAbsent(value.classifications))
    checkNestedList(
      value.classifications,
      tool.classifications,
      `tool '${tool.name}'`,
      [],
      classifications,
      issues,
    )
  // written out twice: the stored JSON keeps the key order of every object record
  if (geometry !== undefined)
    return {
      record: {
        kind: 'object',
        uuid: parsed.uuid,
        dataRowId,
        featureSchemaId: tool.featureSchemaId,
        name: tool.name,
        tool: tool.type as ObjectRecord['tool'],
        geometry,
        classifications,
      },
    }
  if (mask !== undefined)
    return {
      mask,
      record: {
        kind: 'object',
        uuid: parsed.uuid,
        dataRowId,
        featureSchemaId: tool.featureSchemaId,
        name: tool.name,
        tool: tool.type as ObjectRecord['tool'],
        classifications,
      },
    }
  return undefined
}
