/** Create-data-rows tasks as clients see them; their leases and checkpoints live in jobs.ts. */
import type { Kysely } from 'kysely'
import { TaskSchema, type Task } from '@labelport/core'
import type { Schema, TaskTable } from './schema.ts'
import { now, readJsonColumn } from './query-helpers.ts'

const CreatedDataRowsSchema = TaskSchema.shape.createdDataRows
const TaskErrorsSchema = TaskSchema.shape.errors

export function toTask(r: TaskTable): Task {
  return {
    id: r.id,
    type: 'create-data-rows',
    status: r.status,
    progress: r.progress,
    createdAt: r.created_at,
    completedAt: r.completed_at,
    createdDataRows: readJsonColumn(CreatedDataRowsSchema, r.result_json, 'task.result_json'),
    errors: readJsonColumn(TaskErrorsSchema, r.errors_json, 'task.errors_json'),
  }
}

export class TaskRepository {
  readonly #db: Kysely<Schema>

  constructor(db: Kysely<Schema>) {
    this.#db = db
  }

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
}
