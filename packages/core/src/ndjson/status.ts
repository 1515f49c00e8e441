/**
 * The status line of an import: one per annotation line, the NDJSON the server streams at
 * GET /v1/imports/:id/statuses. Written once as a schema: the server's status writer produces
 * this type, the contract names it as that endpoint's line, the SDK validates each line with it.
 */
import { z } from 'zod'
import { ErrorCodeSchema } from '../errors.ts'

export const AnnotationStatusSchema = z.enum(['SUCCESS', 'FAILURE'])
export type AnnotationStatus = z.infer<typeof AnnotationStatusSchema>

/**
 * One error of a status line: the `Issue` shape plus `name` (= code) so scripts written
 * for Labelbox's `{name, message}` keep working.
 */
export const StatusErrorSchema = z.object({
  name: ErrorCodeSchema,
  code: ErrorCodeSchema,
  message: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
})
export type StatusError = z.infer<typeof StatusErrorSchema>

/** A place in a foreign annotation file: the file, and an element, a text line or an annotation id. */
export const StatusSourceSchema = z.object({
  file: z.string(),
  element: z.string().optional(),
  line: z.number().int().optional(),
  annotationId: z.union([z.string(), z.number()]).optional(),
})
export type StatusSource = z.infer<typeof StatusSourceSchema>

/** One status line per annotation line of an import (Labelbox shape plus `line`). */
export const StatusLineSchema = z.object({
  /** 1-based line number in the input file */
  line: z.number().int().min(1),
  uuid: z.string().nullable(),
  dataRow: z.object({ id: z.string().nullable(), globalKey: z.string().nullable() }),
  status: AnnotationStatusSchema,
  errors: z.array(StatusErrorSchema).optional(),
  /** on SUCCESS lines: what was accepted but ignored (e.g. `benchmark_ignored`) */
  warnings: z.array(StatusErrorSchema).optional(),
  /** imports of foreign formats (COCO, YOLO…): where the line's object was read in the source file */
  source: StatusSourceSchema.optional(),
})
export type StatusLine = z.infer<typeof StatusLineSchema>
