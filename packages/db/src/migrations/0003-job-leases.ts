import type { Kysely } from 'kysely'

// Jobs survive crashes: an owner with a lease (ms since the epoch), a count of claims, and the
// checkpoint an import resumes from (input bytes and lines committed, status parts written).
// server_setting holds values every server sharing the database must agree on (the blob marker).
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['import_job', 'task']) {
    await db.schema.alterTable(table).addColumn('owner', 'text').execute()
    await db.schema.alterTable(table).addColumn('lease_expires_at', 'bigint').execute()
    await db.schema
      .alterTable(table)
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .execute()
  }
  await db.schema
    .alterTable('import_job')
    .addColumn('checkpoint_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('import_job')
    .addColumn('checkpoint_line', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('import_job')
    .addColumn('status_parts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  // the index of the next create-data-rows item to run
  await db.schema
    .alterTable('task')
    .addColumn('checkpoint_item', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .createTable('server_setting')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute()
}
