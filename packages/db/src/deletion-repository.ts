/**
 * Deletes that leave nothing orphaned (issue 11, item 6), and what each would take with it, counted
 * first so a person can confirm. Data rows go with their annotations (both layers, every project),
 * labels with their labeling state (drafts, leases, skips, versions, reviews: migration 0008), batch
 * memberships (a batch left empty goes too) and their per-row evaluation results;
 * an import's pre-labels go with the evaluations that compared them. Composite masks no annotation
 * refers to any more lose their owner row and, when no organization refers to them, their blob.
 * Project deletes stay in store.ts (`deleteProject`); its impact is counted here.
 */
import { sql, type Kysely, type Transaction } from 'kysely'
import type { DeletionImpact } from '@labelport/core'
import type { Connection } from './connect.ts'
import type { Schema } from './schema.ts'

/** What the caller deletes from the blob store once the rows are gone. */
export interface DeletedBlobs {
  /** the data rows deleted (their thumbnails are keyed by id) */
  dataRowIds: string[]
  /** image blobs of the deleted data rows (uploads may also back other rows: see `unusedBlobKeys`) */
  imageKeys: string[]
  /** sha256 of composite masks no annotation of any organization refers to any more */
  unusedMasks: string[]
}

type Db = Kysely<Schema> | Transaction<Schema>

/** The labeling tables of migration 0008 besides `label`; each has project_id and data_row_id. */
export const LABELING_TABLES = [
  'label_draft',
  'label_lease',
  'label_skip',
  'label_version',
  'label_review',
] as const
type Subject = DeletionImpact['subject']

const count = (rows: { n: number | string | bigint | null }[]): number => Number(rows[0]?.n ?? 0)

export class DeletionRepository {
  readonly #db: Kysely<Schema>

  constructor(conn: Connection) {
    this.#db = conn.db
  }

  // ── what a delete would take ────────────────────────────────────────────────

