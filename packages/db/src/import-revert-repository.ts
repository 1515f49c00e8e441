/**
 * Cancel, preview and revert of imports (issue 10, docs/import-revert.md), on both dialects.
 * - Cancel ends a queued or running job CANCELLED. Every chunk commit of the worker is guarded by
 *   `state = 'RUNNING'` (annotation-writer.ts), so what was committed before the cancel stays and
 *   nothing is written after it; on PostgreSQL the cancel waits for a chunk in flight.
 * - A dry run's chunk counts the stored annotations it would replace (same project, data row,
 *   layer and uuid), one row per status part, so a chunk redone after a crash counts once.
 * - A MAL import's replaced pre-labels are copied, as they were, by a trigger on the upsert
 *   (migration 0009). A revert removes the import's pre-labels and puts those rows back, in one
 *   transaction: kill -9 leaves the import either whole or reverted.
 */
import { sql, type Kysely } from 'kysely'
import type { Connection } from './connect.ts'
import type { AnnotationRow } from './annotation-writer.ts'
import type { ImportJobRecord, RevertRecord } from './import-job-repository.ts'
import type { Schema } from './schema.ts'
import { inChunks, now } from './query-helpers.ts'

export interface ImportEffect {
  added: number
  replaced: number
}

export type { RevertRecord } from './import-job-repository.ts'

/** Why a revert cannot run. */
export type RevertRefusal =
  | { refused: 'not_found' }
  | { refused: 'state'; state: string; dryRun: boolean; kind: string; reverted: boolean }
  | { refused: 'blocked'; by: string[] }

const ANNOTATION_COLUMNS =
  'id, project_id, data_row_id, layer, uuid, import_id, feature_schema_id, kind, payload, created_at'

/** Thrown inside the revert transaction to roll it back. */
class Refused extends Error {
  readonly refusal: RevertRefusal
  constructor(refusal: RevertRefusal) {
    super(refusal.refused)
    this.refusal = refusal
  }
}

export class ImportRevertRepository {
  readonly #conn: Connection
  readonly #db: Kysely<Schema>

  constructor(conn: Connection) {
    this.#conn = conn
    this.#db = conn.db
  }

  /** QUEUED or RUNNING → CANCELLED; false when the job had already ended. */
  async cancelImport(id: string): Promise<boolean> {
    const r = await this.#db
      .updateTable('import_job')
      .set({ state: 'CANCELLED', owner: null, lease_expires_at: null, finished_at: now() })
      .where('id', '=', id)
      .where('state', 'in', ['QUEUED', 'RUNNING'])
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  /**
   * A dry run's chunk (status part `part`): how many of its accepted rows would replace a stored
   * annotation. Written before the chunk's checkpoint; parts past the committed ones are ignored.
   */
  async recordPreviewPart(importId: string, part: number, rows: AnnotationRow[]): Promise<void> {
    const replaced = await this.#countStored(rows)
    await this.#db
      .insertInto('import_preview_part')
      .values({ import_id: importId, part, replaced })
      .onConflict((oc) => oc.columns(['import_id', 'part']).doUpdateSet({ replaced }))
      .execute()
  }

  async #countStored(rows: AnnotationRow[]): Promise<number> {
    if (rows.length === 0) return 0
    const raw = this.#conn.raw
    if (raw.dialect === 'sqlite') {
      const stmt = raw.sqlite.prepare(
        `select 1 from annotation where project_id = ? and data_row_id = ? and layer = ? and uuid = ?`,
      )
      let n = 0
      for (const r of rows) if (stmt.get(r.projectId, r.dataRowId, r.layer, r.uuid)) n++
      return n
    }
    let n = 0
    for (const part of inChunks(rows, 10_000)) {
      const found = await raw.pool.query<{ n: number }>(
        `select count(*) as n from annotation a
         join unnest($1::text[], $2::text[], $3::text[], $4::text[]) as k(p, d, l, u)
           on a.project_id = k.p and a.data_row_id = k.d and a.layer = k.l and a.uuid = k.u`,
        [
          part.map((r) => r.projectId),
          part.map((r) => r.dataRowId),
          part.map((r) => r.layer),
          part.map((r) => r.uuid),
        ],
      )
      n += Number(found.rows[0]?.n ?? 0)
    }
    return n
  }

