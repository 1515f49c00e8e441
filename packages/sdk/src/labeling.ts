/**
 * Labeling through the API (issue 12): the queue, one data row's draft, submit and review.
 * `DataRowLabeling` remembers the row's version from each answer and passes it as `baseVersion`,
 * so a script writes like the editor does and a concurrent change is refused (409
 * `label_version_conflict`), never overwritten. docs/labeling.md has the rules.
 */
import { api } from '@labelport/core'
import type {
  DraftAnnotation,
  DraftSaved,
  LabelResource,
  LabelingCounts,
  LabelingRow,
  LabelingStatus,
  LabelingView,
  Provenance,
  QueueNext,
  ReviewDecision,
} from '@labelport/core'
import type { Transport } from './transport.ts'

/** A draft annotation as a script writes it: provenance defaults to `{source:'drawn'}`. */
export type DraftAnnotationInput = Omit<DraftAnnotation, 'provenance'> & {
  provenance?: Provenance
}

function withProvenance(annotation: DraftAnnotationInput): DraftAnnotation {
  return { ...annotation, provenance: annotation.provenance ?? { source: 'drawn' } }
}

/** One data row of a project, as a labeler or reviewer works on it. */
export class DataRowLabeling {
  readonly client: Transport
  readonly projectId: string
  readonly dataRowId: string
  /** the version the next write passes as `baseVersion` (updated by every call); null until read */
  version: number | null = null

  constructor(client: Transport, projectId: string, dataRowId: string) {
    this.client = client
    this.projectId = projectId
    this.dataRowId = dataRowId
  }

