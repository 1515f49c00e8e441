/**
 * The labeling contract (issue 12): drafts, labels, reviews, the labeling queue and its counts.
 * docs/labeling.md explains the states, the lease rules and the draft format.
 *
 * A draft annotation is an NDJSON import line's object (same keys, same meaning; see
 * ndjson/line.ts) without `dataRow`, which the URL implies, plus where it came from
 * (`provenance`). All coordinates are pixels of the image as displayed: origin top-left,
 * x right, y down.
 */
import { z } from 'zod'
import { DataRowSchema } from './entities.ts'

const Timestamp = z.string() // ISO-8601 UTC
const Coordinate = z.number()
const FeatureName = z.string().min(1).max(1000)

/** Where one annotation of a draft or a label came from. */
export const ProvenanceSchema = z.discriminatedUnion('source', [
  /** drawn (or typed) by a person in an editor or through the API */
  z.object({ source: z.literal('drawn') }),
  /** accepted from a pre-label (MAL import `importId`, its uuid there); `modified`: edited after accepting */
  z.object({
    source: z.literal('prelabel'),
    importId: z.string().min(1).max(200),
    originalUuid: z.string().min(1).max(200),
    modified: z.boolean(),
  }),
  /** written by a ground-truth import */
  z.object({ source: z.literal('imported'), importId: z.string().min(1).max(200) }),
])
export type Provenance = z.infer<typeof ProvenanceSchema>

export interface DraftAnswer {
  name?: string | undefined
  schemaId?: string | undefined
  classifications?: DraftClassification[] | undefined
}
/** A classification nested under a tool or an answer (NDJSON grammar: radio, checklist or text answer). */
export interface DraftClassification {
  name?: string | undefined
  schemaId?: string | undefined
  answer: string | DraftAnswer | DraftAnswer[]
}

export const DraftAnswerSchema: z.ZodType<DraftAnswer> = z.lazy(() =>
  z.object({
    name: FeatureName.optional(),
    schemaId: FeatureName.optional(),
    classifications: z.array(DraftClassificationSchema).max(1000).optional(),
  }),
)
export const DraftClassificationSchema: z.ZodType<DraftClassification> = z.lazy(() =>
  z.object({
    name: FeatureName.optional(),
    schemaId: FeatureName.optional(),
    answer: z.union([
      z.string().max(100_000),
      DraftAnswerSchema,
      z.array(DraftAnswerSchema).max(1000),
    ]),
  }),
)

const PointSchema = z.object({ x: Coordinate, y: Coordinate })

/**
 * One annotation of a draft: exactly one of bbox / polygon / line / point / mask / relationship
 * (an object or a relationship) or `answer` (a global classification), as in an NDJSON line.
 * The uuid is the annotation's identity in the draft, in the label and in relationships.
 */
export const DraftAnnotationSchema = z.object({
  uuid: z.string().uuid(),
  name: FeatureName.optional(),
  schemaId: FeatureName.optional(),
  bbox: z
    .object({ top: Coordinate, left: Coordinate, height: Coordinate, width: Coordinate })
    .optional(),
  /** closed or not: the last point need not repeat the first */
  polygon: z.array(PointSchema).max(100_000).optional(),
  line: z.array(PointSchema).max(100_000).optional(),
  point: PointSchema.optional(),
  /** a binary mask as COCO RLE (column-major, `size` = [height, width] of the image) */
  mask: z
    .object({
      counts: z.union([
        z.string().max(64 * 1024 * 1024),
        z.array(z.number().int().min(0)).max(50_000_000),
      ]),
      size: z.tuple([z.number().int(), z.number().int()]),
    })
    .optional(),
  relationship: z
    .object({
      source: z.string().min(1).max(200),
      target: z.string().min(1).max(200),
      type: z.enum(['unidirectional', 'bidirectional']),
    })
    .optional(),
  /** a global classification's answer */
  answer: z
    .union([z.string().max(100_000), DraftAnswerSchema, z.array(DraftAnswerSchema).max(1000)])
    .optional(),
  /** classifications nested under a tool */
  classifications: z.array(DraftClassificationSchema).max(1000).optional(),
  provenance: ProvenanceSchema,
})
export type DraftAnnotation = z.infer<typeof DraftAnnotationSchema>

/** The most annotations one draft holds (Labelbox's per-feature import limit, times a few features). */
export const MAX_DRAFT_ANNOTATIONS = 20_000

/** `submitted` awaits review; `approved` is done; `rejected` is back with its labeler as a draft. */
export const LabelStateSchema = z.enum(['submitted', 'approved', 'rejected'])
export type LabelState = z.infer<typeof LabelStateSchema>

export const ReviewDecisionSchema = z.enum(['approve', 'reject'])
export type ReviewDecision = z.infer<typeof ReviewDecisionSchema>

export const LabelReviewSchema = z.object({
  id: z.string(),
  decision: ReviewDecisionSchema,
  comment: z.string(),
  /** the reviewer */
  userId: z.string().nullable(),
  /** the label version reviewed */
  version: z.number().int(),
  createdAt: Timestamp,
})
export type LabelReview = z.infer<typeof LabelReviewSchema>

/** The current label (ground truth) of a data row in a project. */
export const LabelResourceSchema = z.object({
  id: z.string(),
  state: LabelStateSchema,
  /** `editor`: submitted through the labeling API; `import`: written by a ground-truth import */
  source: z.enum(['editor', 'import']),
  /** who submitted it last (null: an import without a user) */
  labelerId: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  annotations: z.array(DraftAnnotationSchema),
  /** oldest first */
  reviews: z.array(LabelReviewSchema),
})
export type LabelResource = z.infer<typeof LabelResourceSchema>

