/**
 * A stored ontology (every node has ids and every tool a color) and an index over it,
 * so the import judge resolves `name`/`schemaId` of a line, its answers and its nested
 * questions with one Map lookup each.
 */
import { newId } from '../ids.ts'
import type {
  NormalizedClassification,
  NormalizedOntology,
  NormalizedOption,
  NormalizedTool,
  ToolType,
  ClassificationType,
} from './normalized.ts'

/**
 * Assigns a `featureSchemaId` and a `schemaNodeId` to every tool, classification and option
 * that lacks one, and a color to every tool whose color is '' (Labelbox's rule: tool i of n
 * gets hsv(i/n, 1, 1)). Returns a copy; the input is not changed.
 */
export function completeOntology(normalized: NormalizedOntology): NormalizedOntology {
  const toolCount = normalized.tools.length
  return {
    tools: normalized.tools.map((tool, i) => ({
      ...tool,
      color: tool.color === '' ? hsvColor(i / toolCount) : tool.color,
      classifications: tool.classifications.map(completeClassification),
      schemaNodeId: tool.schemaNodeId ?? newId(),
      featureSchemaId: tool.featureSchemaId ?? newId(),
    })),
    classifications: normalized.classifications.map(completeClassification),
  }
}

function completeClassification(
  classification: NormalizedClassification,
): NormalizedClassification {
  return {
    ...classification,
    options: classification.options.map(completeOption),
    schemaNodeId: classification.schemaNodeId ?? newId(),
    featureSchemaId: classification.featureSchemaId ?? newId(),
  }
}

function completeOption(option: NormalizedOption): NormalizedOption {
  return {
    ...option,
    options: option.options.map(completeClassification),
    schemaNodeId: option.schemaNodeId ?? newId(),
    featureSchemaId: option.featureSchemaId ?? newId(),
  }
}

/** `#rrggbb` of hsv(hue, 1, 1), truncating like Python's `int(255 * c)` over `colorsys.hsv_to_rgb`. */
export function hsvColor(hue: number): string {
  const sector = Math.floor(hue * 6)
  const f = hue * 6 - sector
  const q = 1 - f
  let r: number, g: number, b: number
  switch (((sector % 6) + 6) % 6) {
    case 0:
      ;[r, g, b] = [1, f, 0]
      break
    case 1:
      ;[r, g, b] = [q, 1, 0]
      break
    case 2:
      ;[r, g, b] = [0, 1, f]
      break
    case 3:
      ;[r, g, b] = [0, q, 1]
      break
    case 4:
      ;[r, g, b] = [f, 0, 1]
      break
    default:
      ;[r, g, b] = [1, 0, q]
      break
  }
  const hex = (c: number) =>
    Math.trunc(255 * c)
      .toString(16)
      .padStart(2, '0')
  return `#${hex(r)}${hex(g)}${hex(b)}`
}

/** Features reachable at one place, by name and by featureSchemaId. */
export interface FeatureLookup<T> {
  byName: Map<string, T>
  byId: Map<string, T>
}

/** Questions that may be answered at one place: under a tool, under an option, or at the top. */
export type ClassificationScope = FeatureLookup<IndexedClassification>

export interface IndexedOption {
  featureSchemaId: string
  /** the option's value: what an answer's `name` refers to */
  value: string
  node: NormalizedOption
  /** questions nested under this answer */
  classifications: ClassificationScope
}

export interface IndexedClassification {
  featureSchemaId: string
  name: string
  type: ClassificationType
  node: NormalizedClassification
  optionsByValue: Map<string, IndexedOption>
  optionsById: Map<string, IndexedOption>
  /** position among the top-level features (tools first), -1 when nested; keys per-feature limits */
  ordinal: number
}

export interface IndexedTool {
  featureSchemaId: string
  name: string
  type: ToolType
  node: NormalizedTool
  /** questions nested under this tool */
  classifications: ClassificationScope
  /** position among the top-level features (tools first); keys per-feature limits */
  ordinal: number
}

export interface OntologyIndex {
  tools: FeatureLookup<IndexedTool>
  classifications: ClassificationScope
  /** every featureSchemaId of the ontology, at any depth: tells "not here" from "nowhere" */
  allFeatureSchemaIds: Set<string>
  /** number of top-level features (tools + classifications) */
  featureCount: number
}

/** Builds the lookups of a completed ontology (see `completeOntology`); throws if an id is missing. */
export function buildOntologyIndex(completed: NormalizedOntology): OntologyIndex {
  const allFeatureSchemaIds = new Set<string>()
  const tools: FeatureLookup<IndexedTool> = { byName: new Map(), byId: new Map() }
  completed.tools.forEach((tool, i) => {
    const featureSchemaId = requireId(tool.featureSchemaId, tool.name)
    allFeatureSchemaIds.add(featureSchemaId)
    const indexed: IndexedTool = {
      featureSchemaId,
      name: tool.name,
      type: tool.tool,
      node: tool,
      classifications: indexScope(tool.classifications, -1, allFeatureSchemaIds),
      ordinal: i,
    }
    if (!tools.byName.has(tool.name)) tools.byName.set(tool.name, indexed)
    tools.byId.set(featureSchemaId, indexed)
  })
  const classifications = indexScope(
    completed.classifications,
    completed.tools.length,
    allFeatureSchemaIds,
  )
  return {
    tools,
    classifications,
    allFeatureSchemaIds,
    featureCount: completed.tools.length + completed.classifications.length,
  }
}

function indexScope(
  list: NormalizedClassification[],
  firstOrdinal: number,
  all: Set<string>,
): ClassificationScope {
  const scope: ClassificationScope = { byName: new Map(), byId: new Map() }
  list.forEach((classification, i) => {
    const indexed = indexClassification(
      classification,
      firstOrdinal < 0 ? -1 : firstOrdinal + i,
      all,
    )
    if (!scope.byName.has(indexed.name)) scope.byName.set(indexed.name, indexed)
    scope.byId.set(indexed.featureSchemaId, indexed)
  })
  return scope
}

function indexClassification(
  node: NormalizedClassification,
  ordinal: number,
  all: Set<string>,
): IndexedClassification {
  const featureSchemaId = requireId(node.featureSchemaId, node.name)
  all.add(featureSchemaId)
  const optionsByValue = new Map<string, IndexedOption>()
  const optionsById = new Map<string, IndexedOption>()
  for (const option of node.options) {
    const optionId = requireId(option.featureSchemaId, option.value)
    all.add(optionId)
    const indexed: IndexedOption = {
      featureSchemaId: optionId,
      value: option.value,
      node: option,
      classifications: indexScope(option.options, -1, all),
    }
    if (!optionsByValue.has(option.value)) optionsByValue.set(option.value, indexed)
    optionsById.set(optionId, indexed)
  }
  return {
    featureSchemaId,
    name: node.name,
    type: node.type,
    node,
    optionsByValue,
    optionsById,
    ordinal,
  }
}

function requireId(id: string | null, name: string): string {
  if (id === null)
    throw new Error(`ontology node '${name}' has no featureSchemaId: call completeOntology first`)
  return id
}
