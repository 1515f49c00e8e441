/**
 * Every query Labelport makes, on both dialects. Services call these methods and never see SQL.
 * Methods return core entity shapes (camelCase) or plain rows where the caller needs raw fields.
 */
import { sql, type Kysely } from 'kysely'
import type {
  AnnotationLayer,
  AnnotationRecord,
  Batch,
  DataRow,
  DataRowUsage,
  Dataset,
  ImportJob,
  Issue,
  Project,
  ProjectDataRow,
  Task,
} from '@labelport/core'
import type { Connection } from './connect.ts'
import type { DataRowTable, ImportJobTable, Schema, TaskTable } from './schema.ts'
import { writeAnnotationRows, type AnnotationRow, type ImportGuard } from './annotation-writer.ts'
import { MaskOwners } from './mask-owners.ts'
import { importBlobKeys } from './import-blob-keys.ts'

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

const now = (): string => new Date().toISOString()

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string }
  return (
    e.code === '23505' ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  )
}

export class DuplicateError extends Error {
  override readonly name = 'DuplicateError'
}

function toDataRow(r: DataRowTable): DataRow {
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
    createdAt: r.created_at,
  }
}

function toTask(r: TaskTable): Task {
  return {
    id: r.id,
    type: 'create-data-rows',
    status: r.status,
    progress: r.progress,
    createdAt: r.created_at,
    completedAt: r.completed_at,
    createdDataRows: JSON.parse(r.result_json) as Task['createdDataRows'],
    errors: JSON.parse(r.errors_json) as Task['errors'],
  }
}

function toProject(row: {
  id: string
  name: string
  description: string
  ontology_id: string | null
  created_at: string
  row_count: number | null
}): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    mediaType: 'IMAGE',
    ontologyId: row.ontology_id,
    dataRowCount: Number(row.row_count ?? 0),
    createdAt: row.created_at,
  }
}

/** Keyset pages: the query asks for limit + 1 rows; the extra one says whether a next page exists. */
function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit)
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null }
}

function toImportJob(r: ImportJobTable): ImportJob {
  const base = `/v1/imports/${r.id}`
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    kind: r.kind,
    dryRun: r.dry_run === 1,
    // queued jobs are RUNNING to clients, as in Labelbox
    state: r.state === 'QUEUED' ? 'RUNNING' : r.state,
    progress: `${r.progress}%`,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    counts: { total: r.total, success: r.success, failure: r.failure },
    errorCounts: JSON.parse(r.error_counts_json) as ImportJob['errorCounts'],
    errorExamples: JSON.parse(r.error_examples_json) as ImportJob['errorExamples'],
    failureReason:
      r.failure_reason_json === null ? null : (JSON.parse(r.failure_reason_json) as Issue),
    createdBy: r.created_by ?? null,
    inputFileUrl: `${base}/input`,
    statusFileUrl: `${base}/statuses`,
    errorFileUrl: `${base}/statuses?status=FAILURE`,
  }
}

export interface DataRowLookup {
  id: string
  globalKey: string | null
  width: number
  height: number
  inProject: boolean
}

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
}

export class Store {
  readonly #conn: Connection
  readonly #db: Kysely<Schema>
  /** which organizations may read each stored composite mask (mask-owners.ts) */
  readonly maskOwners: MaskOwners

  constructor(conn: Connection) {
    this.#conn = conn
    this.#db = conn.db
    this.maskOwners = new MaskOwners(conn.db)
  }

  get dialect(): Connection['dialect'] {
    return this.#conn.dialect
  }

  close(): Promise<void> {
    return this.#conn.close()
  }

  // ── organizations (members and keys: identity-store.ts) ─────────────────────────────────────────────

  async ensureOrganization(id: string, name: string): Promise<void> {
    const found = await this.#db
      .selectFrom('organization')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst()
    if (!found)
      await this.#db.insertInto('organization').values({ id, name, created_at: now() }).execute()
  }

