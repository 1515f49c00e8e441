import type { ErrorCode, IssuePath } from '../errors.ts'

export type AnnotationStatus = 'SUCCESS' | 'FAILURE'

/**
 * One error of a status line: the `Issue` shape plus `name` (= code) so scripts written
 * for Labelbox's `{name, message}` keep working.
 */
export interface StatusError {
  name: ErrorCode
  code: ErrorCode
  message: string
  path: IssuePath
}

/** One status line per annotation line of an import (Labelbox shape plus `line`). */
export interface StatusLine {
  /** 1-based line number in the input file */
  line: number
  uuid: string | null
  dataRow: { id: string | null; globalKey: string | null }
  status: AnnotationStatus
  errors?: StatusError[]
  /** on SUCCESS lines: what was accepted but ignored (e.g. `benchmark_ignored`) */
  warnings?: StatusError[]
  /** imports of foreign formats (COCO, YOLO…): where the line's object was read in the source file */
  source?: StatusSource
}

/** A place in a foreign annotation file: the file, and an element, a text line or an annotation id. */
export interface StatusSource {
  file: string
  element?: string
  line?: number
  annotationId?: string | number
}
