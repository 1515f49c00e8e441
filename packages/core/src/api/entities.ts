/** Resource shapes of the HTTP API, written once: the server answers them, the SDK reads them. */
import { z } from 'zod'
import { ErrorCodeSchema, IssueSchema } from '../errors.ts'
import { AnnotationRecordSchema } from '../model/annotation-record-schema.ts'
import { StoredNormalizedOntologySchema } from '../ontology/normalized.ts'

const Timestamp = z.string() // ISO-8601 UTC

export const OrganizationSchema = z.object({ id: z.string(), name: z.string() })
export type Organization = z.infer<typeof OrganizationSchema>

/** What a member of an organization may do is the permission table in `permissions.ts`. */
export const RoleSchema = z.enum(['admin', 'reviewer', 'labeler'])
export type Role = z.infer<typeof RoleSchema>

export const UserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
  createdAt: Timestamp,
})
export type User = z.infer<typeof UserSchema>

/** An API key as listed: never the secret, which is shown once when created. */
export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** the first characters of the key, to tell keys apart */
  prefix: z.string(),
  userId: z.string().nullable(),
  createdAt: Timestamp,
  revokedAt: Timestamp.nullable(),
})
export type ApiKey = z.infer<typeof ApiKeySchema>

export const CreatedApiKeySchema = z.object({ apiKey: ApiKeySchema, key: z.string() })
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>

export const WhoAmISchema = z.object({
  organization: OrganizationSchema,
  user: UserSchema,
  /** the caller's role, the one the server enforces */
  role: RoleSchema,
  /** the key of the call, or null when signed in with a session */
  apiKey: z.object({ id: z.string(), name: z.string(), role: RoleSchema }).nullable(),
})
export type WhoAmI = z.infer<typeof WhoAmISchema>

export const SessionSchema = z.object({
  user: UserSchema,
  organization: OrganizationSchema,
  expiresAt: Timestamp,
})
export type Session = z.infer<typeof SessionSchema>

export const CreatedOrganizationSchema = z.object({
  organization: OrganizationSchema,
  admin: UserSchema,
})
export type CreatedOrganization = z.infer<typeof CreatedOrganizationSchema>

/** Who deleted what: deletions leave this trace (imports record their creator on the job). */
export const AuditEventSchema = z.object({
  id: z.string(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  userId: z.string().nullable(),
  apiKeyId: z.string().nullable(),
  createdAt: Timestamp,
})
export type AuditEvent = z.infer<typeof AuditEventSchema>

export const DatasetSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  rowCount: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Dataset = z.infer<typeof DatasetSchema>

/** Width and height as displayed, i.e. after EXIF orientation is applied. */
export const MediaAttributesSchema = z.object({
  width: z.number().int(),
  height: z.number().int(),
  mimeType: z.string(),
  /** EXIF orientation 1–8 of the stored file; 1 when absent */
  exifOrientation: z.number().int(),
})
export type MediaAttributes = z.infer<typeof MediaAttributesSchema>

/** One key/value of a data row's metadata (Labelbox's `DataRowMetadataField`, by name). */
export const MetadataFieldSchema = z.object({
  name: z.string().min(1).max(100),
  value: z.string().max(1000),
})
export type MetadataField = z.infer<typeof MetadataFieldSchema>

/** A data row's metadata: at most 100 fields, each name once. */
export const MetadataFieldsSchema = z
  .array(MetadataFieldSchema)
  .max(100)
  .superRefine((fields, ctx) => {
    const seen = new Set<string>()
    for (const [i, f] of fields.entries()) {
      if (seen.has(f.name))
        ctx.addIssue({
          code: 'custom',
          message: `metadata field '${f.name}' is given twice`,
          path: [i, 'name'],
        })
      seen.add(f.name)
    }
  })

export const DataRowSchema = z.object({
  id: z.string(),
  datasetId: z.string(),
  globalKey: z.string().nullable(),
  /** the URL the image came from, or `upload://<uploadId>` for an uploaded file */
  rowData: z.string(),
  mediaAttributes: MediaAttributesSchema,
  /** key/value metadata, by name */
  metadataFields: z.array(MetadataFieldSchema),
  /** SHA-256 (hex) of the stored image; null for rows made before content hashes were kept */
  contentSha256: z.string().nullable(),
  createdAt: Timestamp,
})
export type DataRow = z.infer<typeof DataRowSchema>

export const DataRowInputSchema = z.object({
  /** an http(s) URL, or `upload://<uploadId>` from POST /v1/uploads */
  rowData: z.string().min(1),
  globalKey: z.string().optional(),
  metadataFields: MetadataFieldsSchema.optional(),
})
export type DataRowInput = z.infer<typeof DataRowInputSchema>

export const TaskErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  failedDataRows: z.array(z.object({ rowData: z.string(), globalKey: z.string().nullable() })),
})
export type TaskError = z.infer<typeof TaskErrorSchema>

