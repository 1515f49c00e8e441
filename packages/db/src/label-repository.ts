// Over 500 lines: labels, drafts, leases, skips, versions and reviews change together in one transaction per use case; to split by table next.
/**
 * Every query of labeling (migration 0008, docs/labeling.md): the label's state and version,
 * drafts, leases (one conditional write each, so two servers never lease one row twice), skips,
 * versions, reviews, and the statuses behind the queue, the counts and the review list.
 * The label's annotations stay in the `annotation` table (layer 'label'), as imports write them.
 */
import { sql, type ColumnType, type Kysely, type Transaction } from 'kysely'
import {
  newId,
  type DraftAnnotation,
  type LabelingCounts,
  type LabelingStatus,
  type LabelState,
} from '@labelport/core'
import type { Connection } from './connect.ts'
import type { Schema } from './schema.ts'
import { toAnnotationRow } from './annotation-repository.ts'
import type { AnnotationRecord } from '@labelport/core'
import { z } from 'zod'
import { inChunks, isUniqueViolation, now, readJsonColumn } from './query-helpers.ts'

/** the rejected suggestions column of drafts, checked on read (query-helpers.ts readJsonColumn) */
const UUID_LIST = z.array(z.string())

interface LabelColumns {
  state: LabelState
  version: number
  source: 'editor' | 'import'
  labeler_id: string | null
  created_by: string | null
  updated_by: string | null
}
interface LabelDraftTable {
  project_id: string
  data_row_id: string
  version: number
  annotations_json: string
  user_id: string | null
  created_at: string
  updated_at: string
  /** migration 0010: the pre-label uuids the labeler rejected (JSON array; '[]' by default) */
  rejected_suggestions_json: ColumnType<string, string | undefined, string>
}
interface LabelLeaseTable {
  project_id: string
  data_row_id: string
  user_id: string
  purpose: 'label' | 'review'
  expires_at: number
}
interface LabelSkipTable {
  project_id: string
  data_row_id: string
  user_id: string
  reason: string
  created_at: string
}
interface LabelVersionTable {
  id: string
  project_id: string
  data_row_id: string
  label_id: string
  version: number
  action: 'submit' | 'approve' | 'reject'
  user_id: string | null
  annotations_json: string
  summary_json: string
  created_at: string
}
interface LabelReviewTable {
  id: string
  project_id: string
  data_row_id: string
  label_id: string
  version: number
  decision: 'approve' | 'reject'
  comment: string
  user_id: string | null
  created_at: string
}
type LabelingSchema = Omit<Schema, 'label'> & {
  label: Schema['label'] & LabelColumns
  label_draft: LabelDraftTable
  label_lease: LabelLeaseTable
  label_skip: LabelSkipTable
  label_version: LabelVersionTable
  label_review: LabelReviewTable
}
type Db = Kysely<LabelingSchema> | Transaction<LabelingSchema>

export interface StoredLabel {
  id: string
  state: LabelState
  version: number
  source: 'editor' | 'import'
  labelerId: string | null
  createdBy: string | null
  updatedBy: string | null
  createdAt: string
  updatedAt: string
}
export interface StoredDraft {
  version: number
  annotations: DraftAnnotation[]
  /** pre-label uuids the labeler rejected: not offered again */
  rejectedSuggestions: string[]
  userId: string | null
  createdAt: string
  updatedAt: string
}
export interface StoredLease {
  userId: string
  purpose: 'label' | 'review'
  expiresAt: number
}
export interface StoredReview {
  id: string
  decision: 'approve' | 'reject'
  comment: string
  userId: string | null
  version: number
  createdAt: string
}
export interface RowLabeling {
  label: StoredLabel | null
  draft: StoredDraft | null
  /** only a live one */
  lease: StoredLease | null
}
export interface LabelingRowEntry {
  dataRowId: string
  globalKey: string | null
  status: LabelingStatus
  labelId: string | null
  labelerId: string | null
  updatedAt: string | null
  lease: StoredLease | null
}

