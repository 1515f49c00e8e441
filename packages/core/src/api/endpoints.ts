// Over 500 lines: the contract is one list of endpoints, read and reviewed as one table.
/**
 * The HTTP contract, written once. The server binds a handler to each endpoint and validates
 * bodies with these schemas; the SDK calls them; docs/api.md is their reading copy.
 * All JSON endpoints answer errors as `ErrorBody` (`{error:{code,message,path?,issues?}}`).
 */
import { z } from 'zod'
import {
  BatchSchema,
  DataRowInputSchema,
  DataRowSchema,
  DatasetDataRowSchema,
  DatasetSchema,
  ImportJobSchema,
  ImportKindSchema,
  OntologySchema,
  PageSchema,
  ProjectSchema,
  TaskSchema,
  UploadSchema,
  WhoAmISchema,
  ProjectDataRowSchema,
  DataRowAnnotationsSchema,
  EvaluationDataRowSchema,
  EvaluationIouTypeSchema,
  EvaluationMethodSchema,
  EvaluationObjectSchema,
  EvaluationSchema,
  ApiKeySchema,
  AuditEventSchema,
  CreatedApiKeySchema,
  CreatedOrganizationSchema,
  RoleSchema,
  SessionSchema,
  UserSchema,
  DeletionImpactSchema,
} from './entities.ts'
import {
  AddDraftAnnotationBodySchema,
  DeleteDraftAnnotationQuerySchema,
  DraftSavedSchema,
  LabelingCountsSchema,
  LabelingRowSchema,
  LabelingViewSchema,
  LabelResourceSchema,
  ListLabelingRowsQuerySchema,
  QueueNextSchema,
  ReviewBodySchema,
  SaveDraftBodySchema,
  SkipBodySchema,
  SubmitLabelBodySchema,
} from './labeling.ts'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

/** `json`: a JSON body; `ndjson`: a stream of JSON lines; `binary`: bytes (images, PNG masks). */
export type ResponseKind = 'json' | 'ndjson' | 'binary' | 'empty'

/** The names of the `:name` segments of a path template (`:name` runs to the next `/`). */
export type PathParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never

/** The path parameters of an endpoint, typed from its path template. */
export type PathParams<P extends string> = { readonly [K in PathParamNames<P>]: string }

export interface Endpoint<
  Body extends z.ZodType | undefined = z.ZodType | undefined,
  Query extends z.ZodType | undefined = z.ZodType | undefined,
  Response extends z.ZodType | undefined = z.ZodType | undefined,
  Path extends string = string,
> {
  method: HttpMethod
  /** `:name` segments are path parameters */
  path: Path
  body: Body
  query: Query
  response: Response
  responseKind: ResponseKind
  /** 201 for creations, 202 for accepted async work, else 200 */
  successStatus: 200 | 201 | 202 | 204
  summary: string
  /**
   * Where the body holds NDJSON lines judged one by one like an uploaded file's: their text
   * (NUL, lone surrogates) fails the line, not the request.
   */
  linesAt?: readonly string[]
}

function endpoint<
  const P extends string,
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(def: {
  method: HttpMethod
  path: P
  body?: B
  query?: Q
  response?: R
  responseKind?: ResponseKind
  successStatus?: 200 | 201 | 202 | 204
  summary: string
  linesAt?: readonly string[]
}): Endpoint<B, Q, R, P> {
  return {
    ...(def.linesAt ? { linesAt: def.linesAt } : {}),
    method: def.method,
    path: def.path,
    body: def.body as B,
    query: def.query as Q,
    response: def.response as R,
    responseKind: def.responseKind ?? 'json',
    successStatus: def.successStatus ?? 200,
    summary: def.summary,
  }
}

const PageQuery = z.object({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
})

const Name = z.string().trim().min(1).max(200)