export const TaskSchema = z.object({
  id: z.string(),
  type: z.literal('create-data-rows'),
  status: z.enum(['IN_PROGRESS', 'COMPLETE', 'FAILED']),
  /** 0–100 */
  progress: z.number(),
  createdAt: Timestamp,
  completedAt: Timestamp.nullable(),
  /** ids of the data rows created, in input order of the successful items */
  createdDataRows: z.array(
    z.object({ id: z.string(), globalKey: z.string().nullable(), rowData: z.string() }),
  ),
  errors: z.array(TaskErrorSchema),
})
export type Task = z.infer<typeof TaskSchema>

export const OntologySchema = z.object({
  id: z.string(),
  name: z.string(),
  mediaType: z.literal('IMAGE'),
  /** every featureSchemaId set */
  normalized: StoredNormalizedOntologySchema,
  createdAt: Timestamp,
})
export type OntologyResource = z.infer<typeof OntologySchema>

export const ProjectSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  mediaType: z.literal('IMAGE'),
  ontologyId: z.string().nullable(),
  dataRowCount: z.number().int(),
  createdAt: Timestamp,
})
export type Project = z.infer<typeof ProjectSchema>

export const BatchSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  priority: z.number().int(),
  size: z.number().int(),
  createdAt: Timestamp,
})
export type Batch = z.infer<typeof BatchSchema>

export const ImportKindSchema = z.enum(['mal', 'ground_truth'])
export type ImportKind = z.infer<typeof ImportKindSchema>
/** CANCELLED: stopped on request; what it committed before the cancel stays (docs/import-revert.md) */
export const ImportStateSchema = z.enum(['RUNNING', 'FINISHED', 'FAILED', 'CANCELLED'])
export type ImportState = z.infer<typeof ImportStateSchema>

export const ImportJobSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  kind: ImportKindSchema,
  /** a dry run judges every line and writes nothing */
  dryRun: z.boolean(),
  state: ImportStateSchema,
  /** "NN%" as in Labelbox */
  progress: z.string(),
  createdAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  counts: z.object({
    total: z.number().int(),
    success: z.number().int(),
    failure: z.number().int(),
  }),
  /** number of failed lines per error code */
  errorCounts: z.record(z.string(), z.number().int()),
  /** first failing line of each code, for summaries */
  errorExamples: z.record(
    z.string(),
    z.object({
      line: z.number().int(),
      message: z.string(),
      path: z.array(z.union([z.string(), z.number()])),
    }),
  ),
  /** why a FAILED job stopped before judging every line */
  failureReason: IssueSchema.nullable(),
  /** the user who started it (null for jobs from before users existed) */
  createdBy: z.string().nullable().optional(),
  inputFileUrl: z.string(),
  statusFileUrl: z.string(),
  errorFileUrl: z.string(),
  /**
   * What the import did (a dry run: would do) to the stored annotations: new ones added, stored
   * ones of the same uuid replaced; lines that failed are `counts.failure`. Issue 10.
   */
  effect: z.object({ added: z.number().int(), replaced: z.number().int() }).optional(),
  /** set once the import was reverted: what it removed and the replaced pre-labels it restored */
  revert: z
    .object({ revertedAt: Timestamp, removed: z.number().int(), restored: z.number().int() })
    .nullable()
    .optional(),
})
export type ImportJob = z.infer<typeof ImportJobSchema>