  /** The impact of deleting every data row `rows` selects (an SQL subquery of data_row ids). */
  async #rowsImpact(subject: Subject, rows: ReturnType<typeof sql>): Promise<DeletionImpact> {
    const db = this.#db
    const [dataRows, projects, batches, annotations, evaluations, labels, drafts] =
      await Promise.all([
        sql<{ n: number }>`select count(*) as n from data_row where id in (${rows})`.execute(db),
        sql<{ id: string; name: string }>`select distinct p.id, p.name from batch_data_row b
        join project p on p.id = b.project_id where b.data_row_id in (${rows}) order by p.name`.execute(
          db,
        ),
        sql<{
          n: number
        }>`select count(distinct batch_id) as n from batch_data_row where data_row_id in (${rows})`.execute(
          db,
        ),
        sql<{ layer: string; n: number }>`select layer, count(*) as n from annotation
        where data_row_id in (${rows}) group by layer`.execute(db),
        sql<{ n: number }>`select count(distinct evaluation_id) as n from evaluation_data_row
        where data_row_id in (${rows})`.execute(db),
        sql<{ n: number }>`select count(*) as n from label where data_row_id in (${rows})`.execute(
          db,
        ),
        sql<{
          n: number
        }>`select count(*) as n from label_draft where data_row_id in (${rows})`.execute(db),
      ])
    const layer = (name: string) => Number(annotations.rows.find((r) => r.layer === name)?.n ?? 0)
    return {
      subject,
      dataRows: count(dataRows.rows),
      projects: projects.rows.map((p) => ({ id: p.id, name: p.name })),
      batches: count(batches.rows),
      annotations: { prelabel: layer('prelabel'), label: layer('label') },
      imports: 0,
      evaluations: count(evaluations.rows),
      labels: count(labels.rows),
      drafts: count(drafts.rows),
    }
  }

  datasetImpact(
    organizationId: string,
    dataset: { id: string; name: string },
  ): Promise<DeletionImpact> {
    return this.#rowsImpact(
      { type: 'dataset', id: dataset.id, name: dataset.name },
      sql`select id from data_row where dataset_id = ${dataset.id} and organization_id = ${organizationId}`,
    )
  }

  dataRowImpact(
    organizationId: string,
    row: { id: string; globalKey: string | null },
  ): Promise<DeletionImpact> {
    return this.#rowsImpact(
      { type: 'data_row', id: row.id, name: row.globalKey ?? row.id },
      sql`select id from data_row where id = ${row.id} and organization_id = ${organizationId}`,
    )
  }

  async projectImpact(project: { id: string; name: string }): Promise<DeletionImpact> {
    const db = this.#db
    const id = project.id
    const [dataRows, batches, annotations, imports, evaluations, labels, drafts] =
      await Promise.all([
        sql<{
          n: number
        }>`select count(distinct data_row_id) as n from batch_data_row where project_id = ${id}`.execute(
          db,
        ),
        sql<{ n: number }>`select count(*) as n from batch where project_id = ${id}`.execute(db),
        sql<{ layer: string; n: number }>`select layer, count(*) as n from annotation
        where project_id = ${id} group by layer`.execute(db),
        sql<{ n: number }>`select count(*) as n from import_job where project_id = ${id}`.execute(
          db,
        ),
        sql<{ n: number }>`select count(*) as n from evaluation where project_id = ${id}`.execute(
          db,
        ),
        sql<{ n: number }>`select count(*) as n from label where project_id = ${id}`.execute(db),
        sql<{ n: number }>`select count(*) as n from label_draft where project_id = ${id}`.execute(
          db,
        ),
      ])
    const layer = (name: string) => Number(annotations.rows.find((r) => r.layer === name)?.n ?? 0)
    return {
      subject: { type: 'project', id, name: project.name },
      dataRows: count(dataRows.rows),
      projects: [{ id, name: project.name }],
      batches: count(batches.rows),
      annotations: { prelabel: layer('prelabel'), label: layer('label') },
      imports: count(imports.rows),
      evaluations: count(evaluations.rows),
      labels: count(labels.rows),
      drafts: count(drafts.rows),
    }
  }

  async importPrelabelsImpact(job: {
    id: string
    name: string
    projectId: string
  }): Promise<DeletionImpact> {
    const db = this.#db
    const [rows, evaluations, project] = await Promise.all([
      sql<{ prelabels: number; rows: number }>`select count(*) as prelabels,
        count(distinct data_row_id) as rows from annotation
        where import_id = ${job.id} and layer = 'prelabel'`.execute(db),
      this.#evaluationsOfImport(db, job.id),
      db
        .selectFrom('project')
        .select(['id', 'name'])
        .where('id', '=', job.projectId)
        .executeTakeFirst(),
    ])
    return {
      subject: { type: 'import_prelabels', id: job.id, name: job.name },
      dataRows: Number(rows.rows[0]?.rows ?? 0),
      projects: project ? [{ id: project.id, name: project.name }] : [],
      batches: 0,
      annotations: { prelabel: Number(rows.rows[0]?.prelabels ?? 0), label: 0 },
      imports: 0,
      evaluations: evaluations.length,
      labels: 0,
      drafts: 0,
    }
  }

  /** Evaluations that compared a pre-label of this import. */
  async #evaluationsOfImport(db: Db, importId: string): Promise<string[]> {
    const found = await sql<{ id: string }>`select distinct o.evaluation_id as id
      from evaluation_object o join annotation a on a.id = o.annotation_id
      where a.import_id = ${importId} and a.layer = 'prelabel'`.execute(db)
    return found.rows.map((r) => r.id)
  }

  // ── deletes ─────────────────────────────────────────────────────────────────

  /** Deletes a dataset with its data rows and all that refers to them, in one transaction. */
  async deleteDataset(organizationId: string, datasetId: string): Promise<DeletedBlobs> {
    return this.#db.transaction().execute(async (trx) => {
      const deleted = await this.#deleteRows(
        trx,
        organizationId,
        sql`select id from data_row where dataset_id = ${datasetId} and organization_id = ${organizationId}`,
      )
      await trx
        .deleteFrom('dataset')
        .where('id', '=', datasetId)
        .where('organization_id', '=', organizationId)
        .execute()
      return deleted
    })
  }

  /** Deletes one data row and all that refers to it; the dataset stays. */
  async deleteDataRow(organizationId: string, dataRowId: string): Promise<DeletedBlobs> {
    return this.#db
      .transaction()
      .execute((trx) =>
        this.#deleteRows(
          trx,
          organizationId,
          sql`select id from data_row where id = ${dataRowId} and organization_id = ${organizationId}`,
        ),
      )
  }

  /**
   * Deletes the pre-labels an import wrote (a later import that replaced one by uuid owns it now,
   * so it stays) and the evaluations that compared them. Returns the count deleted.
   */
  async deleteImportPrelabels(
    organizationId: string,
    importId: string,
  ): Promise<{ deleted: number; unusedMasks: string[] }> {
    return this.#db.transaction().execute(async (trx) => {
      const evaluations = await this.#evaluationsOfImport(trx, importId)
      await this.#deleteEvaluations(trx, evaluations)
      const masks = await this.#masksOf(
        trx,
        sql`select id from annotation where import_id = ${importId} and layer = 'prelabel'`,
      )
      const result = await trx
        .deleteFrom('annotation')
        .where('import_id', '=', importId)
        .where('layer', '=', 'prelabel')
        .executeTakeFirst()
      return {
        deleted: Number(result.numDeletedRows),
        unusedMasks: await this.#releaseMasks(trx, organizationId, masks),
      }
    })
  }

  async #deleteRows(
    trx: Transaction<Schema>,
    organizationId: string,
    rows: ReturnType<typeof sql>,
  ): Promise<DeletedBlobs> {
    const images = await sql<{
      id: string
      blob_key: string
    }>`select id, blob_key from data_row where id in (${rows})`.execute(trx)
    const masks = await this.#masksOf(
      trx,
      sql`select id from annotation where data_row_id in (${rows})`,
    )
    const batches = await sql<{
      batch_id: string
    }>`select distinct batch_id from batch_data_row where data_row_id in (${rows})`.execute(trx)
    await sql`delete from evaluation_object where data_row_id in (${rows})`.execute(trx)
    await sql`delete from evaluation_data_row where data_row_id in (${rows})`.execute(trx)
    await sql`delete from annotation where data_row_id in (${rows})`.execute(trx)
    // labeling (migration 0008): every table keyed by the row, in every project
    for (const table of LABELING_TABLES)
      await sql`delete from ${sql.table(table)} where data_row_id in (${rows})`.execute(trx)
    await sql`delete from replaced_annotation where data_row_id in (${rows})`.execute(trx)
    await sql`delete from label where data_row_id in (${rows})`.execute(trx)
    await sql`delete from batch_data_row where data_row_id in (${rows})`.execute(trx)
    await sql`delete from data_row_metadata where data_row_id in (${rows})`.execute(trx)
    // the rows go last: the subquery above reads them
    await sql`delete from data_row where id in (${rows})`.execute(trx)
    // a batch left without rows would show in its project as an empty, unusable batch
    for (const { batch_id } of batches.rows)
      await sql`delete from batch where id = ${batch_id}
        and not exists (select 1 from batch_data_row where batch_id = ${batch_id})`.execute(trx)
    return {
      dataRowIds: images.rows.map((r) => r.id),
      imageKeys: images.rows.map((r) => r.blob_key),
      unusedMasks: await this.#releaseMasks(trx, organizationId, masks),
    }
  }

  async #deleteEvaluations(trx: Transaction<Schema>, ids: string[]): Promise<void> {
    for (const id of ids) {
      await sql`delete from evaluation_object where evaluation_id = ${id}`.execute(trx)
      await sql`delete from evaluation_data_row where evaluation_id = ${id}`.execute(trx)
      await sql`delete from evaluation where id = ${id}`.execute(trx)
    }
  }

  /** The composite masks the annotations `ids` selects refer to (read before they are deleted). */
  async #masksOf(db: Db, ids: ReturnType<typeof sql>): Promise<Set<string>> {
    const rows = await sql<{
      payload: string
    }>`select payload from annotation where kind = 'mask' and id in (${ids})`.execute(db)
    const found = new Set<string>()
    for (const r of rows.rows) {
      const sha = /"compositeSha256":"([0-9a-f]{64})"/.exec(r.payload)?.[1]
      if (sha) found.add(sha)
    }
    return found
  }

  /**
   * After annotations were deleted: the organization stops owning masks none of its annotations
   * refers to; returns those no annotation at all refers to (their blob may go).
   */
  async #releaseMasks(
    trx: Transaction<Schema>,
    organizationId: string,
    masks: Set<string>,
  ): Promise<string[]> {
    const unused: string[] = []
    for (const sha of masks) {
      const pattern = `%${sha}%`
      const inOrganization = await sql<{ n: number }>`select count(*) as n from annotation a
        join project p on p.id = a.project_id
        where p.organization_id = ${organizationId} and a.kind = 'mask' and a.payload like ${pattern}`.execute(
        trx,
      )
      if (count(inOrganization.rows) > 0) continue
      await trx
        .deleteFrom('mask_owner')
        .where('organization_id', '=', organizationId)
        .where('sha256', '=', sha)
        .execute()
      const anywhere = await sql<{ n: number }>`select count(*) as n from annotation
        where kind = 'mask' and payload like ${pattern}`.execute(trx)
      if (count(anywhere.rows) === 0) unused.push(sha)
    }
    return unused
  }

  /** Rows in a table (tests check that a delete left nothing behind). */
  async countRows(
    table:
      | keyof Schema
      | 'evaluation'
      | 'evaluation_object'
      | 'evaluation_data_row'
      | (typeof LABELING_TABLES)[number],
  ): Promise<number> {
    const found = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(
      this.#db,
    )
    return count(found.rows)
  }

  /** Of these blob keys, those no data row uses any more (an upload may back several rows). */
  async unusedBlobKeys(keys: string[]): Promise<string[]> {
    const unused: string[] = []
    for (const key of new Set(keys)) {
      const used = await this.#db
        .selectFrom('data_row')
        .select('id')
        .where('blob_key', '=', key)
        .executeTakeFirst()
      if (!used) unused.push(key)
    }
    return unused
  }
}
