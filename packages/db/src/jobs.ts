/**
 * Job ownership for crash safety, on both dialects: import jobs and create-data-rows tasks get an
 * owner (one server process) with a lease (ms since the epoch) that the owner renews while it
 * works. Any server claims a queued job or one whose lease expired, with one conditional UPDATE
 * (the WHERE is re-checked on the row, so two servers never both win). Every write of an owner is
 * guarded by `owner = me`: a server that lost its job (taken over, or deleted with its project)
 * finds out at its next write and stops.
 */
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely'
import type { ImportJob, Issue, Task } from '@labelport/core'
import type { Connection } from './connect.ts'
import type { ImportJobTable, Schema, TaskTable } from './schema.ts'

/** What an import has committed: input read so far, counts, and status parts written. */
export interface ImportCheckpoint {
  bytes: number
  line: number
  statusParts: number
  progress: number
  total: number
  success: number
  failure: number
  errorCounts: Record<string, number>
  errorExamples: ImportJob['errorExamples']
}

/** The columns a checkpoint sets, in one order for both dialects' raw statements. */
export function checkpointColumns(
  c: ImportCheckpoint,
  leaseExpiresAt: number,
): [string, string | number][] {
  return [
    ['checkpoint_bytes', c.bytes],
    ['checkpoint_line', c.line],
    ['status_parts', c.statusParts],
    ['progress', c.progress],
    ['total', c.total],
    ['success', c.success],
    ['failure', c.failure],
    ['error_counts_json', JSON.stringify(c.errorCounts)],
    ['error_examples_json', JSON.stringify(c.errorExamples)],
    ['lease_expires_at', leaseExpiresAt],
  ]
}

const now = (): string => new Date().toISOString()