export const UploadSchema = z.object({
  id: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  contentType: z.string(),
  /** use as a data row's rowData */
  uri: z.string(),
})
export type Upload = z.infer<typeof UploadSchema>

export const PageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() })

export const ProjectDataRowSchema = DataRowSchema.extend({
  batchId: z.string(),
  prelabelCount: z.number().int(),
  labelCount: z.number().int(),
})
export type ProjectDataRow = z.infer<typeof ProjectDataRowSchema>

/** A stored annotation as the API returns it: its id, layer and import, plus the AnnotationRecord. */
export const StoredAnnotationSchema = z.object({
  id: z.string(),
  layer: z.enum(['prelabel', 'label']),
  importId: z.string(),
  record: AnnotationRecordSchema,
})
export type StoredAnnotation = z.infer<typeof StoredAnnotationSchema>

export const DataRowAnnotationsSchema = z.object({
  dataRow: DataRowSchema,
  label: z.object({ id: z.string(), isBenchmarkReference: z.boolean() }).nullable(),
  annotations: z.array(StoredAnnotationSchema),
})
export type DataRowAnnotations = z.infer<typeof DataRowAnnotationsSchema>

/** A project that uses a data row (through a batch), with the row's annotation counts there. */
export const DataRowUsageSchema = z.object({
  projectId: z.string(),
  projectName: z.string(),
  batchId: z.string(),
  prelabelCount: z.number().int(),
  labelCount: z.number().int(),
})
export type DataRowUsage = z.infer<typeof DataRowUsageSchema>

export const DatasetDataRowSchema = DataRowSchema.extend({ usage: z.array(DataRowUsageSchema) })
export type DatasetDataRow = z.infer<typeof DatasetDataRowSchema>

// ── evaluations (issue 14): predictions (pre-labels) against ground truth (labels) ──

export const EvaluationIouTypeSchema = z.enum(['bbox', 'segm'])
export const EvaluationMethodSchema = z.enum(['coco', 'labelbox'])
export const EvaluationStateSchema = z.enum(['RUNNING', 'FINISHED', 'FAILED'])

export const EvaluationParamsSchema = z.object({
  /** the pre-labels of this import only; null: every pre-label of the project */
  importId: z.string().nullable(),
  /** `bbox`: boxes (a polygon or mask by its bounding box); `segm`: masks (boxes and polygons rasterized as pycocotools) */
  iouType: EvaluationIouTypeSchema,
  /** per-object matching: the IoU a match needs (COCO statistics use 0.50:0.95 as always) */
  iouThreshold: z.number().min(0).max(1),
  /** object features evaluated; empty: every object feature of the ontology */
  featureSchemaIds: z.array(z.string()),
  /** per-object matching rule: `coco` greedy by confidence, `labelbox` greedy by IoU */
  method: EvaluationMethodSchema,
  /** only objects of one feature match each other */
  classwise: z.boolean(),
  /** `labelbox` only: IoU must exceed the threshold (Labelbox's `agreement > iou`) */
  strictIou: z.boolean(),
})
export type EvaluationParams = z.infer<typeof EvaluationParamsSchema>

