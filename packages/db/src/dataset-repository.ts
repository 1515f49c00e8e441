/** Datasets and their data rows: create, read, page, delete, and the look-ups imports and batches need. */
import type { Kysely } from 'kysely'
import type { DataRow, DataRowUsage, Dataset, MetadataField } from '@labelport/core'
import type { Schema, DataRowTable } from './schema.ts'
import {
  DuplicateError,
  inChunks,
  isUniqueViolation,
  now,
  toPage,
  type Page,
} from './query-helpers.ts'

/** A data row with the key of its image blob (the server's business, never the client's). */
export type StoredDataRow = DataRow & { blobKey: string }

export interface NewDataRow {
  id: string
  organizationId: string
  datasetId: string
  globalKey: string | null
  rowData: string
  blobKey: string
  width: number
  height: number
  mimeType: string
  exifOrientation: number
  /** SHA-256 (hex) of the stored image */
  contentSha256?: string | null | undefined
  metadataFields?: MetadataField[] | undefined
}

/** An import's data row reference resolved: its size, and whether it is in the project's batches. */
export interface DataRowLookup {
  id: string
  globalKey: string | null
  width: number
  height: number
  inProject: boolean
}

/** A data row as the API shows it; its metadata is read separately (`metadataOf`). */
export function toDataRow(r: DataRowTable, metadataFields: MetadataField[] = []): DataRow {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    globalKey: r.global_key,
    rowData: r.row_data,
    mediaAttributes: {
      width: r.width,
      height: r.height,
      mimeType: r.mime_type,
      exifOrientation: r.exif_orientation,
    },
    metadataFields,
    contentSha256: r.content_sha256,
    createdAt: r.created_at,
  }
}

/** The metadata fields of each data row, by name. */
export async function metadataOf(
  db: Kysely<Schema>,
  dataRowIds: readonly string[],
): Promise<Map<string, MetadataField[]>> {
  const out = new Map<string, MetadataField[]>()
  for (const chunk of inChunks(dataRowIds)) {
    const rows = await db
      .selectFrom('data_row_metadata')
      .select(['data_row_id', 'name', 'value'])
      .where('data_row_id', 'in', chunk)
      .orderBy('data_row_id')
      .orderBy('name')
      .execute()
    for (const r of rows) {
      const list = out.get(r.data_row_id) ?? []
      list.push({ name: r.name, value: r.value })
      out.set(r.data_row_id, list)
    }
  }
  return out
}

