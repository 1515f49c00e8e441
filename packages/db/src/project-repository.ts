/** Projects and their batches (which data rows a project holds); deleting a project takes all it holds. */
import { sql, type Kysely } from 'kysely'
import type { Batch, Project } from '@labelport/core'
import type { Schema } from './schema.ts'
import { importBlobKeys } from './import-blob-keys.ts'
import { statusPartKey } from './import-job-repository.ts'
import {
  DuplicateError,
  inChunks,
  isUniqueViolation,
  now,
  toPage,
  type Page,
} from './query-helpers.ts'

function toProject(r: {
  id: string
  name: string
  description: string
  ontology_id: string | null
  created_at: string
  row_count: number | string | null
}): Project {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    mediaType: 'IMAGE',
    ontologyId: r.ontology_id,
    dataRowCount: Number(r.row_count ?? 0),
    createdAt: r.created_at,
  }
}

function toBatch(r: {
  id: string
  project_id: string
  name: string
  priority: number
  created_at: string
  size: number | string | null
}): Batch {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    priority: r.priority,
    size: Number(r.size ?? 0),
    createdAt: r.created_at,
  }
}

export class ProjectRepository {
  readonly #db: Kysely<Schema>

  constructor(db: Kysely<Schema>) {
    this.#db = db
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
    return toProject({ ...p, ontology_id: null, created_at: t, row_count: 0 })
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
      await trx.deleteFrom('replaced_annotation').where('project_id', '=', id).execute()
      // labeling (migration 0008; its queries live in label-repository.ts)
      for (const table of [
        'label_draft',
        'label_lease',
        'label_skip',
        'label_version',
        'label_review',
      ])
        await sql`delete from ${sql.table(table)} where project_id = ${id}`.execute(trx)
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
        importBlobKeys.options(j.id),
        // one more than committed: a part written by a chunk whose commit then failed
        ...Array.from({ length: j.status_parts + 1 }, (_, i) => statusPartKey(j.id, i + 1)),
      ])
    })
  }

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
      for (const chunk of inChunks(b.dataRowIds)) {
        const rows = await trx
          .selectFrom('batch_data_row')
          .select('data_row_id')
          .where('project_id', '=', b.projectId)
          .where('data_row_id', 'in', chunk)
          .execute()
        for (const r of rows) taken.add(r.data_row_id)
      }
      const fresh = b.dataRowIds.filter((id) => !taken.has(id))
      for (const chunk of inChunks(fresh))
        await trx
          .insertInto('batch_data_row')
          .values(chunk.map((id) => ({ project_id: b.projectId, batch_id: b.id, data_row_id: id })))
          .execute()
      const batch = toBatch({
        id: b.id,
        project_id: b.projectId,
        name: b.name,
        priority: b.priority,
        created_at: t,
        size: fresh.length,
      })
      return { batch, alreadyInProject: [...taken] }
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
    return rows.map(toBatch)
  }
}
