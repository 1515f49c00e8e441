/**
 * Annotations and labels: an accepted record becomes a row here (and back), chunks are written
 * through the import hot path (annotation-writer.ts), and the reads export, views and evaluations
 * need. Stored records are checked with their schema when read.
 */
import type { Kysely } from 'kysely'
import {
  AnnotationRecordSchema,
  newId,
  type AnnotationLayer,
  type AnnotationRecord,
  type ProjectDataRow,
} from '@labelport/core'
import type { Connection } from './connect.ts'
import type { Schema } from './schema.ts'
import {
  writeAnnotationRows,
  type AnnotationRow,
  type ImportGuard,
  type LabelTouch,
} from './annotation-writer.ts'
import { metadataOf, toDataRow } from './dataset-repository.ts'
import { inChunks, now, readJsonColumn, toPage, type Page } from './query-helpers.ts'

/** A stored annotation: its record, where it is (data row, layer) and which import wrote it. */
export interface AnnotationEntry {
  id: string
  dataRowId: string
  layer: AnnotationLayer
  importId: string
  record: AnnotationRecord
}

/** The label of a data row in a project: it exists once a ground-truth import touched the row. */
export interface LabelEntry {
  id: string
  isBenchmarkReference: boolean
  createdAt: string
  updatedAt: string
}

/** The row an accepted record is written as (upserted by project, data row, layer, uuid). */
export function toAnnotationRow(a: {
  projectId: string
  importId: string
  layer: AnnotationLayer
  record: AnnotationRecord
}): AnnotationRow {
  const { record } = a
  return {
    id: newId(),
    projectId: a.projectId,
    dataRowId: record.dataRowId,
    layer: a.layer,
    uuid: record.uuid,
    importId: a.importId,
    featureSchemaId: record.featureSchemaId,
    kind:
      record.kind === 'object'
        ? record.geometry.type
        : record.kind === 'classification'
          ? record.classification.type
          : 'relationship',
    payload: JSON.stringify(record),
  }
}

function toRecord(payload: string): AnnotationRecord {
  return readJsonColumn(AnnotationRecordSchema, payload, 'annotation.payload')
}

export class AnnotationRepository {
  readonly #conn: Connection
  readonly #db: Kysely<Schema>

  constructor(conn: Connection) {
    this.#conn = conn
    this.#db = conn.db
  }

  /** Writes one chunk of accepted annotations atomically (upsert by project, data row, layer, uuid). */
  async writeAnnotations(
    rows: AnnotationRow[],
    labels: LabelTouch[],
    guard?: ImportGuard,
  ): Promise<void> {
    await writeAnnotationRows(this.#conn, rows, labels, now(), guard)
  }

  /** The project's annotations on these data rows, by data row, then in the order they were written. */
  async *streamProjectAnnotations(
    projectId: string,
    dataRowIds: string[],
  ): AsyncGenerator<AnnotationEntry> {
    for (const chunk of inChunks(dataRowIds)) {
      const rows = await this.#db
        .selectFrom('annotation')
        .select(['id', 'data_row_id', 'layer', 'import_id', 'payload'])
        .where('project_id', '=', projectId)
        .where('data_row_id', 'in', chunk)
        .orderBy('data_row_id')
        .orderBy('created_at')
        .orderBy('id')
        .execute()
      for (const r of rows)
        yield {
          id: r.id,
          dataRowId: r.data_row_id,
          layer: r.layer,
          importId: r.import_id,
          record: toRecord(r.payload),
        }
    }
  }

  async getAnnotation(projectId: string, id: string): Promise<AnnotationEntry | undefined> {
    const r = await this.#db
      .selectFrom('annotation')
      .select(['id', 'data_row_id', 'layer', 'import_id', 'payload'])
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .executeTakeFirst()
    return (
      r && {
        id: r.id,
        dataRowId: r.data_row_id,
        layer: r.layer,
        importId: r.import_id,
        record: toRecord(r.payload),
      }
    )
  }

  /** The labels of these data rows in the project, by data row id (rows without one are absent). */
  async getLabels(projectId: string, dataRowIds: string[]): Promise<Map<string, LabelEntry>> {
    const out = new Map<string, LabelEntry>()
    for (const chunk of inChunks(dataRowIds)) {
      const rows = await this.#db
        .selectFrom('label')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('data_row_id', 'in', chunk)
        .execute()
      for (const r of rows)
        out.set(r.data_row_id, {
          id: r.id,
          isBenchmarkReference: r.is_benchmark_reference === 1,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
        })
    }
    return out
  }

  /** The project's data rows in id order (keyset pages), with their batch and annotation counts. */
  async listProjectDataRows(
    projectId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<ProjectDataRow & { blobKey: string }>> {
    let q = this.#db
      .selectFrom('batch_data_row')
      .innerJoin('data_row', 'data_row.id', 'batch_data_row.data_row_id')
      .selectAll('data_row')
      .select([
        'batch_data_row.batch_id',
        (eb) =>
          eb
            .selectFrom('annotation')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('annotation.data_row_id', '=', 'data_row.id')
            .where('annotation.project_id', '=', projectId)
            .where('annotation.layer', '=', 'prelabel')
            .as('prelabel_count'),
        (eb) =>
          eb
            .selectFrom('annotation')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('annotation.data_row_id', '=', 'data_row.id')
            .where('annotation.project_id', '=', projectId)
            .where('annotation.layer', '=', 'label')
            .as('label_count'),
      ])
      .where('batch_data_row.project_id', '=', projectId)
      .orderBy('data_row.id')
      .limit(limit + 1)
    if (cursor) q = q.where('data_row.id', '>', cursor)
    const rows = await q.execute()
    const metadata = await metadataOf(
      this.#db,
      rows.map((r) => r.id),
    )
    const items = rows.map((r) => ({
      ...toDataRow(r, metadata.get(r.id)),
      blobKey: r.blob_key,
      batchId: r.batch_id,
      prelabelCount: Number(r.prelabel_count ?? 0),
      labelCount: Number(r.label_count ?? 0),
    }))
    return toPage(items, limit)
  }

  async countAnnotations(projectId: string): Promise<{ prelabel: number; label: number }> {
    const rows = await this.#db
      .selectFrom('annotation')
      .select(['layer', (eb) => eb.fn.countAll<number>().as('n')])
      .where('project_id', '=', projectId)
      .groupBy('layer')
      .execute()
    const out = { prelabel: 0, label: 0 }
    for (const r of rows) out[r.layer] = Number(r.n)
    return out
  }
}