/** The row's version: the draft's when there is one, else the label's, else 0. */
export function currentVersion(state: RowLabeling): number {
  return Math.max(state.draft?.version ?? 0, state.label?.version ?? 0)
}

function toLabel(r: LabelingSchema['label']): StoredLabel {
  return {
    id: r.id,
    state: r.state,
    version: Number(r.version),
    source: r.source,
    labelerId: r.labeler_id,
    createdBy: r.created_by,
    updatedBy: r.updated_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/** One status per row, the first that applies (docs/labeling.md, "Counts and statuses"). */
function statusSql(at: number) {
  return sql<LabelingStatus>`case
    when l.state = 'approved' then 'done'
    when l.state = 'submitted' and ls.purpose = 'review' and ls.expires_at > ${at} then 'in_review'
    when l.state = 'submitted' then 'submitted'
    when l.state = 'rejected' then 'rejected'
    when d.data_row_id is not null or ls.expires_at > ${at} then 'in_progress'
    when exists (select 1 from label_skip s where s.project_id = b.project_id and s.data_row_id = b.data_row_id) then 'skipped'
    else 'to_label' end`
}

const ROW_JOINS = sql`from batch_data_row b
  join batch bt on bt.id = b.batch_id
  join data_row dr on dr.id = b.data_row_id
  left join label l on l.project_id = b.project_id and l.data_row_id = b.data_row_id
  left join label_draft d on d.project_id = b.project_id and d.data_row_id = b.data_row_id
  left join label_lease ls on ls.project_id = b.project_id and ls.data_row_id = b.data_row_id`

const COUNT_KEYS: Record<LabelingStatus, keyof LabelingCounts> = {
  to_label: 'toLabel',
  in_progress: 'inProgress',
  skipped: 'skipped',
  submitted: 'submitted',
  in_review: 'inReview',
  rejected: 'rejected',
  done: 'done',
}

/** The write lost a race or was based on a stale version. */
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError'
}

export class LabelRepository {
  readonly #db: Kysely<LabelingSchema>

  constructor(conn: Connection) {
    this.#db = conn.db as unknown as Kysely<LabelingSchema>
  }

  async getRow(projectId: string, dataRowId: string, at = Date.now()): Promise<RowLabeling> {
    return readRow(this.#db, projectId, dataRowId, at)
  }

  async reviews(projectId: string, dataRowId: string): Promise<StoredReview[]> {
    const rows = await this.#db
      .selectFrom('label_review')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('data_row_id', '=', dataRowId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      decision: r.decision,
      comment: r.comment,
      userId: r.user_id,
      version: Number(r.version),
      createdAt: r.created_at,
    }))
  }

  /** The annotations (draft form, with provenance) of the row's latest label version; [] without one. */
  async latestSnapshot(projectId: string, dataRowId: string): Promise<DraftAnnotation[]> {
    const row = await this.#db
      .selectFrom('label_version')
      .select('annotations_json')
      .where('project_id', '=', projectId)
      .where('data_row_id', '=', dataRowId)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst()
    // written by the service after the draft contract checked it (DraftAnnotationSchema)
    return row ? (JSON.parse(row.annotations_json) as DraftAnnotation[]) : []
  }

  /** Label details of many rows for export v2: the label columns and the reviews, by data row. */
  async exportDetails(
    projectId: string,
    dataRowIds: string[],
  ): Promise<
    Map<
      string,
      {
        label: StoredLabel
        reviews: (StoredReview & { userEmail: string | null })[]
        createdByEmail: string | null
      }
    >
  > {
    const out = new Map<
      string,
      {
        label: StoredLabel
        reviews: (StoredReview & { userEmail: string | null })[]
        createdByEmail: string | null
      }
    >()
    for (const ids of inChunks(dataRowIds)) {
      const labels = await this.#db
        .selectFrom('label')
        .leftJoin('app_user', 'app_user.id', 'label.created_by')
        .selectAll('label')
        .select('app_user.email as email')
        .where('label.project_id', '=', projectId)
        .where('label.data_row_id', 'in', ids)
        .execute()
      for (const l of labels)
        out.set(l.data_row_id, { label: toLabel(l), reviews: [], createdByEmail: l.email })
      const reviews = await this.#db
        .selectFrom('label_review')
        .leftJoin('app_user', 'app_user.id', 'label_review.user_id')
        .selectAll('label_review')
        .select('app_user.email as email')
        .where('label_review.project_id', '=', projectId)
        .where('label_review.data_row_id', 'in', ids)
        .orderBy('label_review.created_at')
        .execute()
      for (const r of reviews)
        out.get(r.data_row_id)?.reviews.push({
          id: r.id,
          decision: r.decision,
          comment: r.comment,
          userId: r.user_id,
          version: Number(r.version),
          createdAt: r.created_at,
          userEmail: r.email,
        })
    }
    return out
  }

  /**
   * Takes or renews the lease with one conditional write: inserted when free, updated when expired
   * or already the caller's. False: another user holds it.
   */
  async tryLease(
    projectId: string,
    dataRowId: string,
    userId: string,
    purpose: 'label' | 'review',
    leaseMs: number,
    at = Date.now(),
  ): Promise<StoredLease | null> {
    return tryLease(this.#db, projectId, dataRowId, userId, purpose, at + leaseMs, at)
  }

  async releaseLease(projectId: string, dataRowId: string, userId: string): Promise<void> {
    await endLease(this.#db, projectId, dataRowId, userId)
  }

  /**
   * Writes the whole draft if the row is still at `baseVersion`, renewing the caller's lease in
   * the same transaction. Throws VersionConflictError when it is not, LeaseHeldError when another
   * user holds the lease.
   */
  async saveDraft(input: {
    projectId: string
    dataRowId: string
    baseVersion: number
    annotations: DraftAnnotation[]
    /** replaces the recorded rejections when given; kept as they are when not */
    rejectedSuggestions?: string[]
    userId: string
    leaseMs: number
    /** the time of the write (ms since the epoch; the service's clock) */
    at?: number
  }): Promise<{ version: number; updatedAt: string; lease: StoredLease }> {
    const { projectId, dataRowId, baseVersion, userId } = input
    const at = input.at ?? Date.now()
    const stamp = new Date(at).toISOString()
    const json = JSON.stringify(input.annotations)
    const rejected = input.rejectedSuggestions
      ? { rejected_suggestions_json: JSON.stringify(input.rejectedSuggestions) }
      : {}
    try {
      return await this.#db.transaction().execute(async (trx) => {
        const lease = await tryLease(
          trx,
          projectId,
          dataRowId,
          userId,
          'label',
          at + input.leaseMs,
          at,
        )
        if (!lease) throw new LeaseHeldError()
        const updated = await trx
          .updateTable('label_draft')
          .set({
            version: baseVersion + 1,
            annotations_json: json,
            user_id: userId,
            updated_at: stamp,
            ...rejected,
          })
          .where('project_id', '=', projectId)
          .where('data_row_id', '=', dataRowId)
          .where('version', '=', baseVersion)
          .executeTakeFirst()
        if (Number(updated.numUpdatedRows) !== 1) {
          const state = await readRow(trx, projectId, dataRowId, at)
          if (state.draft || (state.label?.version ?? 0) !== baseVersion)
            throw new VersionConflictError()
          await trx
            .insertInto('label_draft')
            .values({
              project_id: projectId,
              data_row_id: dataRowId,
              version: baseVersion + 1,
              annotations_json: json,
              user_id: userId,
              created_at: stamp,
              updated_at: stamp,
              ...rejected,
            })
            .execute()
        }
        return { version: baseVersion + 1, updatedAt: stamp, lease }
      })
    } catch (err) {
      if (isUniqueViolation(err)) throw new VersionConflictError()
      throw err
    }
  }

  /**
   * The draft becomes the label, atomically: the draft (still at `baseVersion`) is deleted, the
   * label's annotations replaced, a version recorded, the lease released.
   */
  async submit(input: {
    projectId: string
    dataRowId: string
    baseVersion: number
    userId: string
    records: AnnotationRecord[]
    /** the draft annotations (with provenance) as submitted */
    annotations: DraftAnnotation[]
    /** importId per annotation uuid written (pre-labels accepted keep their import; drawn: '') */
    importIdOf: (uuid: string) => string
    summary: unknown
  }): Promise<StoredLabel> {
    const { projectId, dataRowId, baseVersion, userId } = input
    const stamp = now()
    const version = baseVersion + 1
    return this.#db.transaction().execute(async (trx) => {
      const deleted = await trx
        .deleteFrom('label_draft')
        .where('project_id', '=', projectId)
        .where('data_row_id', '=', dataRowId)
        .where('version', '=', baseVersion)
        .executeTakeFirst()
      if (Number(deleted.numDeletedRows) !== 1) throw new VersionConflictError()
      const existing = await trx
        .selectFrom('label')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('data_row_id', '=', dataRowId)
        .executeTakeFirst()
      let labelId: string
      if (existing) {
        labelId = existing.id
        await trx
          .updateTable('label')
          .set({
            state: 'submitted',
            version,
            source: 'editor',
            labeler_id: userId,
            updated_by: userId,
            updated_at: stamp,
          })
          .where('id', '=', labelId)
          .execute()
      } else {
        labelId = newId()
        await trx
          .insertInto('label')
          .values({
            id: labelId,
            project_id: projectId,
            data_row_id: dataRowId,
            is_benchmark_reference: 0,
            created_at: stamp,
            updated_at: stamp,
            state: 'submitted',
            version,
            source: 'editor',
            labeler_id: userId,
            created_by: userId,
            updated_by: userId,
          })
          .execute()
      }
      await trx
        .deleteFrom('annotation')
        .where('project_id', '=', projectId)
        .where('data_row_id', '=', dataRowId)
        .where('layer', '=', 'label')
        .execute()
      const rows = input.records.map((record) => {
        const row = toAnnotationRow({
          projectId,
          importId: input.importIdOf(record.uuid),
          layer: 'label',
          record,
        })
        return {
          id: row.id,
          project_id: row.projectId,
          data_row_id: row.dataRowId,
          layer: row.layer,
          uuid: row.uuid,
          import_id: row.importId,
          feature_schema_id: row.featureSchemaId,
          kind: row.kind,
          payload: row.payload,
          created_at: stamp,
        }
      })
      for (const chunk of inChunks(rows, 200))
        await trx.insertInto('annotation').values(chunk).execute()
      await trx
        .insertInto('label_version')
        .values({
          id: newId(),
          project_id: projectId,
          data_row_id: dataRowId,
          label_id: labelId,
          version,
          action: 'submit',
          user_id: userId,
          annotations_json: JSON.stringify(input.annotations),
          summary_json: JSON.stringify(input.summary),
          created_at: stamp,
        })
        .execute()
      await endLease(trx, projectId, dataRowId)
      const label = await trx
        .selectFrom('label')
        .selectAll()
        .where('id', '=', labelId)
        .executeTakeFirstOrThrow()
      return toLabel(label)
    })
  }

  /**
   * Approves or rejects a submitted label (at `baseVersion` when given). A rejection opens a draft
   * holding `reopened` for the labeler. Null: the label is not submitted (or changed meanwhile).
   */
  async review(input: {
    projectId: string
    dataRowId: string
    userId: string
    decision: 'approve' | 'reject'
    comment: string
    baseVersion: number | undefined
    /** the label's annotations in draft form (the snapshot, and a rejected label's draft) */
    annotations: DraftAnnotation[]
  }): Promise<StoredLabel | null> {
    const { projectId, dataRowId, userId } = input
    const stamp = now()
    return this.#db.transaction().execute(async (trx) => {
      const label = await trx
        .selectFrom('label')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('data_row_id', '=', dataRowId)
        .executeTakeFirst()
      if (!label || label.state !== 'submitted') return null
      const draft = await trx
        .selectFrom('label_draft')
        .select('version')
        .where('project_id', '=', projectId)
        .where('data_row_id', '=', dataRowId)
        .executeTakeFirst()
      const current = Math.max(Number(label.version), Number(draft?.version ?? 0))
      if (input.baseVersion !== undefined && input.baseVersion !== current)
        throw new VersionConflictError()
      const version = current + 1
      const updated = await trx
        .updateTable('label')
        .set({
          state: input.decision === 'approve' ? 'approved' : 'rejected',
          version,
          updated_by: userId,
          updated_at: stamp,
        })
        .where('id', '=', label.id)
        .where('state', '=', 'submitted')
        .where('version', '=', label.version)
        .executeTakeFirst()
      if (Number(updated.numUpdatedRows) !== 1) throw new VersionConflictError()
      await trx
        .insertInto('label_review')
        .values({
          id: newId(),
          project_id: projectId,
          data_row_id: dataRowId,
          label_id: label.id,
          version: Number(label.version),
          decision: input.decision,
          comment: input.comment,
          user_id: userId,
          created_at: stamp,
        })
        .execute()
      await trx
        .insertInto('label_version')
        .values({
          id: newId(),
          project_id: projectId,
          data_row_id: dataRowId,
          label_id: label.id,
          version,
          action: input.decision,
          user_id: userId,
          annotations_json: JSON.stringify(input.annotations),
          summary_json: JSON.stringify({ comment: input.comment }),
          created_at: stamp,
        })
        .execute()
      await trx
        .deleteFrom('label_draft')
        .where('project_id', '=', projectId)
        .where('data_row_id', '=', dataRowId)
        .execute()
      if (input.decision === 'reject')
        await trx
          .insertInto('label_draft')
          .values({
            project_id: projectId,
            data_row_id: dataRowId,
            version,
            annotations_json: JSON.stringify(input.annotations),
            user_id: label.labeler_id,
            created_at: stamp,
            updated_at: stamp,
          })
          .execute()
      await endLease(trx, projectId, dataRowId)
      return toLabel(
        await trx
          .selectFrom('label')
          .selectAll()
          .where('id', '=', label.id)
          .executeTakeFirstOrThrow(),
      )
    })
  }

  async skip(projectId: string, dataRowId: string, userId: string, reason: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('label_skip')
        .values({
          project_id: projectId,
          data_row_id: dataRowId,
          user_id: userId,
          reason,
          created_at: now(),
        })
        .onConflict((oc) =>
          oc
            .columns(['project_id', 'data_row_id', 'user_id'])
            .doUpdateSet({ reason, created_at: now() }),
        )
        .execute()
      await endLease(trx, projectId, dataRowId, userId)
    })
  }

  /**
   * Candidates for the caller's next row to label, best first (docs/labeling.md, "The queue"):
   * their live lease, their rejected rows, their drafts, then free rows by batch priority.
   */
  async labelCandidates(
    projectId: string,
    userId: string,
    offset: number,
    limit: number,
    at = Date.now(),
  ): Promise<string[]> {
    const free = sql`(ls.data_row_id is null or ls.expires_at <= ${at} or ls.user_id = ${userId})`
    const notSkipped = sql`not exists (select 1 from label_skip s where s.project_id = b.project_id and s.data_row_id = b.data_row_id and s.user_id = ${userId})`
    const rows = await sql<{ data_row_id: string }>`
      select data_row_id from (
        select b.data_row_id, bt.priority, bt.created_at as batch_created_at, bt.id as batch_id,
          dr.created_at as row_created_at, case
          when ls.user_id = ${userId} and ls.expires_at > ${at} and ls.purpose = 'label' and (l.id is null or l.state = 'rejected') then 0
          when l.state = 'rejected' and l.labeler_id = ${userId} and ${free} then 1
          when l.id is null and d.user_id = ${userId} and ${free} and ${notSkipped} then 2
          when l.id is null and d.data_row_id is null and ${free} and ${notSkipped} then 3
          when l.id is null and ${free} and ${notSkipped} then 4
          else null end as queue_rank
        ${ROW_JOINS}
        where b.project_id = ${projectId}) t
      where queue_rank is not null
      order by queue_rank, priority, batch_created_at, batch_id, row_created_at, data_row_id
      limit ${limit} offset ${offset}`.execute(this.#db)
    return rows.rows.map((r) => r.data_row_id)
  }

  /** Submitted labels nobody (else) is reviewing, the caller's own lease first, oldest first. */
  async reviewCandidates(
    projectId: string,
    userId: string,
    offset: number,
    limit: number,
    at = Date.now(),
  ): Promise<string[]> {
    const rows = await sql<{ data_row_id: string }>`
      select l.data_row_id from label l
      join batch_data_row b on b.project_id = l.project_id and b.data_row_id = l.data_row_id
      left join label_lease ls on ls.project_id = l.project_id and ls.data_row_id = l.data_row_id
      where l.project_id = ${projectId} and l.state = 'submitted'
        and (ls.data_row_id is null or ls.expires_at <= ${at} or ls.user_id = ${userId})
      order by case when ls.user_id = ${userId} and ls.expires_at > ${at} then 0 else 1 end, l.updated_at, l.id
      limit ${limit} offset ${offset}`.execute(this.#db)
    return rows.rows.map((r) => r.data_row_id)
  }

  async counts(projectId: string, at = Date.now()): Promise<LabelingCounts> {
    const rows = await sql<{ status: LabelingStatus; n: number }>`
      select status, count(*) as n from (select ${statusSql(at)} as status ${ROW_JOINS} where b.project_id = ${projectId}) t
      group by status`.execute(this.#db)
    const counts: LabelingCounts = {
      total: 0,
      toLabel: 0,
      inProgress: 0,
      skipped: 0,
      submitted: 0,
      inReview: 0,
      rejected: 0,
      done: 0,
    }
    for (const r of rows.rows) {
      counts[COUNT_KEYS[r.status]] = Number(r.n)
      counts.total += Number(r.n)
    }
    return counts
  }

  async listRows(
    projectId: string,
    status: LabelingStatus | undefined,
    offset: number,
    limit: number,
    at = Date.now(),
  ): Promise<LabelingRowEntry[]> {
    const rows = await sql<{
      data_row_id: string
      global_key: string | null
      status: LabelingStatus
      label_id: string | null
      labeler_id: string | null
      label_updated_at: string | null
      draft_updated_at: string | null
      lease_user_id: string | null
      lease_purpose: 'label' | 'review' | null
      lease_expires_at: number | null
    }>`
      select * from (
        select b.data_row_id, dr.global_key, ${statusSql(at)} as status, l.id as label_id,
          coalesce(l.labeler_id, d.user_id) as labeler_id, l.updated_at as label_updated_at,
          d.updated_at as draft_updated_at, ls.user_id as lease_user_id, ls.purpose as lease_purpose,
          ls.expires_at as lease_expires_at, bt.priority, bt.created_at as batch_created_at, bt.id as batch_id,
          dr.created_at as row_created_at
        ${ROW_JOINS} where b.project_id = ${projectId}) t
      where ${status === undefined ? sql`1 = 1` : sql`status = ${status}`}
      order by priority, batch_created_at, batch_id, row_created_at, data_row_id
      limit ${limit} offset ${offset}`.execute(this.#db)
    return rows.rows.map((r) => ({
      dataRowId: r.data_row_id,
      globalKey: r.global_key,
      status: r.status,
      labelId: r.label_id,
      labelerId: r.labeler_id,
      updatedAt:
        [r.label_updated_at, r.draft_updated_at]
          .filter((v): v is string => v !== null)
          .sort()
          .at(-1) ?? null,
      lease:
        r.lease_user_id !== null && r.lease_purpose !== null && Number(r.lease_expires_at) > at
          ? {
              userId: r.lease_user_id,
              purpose: r.lease_purpose,
              expiresAt: Number(r.lease_expires_at),
            }
          : null,
    }))
  }

  /** The latest review comment of each row (for the review list). */
  async latestComments(projectId: string, dataRowIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    for (const ids of inChunks(dataRowIds)) {
      const rows = await this.#db
        .selectFrom('label_review')
        .select(['data_row_id', 'comment', 'created_at'])
        .where('project_id', '=', projectId)
        .where('data_row_id', 'in', ids)
        .orderBy('created_at')
        .execute()
      for (const r of rows) out.set(r.data_row_id, r.comment)
    }
    return out
  }
}

/** Another user holds the row's live lease. */
export class LeaseHeldError extends Error {
  override readonly name = 'LeaseHeldError'
}

async function readRow(
  db: Db,
  projectId: string,
  dataRowId: string,
  at: number,
): Promise<RowLabeling> {
  const [label, draft, lease] = await Promise.all([
    db
      .selectFrom('label')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('data_row_id', '=', dataRowId)
      .executeTakeFirst(),
    db
      .selectFrom('label_draft')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('data_row_id', '=', dataRowId)
      .executeTakeFirst(),
    db
      .selectFrom('label_lease')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('data_row_id', '=', dataRowId)
      .where('expires_at', '>', at)
      .executeTakeFirst(),
  ])
  return {
    label: label ? toLabel(label) : null,
    draft: draft
      ? {
          version: Number(draft.version),
          annotations: JSON.parse(draft.annotations_json) as DraftAnnotation[],
          rejectedSuggestions: readJsonColumn(
            UUID_LIST,
            draft.rejected_suggestions_json,
            'label_draft.rejected_suggestions_json',
          ),
          userId: draft.user_id,
          createdAt: draft.created_at,
          updatedAt: draft.updated_at,
        }
      : null,
    lease: lease
      ? { userId: lease.user_id, purpose: lease.purpose, expiresAt: Number(lease.expires_at) }
      : null,
  }
}

async function tryLease(
  db: Db,
  projectId: string,
  dataRowId: string,
  userId: string,
  purpose: 'label' | 'review',
  expiresAt: number,
  at: number,
): Promise<StoredLease | null> {
  const result = await db
    .insertInto('label_lease')
    .values({
      project_id: projectId,
      data_row_id: dataRowId,
      user_id: userId,
      purpose,
      expires_at: expiresAt,
    })
    .onConflict((oc) =>
      oc
        .columns(['project_id', 'data_row_id'])
        .doUpdateSet({ user_id: userId, purpose, expires_at: expiresAt })
        .where((eb) =>
          eb.or([eb('label_lease.user_id', '=', userId), eb('label_lease.expires_at', '<=', at)]),
        ),
    )
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1 ? { userId, purpose, expiresAt } : null
}

/** Ends the row's lease: whoever holds it, or only `userId`'s. */
function endLease(db: Db, projectId: string, dataRowId: string, userId?: string): Promise<unknown> {
  return db
    .deleteFrom('label_lease')
    .where('project_id', '=', projectId)
    .where('data_row_id', '=', dataRowId)
    .$if(userId !== undefined, (q) => q.where('user_id', '=', userId ?? ''))
    .execute()
}
