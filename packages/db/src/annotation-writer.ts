/**
 * The import hot path: upserts a chunk of annotations in one transaction with the driver
 * directly (a prepared statement on SQLite; on PostgreSQL, COPY into a staging table, then one
 * upsert).
 * Re-importing a uuid on a data row replaces that annotation in its layer.
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type Sqlite from 'better-sqlite3'
import { from as copyFrom } from 'pg-copy-streams'
import { newId } from '@labelport/core'
import type { Connection } from './connect.ts'
import { checkpointColumns, type ImportCheckpoint } from './jobs.ts'

export interface AnnotationRow {
  id: string
  projectId: string
  dataRowId: string
  layer: 'prelabel' | 'label'
  uuid: string
  importId: string
  featureSchemaId: string
  kind: string
  payload: string
}

export interface LabelTouch {
  projectId: string
  dataRowId: string
  isBenchmarkReference: boolean
  /** the user who started the import: the label's creator when it makes the label (migration 0008 columns) */
  createdBy: string | null
}

const UPSERT_SQL = `insert into annotation (id, project_id, data_row_id, layer, uuid, import_id, feature_schema_id, kind, payload, created_at)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  on conflict (project_id, data_row_id, layer, uuid) do update set
    import_id = excluded.import_id, feature_schema_id = excluded.feature_schema_id,
    kind = excluded.kind, payload = excluded.payload, created_at = excluded.created_at`

const LABEL_SQL = `insert into label (id, project_id, data_row_id, is_benchmark_reference, created_at, updated_at, created_by, updated_by)
  values (?, ?, ?, ?, ?, ?, ?, ?)
  on conflict (project_id, data_row_id) do update set
    is_benchmark_reference = max(label.is_benchmark_reference, excluded.is_benchmark_reference), updated_at = excluded.updated_at,
    created_by = coalesce(label.created_by, excluded.created_by), updated_by = coalesce(excluded.updated_by, label.updated_by)`

/**
 * Commits an import's checkpoint in the same transaction as its chunk, and only while `owner`
 * still holds the job: a job taken over or deleted (with its project) writes nothing more.
 */
export interface ImportGuard {
  importId: string
  owner: string
  leaseMs: number
  checkpoint: ImportCheckpoint
  /** the last chunk: the job ends FINISHED in the same transaction */
  finish?: boolean
}

/** The import is no longer this server's (its lease was taken over, or it was deleted). */
export class JobLostError extends Error {
  override readonly name = 'JobLostError'
}

const CHECKPOINT_NAMES = checkpointColumns(
  {
    bytes: 0,
    line: 0,
    statusParts: 0,
    progress: 0,
    total: 0,
    success: 0,
    failure: 0,
    errorCounts: {},
    errorExamples: {},
  },
  0,
).map(([name]) => name)

const FINISH_SET = "state = 'FINISHED', owner = null"

function guardValues(guard: ImportGuard): (string | number)[] {
  return [
    ...checkpointColumns(guard.checkpoint, Date.now() + guard.leaseMs).map(([, v]) => v),
    ...(guard.finish ? [new Date().toISOString()] : []),
    guard.importId,
    guard.owner,
  ]
}

type ChunkWriter = (
  rows: AnnotationRow[],
  labels: LabelTouch[],
  at: string,
  guard: ImportGuard | undefined,
) => void

// one prepared transaction per database handle
const writers = new WeakMap<Sqlite.Database, ChunkWriter>()

/** An annotation's values in the column order of the table (and of UPSERT_SQL and COPY). */
function annotationValues(r: AnnotationRow, at: string): string[] {
  return [
    r.id,
    r.projectId,
    r.dataRowId,
    r.layer,
    r.uuid,
    r.importId,
    r.featureSchemaId,
    r.kind,
    r.payload,
    at,
  ]
}

