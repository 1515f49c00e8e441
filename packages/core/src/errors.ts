/**
 * The one error model: a catalogue of snake_case codes, each with an HTTP status,
 * one `Issue` shape reused in 4xx bodies, import status lines and CLI output,
 * and one thrown class, `AppError`, for the edges.
 */
import { z } from 'zod'

/** Codes answered by the HTTP API itself (request level). */
const REQUEST_CODES = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  dataset_not_found: 404,
  data_row_not_found: 404,
  ontology_not_found: 404,
  project_not_found: 404,
  batch_not_found: 404,
  import_not_found: 404,
  task_not_found: 404,
  upload_not_found: 404,
  mask_not_found: 404,
  // evaluations (issue 14)
  evaluation_not_found: 404,
  conflict: 409,
  name_taken: 409,
  ontology_already_connected: 409,
  ontology_not_connected: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  limit_exceeded: 422,
  // hostile input (issue 9): requests Node's HTTP parser refuses, answered as JSON too
  request_timeout: 408,
  headers_too_large: 431,
  internal: 500,
  unavailable: 503,
  // users, sessions and keys (issue 11, issue 9 item 9)
  invalid_credentials: 401,
  csrf_check_failed: 403,
  user_not_found: 404,
  api_key_not_found: 404,
  email_taken: 409,
  last_admin: 409,
  too_many_requests: 429,
  feature_in_use: 409,
  // labeling (issue 12; docs/labeling.md)
  label_not_found: 404,
  annotation_not_found: 404,
  label_version_conflict: 409,
  data_row_leased: 409,
  label_not_editable: 409,
  label_not_submitted: 409,
  annotation_uuid_taken: 409,
  label_invalid: 422,
  classification_required: 422,
  provenance_invalid: 422,
  // cancel and revert of imports (issue 10; docs/import-revert.md)
  import_not_running: 409,
  import_not_revertible: 409,
  import_revert_blocked: 409,
  // foreign-format imports (issue 13): features of the file the project's ontology lacks
  format_features_unmapped: 422,
} as const

/**
 * Codes of one NDJSON import line (or one data row of a create task).
 * They travel in status lines; the HTTP status applies when one is thrown at a request.
 * Every code here has an entry in docs/import-errors.md (a test checks it).
 */
const LINE_CODES = {
  // line level
  line_not_json: 422,
  line_not_object: 422,
  line_too_long: 413,
  field_invalid: 422,
  annotation_kind_missing: 422,
  annotation_kind_conflict: 422,
  uuid_invalid: 422,
  uuid_duplicate: 422,
  // data row
  data_row_missing: 422,
  data_row_ref_invalid: 422,
  data_row_unknown: 422,
  data_row_not_in_project: 422,
  // feature
  feature_missing: 422,
  feature_conflict: 422,
  feature_unknown: 422,
  feature_kind_mismatch: 422,
  // classifications
  radio_answer_invalid: 422,
  checklist_answer_invalid: 422,
  text_answer_invalid: 422,
  answer_unknown: 422,
  checklist_answer_duplicate: 422,
  classification_not_in_scope: 422,
  classification_too_deep: 422,
  // geometry
  coordinate_invalid: 422,
  coordinate_not_finite: 422,
  bbox_degenerate: 422,
  polygon_too_few_points: 422,
  line_too_few_points: 422,
  geometry_out_of_bounds: 422,
  // scores
  confidence_out_of_range: 422,
  custom_metrics_invalid: 422,
  // relationships
  relationship_endpoint_unknown: 422,
  relationship_self_reference: 422,
  relationship_type_invalid: 422,
  relationship_not_allowed: 422,
  relationship_endpoint_failed: 422,
  // limits and import kind
  annotations_per_feature_exceeded: 422,
  benchmark_not_allowed: 422,
  // masks
  mask_invalid: 422,
  mask_color_invalid: 422,
  mask_color_not_found: 422,
  mask_too_large: 422,
  mask_size_mismatch: 422,
  mask_decode_failed: 422,
  mask_rle_invalid: 422,
  // server-side fetches (masks, row data, import files by URL)
  fetch_failed: 422,
  fetch_too_large: 413,
  fetch_timeout: 422,
  fetch_address_forbidden: 422,
  // data rows and media
  global_key_duplicate: 409,
  global_key_invalid: 422,
  image_decode_failed: 422,
  // job level: the input as a whole could not be read
  import_source_unreadable: 422,
  // hostile input (issue 9): text no database can store, input nested past the limit;
  // also answered to requests (fields, query strings, path ids)
  text_invalid: 422,
  nesting_too_deep: 422,
  // GraphQL / Labelbox SDK compatibility (issue 15): a warning on a SUCCESS status line
  benchmark_ignored: 422,
  // formats (issue 13: COCO, YOLO, Pascal VOC… read by @labelport/formats); the status names the
  // source file and element, line or annotation id
  format_unrecognized: 422,
  format_syntax_invalid: 422,
  format_element_invalid: 422,
  format_image_unknown: 422,
  format_category_unknown: 422,
  format_image_size_unknown: 422,
  format_geometry_lossy: 422,
  geometry_clipped: 422,
  // jobs (crash safety, issue 9): claimed too many times without ending
  job_interrupted: 500,
} as const

export const HTTP_STATUS = { ...REQUEST_CODES, ...LINE_CODES } as const

export type ErrorCode = keyof typeof HTTP_STATUS
export const ERROR_CODES = Object.keys(HTTP_STATUS) as ErrorCode[]
export const LINE_ERROR_CODES = Object.keys(LINE_CODES) as (keyof typeof LINE_CODES)[]
export type LineErrorCode = keyof typeof LINE_CODES

export const ErrorCodeSchema = z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]])

/** A path into the offending input, JSON-pointer style as a list: `['answer', 0, 'name']`. */
export type IssuePath = (string | number)[]

export const IssueSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
})
/** The one problem shape of the whole system. */
export interface Issue {
  code: ErrorCode
  message: string
  path: IssuePath
}

export function issue(code: ErrorCode, message: string, path: IssuePath = []): Issue {
  return { code, message, path }
}

export const ErrorBodySchema = z.object({
  error: z.object({
    code: ErrorCodeSchema,
    message: z.string(),
    path: z.array(z.union([z.string(), z.number()])).optional(),
    requestId: z.string().optional(),
    issues: z.array(IssueSchema).optional(),
  }),
})
export type ErrorBody = z.infer<typeof ErrorBodySchema>

/** The one error class thrown on purpose; anything else escaping is a bug (answered as `internal`). */
export class AppError extends Error {
  override readonly name = 'AppError'
  readonly code: ErrorCode
  readonly path: IssuePath
  readonly issues: readonly Issue[]

  constructor(
    code: ErrorCode,
    message: string,
    options: { path?: IssuePath; issues?: readonly Issue[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.code = code
    this.path = options.path ?? []
    this.issues = options.issues ?? []
  }

  get status(): number {
    return HTTP_STATUS[this.code]
  }

  static fromIssue(found: Issue): AppError {
    return new AppError(found.code, found.message, { path: found.path })
  }
}

export function toErrorBody(err: AppError, requestId?: string): ErrorBody {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.path.length > 0 ? { path: [...err.path] } : {}),
      ...(requestId === undefined ? {} : { requestId }),
      ...(err.issues.length > 0 ? { issues: [...err.issues] } : {}),
    },
  }
}

/** Renders a path for people: `answer[0].name`. */
export function formatPath(path: IssuePath): string {
  let out = ''
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part
  return out
}

export function assertNever(value: never, what: string): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`)
}