export const CreateEvaluationBodySchema = z
  .object({
    name: Name.optional(),
    /** the pre-labels of this import; omitted: every pre-label of the project */
    importId: z.string().min(1).optional(),
    iouType: EvaluationIouTypeSchema.default('bbox'),
    iouThreshold: z.number().min(0).max(1).default(0.5),
    featureSchemaIds: z.array(z.string().min(1)).max(1000).default([]),
    method: EvaluationMethodSchema.default('coco'),
    classwise: z.boolean().default(true),
    strictIou: z.boolean().default(false),
  })
  .refine((b) => !b.strictIou || b.method === 'labelbox', {
    message: 'strictIou applies to the labelbox method only',
    path: ['strictIou'],
  })
export type CreateEvaluationBody = z.infer<typeof CreateEvaluationBodySchema>
/** what a client sends: every field optional, defaults filled by the server */
export type CreateEvaluationInput = z.input<typeof CreateEvaluationBodySchema>

export const EvaluationDataRowQuerySchema = z.object({
  cursor: z.string().regex(/^\d+$/, 'cursor is an offset').optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  /** `fn`, `fp`: most first; `lowestIou`: lowest first (rows without a match last) */
  sort: z.enum(['fn', 'fp', 'lowestIou']).optional(),
  /** keep rows with at least one false negative / false positive */
  only: z.enum(['fn', 'fp']).optional(),
})

export const EvaluationObjectQuerySchema = z.object({
  cursor: z.string().regex(/^\d+$/, 'cursor is an offset').optional(),
  limit: z.coerce.number().int().min(1).max(10000).optional(),
  dataRowId: z.string().optional(),
  layer: z.enum(['prelabel', 'label']).optional(),
  status: z.enum(['tp', 'fp', 'fn', 'ignored']).optional(),
  featureSchemaId: z.string().optional(),
  /** with `featureSchemaId`: the confusion-matrix cell (use `background` for none) */
  matchFeatureSchemaId: z.string().optional(),
})

export const ImportSourceSchema = z.union([
  z.object({ uploadId: z.string().min(1) }),
  z.object({ url: z.string().url() }),
  /** inline NDJSON objects (small payloads; use an upload for large ones) */
  z.object({ lines: z.array(z.unknown()).min(1) }),
])
export type ImportSource = z.infer<typeof ImportSourceSchema>

export const CreateImportBodySchema = z.object({
  name: Name,
  kind: ImportKindSchema,
  source: ImportSourceSchema,
  /**
   * clip object geometry that overshoots its image by a pixel or more, instead of failing it
   * (`geometry_out_of_bounds`); the status line warns `geometry_clipped`
   */
  clip: z.boolean().optional(),
})
export type CreateImportBody = z.infer<typeof CreateImportBodySchema>

/** The foreign formats an import reads (docs/formats.md); `auto` detects one. */
export const FORMAT_IMPORT_FORMATS = [
  'coco',
  'coco-results',
  'coco-panoptic',
  'yolo',
  'voc',
  'cvat',
  'labelstudio',
  'labelme',
  'labelbox',
] as const
/** The formats an export writes besides export v2 (`labelbox`, the default). */
export const FORMAT_EXPORT_FORMATS = [
  'labelbox',
  'coco',
  'coco-results',
  'yolo',
  'voc',
  'cvat',
  'labelstudio',
  'labelme',
] as const