  // ── datasets and data rows ─────────────────────────────────────────────

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
    return {
      id: d.id,
      name: d.name,
      description: d.description,
      rowCount: 0,
      createdAt: t,
      updatedAt: t,
    }
  }

  async getDataset(organizationId: string, id: string): Promise<Dataset | undefined> {
    const row = await this.#db
      .selectFrom('dataset')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) return undefined
    const count = await this.#db
      .selectFrom('data_row')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('dataset_id', '=', id)
      .executeTakeFirstOrThrow()
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      rowCount: Number(count.n),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }
  }

  async listDatasets(
    organizationId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<Dataset>> {
    let q = this.#db
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
      .orderBy('id')
      .limit(limit + 1)
    if (cursor) q = q.where('id', '>', cursor)
    const rows = await q.execute()
    const items = rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      rowCount: Number(r.row_count ?? 0),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }))
    return toPage(items, limit)
  }

  /** Deletes the dataset, its data rows and everything that referenced them. Returns blob keys to remove. */
  async deleteDataset(organizationId: string, id: string): Promise<string[]> {
    return this.#db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('data_row')
        .select(['id', 'blob_key'])
        .where('dataset_id', '=', id)
        .where('organization_id', '=', organizationId)
        .execute()
      const ids = rows.map((r) => r.id)
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500)
        await trx.deleteFrom('annotation').where('data_row_id', 'in', chunk).execute()
        await trx.deleteFrom('label').where('data_row_id', 'in', chunk).execute()
        await trx.deleteFrom('batch_data_row').where('data_row_id', 'in', chunk).execute()
        await trx.deleteFrom('data_row').where('id', 'in', chunk).execute()
      }
      await trx
        .deleteFrom('dataset')
        .where('id', '=', id)
        .where('organization_id', '=', organizationId)
        .execute()
      return rows.map((r) => r.blob_key)
    })
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
    }
    try {
      await this.#db.insertInto('data_row').values(row).execute()
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
    return toDataRow(row)
  }

  async findGlobalKeys(organizationId: string, keys: string[]): Promise<Set<string>> {
    const found = new Set<string>()
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await this.#db
        .selectFrom('data_row')
        .select('global_key')
        .where('organization_id', '=', organizationId)
        .where('global_key', 'in', keys.slice(i, i + 500))
        .execute()
      for (const r of rows) if (r.global_key !== null) found.add(r.global_key)
    }
    return found
  }

  async getDataRow(
    organizationId: string,
    id: string,
  ): Promise<(DataRow & { blobKey: string }) | undefined> {
    const row = await this.#db
      .selectFrom('data_row')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst()
    return row && { ...toDataRow(row), blobKey: row.blob_key }
  }

  async listDataRows(
    organizationId: string,
    datasetId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<DataRow>> {
    let q = this.#db
      .selectFrom('data_row')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('dataset_id', '=', datasetId)
      .orderBy('id')
      .limit(limit + 1)
    if (cursor) q = q.where('id', '>', cursor)
    const rows = await q.execute()
    const items = rows.map(toDataRow)
    return toPage(items, limit)
  }

  /** For each data row, the projects whose batches hold it, with its annotation counts there. */
  async usageOfDataRows(dataRowIds: string[]): Promise<Map<string, DataRowUsage[]>> {
    const out = new Map<string, DataRowUsage[]>()
    for (let i = 0; i < dataRowIds.length; i += 500) {
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
        .where('batch_data_row.data_row_id', 'in', dataRowIds.slice(i, i + 500))
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
    for (let i = 0; i < refs.ids.length; i += 500) {
      const rows = await select()
        .where('data_row.id', 'in', refs.ids.slice(i, i + 500))
        .execute()
      for (const r of rows)
        out.push({
          id: r.id,
          globalKey: r.global_key,
          width: r.width,
          height: r.height,
          inProject: r.batch_id !== null,
        })
    }
    for (let i = 0; i < refs.globalKeys.length; i += 500) {
      const rows = await select()
        .where('data_row.global_key', 'in', refs.globalKeys.slice(i, i + 500))
        .execute()
      for (const r of rows)
        out.push({
          id: r.id,
          globalKey: r.global_key,
          width: r.width,
          height: r.height,
          inProject: r.batch_id !== null,
        })
    }
    return out
  }

  // ── tasks ──────────────────────────────────────────────────────────────

  /** A task starts owned by the server that runs it (`owner`, with a lease until `leaseExpiresAt`). */
  async createTask(t: {
    id: string
    organizationId: string
    input: unknown
    owner: string
    leaseExpiresAt: number
  }): Promise<Task> {
    const row: TaskTable = {
      id: t.id,
      organization_id: t.organizationId,
      type: 'create-data-rows',
      status: 'IN_PROGRESS',
      progress: 0,
      input_json: JSON.stringify(t.input),
      result_json: '[]',
      errors_json: '[]',
      created_at: now(),
      completed_at: null,
      owner: t.owner,
      lease_expires_at: t.leaseExpiresAt,
      attempts: 1,
      checkpoint_item: 0,
    }
    await this.#db.insertInto('task').values(row).execute()
    return toTask(row)
  }

  async getTask(organizationId: string, id: string): Promise<Task | undefined> {
    const row = await this.#db
      .selectFrom('task')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst()
    return row && toTask(row)
  }

  async getTaskInput(id: string): Promise<{ organizationId: string; input: unknown } | undefined> {
    const row = await this.#db
      .selectFrom('task')
      .select(['organization_id', 'input_json'])
      .where('id', '=', id)
      .executeTakeFirst()
    return (
      row && {
        organizationId: row.organization_id,
        input: row.input_json === null ? null : JSON.parse(row.input_json),
      }
    )
  }

  async updateTask(
    id: string,
    patch: {
      status?: Task['status']
      progress?: number
      createdDataRows?: Task['createdDataRows']
      errors?: Task['errors']
    },
  ): Promise<void> {
    const done = patch.status !== undefined && patch.status !== 'IN_PROGRESS'
    await this.#db
      .updateTable('task')
      .set({
        ...(patch.status === undefined ? {} : { status: patch.status }),
        ...(patch.progress === undefined ? {} : { progress: patch.progress }),
        ...(patch.createdDataRows === undefined
          ? {}
          : { result_json: JSON.stringify(patch.createdDataRows) }),
        ...(patch.errors === undefined ? {} : { errors_json: JSON.stringify(patch.errors) }),
        ...(done ? { completed_at: now(), input_json: null } : {}),
      })
      .where('id', '=', id)
      .execute()
  }

  async unfinishedTaskIds(): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('task')
      .select('id')
      .where('status', '=', 'IN_PROGRESS')
      .execute()
    return rows.map((r) => r.id)
  }

  // ── ontologies and projects ────────────────────────────────────────────

  async createOntology(o: {
    id: string
    organizationId: string
    name: string
    normalized: unknown
  }): Promise<{
    id: string
    name: string
    mediaType: 'IMAGE'
    normalized: unknown
    createdAt: string
  }> {
    const t = now()
    await this.#db
      .insertInto('ontology')
      .values({
        id: o.id,
        organization_id: o.organizationId,
        name: o.name,
        media_type: 'IMAGE',
        normalized_json: JSON.stringify(o.normalized),
        created_at: t,
      })
      .execute()
    return { id: o.id, name: o.name, mediaType: 'IMAGE', normalized: o.normalized, createdAt: t }
  }

  async getOntology(
    organizationId: string,
    id: string,
  ): Promise<
    | { id: string; name: string; mediaType: 'IMAGE'; normalized: unknown; createdAt: string }
    | undefined
  > {
    const row = await this.#db
      .selectFrom('ontology')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst()
    return (
      row && {
        id: row.id,
        name: row.name,
        mediaType: 'IMAGE',
        normalized: JSON.parse(row.normalized_json),
        createdAt: row.created_at,
      }
    )
  }

  async listOntologies(
    organizationId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<
    Page<{ id: string; name: string; mediaType: 'IMAGE'; normalized: unknown; createdAt: string }>
  > {
    let q = this.#db
      .selectFrom('ontology')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .limit(limit + 1)
    if (cursor) q = q.where('id', '>', cursor)
    const rows = await q.execute()
    const items = rows.map((row) => ({
      id: row.id,
      name: row.name,
      mediaType: 'IMAGE' as const,
      normalized: JSON.parse(row.normalized_json) as unknown,
      createdAt: row.created_at,
    }))
    return toPage(items, limit)
  }

  async createProject(p: {
    id: string
    organizationId: string
    name: string
    description: string
  }): Promise<Project> {
    const t = now()
    await this.#db
      .insertInto('project')
      .values({
        id: p.id,
        organization_id: p.organizationId,
        name: p.name,
        description: p.description,
        media_type: 'IMAGE',
        ontology_id: null,
        created_at: t,
      })
      .execute()
    return {
      id: p.id,
      name: p.name,
      description: p.description,
      mediaType: 'IMAGE',
      ontologyId: null,
      dataRowCount: 0,
      createdAt: t,
    }
  }

  #selectProjects(organizationId: string) {
    return this.#db
      .selectFrom('project')
      .select([
        'id',
        'name',
        'description',
        'ontology_id',
        'created_at',
        (eb) =>
          eb
            .selectFrom('batch_data_row')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('batch_data_row.project_id', '=', 'project.id')
            .as('row_count'),
      ])
      .where('organization_id', '=', organizationId)
  }

  async getProject(organizationId: string, id: string): Promise<Project | undefined> {
    const row = await this.#selectProjects(organizationId).where('id', '=', id).executeTakeFirst()
    return row && toProject(row)
  }

  async listProjects(
    organizationId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<Project>> {
    let q = this.#selectProjects(organizationId)
      .orderBy('id')
      .limit(limit + 1)
    if (cursor) q = q.where('id', '>', cursor)
    return toPage((await q.execute()).map(toProject), limit)
  }

  /** Connects the ontology unless one is connected already (checked and set in one statement). */
  async connectOntology(projectId: string, ontologyId: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('project')
      .set({ ontology_id: ontologyId })
      .where('id', '=', projectId)
      .where('ontology_id', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  /**
   * Deletes the project and all it holds in one transaction; returns the blob keys of its imports.
   * The import jobs go first: on PostgreSQL that waits for a chunk being committed (its checkpoint
   * locks the job row), so its annotations are deleted too, and a running import finds its job
   * gone at its next chunk and writes nothing more (`ImportGuard`). That cancels running imports.
   */
  async deleteProject(organizationId: string, id: string): Promise<string[]> {
    return this.#db.transaction().execute(async (trx) => {
      const jobs = await trx
        .deleteFrom('import_job')
        .where('project_id', '=', id)
        .returning(['id', 'input_key', 'status_key', 'status_parts'])
        .execute()
      // evaluations (migration 0004; their queries live in evaluation-repository.ts)
      for (const table of ['evaluation_object', 'evaluation_data_row'])
        await sql`delete from ${sql.table(table)} where evaluation_id in (select id from evaluation where project_id = ${id})`.execute(
          trx,
        )
      await sql`delete from evaluation where project_id = ${id}`.execute(trx)
      await trx.deleteFrom('annotation').where('project_id', '=', id).execute()
      await trx.deleteFrom('label').where('project_id', '=', id).execute()
      await trx.deleteFrom('batch_data_row').where('project_id', '=', id).execute()
      await trx.deleteFrom('batch').where('project_id', '=', id).execute()
      await trx
        .deleteFrom('project')
        .where('id', '=', id)
        .where('organization_id', '=', organizationId)
        .execute()
      return jobs.flatMap((j) => [
        j.input_key,
        j.status_key,
        importBlobKeys.input(j.id),
        // one more than committed: a part written by a chunk whose commit then failed
        ...Array.from({ length: j.status_parts + 1 }, (_, i) =>
          importBlobKeys.statusPart(j.id, i + 1),
        ),
      ])
    })
  }

  // ── batches ────────────────────────────────────────────────────────────

  /**
   * Creates the batch with its rows in one transaction. Throws DuplicateError when the name is
   * taken; returns the ids already in another batch of the project instead of adding them twice.
   */
  async createBatch(b: {
    id: string
    projectId: string
    name: string
    priority: number
    dataRowIds: string[]
  }): Promise<{ batch: Batch; alreadyInProject: string[] }> {
    const t = now()
    return this.#db.transaction().execute(async (trx) => {
      try {
        await trx
          .insertInto('batch')
          .values({
            id: b.id,
            project_id: b.projectId,
            name: b.name,
            priority: b.priority,
            created_at: t,
          })
          .execute()
      } catch (err) {
        if (isUniqueViolation(err)) throw new DuplicateError(`batch name ${b.name} is taken`)
        throw err
      }
      const taken = new Set<string>()
      for (let i = 0; i < b.dataRowIds.length; i += 500) {
        const chunk = b.dataRowIds.slice(i, i + 500)
        const rows = await trx
          .selectFrom('batch_data_row')
          .select('data_row_id')
          .where('project_id', '=', b.projectId)
          .where('data_row_id', 'in', chunk)
          .execute()
        for (const r of rows) taken.add(r.data_row_id)
      }
      const fresh = b.dataRowIds.filter((id) => !taken.has(id))
      for (let i = 0; i < fresh.length; i += 500) {
        await trx
          .insertInto('batch_data_row')
          .values(
            fresh
              .slice(i, i + 500)
              .map((id) => ({ project_id: b.projectId, batch_id: b.id, data_row_id: id })),
          )
          .execute()
      }
      return {
        batch: {
          id: b.id,
          projectId: b.projectId,
          name: b.name,
          priority: b.priority,
          size: fresh.length,
          createdAt: t,
        },
        alreadyInProject: [...taken],
      }
    })
  }

  async listBatches(projectId: string): Promise<Batch[]> {
    const rows = await this.#db
      .selectFrom('batch')
      .select([
        'id',
        'project_id',
        'name',
        'priority',
        'created_at',
        (eb) =>
          eb
            .selectFrom('batch_data_row')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('batch_data_row.batch_id', '=', 'batch.id')
            .as('size'),
      ])
      .where('project_id', '=', projectId)
      .orderBy('created_at')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      projectId: r.project_id,
      name: r.name,
      priority: r.priority,
      size: Number(r.size ?? 0),
      createdAt: r.created_at,
    }))
  }

  /** Resolves ids and keys to data rows of the organization; unknown ones are left out. */
  async resolveDataRows(
    organizationId: string,
    by: { ids: string[] } | { globalKeys: string[] },
  ): Promise<{ id: string; globalKey: string | null }[]> {
    const out: { id: string; globalKey: string | null }[] = []
    const values = 'ids' in by ? by.ids : by.globalKeys
    for (let i = 0; i < values.length; i += 500) {
      const chunk = values.slice(i, i + 500)
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

  // ── import jobs ────────────────────────────────────────────────────────

  async createImportJob(j: {
    id: string
    organizationId: string
    projectId: string
    name: string
    kind: 'mal' | 'ground_truth'
    dryRun: boolean
    inputKey: string
    statusKey: string
  }): Promise<ImportJob> {
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
    }
    try {
      await this.#db.insertInto('import_job').values(row).execute()
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DuplicateError(`import name ${j.name} is taken in this project`)
      throw err
    }
    return toImportJob(row)
  }

  async getImportJob(organizationId: string, id: string): Promise<ImportJob | undefined> {
    const row = await this.#db
      .selectFrom('import_job')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst()
    return row && toImportJob(row)
  }

  async getImportJobRow(id: string): Promise<ImportJobTable | undefined> {
    return this.#db.selectFrom('import_job').selectAll().where('id', '=', id).executeTakeFirst()
  }

  async listImportJobs(
    projectId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<ImportJob>> {
    let q = this.#db
      .selectFrom('import_job')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('id', 'desc')
      .limit(limit + 1)
    if (cursor) q = q.where('id', '<', cursor)
    const rows = await q.execute()
    const items = rows.map(toImportJob)
    return toPage(items, limit)
  }

  async updateImportJob(
    id: string,
    patch: {
      state?: ImportJobTable['state']
      progress?: number
      counts?: { total: number; success: number; failure: number }
      errorCounts?: Record<string, number>
      errorExamples?: ImportJob['errorExamples']
      failureReason?: Issue
    },
  ): Promise<void> {
    const done = patch.state === 'FINISHED' || patch.state === 'FAILED'
    await this.#db
      .updateTable('import_job')
      .set({
        ...(patch.state === undefined ? {} : { state: patch.state }),
        ...(patch.progress === undefined ? {} : { progress: patch.progress }),
        ...(patch.counts === undefined
          ? {}
          : {
              total: patch.counts.total,
              success: patch.counts.success,
              failure: patch.counts.failure,
            }),
        ...(patch.errorCounts === undefined
          ? {}
          : { error_counts_json: JSON.stringify(patch.errorCounts) }),
        ...(patch.errorExamples === undefined
          ? {}
          : { error_examples_json: JSON.stringify(patch.errorExamples) }),
        ...(patch.failureReason === undefined
          ? {}
          : { failure_reason_json: JSON.stringify(patch.failureReason) }),
        ...(done ? { finished_at: now() } : {}),
      })
      .where('id', '=', id)
      .execute()
  }

  async setImportInputKey(id: string, inputKey: string): Promise<void> {
    await this.#db
      .updateTable('import_job')
      .set({ input_key: inputKey })
      .where('id', '=', id)
      .execute()
  }

  // ── annotations ────────────────────────────────────────────────────────

  /** Writes one chunk of accepted annotations atomically (upsert by project, data row, layer, uuid). */
  async writeAnnotations(
    rows: AnnotationRow[],
    labels: { projectId: string; dataRowId: string; isBenchmarkReference: boolean }[],
    guard?: ImportGuard,
  ): Promise<void> {
    await writeAnnotationRows(this.#conn, rows, labels, now(), guard)
  }

  async *streamProjectAnnotations(
    projectId: string,
    dataRowIds: string[],
  ): AsyncGenerator<{
    id: string
    dataRowId: string
    layer: AnnotationLayer
    importId: string
    record: AnnotationRecord
  }> {
    for (let i = 0; i < dataRowIds.length; i += 500) {
      const rows = await this.#db
        .selectFrom('annotation')
        .select(['id', 'data_row_id', 'layer', 'import_id', 'payload'])
        .where('project_id', '=', projectId)
        .where('data_row_id', 'in', dataRowIds.slice(i, i + 500))
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
          record: JSON.parse(r.payload) as AnnotationRecord,
        }
    }
  }

  async getAnnotation(
    projectId: string,
    id: string,
  ): Promise<
    { id: string; dataRowId: string; layer: AnnotationLayer; record: AnnotationRecord } | undefined
  > {
    const r = await this.#db
      .selectFrom('annotation')
      .select(['id', 'data_row_id', 'layer', 'payload'])
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .executeTakeFirst()
    return (
      r && {
        id: r.id,
        dataRowId: r.data_row_id,
        layer: r.layer,
        record: JSON.parse(r.payload) as AnnotationRecord,
      }
    )
  }

  async getLabels(
    projectId: string,
    dataRowIds: string[],
  ): Promise<
    Map<string, { id: string; isBenchmarkReference: boolean; createdAt: string; updatedAt: string }>
  > {
    const out = new Map<
      string,
      { id: string; isBenchmarkReference: boolean; createdAt: string; updatedAt: string }
    >()
    for (let i = 0; i < dataRowIds.length; i += 500) {
      const rows = await this.#db
        .selectFrom('label')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('data_row_id', 'in', dataRowIds.slice(i, i + 500))
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
    const items = rows.map((r) => ({
      ...toDataRow(r),
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

  /** For tests and benchmarks: raw SQL the store does not need otherwise. */
  async countRows(table: keyof Schema): Promise<number> {
    const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(
      this.#db,
    )
    return Number(r.rows[0]?.n ?? 0)
  }
}
