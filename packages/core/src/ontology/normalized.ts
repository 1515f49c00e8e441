/**
 * The normalized ontology JSON, as `OntologyBuilder.asDict()` gives it and the server stores it
 * (Labelbox `asdict()` shape, reference/labelbox-sdk.md §3). Ids are null until stored.
 */
import { z } from 'zod'

export const TOOL_TYPES = [
  'rectangle',
  'polygon',
  'line',
  'point',
  'raster-segmentation',
  'edge',
] as const
export type ToolType = (typeof TOOL_TYPES)[number]
export const CLASSIFICATION_TYPES = ['radio', 'checklist', 'text'] as const
export type ClassificationType = (typeof CLASSIFICATION_TYPES)[number]

export interface NormalizedOption {
  schemaNodeId: string | null
  featureSchemaId: string | null
  label: string
  value: string
  options: NormalizedClassification[]
}

export interface NormalizedClassification {
  type: ClassificationType
  instructions: string
  name: string
  required: boolean
  options: NormalizedOption[]
  schemaNodeId: string | null
  featureSchemaId: string | null
  /** only on top-level (global) classifications */
  scope?: 'global' | 'index'
  uiMode?: 'hotkey' | 'searchable'
}

export interface NormalizedTool {
  tool: ToolType
  name: string
  required: boolean
  color: string
  classifications: NormalizedClassification[]
  schemaNodeId: string | null
  featureSchemaId: string | null
}

export interface NormalizedOntology {
  tools: NormalizedTool[]
  classifications: NormalizedClassification[]
}

const nullableId = z
  .string()
  .min(1)
  .nullable()
  .optional()
  .transform((v) => v ?? null)

export const NormalizedOptionSchema: z.ZodType<NormalizedOption, unknown> = z.lazy(() =>
  z
    .object({
      schemaNodeId: nullableId,
      featureSchemaId: nullableId,
      value: z.string().min(1),
      label: z.string().optional(),
      options: z.array(NormalizedClassificationSchema).optional().default([]),
    })
    .transform((o) => ({ ...o, label: o.label ?? o.value })),
)

export const NormalizedClassificationSchema: z.ZodType<NormalizedClassification, unknown> = z.lazy(
  () =>
    z
      .object({
        type: z.enum(CLASSIFICATION_TYPES),
        name: z.string().min(1),
        instructions: z.string().optional(),
        required: z.boolean().optional().default(false),
        options: z.array(NormalizedOptionSchema).optional().default([]),
        schemaNodeId: nullableId,
        featureSchemaId: nullableId,
        scope: z.enum(['global', 'index']).optional(),
        uiMode: z.enum(['hotkey', 'searchable']).optional(),
      })
      .transform(({ scope, uiMode, ...c }) => ({
        ...c,
        instructions: c.instructions ?? c.name,
        ...(scope === undefined ? {} : { scope }),
        ...(uiMode === undefined ? {} : { uiMode }),
      })),
)

export const NormalizedToolSchema: z.ZodType<NormalizedTool, unknown> = z
  .object({
    tool: z.enum(TOOL_TYPES),
    name: z.string().min(1),
    required: z.boolean().optional().default(false),
    color: z.union([z.string().regex(/^#[0-9a-fA-F]{6}$/), z.literal('')]).optional(), // '' or absent: assigned on creation
    classifications: z.array(NormalizedClassificationSchema).optional().default([]),
    schemaNodeId: nullableId,
    featureSchemaId: nullableId,
  })
  .transform((t) => ({ ...t, color: t.color?.toLowerCase() ?? '' })) // '' = not chosen yet; completeOntology assigns one

export const NormalizedOntologySchema: z.ZodType<NormalizedOntology, unknown> = z.object({
  tools: z.array(NormalizedToolSchema).optional().default([]),
  classifications: z.array(NormalizedClassificationSchema).optional().default([]),
})

/**
 * A normalized ontology as stored and served: every field present (the schemas above complete
 * an input; this one only checks a finished one, so parsing changes nothing).
 */
const StoredOptionSchema: z.ZodType<NormalizedOption, NormalizedOption> = z.lazy(() =>
  z.looseObject({
    schemaNodeId: z.string().nullable(),
    featureSchemaId: z.string().nullable(),
    label: z.string(),
    value: z.string(),
    options: z.array(StoredClassificationSchema),
  }),
)
const StoredClassificationSchema: z.ZodType<NormalizedClassification, NormalizedClassification> =
  z.lazy(() =>
    z.looseObject({
      type: z.enum(CLASSIFICATION_TYPES),
      instructions: z.string(),
      name: z.string(),
      required: z.boolean(),
      options: z.array(StoredOptionSchema),
      schemaNodeId: z.string().nullable(),
      featureSchemaId: z.string().nullable(),
      scope: z.enum(['global', 'index']).exactOptional(),
      uiMode: z.enum(['hotkey', 'searchable']).exactOptional(),
    }),
  )
export const StoredNormalizedOntologySchema: z.ZodType<NormalizedOntology, NormalizedOntology> =
  z.looseObject({
    tools: z.array(
      z.looseObject({
        tool: z.enum(TOOL_TYPES),
        name: z.string(),
        required: z.boolean(),
        color: z.string(),
        classifications: z.array(StoredClassificationSchema),
        schemaNodeId: z.string().nullable(),
        featureSchemaId: z.string().nullable(),
      }),
    ),
    classifications: z.array(StoredClassificationSchema),
  })
