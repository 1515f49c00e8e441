/**
 * Labeling use cases (issue 12): the queue and its leases, drafts with versions, submit judged as
 * an import, review. docs/labeling.md is the reading copy of the rules.
 */
import {
  AppError,
  diffDrafts,
  recordToDraft,
  type DataRow,
  type DraftAnnotation,
  type DraftSaved,
  type LabelResource,
  type LabelingCounts,
  type LabelingRow,
  type LabelingStatus,
  type LabelingView,
  type Lease,
  type Provenance,
  type QueueNext,
  type ReviewDecision,
  type Suggestion,
} from '@labelport/core'
import {
  LeaseHeldError,
  VersionConflictError,
  currentVersion,
  type AnnotationEntry,
  type Repositories,
  type RowLabeling,
  type StoredLabel,
  type StoredLease,
} from '@labelport/db'
import type { MaskProcessor } from '../../masks/mask-processor.ts'
import type { Caller } from '../auth-service.ts'
import type { CatalogService } from '../catalog-service.ts'
import type { ProjectService } from '../project-service.ts'
import { judgeDraft } from './judge-draft.ts'

export interface RowRef {
  projectId: string
  dataRowId: string
}

export type DraftEdit =
  | { op: 'add'; annotation: DraftAnnotation }
  | { op: 'replace'; uuid: string; annotation: DraftAnnotation }
  | { op: 'delete'; uuid: string }

export interface ReviewInput {
  decision: ReviewDecision
  comment: string
  baseVersion?: number | undefined
}

export interface ListRowsQuery {
  status?: LabelingStatus | undefined
  cursor?: string | undefined
  limit?: number | undefined
}

/** 10 minutes without a draft save ends a lease (docs/labeling.md). */
export const DEFAULT_LABEL_LEASE_MS = 10 * 60 * 1000

const CANDIDATE_PAGE = 25

interface Opened {
  dataRow: DataRow & { width: number; height: number }
  state: RowLabeling
}

function toLease(lease: StoredLease): Lease {
  return {
    userId: lease.userId,
    purpose: lease.purpose,
    expiresAt: new Date(lease.expiresAt).toISOString(),
  }
}

function conflict(): AppError {
  return new AppError(
    'label_version_conflict',
    'This data row was changed in another tab or by another user; reload it to see the change',
    { path: ['baseVersion'] },
  )
}

function leased(lease: StoredLease | null): AppError {
  return new AppError(
    'data_row_leased',
    `Another user (${lease?.userId ?? 'unknown'}) is labeling this data row`,
    { path: ['dataRowId'] },
  )
}

/** uuids are compared in their canonical lower-case form, as the judge stores them. */
function canonical(a: DraftAnnotation): DraftAnnotation {
  const out = { ...a, uuid: a.uuid.toLowerCase() }
  if (a.relationship)
    out.relationship = {
      ...a.relationship,
      source: a.relationship.source.toLowerCase(),
      target: a.relationship.target.toLowerCase(),
    }
  return out
}

export class LabelingService {
  readonly #repos: Pick<Repositories, 'labels' | 'annotations' | 'datasets' | 'maskOwners'>
  readonly #projects: ProjectService
  readonly #catalog: CatalogService
  readonly #masks: MaskProcessor
  readonly #leaseMs: number
  readonly #now: () => number

  constructor(deps: {
    repos: Pick<Repositories, 'labels' | 'annotations' | 'datasets' | 'maskOwners'>
    projects: ProjectService
    catalog: CatalogService
    masks: MaskProcessor
    leaseMs?: number
    /** the clock leases are judged by (ms since the epoch); tests move it instead of sleeping */
    now?: (() => number) | undefined
  }) {
    this.#repos = deps.repos
    this.#projects = deps.projects
    this.#catalog = deps.catalog
    this.#masks = deps.masks
    this.#leaseMs = deps.leaseMs ?? DEFAULT_LABEL_LEASE_MS
    this.#now = deps.now ?? Date.now
  }