  /**
   * What each job did (a dry run: would do). Known for dry runs and MAL imports; a ground-truth
   * import's replaced labels are not recorded (labels are not reverted), so it has none.
   */
  async effects(jobs: ImportJobRecord[]): Promise<Map<string, ImportEffect>> {
    const out = new Map<string, ImportEffect>()
    const dry = jobs.filter((j) => j.dryRun)
    const mal = jobs.filter((j) => !j.dryRun && j.kind === 'mal' && j.revert === null)
    const replaced = new Map<string, number>()
    for (const part of inChunks(dry.map((j) => j.id))) {
      const rows = await this.#db
        .selectFrom('import_preview_part as p')
        .innerJoin('import_job as j', 'j.id', 'p.import_id')
        .select(['p.import_id as id', (eb) => eb.fn.sum<number>('p.replaced').as('n')])
        .where('p.import_id', 'in', part)
        .whereRef('p.part', '<=', 'j.status_parts')
        .groupBy('p.import_id')
        .execute()
      for (const r of rows) replaced.set(r.id, Number(r.n))
    }
    for (const part of inChunks(mal.map((j) => j.id))) {
      const rows = await this.#db
        .selectFrom('replaced_annotation')
        .select(['replaced_by as id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('replaced_by', 'in', part)
        .groupBy('replaced_by')
        .execute()
      for (const r of rows) replaced.set(r.id, Number(r.n))
    }
    for (const j of jobs) {
      let n: number | undefined
      if (j.dryRun || (j.kind === 'mal' && j.revert === null)) n = replaced.get(j.id) ?? 0
      else if (j.revert) n = j.revert.replaced
      if (n === undefined) continue
      out.set(j.id, { added: Math.max(0, j.checkpoint.success - n), replaced: n })
    }
    return out
  }

  /**
   * Reverts a MAL import in one transaction: its pre-labels go, the pre-labels it replaced come
   * back as they were (those whose data row still exists), and the evaluations that compared its
   * pre-labels go. Refused while the import runs, for dry runs and ground truth, once reverted,
   * and while a later import holds one of its pre-labels (revert that one first).
   */
  async revertImport(importId: string): Promise<RevertRecord | RevertRefusal> {
    try {
      return await this.#db.transaction().execute(async (trx) => {
        const at = now()
        // first: on PostgreSQL it locks the job row (a cancel or a second revert waits)
        const marked = await trx
          .updateTable('import_job')
          .set({
            revert_json: JSON.stringify({ revertedAt: at, removed: 0, restored: 0, replaced: 0 }),
          })
          .where('id', '=', importId)
          .where('revert_json', 'is', null)
          .where('kind', '=', 'mal')
          .where('dry_run', '=', 0)
          .where('state', 'in', ['FINISHED', 'FAILED', 'CANCELLED'])
          .executeTakeFirst()
        if (Number(marked.numUpdatedRows) !== 1) {
          const job = await trx
            .selectFrom('import_job')
            .select(['state', 'dry_run', 'kind', 'revert_json'])
            .where('id', '=', importId)
            .executeTakeFirst()
          throw new Refused(
            job
              ? {
                  refused: 'state',
                  state: job.state,
                  dryRun: job.dry_run === 1,
                  kind: job.kind,
                  reverted: job.revert_json !== null,
                }
              : { refused: 'not_found' },
          )
        }
        const blockers = await sql<{ id: string }>`select distinct replaced_by as id
          from replaced_annotation where import_id = ${importId}`.execute(trx)
        if (blockers.rows.length > 0)
          throw new Refused({ refused: 'blocked', by: blockers.rows.map((r) => r.id).sort() })

        const evaluations = await sql<{ id: string }>`select distinct o.evaluation_id as id
          from evaluation_object o join annotation a on a.id = o.annotation_id
          where a.import_id = ${importId} and a.layer = 'prelabel'`.execute(trx)
        for (const { id } of evaluations.rows) {
          await sql`delete from evaluation_object where evaluation_id = ${id}`.execute(trx)
          await sql`delete from evaluation_data_row where evaluation_id = ${id}`.execute(trx)
          await sql`delete from evaluation where id = ${id}`.execute(trx)
        }
        const replaced = await sql<{ n: number }>`select count(*) as n from replaced_annotation
          where replaced_by = ${importId}`.execute(trx)
        const removed = await sql`delete from annotation
          where import_id = ${importId} and layer = 'prelabel'`.execute(trx)
        // a pre-label whose data row was deleted since stays deleted
        const restored = await sql`insert into annotation (${sql.raw(ANNOTATION_COLUMNS)})
          select ${sql.raw(ANNOTATION_COLUMNS)} from replaced_annotation r
          where r.replaced_by = ${importId}
            and exists (select 1 from data_row d where d.id = r.data_row_id)
          on conflict (project_id, data_row_id, layer, uuid) do nothing`.execute(trx)
        await sql`delete from replaced_annotation where replaced_by = ${importId}`.execute(trx)
        const record: RevertRecord = {
          revertedAt: at,
          removed: Number(removed.numAffectedRows ?? 0),
          restored: Number(restored.numAffectedRows ?? 0),
          replaced: Number(replaced.rows[0]?.n ?? 0),
        }
        await trx
          .updateTable('import_job')
          .set({ revert_json: JSON.stringify(record) })
          .where('id', '=', importId)
          .execute()
        return record
      })
    } catch (err) {
      if (err instanceof Refused) return err.refusal
      throw err
    }
  }
}
