/**
 * The stored `AnnotationRecord` as a schema: the database parses its JSON column with it, and the
 * HTTP contract describes a stored annotation with it. Objects are loose (unknown keys kept), so
 * a record written by a newer server reads back whole.
 */
import { z } from 'zod'
import { TOOL_TYPES } from '../ontology/normalized.ts'
import type { AnnotationRecord, ClassificationRecord, GeometryRecord } from './annotation-record.ts'

const CustomMetricSchema = z.looseObject({ name: z.string(), value: z.number() })
const scores = {
  confidence: z.number().exactOptional(),
  customMetrics: z.array(CustomMetricSchema).exactOptional(),
}

const BoxSchema = z.looseObject({
  top: z.number(),
  left: z.number(),
  height: z.number(),
  width: z.number(),
})
const PointSchema = z.looseObject({ x: z.number(), y: z.number() })

export const GeometryRecordSchema: z.ZodType<GeometryRecord, GeometryRecord> = z.discriminatedUnion(
  'type',
  [
    BoxSchema.extend({ type: z.literal('bbox') }),
    z.looseObject({ type: z.literal('polygon'), points: z.array(PointSchema) }),
    z.looseObject({ type: z.literal('line'), points: z.array(PointSchema) }),
    PointSchema.extend({ type: z.literal('point') }),
    z.looseObject({
      type: z.literal('mask'),
      compositeSha256: z.string(),
      color: z.tuple([z.number(), z.number(), z.number()]).nullable(),
      rle: z.looseObject({ counts: z.string(), size: z.tuple([z.number(), z.number()]) }),
      bbox: BoxSchema,
      area: z.number(),
    }),
  ],
)

const classificationBase = { featureSchemaId: z.string(), name: z.string(), ...scores }

const AnswerRecordSchema = z.looseObject({
  featureSchemaId: z.string(),
  name: z.string(),
  get classifications() {
    return z.array(ClassificationRecordSchema)
  },
  ...scores,
})

export const ClassificationRecordSchema: z.ZodType<ClassificationRecord, ClassificationRecord> =
  z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('radio'), answer: AnswerRecordSchema, ...classificationBase }),
    z.looseObject({
      type: z.literal('checklist'),
      answers: z.array(AnswerRecordSchema),
      ...classificationBase,
    }),
    z.looseObject({ type: z.literal('text'), text: z.string(), ...classificationBase }),
  ])

const recordBase = {
  uuid: z.string(),
  dataRowId: z.string(),
  featureSchemaId: z.string(),
  name: z.string(),
  ...scores,
}

export const AnnotationRecordSchema: z.ZodType<AnnotationRecord, AnnotationRecord> =
  z.discriminatedUnion('kind', [
    z.looseObject({
      kind: z.literal('object'),
      tool: z.enum(TOOL_TYPES).exclude(['edge']),
      geometry: GeometryRecordSchema,
      classifications: z.array(ClassificationRecordSchema),
      ...recordBase,
    }),
    z.looseObject({
      kind: z.literal('classification'),
      classification: ClassificationRecordSchema,
      ...recordBase,
    }),
    z.looseObject({
      kind: z.literal('relationship'),
      source: z.string(),
      target: z.string(),
      relationshipType: z.enum(['unidirectional', 'bidirectional']),
      ...recordBase,
    }),
  ])