export const CreateFormatImportBodySchema = z.object({
  name: Name,
  kind: ImportKindSchema,
  format: z.enum(['auto', ...FORMAT_IMPORT_FORMATS]).default('auto'),
  /** the file (COCO, CVAT, Label Studio, LabelMe or Labelbox JSON/XML), or a ZIP of a folder (YOLO, VOC, LabelMe) */
  source: z.object({ uploadId: z.string().min(1) }),
  /** the uploaded file's name: reported in source locations, and `.ndjson` tells NDJSON apart */
  fileName: z.string().trim().min(1).max(500).optional(),
  /** COCO results: the instances file whose images and categories the detections refer to */
  instances: z.object({ uploadId: z.string().min(1) }).optional(),
  /** `{"source class": "feature name"}`, renaming the file's classes onto the ontology's tools */
  map: z.record(z.string().max(500), Name).optional(),
  /** clip geometry overshooting the image by a pixel or more (status warning `geometry_clipped`) */
  clip: z.boolean().optional(),
  /** create the data rows that do not exist from `imageBaseUrl + global key` */
  imageBaseUrl: z.string().url().max(2000).optional(),
  /** judge every object as the import would, write nothing (no ontology, data rows or batch either) */
  dryRun: z.boolean().optional(),
})
export type CreateFormatImportBody = z.infer<typeof CreateFormatImportBodySchema>
export type CreateFormatImportInput = z.input<typeof CreateFormatImportBodySchema>

const SourceLocationSchema = z.object({
  file: z.string(),
  element: z.string().optional(),
  line: z.number().optional(),
  annotationId: z.union([z.string(), z.number()]).optional(),
})

export const FormatImportResultSchema = z.object({
  format: z.enum(FORMAT_IMPORT_FORMATS),
  /** the import job judging the objects (a dry run's when `dryRun`); null when nothing was to import */
  job: ImportJobSchema.nullable(),
  images: z.number().int(),
  objects: z.number().int(),
  /** the file's features (after `map`), their tools and how many of its objects use each */
  features: z.array(z.object({ name: z.string(), tool: z.string(), objects: z.number().int() })),
  /** the project had no ontology: one was made from the file's features and connected */
  ontologyCreated: z.boolean(),
  createdDataRows: z.number().int(),
  /** problems of the file itself (first 1,000), with their location; those elements were not imported */
  issues: z.array(
    z.object({
      code: z.string(),
      message: z.string(),
      source: SourceLocationSchema,
      warning: z.boolean(),
    }),
  ),
  issueCount: z.number().int(),
})
export type FormatImportResult = z.infer<typeof FormatImportResultSchema>

export const StatusQuerySchema = z.object({
  status: z.enum(['SUCCESS', 'FAILURE']).optional(),
  code: z.string().optional(),
  /** matches a data row's id or global key */
  dataRow: z.string().optional(),
  /**
   * keeps lines where this text occurs, ignoring case, in the data row's id or global key, the
   * line's uuid, or an error's code, message or path
   */
  search: z.string().max(500).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(100000).optional(),
})

const Email = z
  .string()
  .trim()
  .max(320)
  .regex(/^[^@\s]+@[^@\s]+$/, 'an email address')
  .transform((e) => e.toLowerCase())
/** long enough to resist guessing; the server also throttles failed sign-ins */
export const PasswordSchema = z.string().min(12, 'at least 12 characters').max(200)

/** The outline of an OpenAPI 3.1 document (`openapi.ts` writes it; its schemas are JSON Schema). */
export const OpenApiDocumentSchema = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(
    z.string(),
    z.record(z.string(), z.looseObject({ operationId: z.string(), summary: z.string() })),
  ),
})