  /** The project and data row of the caller's organization, the row in the project's batches. */
  async #open(caller: Caller, row: RowRef): Promise<Opened> {
    await this.#projects.getProject(caller, row.projectId)
    const { blobKey: _blobKey, ...dataRow } = await this.#catalog.getDataRow(caller, row.dataRowId)
    const [found] = await this.#repos.datasets.lookupDataRows(
      caller.organizationId,
      row.projectId,
      { ids: [row.dataRowId], globalKeys: [] },
    )
    if (!found?.inProject)
      throw new AppError(
        'data_row_not_found',
        `Data row ${row.dataRowId} is not in a batch of project ${row.projectId}`,
        { path: ['dataRowId'] },
      )
    return {
      dataRow: {
        ...dataRow,
        width: dataRow.mediaAttributes.width,
        height: dataRow.mediaAttributes.height,
      },
      state: await this.#repos.labels.getRow(row.projectId, row.dataRowId, this.#now()),
    }
  }

  /** Why the caller may not write this row's draft now, or null. */
  #editRefusal(caller: Caller, state: RowLabeling): AppError | null {
    if (state.lease && state.lease.userId !== caller.userId) return leased(state.lease)
    const label = state.label
    if (caller.role === 'labeler' && label) {
      const own = label.state === 'rejected' && label.labelerId === caller.userId
      if (!own)
        return new AppError(
          'label_not_editable',
          label.state === 'rejected'
            ? 'This label was rejected back to another labeler'
            : `This data row's label is ${label.state}; only reviewers and admins may change it`,
          { path: ['dataRowId'] },
        )
    }
    return null
  }

  async #annotations(
    row: RowRef,
  ): Promise<{ label: AnnotationEntry[]; prelabel: AnnotationEntry[] }> {
    const out = { label: [] as AnnotationEntry[], prelabel: [] as AnnotationEntry[] }
    for await (const a of this.#repos.annotations.streamProjectAnnotations(row.projectId, [
      row.dataRowId,
    ]))
      out[a.layer].push(a)
    return out
  }

  /**
   * The label's annotations in draft form: their order and provenance from the latest snapshot
   * (submit or review), imported ones marked as such.
   */
  async #labelDrafts(row: RowRef, entries: AnnotationEntry[]): Promise<DraftAnnotation[]> {
    const snapshot = await this.#repos.labels.latestSnapshot(row.projectId, row.dataRowId)
    const known = new Map(snapshot.map((a, i) => [a.uuid, { provenance: a.provenance, i }]))
    const drafts = entries.map((e) => {
      const provenance: Provenance =
        known.get(e.record.uuid)?.provenance ??
        (e.importId ? { source: 'imported', importId: e.importId } : { source: 'drawn' })
      return recordToDraft(e.record, provenance)
    })
    const rank = (uuid: string) => known.get(uuid)?.i ?? Number.MAX_SAFE_INTEGER
    return drafts.sort((a, b) => rank(a.uuid) - rank(b.uuid))
  }

  async #labelResource(
    row: RowRef,
    label: StoredLabel,
    entries?: AnnotationEntry[],
  ): Promise<LabelResource> {
    const annotations = await this.#labelDrafts(
      row,
      entries ?? (await this.#annotations(row)).label,
    )
    const reviews = await this.#repos.labels.reviews(row.projectId, row.dataRowId)
    return {
      id: label.id,
      state: label.state,
      source: label.source,
      labelerId: label.labelerId,
      createdBy: label.createdBy,
      createdAt: label.createdAt,
      updatedAt: label.updatedAt,
      annotations,
      reviews,
    }
  }

  async view(caller: Caller, row: RowRef): Promise<LabelingView> {
    const { dataRow, state } = await this.#open(caller, row)
    const { width: _w, height: _h, ...plainRow } = dataRow
    const annotations = await this.#annotations(row)
    const suggestions: Suggestion[] = state.label
      ? []
      : annotations.prelabel.map((a) => ({
          importId: a.importId,
          confidence: a.record.confidence ?? null,
          annotation: recordToDraft(a.record, {
            source: 'prelabel',
            importId: a.importId,
            originalUuid: a.record.uuid,
            modified: false,
          }),
        }))
    return {
      dataRow: plainRow,
      version: currentVersion(state),
      label: state.label ? await this.#labelResource(row, state.label, annotations.label) : null,
      draft: state.draft
        ? {
            userId: state.draft.userId,
            createdAt: state.draft.createdAt,
            updatedAt: state.draft.updatedAt,
            annotations: state.draft.annotations,
            rejectedSuggestions: state.draft.rejectedSuggestions,
          }
        : null,
      suggestions,
      lease: state.lease ? toLease(state.lease) : null,
      canEdit: this.#editRefusal(caller, state) === null,
      canReview: caller.role !== 'labeler' && state.label?.state === 'submitted',
    }
  }

  async saveDraft(
    caller: Caller,
    row: RowRef,
    baseVersion: number,
    annotations: DraftAnnotation[],
    rejectedSuggestions?: string[],
  ): Promise<DraftSaved> {
    const { state } = await this.#open(caller, row)
    return this.#write(
      caller,
      row,
      state,
      baseVersion,
      annotations.map(canonical),
      rejectedSuggestions && [...new Set(rejectedSuggestions)],
    )
  }

  async #write(
    caller: Caller,
    row: RowRef,
    state: RowLabeling,
    baseVersion: number,
    annotations: DraftAnnotation[],
    rejectedSuggestions?: string[],
  ): Promise<DraftSaved> {
    const refusal = this.#editRefusal(caller, state)
    if (refusal) throw refusal
    if (baseVersion !== currentVersion(state)) throw conflict()
    try {
      const saved = await this.#repos.labels.saveDraft({
        ...row,
        baseVersion,
        annotations,
        ...(rejectedSuggestions ? { rejectedSuggestions } : {}),
        userId: caller.userId,
        leaseMs: this.#leaseMs,
        at: this.#now(),
      })
      return {
        version: saved.version,
        annotationCount: annotations.length,
        updatedAt: saved.updatedAt,
        lease: toLease(saved.lease),
      }
    } catch (err) {
      if (err instanceof VersionConflictError) throw conflict()
      if (err instanceof LeaseHeldError)
        throw leased(
          (await this.#repos.labels.getRow(row.projectId, row.dataRowId, this.#now())).lease,
        )
      throw err
    }
  }

  async editDraft(
    caller: Caller,
    row: RowRef,
    baseVersion: number,
    edit: DraftEdit,
  ): Promise<DraftSaved> {
    const { state } = await this.#open(caller, row)
    const refusal = this.#editRefusal(caller, state)
    if (refusal) throw refusal
    if (baseVersion !== currentVersion(state)) throw conflict()
    const current = state.draft
      ? state.draft.annotations
      : state.label
        ? await this.#labelDrafts(row, (await this.#annotations(row)).label)
        : []
    let next: DraftAnnotation[]
    if (edit.op === 'add') {
      const added = canonical(edit.annotation)
      if (current.some((a) => a.uuid === added.uuid))
        throw new AppError(
          'annotation_uuid_taken',
          `The draft already has annotation ${added.uuid}`,
          {
            path: ['annotation', 'uuid'],
          },
        )
      next = [...current, added]
    } else {
      const uuid = edit.uuid.toLowerCase()
      const index = current.findIndex((a) => a.uuid === uuid)
      if (edit.op === 'replace') {
        const replaced = canonical({ ...edit.annotation, uuid })
        next =
          index < 0 ? [...current, replaced] : current.map((a, i) => (i === index ? replaced : a))
      } else {
        if (index < 0)
          throw new AppError('annotation_not_found', `The draft has no annotation ${uuid}`, {
            path: ['uuid'],
          })
        next = current.filter(
          (a) =>
            a.uuid !== uuid && a.relationship?.source !== uuid && a.relationship?.target !== uuid,
        )
      }
    }
    return this.#write(caller, row, state, baseVersion, next)
  }

  async submit(caller: Caller, row: RowRef, baseVersion: number): Promise<LabelResource> {
    const { dataRow, state } = await this.#open(caller, row)
    const refusal = this.#editRefusal(caller, state)
    if (refusal) throw refusal
    if (baseVersion !== currentVersion(state)) throw conflict()
    const draft = state.draft
    if (!draft)
      throw new AppError('label_not_found', 'There is no draft to submit on this data row', {
        path: ['dataRowId'],
      })
    const project = await this.#projects.getProject(caller, row.projectId)
    const ontology = await this.#projects.projectOntology(caller, project)
    const existing = await this.#annotations(row)
    const judged = await judgeDraft({
      annotations: draft.annotations,
      ontology,
      dataRow: {
        id: dataRow.id,
        globalKey: dataRow.globalKey,
        width: dataRow.width,
        height: dataRow.height,
      },
      masks: this.#masks,
      prelabels: new Set(existing.prelabel.map((a) => `${a.importId} ${a.record.uuid}`)),
    })
    if (judged.issues.length > 0)
      throw new AppError(
        'label_invalid',
        `The draft has ${judged.issues.length} problem(s); nothing was submitted`,
        { path: ['annotations'], issues: judged.issues },
      )
    if (judged.maskShas.size > 0)
      await this.#repos.maskOwners.grant(caller.organizationId, judged.maskShas)
    const before = state.label ? await this.#labelDrafts(row, existing.label) : []
    try {
      const label = await this.#repos.labels.submit({
        ...row,
        baseVersion,
        userId: caller.userId,
        records: judged.records,
        annotations: draft.annotations,
        importIdOf: () => '',
        summary: diffDrafts(before, draft.annotations),
      })
      return await this.#labelResource(row, label)
    } catch (err) {
      if (err instanceof VersionConflictError) throw conflict()
      throw err
    }
  }

  async review(caller: Caller, row: RowRef, input: ReviewInput): Promise<LabelResource> {
    const { state } = await this.#open(caller, row)
    if (!state.label || state.label.state !== 'submitted')
      throw new AppError(
        'label_not_submitted',
        state.label
          ? `This label is ${state.label.state}; only submitted labels are reviewed`
          : 'This data row has no label to review',
        { path: ['dataRowId'] },
      )
    if (state.lease && state.lease.userId !== caller.userId) throw leased(state.lease)
    const annotations = await this.#labelDrafts(row, (await this.#annotations(row)).label)
    try {
      const label = await this.#repos.labels.review({
        ...row,
        userId: caller.userId,
        decision: input.decision,
        comment: input.comment,
        baseVersion: input.baseVersion,
        annotations,
      })
      if (!label) throw new AppError('label_not_submitted', 'The label is no longer submitted')
      return await this.#labelResource(row, label)
    } catch (err) {
      if (err instanceof VersionConflictError) throw conflict()
      throw err
    }
  }

  async skip(caller: Caller, row: RowRef, reason: string): Promise<void> {
    await this.#open(caller, row)
    await this.#repos.labels.skip(row.projectId, row.dataRowId, caller.userId, reason)
  }

  async #lease(caller: Caller, projectId: string, purpose: 'label' | 'review'): Promise<QueueNext> {
    const labels = this.#repos.labels
    const at = this.#now()
    for (let offset = 0, pages = 0; pages < 20; pages++, offset += CANDIDATE_PAGE) {
      const ids =
        purpose === 'label'
          ? await labels.labelCandidates(projectId, caller.userId, offset, CANDIDATE_PAGE, at)
          : await labels.reviewCandidates(projectId, caller.userId, offset, CANDIDATE_PAGE, at)
      for (const id of ids) {
        const lease = await labels.tryLease(
          projectId,
          id,
          caller.userId,
          purpose,
          this.#leaseMs,
          this.#now(),
        )
        if (!lease) continue
        const { blobKey: _blobKey, ...dataRow } = await this.#catalog.getDataRow(caller, id)
        return { dataRow, lease: toLease(lease) }
      }
      if (ids.length < CANDIDATE_PAGE) break
    }
    return { dataRow: null, lease: null }
  }

  async nextToLabel(caller: Caller, projectId: string): Promise<QueueNext> {
    await this.#projects.getProject(caller, projectId)
    return this.#lease(caller, projectId, 'label')
  }

  async nextToReview(caller: Caller, projectId: string): Promise<QueueNext> {
    await this.#projects.getProject(caller, projectId)
    return this.#lease(caller, projectId, 'review')
  }

  async counts(caller: Caller, projectId: string): Promise<LabelingCounts> {
    await this.#projects.getProject(caller, projectId)
    return this.#repos.labels.counts(projectId, this.#now())
  }

  async listRows(
    caller: Caller,
    projectId: string,
    query: ListRowsQuery,
  ): Promise<{ items: LabelingRow[]; nextCursor: string | null }> {
    await this.#projects.getProject(caller, projectId)
    const offset = Number(query.cursor ?? 0)
    const limit = query.limit ?? 100
    const rows = await this.#repos.labels.listRows(
      projectId,
      query.status,
      offset,
      limit + 1,
      this.#now(),
    )
    const page = rows.slice(0, limit)
    const comments = await this.#repos.labels.latestComments(
      projectId,
      page.map((r) => r.dataRowId),
    )
    return {
      items: page.map((r) => ({
        dataRowId: r.dataRowId,
        globalKey: r.globalKey,
        status: r.status,
        labelId: r.labelId,
        labelerId: r.labelerId,
        updatedAt: r.updatedAt,
        lease: r.lease ? toLease(r.lease) : null,
        reviewComment: comments.get(r.dataRowId) ?? null,
      })),
      nextCursor: rows.length > limit ? String(offset + limit) : null,
    }
  }
}
