/**
 * Builds the normalized ontology JSON the way Labelbox's `OntologyBuilder.asdict()` does
 * (reference/labelbox-sdk.md §3): tools and classifications with options, nested to any depth.
 * Ids stay null until the server stores the ontology. Validation throws `AppError` (SDK edge).
 */
import { AppError } from '../errors.ts'
import type { IssuePath } from '../errors.ts'
import { NormalizedOntologySchema } from './normalized.ts'
import type {
  ClassificationType,
  NormalizedClassification,
  NormalizedOntology,
  NormalizedOption,
  NormalizedTool,
  ToolType,
} from './normalized.ts'

export const MediaType = { Image: 'IMAGE' } as const
export type MediaType = (typeof MediaType)[keyof typeof MediaType]

interface SchemaIds {
  featureSchemaId?: string
  schemaNodeId?: string
}

function checkName(value: unknown, key: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new AppError(
      'field_invalid',
      `${key} must be a non-empty string, got ${JSON.stringify(value)}`,
      { path: [key] },
    )
  }
  return value
}

function idsOf(options: SchemaIds): SchemaIds {
  return {
    ...(options.featureSchemaId == null ? {} : { featureSchemaId: options.featureSchemaId }),
    ...(options.schemaNodeId == null ? {} : { schemaNodeId: options.schemaNodeId }),
  }
}

function checkList<T>(
  value: unknown,
  Kind: abstract new (...args: never[]) => T,
  key: string,
): T[] {
  if (value === undefined) return []
  if (!Array.isArray(value))
    throw new AppError('field_invalid', `${key} must be a list`, { path: [key] })
  return value.map((item: unknown, i) => {
    if (!(item instanceof Kind))
      throw new AppError('field_invalid', `${key}[${i}] must be a ${Kind.name}`, { path: [key, i] })
    return item
  })
}

/** Siblings must have distinct names (values, for options): the name is how lines refer to them. */
function checkUnique(items: readonly { key: string }[], path: IssuePath, field: string): void {
  const seen = new Set<string>()
  items.forEach((item, i) => {
    if (seen.has(item.key))
      throw new AppError('name_taken', `duplicate ${field} ${JSON.stringify(item.key)}`, {
        path: [...path, i, field],
      })
    seen.add(item.key)
  })
}

export interface OptionOptions extends SchemaIds {
  /** what NDJSON answers name (`answer.name`) */
  value: string
  /** shown to labelers; defaults to `value` */
  label?: string
  /** classifications nested under this option */
  options?: Classification[]
}

export class Option {
  readonly value: string
  readonly label: string
  readonly options: Classification[]
  readonly featureSchemaId?: string
  readonly schemaNodeId?: string

  constructor(options: OptionOptions) {
    this.value = checkName(options.value, 'value')
    this.label = options.label === undefined ? this.value : checkName(options.label, 'label')
    this.options = checkList(options.options, Classification, 'options')
    Object.assign(this, idsOf(options))
  }

  asDict(path: IssuePath = []): NormalizedOption {
    checkUnique(
      this.options.map((c) => ({ key: c.name })),
      [...path, 'options'],
      'name',
    )
    return {
      schemaNodeId: this.schemaNodeId ?? null,
      featureSchemaId: this.featureSchemaId ?? null,
      label: this.label,
      value: this.value,
      options: this.options.map((c, i) =>
        c.asDict({ isSubclass: true, path: [...path, 'options', i] }),
      ),
    }
  }

  static fromDict(d: NormalizedOption): Option {
    return new Option({
      value: d.value,
      label: d.label,
      options: d.options.map((c) => Classification.fromDict(c)),
      ...idsFromDict(d),
    })
  }
}

const CLASSIFICATION_TYPE = {
  RADIO: 'radio',
  CHECKLIST: 'checklist',
  TEXT: 'text',
} as const satisfies Record<string, ClassificationType>
const SCOPE = { GLOBAL: 'global', INDEX: 'index' } as const
const UI_MODE = { HOTKEY: 'hotkey', SEARCHABLE: 'searchable' } as const

export interface ClassificationOptions extends SchemaIds {
  classType: ClassificationType
  name: string
  /** shown to labelers; defaults to `name` */
  instructions?: string
  required?: boolean
  /** the choices of a radio or checklist (at least one); none for text */
  options?: Option[]
  /** top-level classifications only; defaults to global there */
  scope?: 'global' | 'index'
  uiMode?: 'hotkey' | 'searchable'
}

export class Classification {
  static readonly Type = CLASSIFICATION_TYPE
  static readonly Scope = SCOPE
  static readonly UIMode = UI_MODE