export const EvaluationClassSchema = z.object({
  featureSchemaId: z.string(),
  name: z.string(),
  /** COCO, this feature alone: AP@[.5:.95], AP50, AP75, AR@100 (−1 without ground truth) */
  ap: z.number(),
  ap50: z.number(),
  ap75: z.number(),
  ar: z.number(),
  groundTruths: z.number().int(),
  predictions: z.number().int(),
  /** per-object matching at `iouThreshold`, every prediction kept */
  tp: z.number().int(),
  fp: z.number().int(),
  fn: z.number().int(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
})
export type EvaluationClass = z.infer<typeof EvaluationClassSchema>

export const EvaluationSummarySchema = z.object({
  images: z.number().int(),
  groundTruths: z.number().int(),
  predictions: z.number().int(),
  /** pycocotools' 12: AP, AP50, AP75, APsmall, APmedium, APlarge, AR1, AR10, AR100, ARsmall, ARmedium, ARlarge */
  cocoStats: z.array(z.number()),
  classes: z.array(EvaluationClassSchema),
  /** rows: ground-truth feature (then background), columns: predicted feature (then background) */
  confusion: z.object({
    labels: z.array(z.string().nullable()),
    counts: z.array(z.array(z.number().int())),
  }),
})
export type EvaluationSummary = z.infer<typeof EvaluationSummarySchema>

export const EvaluationSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  state: EvaluationStateSchema,
  /** "NN%" as for imports */
  progress: z.string(),
  params: EvaluationParamsSchema,
  createdAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  summary: EvaluationSummarySchema.nullable(),
  failureReason: IssueSchema.nullable(),
})
export type Evaluation = z.infer<typeof EvaluationSchema>

/** One object's result: a pre-label (TP / FP / ignored) or a label (TP / FN), with its match. */
export const EvaluationObjectSchema = z.object({
  annotationId: z.string(),
  dataRowId: z.string(),
  layer: z.enum(['prelabel', 'label']),
  featureSchemaId: z.string(),
  status: z.enum(['tp', 'fp', 'fn', 'ignored']),
  /** the matched annotation on the other layer (a label for a pre-label and back), or null */
  matchAnnotationId: z.string().nullable(),
  matchFeatureSchemaId: z.string().nullable(),
  iou: z.number().nullable(),
  /** pre-labels: the confidence (1 when the line gave none) */
  score: z.number().nullable(),
})
export type EvaluationObject = z.infer<typeof EvaluationObjectSchema>

export const EvaluationDataRowSchema = z.object({
  dataRowId: z.string(),
  globalKey: z.string().nullable(),
  tp: z.number().int(),
  fp: z.number().int(),
  fn: z.number().int(),
  /** the lowest IoU among the row's matches; null without any match */
  lowestIou: z.number().nullable(),
})
export type EvaluationDataRow = z.infer<typeof EvaluationDataRowSchema>

// ── deletes (issue 11, item 6): what a delete takes with it, shown before it happens ──

export const DeletionImpactSchema = z.object({
  subject: z.object({
    type: z.enum(['dataset', 'project', 'data_row', 'import_prelabels']),
    id: z.string(),
    /** the name a person types to confirm (a data row's global key, else its id) */
    name: z.string(),
  }),
  /** data rows deleted (a project: the data rows its batches hold, which stay in their datasets) */
  dataRows: z.number().int(),
  /** the projects that use what is deleted */
  projects: z.array(z.object({ id: z.string(), name: z.string() })),
  /** batches that hold the deleted rows (emptied batches go too) or the project's batches */
  batches: z.number().int(),
  annotations: z.object({ prelabel: z.number().int(), label: z.number().int() }),
  /** import jobs deleted (projects) */
  imports: z.number().int(),
  /** evaluations deleted (projects, an import's pre-labels) or whose per-row results go (data rows) */
  evaluations: z.number().int(),
  /** labels (one per data row and project: editor or ground-truth import) deleted, each with its versions and reviews */
  labels: z.number().int(),
  /** drafts in progress (labeling work not yet submitted) deleted */
  drafts: z.number().int(),
})
export type DeletionImpact = z.infer<typeof DeletionImpactSchema>
