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
}

const UPSERT_SQL = `insert into annotation (id, project_id, data_row_id, layer, uuid, import_id, feature_schema_id, kind, payload, created_at)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  on conflict (project_id, data_row_id, layer, uuid) do update set
    import_id = excluded.import_id, feature_schema_id = excluded.feature_schema_id,
    kind = excluded.kind, payload = excluded.payload, created_at = excluded.created_at`

const LABEL_SQL = `insert into label (id, project_id, data_row_id, is_benchmark_reference, created_at, updated_at)
  values (?, ?, ?, ?, ?, ?)
  on conflict (project_id, data_row_id) do update set
    is_benchmark_reference = max(label.is_benchmark_reference, excluded.is_benchmark_reference), updated_at = excluded.updated_at`

type ChunkWriter = (rows: AnnotationRow[], labels: LabelTouch[], at: string) => void

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
    write = sqlite.transaction((rows: AnnotationRow[], labels: LabelTouch[], at: string) => {
      for (const l of labels)
        label.run(newId(), l.projectId, l.dataRowId, l.isBenchmarkReference ? 1 : 0, at, at)
      for (const r of rows) upsert.run(annotationValues(r, at))
    })
    writers.set(sqlite, write)
  }
  return write
}

export async function writeAnnotationRows(
  conn: Connection,
  rows: AnnotationRow[],
  labels: LabelTouch[],
  at: string,
): Promise<void> {
  if (rows.length === 0 && labels.length === 0) return
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
    sqliteWriter(conn.raw.sqlite)(rows, labels, at)
    return
  }
  // a uuid may repeat within one chunk only across layers; ON CONFLICT cannot touch a row twice per statement
  const client = await conn.raw.pool.connect()
  try {
    await client.query('begin')
    if (labels.length > 0) {
      await client.query(
        `insert into label (id, project_id, data_row_id, is_benchmark_reference, created_at, updated_at)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $5::text[])
         on conflict (project_id, data_row_id) do update set
           is_benchmark_reference = greatest(label.is_benchmark_reference, excluded.is_benchmark_reference), updated_at = excluded.updated_at`,
        [
          labels.map(() => newId()),
          labels.map((l) => l.projectId),
          labels.map((l) => l.dataRowId),
          labels.map((l) => (l.isBenchmarkReference ? 1 : 0)),
          labels.map(() => at),
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