function sqliteWriter(sqlite: Sqlite.Database): ChunkWriter {
  let write = writers.get(sqlite)
  if (!write) {
    const upsert = sqlite.prepare(UPSERT_SQL)
    const label = sqlite.prepare(LABEL_SQL)
    const checkpoint = sqlite.prepare(
      `update import_job set ${CHECKPOINT_NAMES.map((n) => `${n} = ?`).join(', ')}
       where id = ? and owner = ? and state = 'RUNNING'`,
    )
    const finish = sqlite.prepare(
      `update import_job set ${CHECKPOINT_NAMES.map((n) => `${n} = ?`).join(', ')}, ${FINISH_SET}, finished_at = ?
       where id = ? and owner = ? and state = 'RUNNING'`,
    )
    write = sqlite.transaction(
      (rows: AnnotationRow[], labels: LabelTouch[], at: string, guard: ImportGuard | undefined) => {
        if (guard && (guard.finish ? finish : checkpoint).run(guardValues(guard)).changes !== 1)
          throw new JobLostError(`import ${guard.importId} is no longer this server's`)
        for (const l of labels)
          label.run(
            newId(),
            l.projectId,
            l.dataRowId,
            l.isBenchmarkReference ? 1 : 0,
            at,
            at,
            l.createdBy,
            l.createdBy,
          )
        for (const r of rows) upsert.run(annotationValues(r, at))
      },
    )
    writers.set(sqlite, write)
  }
  return write
}

export async function writeAnnotationRows(
  conn: Connection,
  rows: AnnotationRow[],
  labels: LabelTouch[],
  at: string,
  guard?: ImportGuard,
): Promise<void> {
  if (rows.length === 0 && labels.length === 0 && !guard) return
  // in index order, inserts touch neighbouring pages instead of random ones
  rows.sort((a, b) =>
    a.dataRowId < b.dataRowId
      ? -1
      : a.dataRowId > b.dataRowId
        ? 1
        : a.uuid < b.uuid
          ? -1
          : a.uuid > b.uuid
            ? 1
            : 0,
  )
  if (conn.raw.dialect === 'sqlite') {
    sqliteWriter(conn.raw.sqlite)(rows, labels, at, guard)
    return
  }
  // a uuid may repeat within one chunk only across layers; ON CONFLICT cannot touch a row twice per statement
  const client = await conn.raw.pool.connect()
  try {
    await client.query('begin')
    if (guard) {
      // first: it locks the job row, so a project delete waits for this chunk or this chunk sees it gone
      const values = guardValues(guard)
      const set = CHECKPOINT_NAMES.map((n, i) => `${n} = $${i + 1}`).join(', ')
      const n = CHECKPOINT_NAMES.length + (guard.finish ? 1 : 0)
      const finishSet = guard.finish ? `, ${FINISH_SET}, finished_at = $${n}` : ''
      const updated = await client.query(
        `update import_job set ${set}${finishSet}
         where id = $${n + 1} and owner = $${n + 2} and state = 'RUNNING'`,
        values,
      )
      if (updated.rowCount !== 1)
        throw new JobLostError(`import ${guard.importId} is no longer this server's`)
    }
    if (labels.length > 0) {
      await client.query(
        `insert into label (id, project_id, data_row_id, is_benchmark_reference, created_at, updated_at, created_by, updated_by)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $5::text[], $6::text[], $6::text[])
         on conflict (project_id, data_row_id) do update set
           is_benchmark_reference = greatest(label.is_benchmark_reference, excluded.is_benchmark_reference), updated_at = excluded.updated_at,
           created_by = coalesce(label.created_by, excluded.created_by), updated_by = coalesce(excluded.updated_by, label.updated_by)`,
        [
          labels.map(() => newId()),
          labels.map((l) => l.projectId),
          labels.map((l) => l.dataRowId),
          labels.map((l) => (l.isBenchmarkReference ? 1 : 0)),
          labels.map(() => at),
          labels.map((l) => l.createdBy),
        ],
      )
    }
    if (rows.length > 0) {
      // COPY into a per-session staging table, then one upsert: about twice as fast as unnest()
      await client.query(
        'create temp table if not exists annotation_stage (like annotation) on commit delete rows',
      )
      const text = rows
        .map((r) => annotationValues(r, at).map(escapeCopyText).join('\t'))
        .join('\n')
      await pipeline(
        Readable.from([`${text}\n`]),
        client.query(copyFrom('copy annotation_stage from stdin')),
      )
      await client.query(
        `insert into annotation select * from annotation_stage
         on conflict (project_id, data_row_id, layer, uuid) do update set
           import_id = excluded.import_id, feature_schema_id = excluded.feature_schema_id,
           kind = excluded.kind, payload = excluded.payload, created_at = excluded.created_at`,
      )
    }
    await client.query('commit')
  } catch (err) {
    await client.query('rollback')
    throw err
  } finally {
    client.release()
  }
}

/** COPY's text format: backslash, tab, newline and carriage return are escaped. */
function escapeCopyText(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value
}
