/** Which feature of the ontology a line names (name and/or schemaId), and whether its kind fits. */
import type { Issue } from '../errors.ts'
import type { KindKey } from '../ndjson/line.ts'
import type { ToolType } from '../ontology/normalized.ts'
import type {
  FeatureLookup,
  IndexedClassification,
  IndexedTool,
  OntologyIndex,
} from '../ontology/ontology-index.ts'
import { add, isAbsent, type Json } from './check-values.ts'

const TOOL_OF_KIND: Record<Exclude<KindKey, 'answer'>, ToolType> = {
  bbox: 'rectangle',
  polygon: 'polygon',
  line: 'line',
  point: 'point',
  mask: 'raster-segmentation',
  relationship: 'edge',
}

const KIND_OF_TOOL: Record<ToolType, string> = {
  rectangle: 'bbox',
  polygon: 'polygon',
  line: 'line',
  point: 'point',
  'raster-segmentation': 'mask',
  edge: 'relationship',
}

/** Resolves name/schemaId among the features of the line's kind; finds kind mismatches. */
export function resolveFeature(
  ontology: OntologyIndex,
  value: Json,
  kind: KindKey,
  issues: Issue[],
): IndexedTool | IndexedClassification | undefined {
  // parse() made sure both are strings when present
  const name = typeof value.name === 'string' ? value.name : undefined
  const schemaId = typeof value.schemaId === 'string' ? value.schemaId : undefined
  const wantTool = kind !== 'answer'
  const primary: FeatureLookup<IndexedTool | IndexedClassification> = wantTool
    ? ontology.tools
    : ontology.classifications
  const secondary: FeatureLookup<IndexedTool | IndexedClassification> = wantTool
    ? ontology.classifications
    : ontology.tools
  const byName = name === undefined ? undefined : primary.byName.get(name)
  const byId = schemaId === undefined ? undefined : primary.byId.get(schemaId)
  const nameMissing = name !== undefined && byName === undefined
  const idMissing = schemaId !== undefined && byId === undefined
  if (nameMissing || idMissing) {
    const other =
      (nameMissing ? secondary.byName.get(name) : undefined) ??
      (idMissing ? secondary.byId.get(schemaId) : undefined)
    if (other !== undefined && byName === undefined && byId === undefined) {
      const what =
        'optionsByValue' in other
          ? `the ${other.type} classification '${other.name}'`
          : `the ${other.type} tool '${other.name}'`
      const path =
        kind === 'answer' && !isAbsent(value.answers) && isAbsent(value.answer) ? 'answers' : kind
      add(issues, 'feature_kind_mismatch', `a line with ${path} cannot be ${what}`, [path])
      return undefined
    }
    if (other !== undefined) {
      add(
        issues,
        'feature_conflict',
        `name '${String(name)}' and schemaId '${String(schemaId)}' name different features`,
        ['schemaId'],
      )
      return undefined
    }
    const key = nameMissing ? 'name' : 'schemaId'
    const given = nameMissing ? name : schemaId
    add(
      issues,
      'feature_unknown',
      `the ontology has no ${wantTool ? 'tool' : 'classification'} with ${key} '${String(given)}'`,
      [key],
    )
    return undefined
  }
  if (byName !== undefined && byId !== undefined && byName !== byId) {
    add(
      issues,
      'feature_conflict',
      `name '${byName.name}' and schemaId '${byId.featureSchemaId}' name different features`,
      ['schemaId'],
    )
    return undefined
  }
  const feature = byName ?? byId
  if (feature === undefined) return undefined // parse() made sure one is given
  if (wantTool) {
    const tool = feature as IndexedTool
    if (TOOL_OF_KIND[kind] !== tool.type) {
      add(
        issues,
        'feature_kind_mismatch',
        `'${tool.name}' is a ${tool.type} tool: it takes ${KIND_OF_TOOL[tool.type]}, not ${kind}`,
        [kind],
      )
      return undefined
    }
  }
  return feature
}
