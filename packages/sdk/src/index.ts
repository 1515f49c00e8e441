/**
 * @module @labelport/sdk: the TypeScript client of Labelport. Names mirror Labelbox's Python SDK
 * in camelCase, so its "Import image annotations" guide ports line by line. Only `fetch` is used;
 * Node-only conveniences (local files) are loaded on demand from ./node/.
 */
export { Client, DEFAULT_ENDPOINT } from './client.ts'
export type {
  CallOptions,
  ClientOptions,
  RequestBody,
  RequestOptions,
  ResponseOf,
  UploadOptions,
} from './client.ts'
export { ApiError, LabelportError, TransportError } from './errors.ts'
export { Transport } from './transport.ts'
export { Dataset, isLocalRowData } from './dataset.ts'
export type { DataRowItem, MetadataFieldInput } from './dataset.ts'
export { Task } from './task.ts'
export type { CreatedDataRow, TaskErrorEntry, TaskStatus, WaitTillDoneOptions } from './task.ts'
export { Ontology } from './ontology.ts'
export { Project } from './project.ts'
export { Evaluation } from './evaluation.ts'
export { DataRowLabeling, ProjectLabeling } from './labeling.ts'
export type { DraftAnnotationInput } from './labeling.ts'
export type {
  CreateEvaluationOptions,
  EvaluationObjectFilter,
  EvaluationWaitOptions,
} from './evaluation.ts'
export type { CreateBatchOptions } from './project.ts'
export type {
  ExportFormat,
  ExportFormatOptions,
  FormatImportArgs,
  FormatImportOutcome,
  ImportFormat,
} from './format-import.ts'
export type { ExportAnnotation, ExportLabel, ExportProjectEntry, ExportRow } from './export-row.ts'
export {
  AnnotationImport,
  LabelImport,
  MALPredictionImport,
  serializeLabels,
} from './annotation-import.ts'
export type {
  FromFileArgs,
  FromObjectsArgs,
  FromUrlArgs,
  ImportObject,
  StatusFilter,
  ValidateArgs,
  WaitUntilDoneOptions,
} from './annotation-import.ts'
export { ANNOTATIONS_PER_FEATURE_LIMIT, checkImportLines } from './import-checks.ts'
export { readNdjson, toNdjsonStream } from './ndjson.ts'
export { Classification, MediaType, OntologyBuilder, Option, Tool } from '@labelport/core'
export { AppError, api } from '@labelport/core'
export type {
  DraftAnnotation,
  DraftSaved,
  LabelResource,
  LabelingCounts,
  LabelingRow,
  LabelingStatus,
  LabelingView,
  Provenance,
  ErrorCode,
  ImportJob,
  ImportKind,
  ImportState,
  Issue,
  IssuePath,
  StatusLine,
} from '@labelport/core'
// the guide's color helpers, done natively: unique non-black colors of a composite, and one color's presence
export { extractRgbColors, hasColor, decodePngToRgb, MaskImageError, type Rgb } from './masks.ts'