  get #params(): Record<string, string> {
    return { projectId: this.projectId, dataRowId: this.dataRowId }
  }

  async #baseVersion(given: number | undefined): Promise<number> {
    if (given !== undefined) return given
    if (this.version === null) await this.get()
    return this.version ?? 0
  }

  /** The label, the draft, the suggestions (pre-labels), the lease and what you may do. */
  async get(): Promise<LabelingView> {
    const view = await this.client.call(api.getLabelingView, { params: this.#params })
    this.version = view.version
    return view
  }

  /** Replaces the whole draft; takes or renews your lease on the row. */
  async saveDraft(
    annotations: readonly DraftAnnotationInput[],
    options: {
      baseVersion?: number
      /** pre-label uuids the labeler rejected: kept with the draft, not offered again (omit to keep the stored list) */
      rejectedSuggestions?: readonly string[]
    } = {},
  ): Promise<DraftSaved> {
    const saved = await this.client.call(api.saveDraft, {
      params: this.#params,
      body: {
        baseVersion: await this.#baseVersion(options.baseVersion),
        annotations: annotations.map(withProvenance),
        ...(options.rejectedSuggestions && {
          rejectedSuggestions: [...options.rejectedSuggestions],
        }),
      },
    })
    this.version = saved.version
    return saved
  }

  /** Adds one annotation to the draft. */
  async addAnnotation(
    annotation: DraftAnnotationInput,
    options: { baseVersion?: number } = {},
  ): Promise<DraftSaved> {
    const saved = await this.client.call(api.addDraftAnnotation, {
      params: this.#params,
      body: {
        baseVersion: await this.#baseVersion(options.baseVersion),
        annotation: withProvenance(annotation),
      },
    })
    this.version = saved.version
    return saved
  }

  /** Replaces the draft's annotation with this uuid (adds it when absent). */
  async updateAnnotation(
    annotation: DraftAnnotationInput,
    options: { baseVersion?: number } = {},
  ): Promise<DraftSaved> {
    const saved = await this.client.call(api.replaceDraftAnnotation, {
      params: { ...this.#params, uuid: annotation.uuid },
      body: {
        baseVersion: await this.#baseVersion(options.baseVersion),
        annotation: withProvenance(annotation),
      },
    })
    this.version = saved.version
    return saved
  }

  /** Removes one annotation (and relationships pointing at it) from the draft. */
  async deleteAnnotation(
    uuid: string,
    options: { baseVersion?: number } = {},
  ): Promise<DraftSaved> {
    const saved = await this.client.call(api.deleteDraftAnnotation, {
      params: { ...this.#params, uuid },
      query: { baseVersion: await this.#baseVersion(options.baseVersion) },
    })
    this.version = saved.version
    return saved
  }

  /**
   * Submits the draft as the row's label; judged as an import would judge it. Invalid: an
   * ApiError `label_invalid` whose issues name each annotation (`['annotations', uuid, …]`).
   */
  async submit(options: { baseVersion?: number } = {}): Promise<LabelResource> {
    const label = await this.client.call(api.submitLabel, {
      params: this.#params,
      body: { baseVersion: await this.#baseVersion(options.baseVersion) },
    })
    this.version = null
    return label
  }

  /** Approves or rejects the submitted label (reviewers and admins); a rejection needs a comment. */
  async review(
    decision: ReviewDecision,
    comment = '',
    options: { baseVersion?: number } = {},
  ): Promise<LabelResource> {
    const label = await this.client.call(api.reviewLabel, {
      params: this.#params,
      body: {
        decision,
        comment,
        ...(options.baseVersion === undefined ? {} : { baseVersion: options.baseVersion }),
      },
    })
    this.version = null
    return label
  }

  /** Approves the submitted label (reviewers and admins): `review('approve', comment)`. */
  async approve(comment = '', options: { baseVersion?: number } = {}): Promise<LabelResource> {
    return this.review('approve', comment, options)
  }

  /** Rejects the submitted label back to its labeler with a comment (required). */
  async reject(comment: string, options: { baseVersion?: number } = {}): Promise<LabelResource> {
    return this.review('reject', comment, options)
  }

  /** Skips the row with a reason: your lease ends and the queue stops offering it to you. */
  async skip(reason: string): Promise<void> {
    await this.client.call(api.skipDataRow, { params: this.#params, body: { reason } })
  }
}

/** The project-level labeling calls, reached through `project.labeling`. */
export class ProjectLabeling {
  readonly client: Transport
  readonly projectId: string

  constructor(client: Transport, projectId: string) {
    this.client = client
    this.projectId = projectId
  }

  /** One data row's labeling (no call is made until you use it). */
  dataRow(dataRowId: string): DataRowLabeling {
    return new DataRowLabeling(this.client, this.projectId, dataRowId)
  }

  /** Leases the next data row to label to you; null when nothing is left for you. */
  async next(): Promise<DataRowLabeling | null> {
    return this.#open(
      await this.client.call(api.nextDataRowToLabel, { params: { projectId: this.projectId } }),
    )
  }

  /** Leases the oldest submitted label nobody is reviewing (reviewers and admins). */
  async nextToReview(): Promise<DataRowLabeling | null> {
    return this.#open(
      await this.client.call(api.nextDataRowToReview, { params: { projectId: this.projectId } }),
    )
  }

  #open(next: QueueNext): DataRowLabeling | null {
    return next.dataRow ? this.dataRow(next.dataRow.id) : null
  }

  /** To label, in progress, skipped, submitted, in review, rejected, done. */
  async counts(): Promise<LabelingCounts> {
    return this.client.call(api.getLabelingCounts, { params: { projectId: this.projectId } })
  }

  /** Every data row of the project with its labeling status, optionally of one status. */
  async rows(options: { status?: LabelingStatus } = {}): Promise<LabelingRow[]> {
    const out: LabelingRow[] = []
    let cursor: string | undefined
    do {
      const page = await this.client.call(api.listLabelingRows, {
        params: { projectId: this.projectId },
        query: {
          limit: 1000,
          ...(options.status === undefined ? {} : { status: options.status }),
          ...(cursor === undefined ? {} : { cursor }),
        },
      })
      out.push(...page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    return out
  }
}