  readonly classType: ClassificationType
  readonly name: string
  readonly instructions: string
  readonly required: boolean
  readonly options: Option[]
  readonly featureSchemaId?: string
  readonly schemaNodeId?: string
  readonly scope?: 'global' | 'index'
  readonly uiMode?: 'hotkey' | 'searchable'

  constructor(options: ClassificationOptions) {
    const types: readonly unknown[] = Object.values(CLASSIFICATION_TYPE)
    if (!types.includes(options.classType)) {
      throw new AppError(
        'field_invalid',
        `classType must be one of ${types.join(', ')}, got ${JSON.stringify(options.classType)}`,
        { path: ['classType'] },
      )
    }
    this.classType = options.classType
    this.name = checkName(options.name, 'name')
    this.instructions =
      options.instructions === undefined
        ? this.name
        : checkName(options.instructions, 'instructions')
    this.required = options.required ?? false
    this.options = checkList(options.options, Option, 'options')
    if (this.classType === 'text' && this.options.length > 0) {
      throw new AppError(
        'field_invalid',
        `text classification ${JSON.stringify(this.name)} takes no options`,
        { path: ['options'] },
      )
    }
    if (options.scope !== undefined) {
      if (options.scope !== 'global' && options.scope !== 'index')
        throw new AppError('field_invalid', 'scope must be global or index', { path: ['scope'] })
      this.scope = options.scope
    }
    if (options.uiMode !== undefined) {
      if (options.uiMode !== 'hotkey' && options.uiMode !== 'searchable')
        throw new AppError('field_invalid', 'uiMode must be hotkey or searchable', {
          path: ['uiMode'],
        })
      this.uiMode = options.uiMode
    }
    Object.assign(this, idsOf(options))
  }

  /** `isSubclass`: nested under a tool or an option, where there is no scope. */
  asDict({
    isSubclass = false,
    path = [],
  }: { isSubclass?: boolean; path?: IssuePath } = {}): NormalizedClassification {
    if (this.classType !== 'text' && this.options.length === 0) {
      throw new AppError(
        'field_invalid',
        `classification ${JSON.stringify(this.name)} requires options`,
        { path: [...path, 'options'] },
      )
    }
    checkUnique(
      this.options.map((o) => ({ key: o.value })),
      [...path, 'options'],
      'value',
    )
    return {
      type: this.classType,
      instructions: this.instructions,
      name: this.name,
      required: this.required,
      options: this.options.map((o, i) => o.asDict([...path, 'options', i])),
      schemaNodeId: this.schemaNodeId ?? null,
      featureSchemaId: this.featureSchemaId ?? null,
      ...(isSubclass ? {} : { scope: this.scope ?? 'global' }),
      ...(this.uiMode === undefined ? {} : { uiMode: this.uiMode }),
    }
  }

  static fromDict(d: NormalizedClassification): Classification {
    return new Classification({
      classType: d.type,
      name: d.name,
      instructions: d.instructions,
      required: d.required,
      options: d.options.map((o) => Option.fromDict(o)),
      ...(d.scope === undefined ? {} : { scope: d.scope }),
      ...(d.uiMode === undefined ? {} : { uiMode: d.uiMode }),
      ...idsFromDict(d),
    })
  }
}

const TOOL_TYPE = {
  BBOX: 'rectangle',
  POLYGON: 'polygon',
  LINE: 'line',
  POINT: 'point',
  RASTER_SEGMENTATION: 'raster-segmentation',
  RELATIONSHIP: 'edge',
} as const satisfies Record<string, ToolType>

export interface ToolOptions extends SchemaIds {
  tool: ToolType
  name: string
  required?: boolean
  /** `#rrggbb`; when absent the builder assigns one spread over the hue circle */
  color?: string
  classifications?: Classification[]
}

export class Tool {
  static readonly Type = TOOL_TYPE

  readonly tool: ToolType
  readonly name: string
  readonly required: boolean
  readonly color?: string
  readonly classifications: Classification[]
  readonly featureSchemaId?: string
  readonly schemaNodeId?: string

  constructor(options: ToolOptions) {
    const types: readonly unknown[] = Object.values(TOOL_TYPE)
    if (!types.includes(options.tool)) {
      throw new AppError(
        'field_invalid',
        `tool must be one of ${types.join(', ')}, got ${JSON.stringify(options.tool)}`,
        { path: ['tool'] },
      )
    }
    this.tool = options.tool
    this.name = checkName(options.name, 'name')
    this.required = options.required ?? false
    if (options.color !== undefined) {
      if (typeof options.color !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(options.color)) {
        throw new AppError(
          'field_invalid',
          `color must be #rrggbb, got ${JSON.stringify(options.color)}`,
          { path: ['color'] },
        )
      }
      this.color = options.color.toLowerCase()
    }
    this.classifications = checkList(options.classifications, Classification, 'classifications')
    Object.assign(this, idsOf(options))
  }