export const api = {
  health: endpoint({
    method: 'GET',
    path: '/healthz',
    summary: 'Readiness: 200 once the server can serve requests',
  }),
  whoAmI: endpoint({
    method: 'GET',
    path: '/v1/me',
    response: WhoAmISchema,
    summary: 'The organization, user, role and key of the caller',
  }),

  // ── users, sessions, API keys, organizations (issue 11) ──
  signIn: endpoint({
    method: 'POST',
    path: '/v1/sessions',
    body: z.object({ email: Email, password: z.string().min(1).max(200) }),
    response: SessionSchema,
    successStatus: 201,
    summary:
      'Signs in with email and password: sets the httpOnly session cookie (unsafe calls with it need the header x-labelport-csrf: 1)',
  }),
  signOut: endpoint({
    method: 'DELETE',
    path: '/v1/sessions/current',
    responseKind: 'empty',
    successStatus: 204,
    summary: 'Signs out: revokes the session of the cookie and clears it',
  }),
  listUsers: endpoint({
    method: 'GET',
    path: '/v1/users',
    query: PageQuery,
    response: PageSchema(UserSchema),
    summary: 'Lists the members of the organization',
  }),
  createUser: endpoint({
    method: 'POST',
    path: '/v1/users',
    body: z.object({ email: Email, name: Name, role: RoleSchema, password: PasswordSchema }),
    response: UserSchema,
    successStatus: 201,
    summary: 'Adds a member to the organization with a role and an initial password',
  }),
  updateUser: endpoint({
    method: 'PUT',
    path: '/v1/users/:userId',
    body: z.object({
      name: Name.optional(),
      role: RoleSchema.optional(),
      password: PasswordSchema.optional(),
    }),
    response: UserSchema,
    summary:
      "Changes a member's name, role or password (a new password or role ends their sessions)",
  }),
  listApiKeys: endpoint({
    method: 'GET',
    path: '/v1/api-keys',
    query: PageQuery,
    response: PageSchema(ApiKeySchema),
    summary: "The caller's own API keys (never the secrets)",
  }),
  createApiKey: endpoint({
    method: 'POST',
    path: '/v1/api-keys',
    body: z.object({ name: Name }),
    response: CreatedApiKeySchema,
    successStatus: 201,
    summary:
      "Creates an API key acting as the caller with the caller's role; the key is shown once",
  }),
  revokeApiKey: endpoint({
    method: 'DELETE',
    path: '/v1/api-keys/:apiKeyId',
    responseKind: 'empty',
    successStatus: 204,
    summary: 'Revokes an API key at once (your own; admins: any key of the organization)',
  }),
  createOrganization: endpoint({
    method: 'POST',
    path: '/v1/organizations',
    body: z.object({
      name: Name,
      admin: z.object({ email: Email, name: Name, password: PasswordSchema }),
    }),
    response: CreatedOrganizationSchema,
    successStatus: 201,
    summary: 'Creates another organization, isolated from the others, with its first admin',
  }),
  listAuditEvents: endpoint({
    method: 'GET',
    path: '/v1/audit-events',
    query: PageQuery,
    response: PageSchema(AuditEventSchema),
    summary: 'Who deleted what, newest first',
  }),

  createUpload: endpoint({
    method: 'POST',
    path: '/v1/uploads',
    response: UploadSchema,
    successStatus: 201,
    summary:
      'Stores the raw request body (image or NDJSON) as a blob; streamed, never buffered whole',
  }),

  createDataset: endpoint({
    method: 'POST',
    path: '/v1/datasets',
    body: z.object({ name: Name, description: z.string().max(5000).optional() }),
    response: DatasetSchema,
    successStatus: 201,
    summary: 'Creates a dataset',
  }),
  listDatasets: endpoint({
    method: 'GET',
    path: '/v1/datasets',
    query: PageQuery,
    response: PageSchema(DatasetSchema),
    summary: 'Lists datasets',
  }),
  getDataset: endpoint({
    method: 'GET',
    path: '/v1/datasets/:datasetId',
    response: DatasetSchema,
    summary: 'One dataset',
  }),
  deleteDataset: endpoint({
    method: 'DELETE',
    path: '/v1/datasets/:datasetId',
    responseKind: 'empty',
    successStatus: 204,
    summary: 'Deletes a dataset and its data rows',
  }),
  createDataRows: endpoint({
    method: 'POST',
    path: '/v1/datasets/:datasetId/data-rows',
    body: z.object({ items: z.array(DataRowInputSchema).min(1).max(150_000) }),
    response: TaskSchema,
    successStatus: 202,
    summary: 'Starts a task that fetches each image, reads its size and creates the data rows',
  }),
  listDataRows: endpoint({
    method: 'GET',
    path: '/v1/datasets/:datasetId/data-rows',
    query: PageQuery,
    response: PageSchema(DatasetDataRowSchema),
    summary: 'Lists the data rows of a dataset, each with the projects that use it',
  }),
  getDataRow: endpoint({
    method: 'GET',
    path: '/v1/data-rows/:dataRowId',
    response: DataRowSchema,
    summary: 'One data row',
  }),
  getDataRowImage: endpoint({
    method: 'GET',
    path: '/v1/data-rows/:dataRowId/image',
    responseKind: 'binary',
    summary: 'The stored image bytes',
  }),
  getTask: endpoint({
    method: 'GET',
    path: '/v1/tasks/:taskId',
    response: TaskSchema,
    summary: 'State of an async task',
  }),

  createOntology: endpoint({
    method: 'POST',
    path: '/v1/ontologies',
    body: z.object({
      name: Name,
      normalized: z.unknown(),
      mediaType: z.literal('IMAGE').optional(),
    }),
    response: OntologySchema,
    successStatus: 201,
    summary: 'Creates an ontology; every tool, classification and option gets a featureSchemaId',
  }),
  listOntologies: endpoint({
    method: 'GET',
    path: '/v1/ontologies',
    query: PageQuery,
    response: PageSchema(OntologySchema),
    summary: 'Lists ontologies',
  }),
  getOntology: endpoint({
    method: 'GET',
    path: '/v1/ontologies/:ontologyId',
    response: OntologySchema,
    summary: 'One ontology',
  }),

  updateOntology: endpoint({
    method: 'PUT',
    path: '/v1/ontologies/:ontologyId',
    body: z.object({ name: Name.optional(), normalized: z.unknown() }),
    response: OntologySchema,
    summary:
      'Replaces an ontology: new features get ids, kept ones keep theirs; removing a feature that has annotations is refused with the count',
  }),

  createProject: endpoint({
    method: 'POST',
    path: '/v1/projects',
    body: z.object({
      name: Name,
      description: z.string().max(5000).optional(),
      mediaType: z.literal('IMAGE').optional(),
    }),
    response: ProjectSchema,
    successStatus: 201,
    summary: 'Creates a project',
  }),
  listProjects: endpoint({
    method: 'GET',
    path: '/v1/projects',
    query: PageQuery,
    response: PageSchema(ProjectSchema),
    summary: 'Lists projects',
  }),
  getProject: endpoint({
    method: 'GET',
    path: '/v1/projects/:projectId',
    response: ProjectSchema,
    summary: 'One project',
  }),
  deleteProject: endpoint({
    method: 'DELETE',
    path: '/v1/projects/:projectId',
    responseKind: 'empty',
    successStatus: 204,
    summary: 'Deletes a project with its batches, imports and annotations',
  }),
  connectOntology: endpoint({
    method: 'PUT',
    path: '/v1/projects/:projectId/ontology',
    body: z.object({ ontologyId: z.string().min(1) }),
    response: ProjectSchema,
    summary: 'Connects an ontology to a project (once)',
  }),
  createBatch: endpoint({
    method: 'POST',
    path: '/v1/projects/:projectId/batches',
    body: z
      .object({
        name: Name,
        globalKeys: z.array(z.string()).min(1).max(100_000).optional(),
        dataRowIds: z.array(z.string()).min(1).max(100_000).optional(),
        priority: z.number().int().min(1).max(5).optional(),
      })
      .refine((b) => (b.globalKeys === undefined) !== (b.dataRowIds === undefined), {
        message: 'give exactly one of globalKeys or dataRowIds',
        path: ['globalKeys'],
      }),
    response: BatchSchema,
    successStatus: 201,
    summary: 'Adds data rows to a project as a named batch',
  }),
  listBatches: endpoint({
    method: 'GET',
    path: '/v1/projects/:projectId/batches',
    response: PageSchema(BatchSchema),
    summary: 'Lists batches',
  }),

  createImport: endpoint({
    method: 'POST',
    path: '/v1/projects/:projectId/imports',
    body: CreateImportBodySchema,
    response: ImportJobSchema,
    linesAt: ['source', 'lines'],
    successStatus: 202,
    summary:
      'Starts an import job (MAL pre-labels or ground truth) from an upload, a URL or inline lines',
  }),
  validateImport: endpoint({
    method: 'POST',
    path: '/v1/projects/:projectId/imports/validate',
    body: CreateImportBodySchema,
    response: ImportJobSchema,
    linesAt: ['source', 'lines'],
    successStatus: 202,
    summary: 'Dry run: judges every line exactly as an import would and writes no annotation',
  }),
  listImports: endpoint({
    method: 'GET',
    path: '/v1/projects/:projectId/imports',
    query: PageQuery,
    response: PageSchema(ImportJobSchema),
    summary: 'Lists import jobs',
  }),
  getImport: endpoint({
    method: 'GET',
    path: '/v1/imports/:importId',
    response: ImportJobSchema,
    summary: 'State, progress and counts of an import job',
  }),
  getImportStatuses: endpoint({
    method: 'GET',
    path: '/v1/imports/:importId/statuses',
    query: StatusQuerySchema,
    responseKind: 'ndjson',
    summary: 'One status line per annotation line (filter with status, code, dataRow)',
  }),
  getImportInput: endpoint({
    method: 'GET',
    path: '/v1/imports/:importId/input',
    responseKind: 'ndjson',
    summary: 'The NDJSON input as received',
  }),

  createEvaluation: endpoint({
    method: 'POST',
    path: '/v1/projects/:projectId/evaluations',
    body: CreateEvaluationBodySchema,
    response: EvaluationSchema,
    successStatus: 202,
    summary:
      'Starts an evaluation job: pre-labels (of one import or all) against labels, COCO metrics and per-object TP/FP/FN',
  }),
  listEvaluations: endpoint({
    method: 'GET',
    path: '/v1/projects/:projectId/evaluations',
    query: PageQuery,
    response: PageSchema(EvaluationSchema),
    summary: 'Lists evaluations, newest first',
  }),
  getEvaluation: endpoint({
    method: 'GET',
    path: '/v1/evaluations/:evaluationId',
    response: EvaluationSchema,
    summary: 'State, progress, parameters and (when finished) the results of an evaluation',
  }),
  listEvaluationDataRows: endpoint({
    method: 'GET',
    path: '/v1/evaluations/:evaluationId/data-rows',
    query: EvaluationDataRowQuerySchema,
    response: PageSchema(EvaluationDataRowSchema),
    summary: 'Per data row TP / FP / FN and lowest IoU; sortable by FN, FP or lowest IoU',
  }),
  listEvaluationObjects: endpoint({
    method: 'GET',
    path: '/v1/evaluations/:evaluationId/objects',
    query: EvaluationObjectQuerySchema,
    response: PageSchema(EvaluationObjectSchema),
    summary:
      'Per-object results (status, match, IoU, confidence), filtered by data row, layer, status or class',
  }),

  exportProject: endpoint({
    method: 'GET',
    path: '/v1/projects/:projectId/export',
    query: z.object({
      masks: z.enum(['url', 'rle']).optional(),
      format: z.enum(FORMAT_EXPORT_FORMATS).optional(),
      /** foreign formats: which annotations (default labels) */
      layer: z.enum(['labels', 'prelabels', 'both']).optional(),
    }),
    responseKind: 'ndjson',
    summary:
      'Export v2: one line per data row with labels (ground truth) and prelabels (MAL); with format=coco|coco-results|cvat|labelstudio that file, with yolo|voc|labelme a ZIP of the files (docs/formats.md)',
  }),
  listProjectDataRows: endpoint({
    method: 'GET',
    path: '/v1/projects/:projectId/data-rows',
    query: PageQuery,
    response: PageSchema(ProjectDataRowSchema),
    summary: 'Data rows in the project batches, with counts of pre-labels and labels',
  }),
  getDataRowAnnotations: endpoint({
    method: 'GET',
    path: '/v1/projects/:projectId/data-rows/:dataRowId/annotations',
    response: DataRowAnnotationsSchema,
    summary:
      'Every pre-label and label annotation of one data row in one project (AnnotationRecord JSON)',
  }),
  getDataRowThumbnail: endpoint({
    method: 'GET',
    path: '/v1/data-rows/:dataRowId/thumbnail',
    query: z.object({ size: z.coerce.number().int().min(16).max(1024).optional() }),
    responseKind: 'binary',
    summary: 'A JPEG thumbnail, EXIF-oriented, cached',
  }),
  getCompositeMask: endpoint({
    method: 'GET',
    path: '/v1/masks/:sha256',
    responseKind: 'binary',
    summary: 'A stored composite mask PNG (export v2 composite_mask.url points here)',
  }),
  getAnnotationMask: endpoint({
    method: 'GET',
    path: '/v1/projects/:projectId/annotations/:annotationId/mask.png',
    responseKind: 'binary',
    summary: 'The binary mask (0/255 grayscale PNG) of one mask annotation',
  }),

  // ── labeling (issue 12): queue, drafts, submit, review; docs/labeling.md ──
  nextDataRowToLabel: endpoint({
    method: 'POST',
    path: '/v1/projects/:projectId/queue/next',
    response: QueueNextSchema,
    summary:
      'Leases the next data row to label to the caller (their rejected rows first, then batches by priority and age) or answers {dataRow:null}',
  }),
  skipDataRow: endpoint({
    method: 'POST',
    path: '/v1/projects/:projectId/data-rows/:dataRowId/skip',
    body: SkipBodySchema,
    responseKind: 'empty',
    successStatus: 204,
    summary:
      "Skips a data row with a reason: the caller's lease ends and the queue stops offering it to them",
  }),
  getLabelingView: endpoint({
    method: 'GET',
    path: '/v1/projects/:projectId/data-rows/:dataRowId/label',
    response: LabelingViewSchema,
    summary:
      'The label, the draft, the pre-label suggestions, the lease and what the caller may do, for one data row',
  }),
  saveDraft: endpoint({
    method: 'PUT',
    path: '/v1/projects/:projectId/data-rows/:dataRowId/draft',
    body: SaveDraftBodySchema,
    response: DraftSavedSchema,
    summary:
      'Replaces the whole draft (baseVersion must be the current version, else 409 label_version_conflict); takes or renews the lease',
  }),
  addDraftAnnotation: endpoint({
    method: 'POST',
    path: '/v1/projects/:projectId/data-rows/:dataRowId/draft/annotations',
    body: AddDraftAnnotationBodySchema,
    response: DraftSavedSchema,
    successStatus: 201,
    summary:
      'Adds one annotation to the draft (a draft is started from the label when there is none)',
  }),
  replaceDraftAnnotation: endpoint({
    method: 'PUT',
    path: '/v1/projects/:projectId/data-rows/:dataRowId/draft/annotations/:uuid',
    body: AddDraftAnnotationBodySchema,
    response: DraftSavedSchema,
    summary: 'Replaces one annotation of the draft by uuid (adds it when absent)',
  }),
  deleteDraftAnnotation: endpoint({
    method: 'DELETE',
    path: '/v1/projects/:projectId/data-rows/:dataRowId/draft/annotations/:uuid',
    query: DeleteDraftAnnotationQuerySchema,
    response: DraftSavedSchema,
    summary: 'Removes one annotation from the draft (and the relationships that point at it)',
  }),
  submitLabel: endpoint({
    method: 'POST',
    path: '/v1/projects/:projectId/data-rows/:dataRowId/submit',
    body: SubmitLabelBodySchema,
    response: LabelResourceSchema,
    summary:
      "Submits the draft as the row's label, atomically, judged as an import would (422 label_invalid with each issue's annotation uuid and path)",
  }),
  reviewLabel: endpoint({
    method: 'POST',
    path: '/v1/projects/:projectId/data-rows/:dataRowId/review',
    body: ReviewBodySchema,
    response: LabelResourceSchema,
    summary:
      'Approves or rejects a submitted label; a rejected one returns to its labeler as a draft with the comment',
  }),
  nextDataRowToReview: endpoint({
    method: 'POST',
    path: '/v1/projects/:projectId/review/next',
    response: QueueNextSchema,
    summary:
      'Leases the oldest submitted label nobody is reviewing to the caller, or answers {dataRow:null}',
  }),
  getLabelingCounts: endpoint({
    method: 'GET',
    path: '/v1/projects/:projectId/labeling',
    response: LabelingCountsSchema,
    summary:
      'How many data rows of the project are to label, in progress, skipped, submitted, in review, rejected, done',
  }),
  listLabelingRows: endpoint({
    method: 'GET',
    path: '/v1/projects/:projectId/labels',
    query: ListLabelingRowsQuerySchema,
    response: PageSchema(LabelingRowSchema),
    summary:
      'The data rows of the project with their labeling status, filtered by status (the review list)',
  }),
  getOpenApi: endpoint({
    method: 'GET',
    path: '/v1/openapi.json',
    response: OpenApiDocumentSchema,
    summary: 'This contract as an OpenAPI 3.1 document, to generate clients in other languages',
  }),
  getDatasetDeletionImpact: endpoint({
    method: 'GET',
    path: '/v1/datasets/:datasetId/deletion-impact',
    response: DeletionImpactSchema,
    summary:
      'What deleting the dataset would take: data rows, the projects using them, annotations',
  }),
  getProjectDeletionImpact: endpoint({
    method: 'GET',
    path: '/v1/projects/:projectId/deletion-impact',
    response: DeletionImpactSchema,
    summary: 'What deleting the project would take: batches, imports, annotations, evaluations',
  }),
  getDataRowDeletionImpact: endpoint({
    method: 'GET',
    path: '/v1/data-rows/:dataRowId/deletion-impact',
    response: DeletionImpactSchema,
    summary: 'What deleting the data row would take: the projects using it, its annotations',
  }),
  deleteDataRow: endpoint({
    method: 'DELETE',
    path: '/v1/data-rows/:dataRowId',
    responseKind: 'empty',
    successStatus: 204,
    summary:
      'Deletes a data row with its annotations in every project, labels, batch memberships and per-row evaluation results',
  }),
  getImportPrelabelsDeletionImpact: endpoint({
    method: 'GET',
    path: '/v1/imports/:importId/prelabels/deletion-impact',
    response: DeletionImpactSchema,
    summary:
      "What deleting an import's pre-labels would take: the pre-labels, the evaluations of them",
  }),
  deleteImportPrelabels: endpoint({
    method: 'DELETE',
    path: '/v1/imports/:importId/prelabels',
    response: DeletionImpactSchema,
    summary:
      'Deletes the pre-labels a MAL import wrote (not those a later import replaced) and the evaluations that compared them; answers what was deleted',
  }),
  // ── foreign formats (issue 13; docs/formats.md) ──
  createFormatImport: endpoint({
    method: 'POST',
    path: '/v1/projects/:projectId/imports/formats',
    body: CreateFormatImportBodySchema,
    response: FormatImportResultSchema,
    successStatus: 202,
    summary:
      "Imports an uploaded COCO, YOLO, VOC, CVAT, LabelMe, Label Studio or Labelbox file (or ZIP): features that do not map answer 422 format_features_unmapped before anything is written; then the normal import job, whose status lines carry each object's source location",
  }),
} as const

export type Api = typeof api
export type EndpointName = keyof Api

/** Fills `:param` segments; values are URI-encoded. */
export function buildPath(path: string, params: Record<string, string>): string {
  return path.replace(/:([A-Za-z][A-Za-z0-9]*)/g, (_, key: string) => {
    const value = params[key]
    if (value === undefined) throw new Error(`missing path parameter ${key}`)
    return encodeURIComponent(value)
  })
}