function toDataset(r: {
  id: string
  name: string
  description: string
  created_at: string
  updated_at: string
  row_count: number | string | null
}): Dataset {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    rowCount: Number(r.row_count ?? 0),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

export class DatasetRepository {
  readonly #db: Kysely<Schema>

  constructor(db: Kysely<Schema>) {
    this.#db = db
  }

  async createDataset(d: {
    id: string
    organizationId: string
    name: string
    description: string
  }): Promise<Dataset> {
    const t = now()
    await this.#db
      .insertInto('dataset')
      .values({
        id: d.id,
        organization_id: d.organizationId,
        name: d.name,
        description: d.description,
        created_at: t,
        updated_at: t,
      })
      .execute()
    return toDataset({ ...d, created_at: t, updated_at: t, row_count: 0 })
  }

  #selectDatasets(organizationId: string) {
    return this.#db
      .selectFrom('dataset')
      .select([
        'id',
        'name',
        'description',
        'created_at',
        'updated_at',
        (eb) =>
          eb
            .selectFrom('data_row')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('data_row.dataset_id', '=', 'dataset.id')
            .as('row_count'),
      ])
      .where('organization_id', '=', organizationId)
  }

  async getDataset(organizationId: string, id: string): Promise<Dataset | undefined> {
    const row = await this.#selectDatasets(organizationId).where('id', '=', id).executeTakeFirst()
    return row && toDataset(row)
  }

  async listDatasets(
    organizationId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<Dataset>> {
    let q = this.#selectDatasets(organizationId)
      .orderBy('id')
      .limit(limit + 1)
    if (cursor) q = q.where('id', '>', cursor)
    return toPage((await q.execute()).map(toDataset), limit)
  }

  /** Inserts one data row; throws DuplicateError when its global key is taken in the organization. */
  async insertDataRow(r: NewDataRow): Promise<DataRow> {
    const row: DataRowTable = {
      id: r.id,
      organization_id: r.organizationId,
      dataset_id: r.datasetId,
      global_key: r.globalKey,
      row_data: r.rowData,
      blob_key: r.blobKey,
      width: r.width,
      height: r.height,
      mime_type: r.mimeType,
      exif_orientation: r.exifOrientation,
      created_at: now(),
      content_sha256: r.contentSha256 ?? null,
    }
    const metadata = r.metadataFields ?? []
    try {
      // the row and its metadata in one transaction: a crash leaves both or neither
      await this.#db.transaction().execute(async (trx) => {
        await trx.insertInto('data_row').values(row).execute()
        if (metadata.length > 0)
          await trx
            .insertInto('data_row_metadata')
            .values(metadata.map((m) => ({ data_row_id: r.id, name: m.name, value: m.value })))
            .execute()
      })
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DuplicateError(`global key ${r.globalKey ?? ''} is taken`)
      throw err
    }
    await this.#db
      .updateTable('dataset')
      .set({ updated_at: row.created_at })
      .where('id', '=', r.datasetId)
      .execute()
    return toDataRow(row, metadata)
  }

  /** Replaces the metadata of a data row of the organization; false when there is no such row. */
  async setMetadata(
    organizationId: string,
    dataRowId: string,
    fields: readonly MetadataField[],
  ): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('data_row')
        .select('id')
        .where('organization_id', '=', organizationId)
        .where('id', '=', dataRowId)
        .executeTakeFirst()
      if (!row) return false
      await trx.deleteFrom('data_row_metadata').where('data_row_id', '=', dataRowId).execute()
      if (fields.length > 0)
        await trx
          .insertInto('data_row_metadata')
          .values(fields.map((m) => ({ data_row_id: dataRowId, name: m.name, value: m.value })))
          .execute()
      return true
    })
  }

  async findGlobalKeys(organizationId: string, keys: string[]): Promise<Set<string>> {
    const found = new Set<string>()
    for (const chunk of inChunks(keys)) {
      const rows = await this.#db
        .selectFrom('data_row')
        .select('global_key')
        .where('organization_id', '=', organizationId)
        .where('global_key', 'in', chunk)
        .execute()
      for (const r of rows) if (r.global_key !== null) found.add(r.global_key)
    }
    return found
  }

  async getDataRow(organizationId: string, id: string): Promise<StoredDataRow | undefined> {
    const row = await this.#db
      .selectFrom('data_row')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) return undefined
    const metadata = await metadataOf(this.#db, [row.id])
    return { ...toDataRow(row, metadata.get(row.id)), blobKey: row.blob_key }
  }

  /** A page of the dataset's rows; with `metadata`, only rows whose field `name` has `value` (any value without one). */
  async listDataRows(
    organizationId: string,
    datasetId: string,
    cursor: string | undefined,
    limit: number,
    metadata?: { name: string; value?: string | undefined },
  ): Promise<Page<DataRow>> {
    let q = this.#db
      .selectFrom('data_row')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('dataset_id', '=', datasetId)
      .orderBy('id')
      .limit(limit + 1)
    if (cursor) q = q.where('id', '>', cursor)
    if (metadata) {
      const { name, value } = metadata
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('data_row_metadata')
            .select('data_row_metadata.data_row_id')
            .whereRef('data_row_metadata.data_row_id', '=', 'data_row.id')
            .where('data_row_metadata.name', '=', name)
            .$if(value !== undefined, (w) => w.where('data_row_metadata.value', '=', value ?? '')),
        ),
      )
    }
    const rows = await q.execute()
    const fields = await metadataOf(
      this.#db,
      rows.map((r) => r.id),
    )
    return toPage(
      rows.map((r) => toDataRow(r, fields.get(r.id))),
      limit,
    )
  }

  /** For each data row, the projects whose batches hold it, with its annotation counts there. */
  async usageOfDataRows(dataRowIds: string[]): Promise<Map<string, DataRowUsage[]>> {
    const out = new Map<string, DataRowUsage[]>()
    for (const chunk of inChunks(dataRowIds)) {
      const rows = await this.#db
        .selectFrom('batch_data_row')
        .innerJoin('project', 'project.id', 'batch_data_row.project_id')
        .select([
          'batch_data_row.data_row_id',
          'batch_data_row.batch_id',
          'project.id as project_id',
          'project.name as project_name',
          (eb) =>
            eb
              .selectFrom('annotation')
              .select((e) => e.fn.countAll<number>().as('n'))
              .whereRef('annotation.project_id', '=', 'batch_data_row.project_id')
              .whereRef('annotation.data_row_id', '=', 'batch_data_row.data_row_id')
              .where('annotation.layer', '=', 'prelabel')
              .as('prelabel_count'),
          (eb) =>
            eb
              .selectFrom('annotation')
              .select((e) => e.fn.countAll<number>().as('n'))
              .whereRef('annotation.project_id', '=', 'batch_data_row.project_id')
              .whereRef('annotation.data_row_id', '=', 'batch_data_row.data_row_id')
              .where('annotation.layer', '=', 'label')
              .as('label_count'),
        ])
        .where('batch_data_row.data_row_id', 'in', chunk)
        .orderBy('project.name')
        .execute()
      for (const r of rows) {
        const list = out.get(r.data_row_id) ?? []
        list.push({
          projectId: r.project_id,
          projectName: r.project_name,
          batchId: r.batch_id,
          prelabelCount: Number(r.prelabel_count ?? 0),
          labelCount: Number(r.label_count ?? 0),
        })
        out.set(r.data_row_id, list)
      }
    }
    return out
  }

  /** Projects (id, name) whose batches hold the data row. */
  async projectsOfDataRow(dataRowId: string): Promise<{ id: string; name: string }[]> {
    return this.#db
      .selectFrom('batch_data_row')
      .innerJoin('project', 'project.id', 'batch_data_row.project_id')
      .select(['project.id', 'project.name'])
      .where('batch_data_row.data_row_id', '=', dataRowId)
      .execute()
  }

  /** Resolves import references: each found row says whether it is in the project's batches. */
  async lookupDataRows(
    organizationId: string,
    projectId: string,
    refs: { ids: string[]; globalKeys: string[] },
  ): Promise<DataRowLookup[]> {
    const out: DataRowLookup[] = []
    const select = () =>
      this.#db
        .selectFrom('data_row')
        .leftJoin('batch_data_row', (j) =>
          j
            .onRef('batch_data_row.data_row_id', '=', 'data_row.id')
            .on('batch_data_row.project_id', '=', projectId),
        )
        .select([
          'data_row.id',
          'data_row.global_key',
          'data_row.width',
          'data_row.height',
          'batch_data_row.batch_id',
        ])
        .where('data_row.organization_id', '=', organizationId)
    const queries = [
      ...[...inChunks(refs.ids)].map((chunk) => select().where('data_row.id', 'in', chunk)),
      ...[...inChunks(refs.globalKeys)].map((chunk) =>
        select().where('data_row.global_key', 'in', chunk),
      ),
    ]
    for (const q of queries)
      for (const r of await q.execute())
        out.push({
          id: r.id,
          globalKey: r.global_key,
          width: r.width,
          height: r.height,
          inProject: r.batch_id !== null,
        })
    return out
  }

  /** Resolves ids and keys to data rows of the organization; unknown ones are left out. */
  async resolveDataRows(
    organizationId: string,
    by: { ids: string[] } | { globalKeys: string[] },
  ): Promise<{ id: string; globalKey: string | null }[]> {
    const out: { id: string; globalKey: string | null }[] = []
    for (const chunk of inChunks('ids' in by ? by.ids : by.globalKeys)) {
      const rows = await this.#db
        .selectFrom('data_row')
        .select(['id', 'global_key'])
        .where('organization_id', '=', organizationId)
        .where('ids' in by ? 'id' : 'global_key', 'in', chunk)
        .execute()
      for (const r of rows) out.push({ id: r.id, globalKey: r.global_key })
    }
    return out
  }
}
