/**
 * Import jobs as stored: created queued, read and paged as domain records. How a job looks to
 * clients (state names, "NN%", file URLs) is the server's business; leases, claims and
 * checkpoints live in jobs.ts.
 */
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { ImportJobSchema, IssueSchema, type ImportKind, type Issue } from '@labelport/core'
import type { ImportJobTable, Schema } from './schema.ts'
import type { ImportCheckpoint } from './jobs.ts'
import {
  DuplicateError,
  isUniqueViolation,
  now,
  readJsonColumn,
  toPage,
  type Page,
} from './query-helpers.ts'

import { importBlobKeys } from './import-blob-keys.ts'

/** The blob key of an import's n-th status part (1-based): one part per committed chunk. */
export function statusPartKey(importId: string, n: number): string {
  return importBlobKeys.statusPart(importId, n)
}

export interface ImportJobRecord {
  id: string
  organizationId: string
  projectId: string
  name: string
  kind: ImportKind
  dryRun: boolean
  state: ImportJobTable['state']
  createdAt: string
  finishedAt: string | null
  /** why a FAILED job stopped before judging every line */
  failureReason: Issue | null
  /** the user who started it (null for jobs from before users existed) */
  createdBy: string | null
  /** the input's blob key (or `fetch:<url>` until a worker has fetched it) */
  inputKey: string
  /** the status file of jobs from before status parts */
  statusKey: string
  /** claims so far (a claim past the limit fails the job) */
  attempts: number
  /** what the job has committed: counts, progress, status parts, input read */
  checkpoint: ImportCheckpoint
  /** 0009: set once the import was reverted (import-revert-repository.ts) */
  revert: RevertRecord | null
}

const RevertRecordSchema = z.object({
  revertedAt: z.string(),
  /** pre-labels of the import removed */
  removed: z.number().int(),
  /** pre-labels it had replaced, put back as they were */
  restored: z.number().int(),
  /** pre-labels it had replaced (restored, unless their data row was deleted since) */
  replaced: z.number().int(),
})
export type RevertRecord = z.infer<typeof RevertRecordSchema>

const ErrorCountsSchema = ImportJobSchema.shape.errorCounts
const ErrorExamplesSchema = ImportJobSchema.shape.errorExamples

export function toImportJobRecord(r: ImportJobTable): ImportJobRecord {
  return {
    id: r.id,
    organizationId: r.organization_id,
    projectId: r.project_id,
    name: r.name,
    kind: r.kind,
    dryRun: r.dry_run === 1,
    state: r.state,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    failureReason:
      r.failure_reason_json === null
        ? null
        : readJsonColumn(IssueSchema, r.failure_reason_json, 'import_job.failure_reason_json'),
    createdBy: r.created_by ?? null,
    inputKey: r.input_key,
    statusKey: r.status_key,
    attempts: r.attempts,
    checkpoint: {
      bytes: r.checkpoint_bytes,
      line: r.checkpoint_line,
      statusParts: r.status_parts,
      progress: r.progress,
      total: r.total,
      success: r.success,
      failure: r.failure,
      errorCounts: readJsonColumn(
        ErrorCountsSchema,
        r.error_counts_json,
        'import_job.error_counts_json',
      ),
      errorExamples: readJsonColumn(
        ErrorExamplesSchema,
        r.error_examples_json,
        'import_job.error_examples_json',
      ),
    },
    revert:
      r.revert_json === null || r.revert_json === undefined
        ? null
        : readJsonColumn(RevertRecordSchema, r.revert_json, 'import_job.revert_json'),
  }
}

export class ImportJobRepository {
  readonly #db: Kysely<Schema>

  constructor(db: Kysely<Schema>) {
    this.#db = db
  }

  /** A queued job; throws DuplicateError when its name is taken in the project. */
  async createImportJob(j: {
    id: string
    organizationId: string
    projectId: string
    name: string
    kind: ImportKind
    dryRun: boolean
    inputKey: string
    statusKey: string
  }): Promise<ImportJobRecord> {
    const row: ImportJobTable = {
      id: j.id,
      organization_id: j.organizationId,
      project_id: j.projectId,
      name: j.name,
      kind: j.kind,
      dry_run: j.dryRun ? 1 : 0,
      state: 'QUEUED',
      progress: 0,
      total: 0,
      success: 0,
      failure: 0,
      error_counts_json: '{}',
      error_examples_json: '{}',
      failure_reason_json: null,
      input_key: j.inputKey,
      status_key: j.statusKey,
      created_at: now(),
      finished_at: null,
      owner: null,
      lease_expires_at: null,
      attempts: 0,
      checkpoint_bytes: 0,
      checkpoint_line: 0,
      status_parts: 0,
      created_by: null,
      revert_json: null,
    }
    try {
      await this.#db.insertInto('import_job').values(row).execute()
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DuplicateError(`import name ${j.name} is taken in this project`)
      throw err
    }
    return toImportJobRecord(row)
  }

  /** The job by id, in the organization (`undefined`: any organization, for the job's own worker). */
  async getImportJob(
    organizationId: string | undefined,
    id: string,
  ): Promise<ImportJobRecord | undefined> {
    let q = this.#db.selectFrom('import_job').selectAll().where('id', '=', id)
    if (organizationId !== undefined) q = q.where('organization_id', '=', organizationId)
    const row = await q.executeTakeFirst()
    return row && toImportJobRecord(row)
  }

  /** Newest first. */
  async listImportJobs(
    projectId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<ImportJobRecord>> {
    let q = this.#db
      .selectFrom('import_job')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('id', 'desc')
      .limit(limit + 1)
    if (cursor) q = q.where('id', '<', cursor)
    return toPage((await q.execute()).map(toImportJobRecord), limit)
  }
}