/** The lease of a row has expired (or it never had one) at `t`: the one rule every claim uses. */
function leaseExpired(t: number, column = 'lease_expires_at'): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref(column)} is null or ${sql.ref(column)} < ${t})`
}

/** Each job table with the column and value that mean "still being worked on". */
const ACTIVE = {
  import_job: sql<SqlBool>`state = 'RUNNING'`,
  task: sql<SqlBool>`status = 'IN_PROGRESS'`,
} as const

export class JobRepository {
  readonly #db: Kysely<Schema>

  constructor(conn: Connection) {
    this.#db = conn.db
  }

  // ── import jobs ────────────────────────────────────────────────────────

  /**
   * Claims one import: queued, or RUNNING with an expired (or no) lease. Among candidates, the
   * organization with the fewest jobs running now goes first (fairness), then the oldest job.
   */
  async claimImport(owner: string, leaseMs: number): Promise<ImportJobTable | undefined> {
    for (let tries = 0; tries < 10; tries++) {
      const t = Date.now()
      const next = await this.#db
        .selectFrom('import_job as j')
        .select(['j.id', 'j.state', 'j.owner'])
        .where((eb) =>
          eb.or([
            eb('j.state', '=', 'QUEUED'),
            eb.and([eb('j.state', '=', 'RUNNING'), leaseExpired(t, 'j.lease_expires_at')]),
          ]),
        )
        .orderBy(
          (eb) =>
            eb
              .selectFrom('import_job as r')
              .select((e) => e.fn.countAll().as('n'))
              .whereRef('r.organization_id', '=', 'j.organization_id')
              .where('r.state', '=', 'RUNNING')
              .where('r.lease_expires_at', '>=', t),
          'asc',
        )
        .orderBy('j.created_at')
        .limit(1)
        .executeTakeFirst()
      if (!next) return undefined
      const claimed = await this.#db
        .updateTable('import_job')
        .set({
          state: 'RUNNING',
          owner,
          lease_expires_at: Date.now() + leaseMs,
          attempts: sql<number>`attempts + 1`,
        })
        .where('id', '=', next.id)
        .where((eb) =>
          eb.or([
            eb('state', '=', 'QUEUED'),
            eb.and([eb('state', '=', 'RUNNING'), leaseExpired(t)]),
          ]),
        )
        .executeTakeFirst()
      if (Number(claimed.numUpdatedRows) === 1)
        return this.#db
          .selectFrom('import_job')
          .selectAll()
          .where('id', '=', next.id)
          .executeTakeFirst()
    }
    return undefined
  }

  /** Extends the lease; false when this owner no longer holds the job (taken over or deleted). */
  renewImport(id: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.#renew('import_job', id, owner, leaseMs)
  }

  /** Graceful stop: gives the job back (its lease expired at once); the stop is not an attempt. */
  releaseImport(id: string, owner: string): Promise<void> {
    return this.#release('import_job', id, owner)
  }

  /** The lease renewal of both job tables: only the owner, only while the job is active. */
  async #renew(table: keyof typeof ACTIVE, id: string, owner: string, leaseMs: number) {
    const r = await this.#db
      .updateTable(table)
      .set({ lease_expires_at: Date.now() + leaseMs })
      .where('id', '=', id)
      .where('owner', '=', owner)
      .where(ACTIVE[table])
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  /** A graceful stop of either job table: no owner, lease over, and the claim not counted. */
  async #release(table: keyof typeof ACTIVE, id: string, owner: string): Promise<void> {
    await this.#db
      .updateTable(table)
      .set({ owner: null, lease_expires_at: 0, attempts: sql<number>`attempts - 1` })
      .where('id', '=', id)
      .where('owner', '=', owner)
      .where(ACTIVE[table])
      .execute()
  }

  /** Sets the fetched input's key; false when the job is no longer this owner's. */
  async setImportInputKey(id: string, owner: string, inputKey: string): Promise<boolean> {
    const r = await this.#db
      .updateTable('import_job')
      .set({ input_key: inputKey })
      .where('id', '=', id)
      .where('owner', '=', owner)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  /** Ends the job FINISHED (with its final checkpoint) or FAILED (with a reason). */
  async endImport(
    id: string,
    owner: string,
    end:
      | { state: 'FINISHED'; checkpoint: ImportCheckpoint }
      | { state: 'FAILED'; reason: Issue; checkpoint?: ImportCheckpoint },
  ): Promise<boolean> {
    const c = end.checkpoint
    const r = await this.#db
      .updateTable('import_job')
      .set({
        state: end.state,
        owner: null,
        lease_expires_at: null,
        finished_at: now(),
        ...(end.state === 'FINISHED' ? { progress: 100 } : {}),
        ...(end.state === 'FAILED' ? { failure_reason_json: JSON.stringify(end.reason) } : {}),
        ...(c
          ? {
              status_parts: c.statusParts,
              total: c.total,
              success: c.success,
              failure: c.failure,
              error_counts_json: JSON.stringify(c.errorCounts),
              error_examples_json: JSON.stringify(c.errorExamples),
            }
          : {}),
      })
      .where('id', '=', id)
      .where('owner', '=', owner)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  async importExists(id: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('import_job')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst()
    return row !== undefined
  }

  // ── create-data-rows tasks ─────────────────────────────────────────────

  /** Claims an IN_PROGRESS task whose lease expired (its server stopped or crashed). */
  async claimTask(owner: string, leaseMs: number): Promise<TaskTable | undefined> {
    for (let tries = 0; tries < 10; tries++) {
      const t = Date.now()
      const next = await this.#db
        .selectFrom('task')
        .select('id')
        .where('status', '=', 'IN_PROGRESS')
        .where(leaseExpired(t))
        .orderBy('created_at')
        .limit(1)
        .executeTakeFirst()
      if (!next) return undefined
      const claimed = await this.#db
        .updateTable('task')
        .set({
          owner,
          lease_expires_at: Date.now() + leaseMs,
          attempts: sql<number>`attempts + 1`,
        })
        .where('id', '=', next.id)
        .where('status', '=', 'IN_PROGRESS')
        .where(leaseExpired(t))
        .executeTakeFirst()
      if (Number(claimed.numUpdatedRows) === 1)
        return this.#db.selectFrom('task').selectAll().where('id', '=', next.id).executeTakeFirst()
    }
    return undefined
  }

  /** Records progress (the next item, the rows made, the errors) and renews the lease. */
  async checkpointTask(
    id: string,
    owner: string,
    leaseMs: number,
    c: {
      nextItem: number
      progress: number
      created: Task['createdDataRows']
      errors: Task['errors']
    },
  ): Promise<boolean> {
    const r = await this.#db
      .updateTable('task')
      .set({
        checkpoint_item: c.nextItem,
        progress: c.progress,
        result_json: JSON.stringify(c.created),
        errors_json: JSON.stringify(c.errors),
        lease_expires_at: Date.now() + leaseMs,
      })
      .where('id', '=', id)
      .where('owner', '=', owner)
      .where('status', '=', 'IN_PROGRESS')
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  renewTask(id: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.#renew('task', id, owner, leaseMs)
  }

  releaseTask(id: string, owner: string): Promise<void> {
    return this.#release('task', id, owner)
  }

  async endTask(
    id: string,
    owner: string,
    end: {
      status: 'COMPLETE' | 'FAILED'
      created: Task['createdDataRows']
      errors: Task['errors']
    },
  ): Promise<boolean> {
    const r = await this.#db
      .updateTable('task')
      .set({
        status: end.status,
        progress: end.status === 'COMPLETE' ? 100 : sql<number>`progress`,
        result_json: JSON.stringify(end.created),
        errors_json: JSON.stringify(end.errors),
        completed_at: now(),
        input_json: null,
        owner: null,
        lease_expires_at: null,
      })
      .where('id', '=', id)
      .where('owner', '=', owner)
      .where('status', '=', 'IN_PROGRESS')
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  /** Data rows by global key, with what a retry compares: dataset and row data. */
  async dataRowsByGlobalKey(
    organizationId: string,
    keys: string[],
  ): Promise<Map<string, { id: string; datasetId: string; rowData: string }>> {
    const out = new Map<string, { id: string; datasetId: string; rowData: string }>()
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await this.#db
        .selectFrom('data_row')
        .select(['id', 'dataset_id', 'row_data', 'global_key'])
        .where('organization_id', '=', organizationId)
        .where('global_key', 'in', keys.slice(i, i + 500))
        .execute()
      for (const r of rows)
        if (r.global_key !== null)
          out.set(r.global_key, { id: r.id, datasetId: r.dataset_id, rowData: r.row_data })
    }
    return out
  }

  async dataRowById(
    id: string,
  ): Promise<{ id: string; globalKey: string | null; rowData: string } | undefined> {
    const r = await this.#db
      .selectFrom('data_row')
      .select(['id', 'global_key', 'row_data'])
      .where('id', '=', id)
      .executeTakeFirst()
    return r && { id: r.id, globalKey: r.global_key, rowData: r.row_data }
  }

  // ── at start ───────────────────────────────────────────────────────────

  /**
   * SQLite: one server per data folder (the database is locked by it), so every job that is
   * RUNNING or IN_PROGRESS now belongs to a process that is gone: its lease ends now.
   */
  async expireAllLeases(): Promise<void> {
    await this.#db
      .updateTable('import_job')
      .set({ lease_expires_at: 0 })
      .where('state', '=', 'RUNNING')
      .execute()
    await this.#db
      .updateTable('task')
      .set({ lease_expires_at: 0 })
      .where('status', '=', 'IN_PROGRESS')
      .execute()
  }

  /** A value every server sharing the database must agree on; the first one to set it wins. */
  async settleSetting(name: string, proposed: string): Promise<string> {
    const found = await this.#db
      .selectFrom('server_setting')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirst()
    if (found) return found.value
    await this.#db
      .insertInto('server_setting')
      .values({ name, value: proposed })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute()
    const settled = await this.#db
      .selectFrom('server_setting')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirstOrThrow()
    return settled.value
  }
}