export const DraftSchema = z.object({
  /** the last writer */
  userId: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  annotations: z.array(DraftAnnotationSchema),
  /** uuids of the pre-labels (suggestions) the labeler rejected: the editor does not offer them again */
  rejectedSuggestions: z.array(z.string()),
})
export type Draft = z.infer<typeof DraftSchema>

/** A MAL pre-label offered to the labeler (none once the data row has a label: Labelbox's rule). */
export const SuggestionSchema = z.object({
  importId: z.string(),
  /** null when the import line gave none */
  confidence: z.number().nullable(),
  /** the pre-label in draft form; its provenance is `{source:'prelabel', modified:false}` */
  annotation: DraftAnnotationSchema,
})
export type Suggestion = z.infer<typeof SuggestionSchema>

export const LeaseSchema = z.object({
  userId: z.string(),
  /** `label`: a labeler works on the row; `review`: a reviewer took it from the review queue */
  purpose: z.enum(['label', 'review']),
  expiresAt: Timestamp,
})
export type Lease = z.infer<typeof LeaseSchema>

/** Everything an editor needs to open one data row. */
export const LabelingViewSchema = z.object({
  dataRow: DataRowSchema,
  /**
   * The version of the row's labeling state: pass it as `baseVersion` on the next write. Every
   * write (draft save, submit, review) adds 1; 0 before the first.
   */
  version: z.number().int(),
  label: LabelResourceSchema.nullable(),
  /** the work in progress (null: none; a rejected label comes back as a draft) */
  draft: DraftSchema.nullable(),
  suggestions: z.array(SuggestionSchema),
  lease: LeaseSchema.nullable(),
  /** whether the caller may write the draft now (role, label state and lease allow it) */
  canEdit: z.boolean(),
  /** whether the caller may review now (role, and the label is submitted) */
  canReview: z.boolean(),
})
export type LabelingView = z.infer<typeof LabelingViewSchema>

/** What a draft write answers: the new version to pass next time, and the renewed lease. */
export const DraftSavedSchema = z.object({
  version: z.number().int(),
  annotationCount: z.number().int(),
  updatedAt: Timestamp,
  lease: LeaseSchema,
})
export type DraftSaved = z.infer<typeof DraftSavedSchema>

export const QueueNextSchema = z.object({
  /** null: nothing left for the caller */
  dataRow: DataRowSchema.nullable(),
  lease: LeaseSchema.nullable(),
})
export type QueueNext = z.infer<typeof QueueNextSchema>

/** One status per data row of the project, exclusive (docs/labeling.md defines each). */
export const LabelingStatusSchema = z.enum([
  'to_label',
  'in_progress',
  'skipped',
  'submitted',
  'in_review',
  'rejected',
  'done',
])
export type LabelingStatus = z.infer<typeof LabelingStatusSchema>

export const LabelingCountsSchema = z.object({
  total: z.number().int(),
  toLabel: z.number().int(),
  inProgress: z.number().int(),
  skipped: z.number().int(),
  submitted: z.number().int(),
  inReview: z.number().int(),
  rejected: z.number().int(),
  done: z.number().int(),
})
export type LabelingCounts = z.infer<typeof LabelingCountsSchema>

export const LabelingRowSchema = z.object({
  dataRowId: z.string(),
  globalKey: z.string().nullable(),
  status: LabelingStatusSchema,
  labelId: z.string().nullable(),
  labelerId: z.string().nullable(),
  /** the last write to the row's label or draft (null: never written) */
  updatedAt: Timestamp.nullable(),
  lease: LeaseSchema.nullable(),
  /** the latest review's comment, if any */
  reviewComment: z.string().nullable(),
})
export type LabelingRow = z.infer<typeof LabelingRowSchema>

const BaseVersion = z.number().int().min(0)

export const SaveDraftBodySchema = z.object({
  baseVersion: BaseVersion,
  annotations: z.array(DraftAnnotationSchema).max(MAX_DRAFT_ANNOTATIONS),
  /**
   * optional: the uuids of the suggestions the labeler rejected (replaces the recorded list; kept
   * as it is when absent)
   */
  rejectedSuggestions: z.array(z.string().min(1).max(200)).max(MAX_DRAFT_ANNOTATIONS).optional(),
})
export const AddDraftAnnotationBodySchema = z.object({
  baseVersion: BaseVersion,
  annotation: DraftAnnotationSchema,
})
export const DeleteDraftAnnotationQuerySchema = z.object({
  baseVersion: z.coerce.number().int().min(0),
})
export const SubmitLabelBodySchema = z.object({ baseVersion: BaseVersion })
export const SkipBodySchema = z.object({ reason: z.string().trim().min(1).max(2000) })
export const ReviewBodySchema = z
  .object({
    decision: ReviewDecisionSchema,
    comment: z.string().max(10_000).default(''),
    /** optional: refused with label_version_conflict when the label changed since */
    baseVersion: BaseVersion.optional(),
  })
  .refine((b) => b.decision === 'approve' || b.comment.trim().length > 0, {
    message: 'a rejection needs a comment for the labeler',
    path: ['comment'],
  })
export type ReviewBody = z.input<typeof ReviewBodySchema>
export const ListLabelingRowsQuerySchema = z.object({
  status: LabelingStatusSchema.optional(),
  cursor: z.string().regex(/^\d+$/, 'cursor is an offset').optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
})