  /** `fallbackColor` is used when the tool has no color of its own (the builder passes one). */
  asDict({
    fallbackColor = '#ff0000',
    path = [],
  }: { fallbackColor?: string; path?: IssuePath } = {}): NormalizedTool {
    checkUnique(
      this.classifications.map((c) => ({ key: c.name })),
      [...path, 'classifications'],
      'name',
    )
    return {
      tool: this.tool,
      name: this.name,
      required: this.required,
      color: this.color ?? fallbackColor,
      classifications: this.classifications.map((c, i) =>
        c.asDict({ isSubclass: true, path: [...path, 'classifications', i] }),
      ),
      schemaNodeId: this.schemaNodeId ?? null,
      featureSchemaId: this.featureSchemaId ?? null,
    }
  }

  static fromDict(d: NormalizedTool): Tool {
    return new Tool({
      tool: d.tool,
      name: d.name,
      required: d.required,
      ...(d.color === '' ? {} : { color: d.color }),
      classifications: d.classifications.map((c) => Classification.fromDict(c)),
      ...idsFromDict(d),
    })
  }
}

function idsFromDict(d: {
  featureSchemaId: string | null
  schemaNodeId: string | null
}): SchemaIds {
  return {
    ...(d.featureSchemaId === null ? {} : { featureSchemaId: d.featureSchemaId }),
    ...(d.schemaNodeId === null ? {} : { schemaNodeId: d.schemaNodeId }),
  }
}

/** Python's `colorsys.hsv_to_rgb` with s = v = 1, channels truncated to 0..255 as Labelbox does. */
export function hueToHex(hue: number): string {
  const h6 = hue * 6
  const sector = Math.floor(h6)
  const f = h6 - sector
  const q = 1 - f
  const t = f
  const rgb = [
    [1, t, 0],
    [q, 1, 0],
    [0, 1, t],
    [0, q, 1],
    [t, 0, 1],
    [1, 0, q],
  ][sector % 6] as number[]
  return `#${rgb
    .map((c) =>
      Math.trunc(c * 255)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`
}

export interface OntologyBuilderOptions {
  tools?: Tool[]
  classifications?: Classification[]
}

export class OntologyBuilder {
  readonly tools: Tool[]
  readonly classifications: Classification[]

  constructor(options: OntologyBuilderOptions = {}) {
    this.tools = checkList(options.tools, Tool, 'tools')
    this.classifications = checkList(options.classifications, Classification, 'classifications')
  }

  addTool(tool: Tool): Tool {
    if (this.tools.some((t) => t.name === tool.name)) {
      throw new AppError('name_taken', `duplicate tool name ${JSON.stringify(tool.name)}`, {
        path: ['tools', this.tools.length, 'name'],
      })
    }
    this.tools.push(tool)
    return tool
  }

  addClassification(classification: Classification): Classification {
    if (this.classifications.some((c) => c.name === classification.name)) {
      throw new AppError(
        'name_taken',
        `duplicate classification name ${JSON.stringify(classification.name)}`,
        {
          path: ['classifications', this.classifications.length, 'name'],
        },
      )
    }
    this.classifications.push(classification)
    return classification
  }

  /** The normalized JSON for `createOntology`; tools without a color get `hsv(i/n, 1, 1)`. */
  asDict(): NormalizedOntology {
    checkUnique(
      this.tools.map((t) => ({ key: t.name })),
      ['tools'],
      'name',
    )
    checkUnique(
      this.classifications.map((c) => ({ key: c.name })),
      ['classifications'],
      'name',
    )
    const n = this.tools.length
    return {
      tools: this.tools.map((t, i) =>
        t.asDict({ fallbackColor: hueToHex(i / n), path: ['tools', i] }),
      ),
      classifications: this.classifications.map((c, i) =>
        c.asDict({ path: ['classifications', i] }),
      ),
    }
  }

  /** Reads a normalized ontology (as stored by the server, ids filled in); `validation_failed` when it is not one. */
  static fromDict(normalized: unknown): OntologyBuilder {
    const parsed = NormalizedOntologySchema.safeParse(normalized)
    if (!parsed.success) {
      const first = parsed.error.issues[0]
      throw new AppError(
        'validation_failed',
        `not a normalized ontology: ${first?.message ?? 'invalid'}`,
        {
          path: (first?.path ?? []).filter((p): p is string | number => typeof p !== 'symbol'),
        },
      )
    }
    return new OntologyBuilder({
      tools: parsed.data.tools.map((t) => Tool.fromDict(t)),
      classifications: parsed.data.classifications.map((c) => Classification.fromDict(c)),
    })
  }
}
