import { PostgresAdapter, sql, type Kysely } from 'kysely'

// Labeling (issue 12, docs/labeling.md): the label gets a state, a version, its labeler and who
// wrote it; drafts, leases, skips, versions and reviews get tables of their own. Labels written by
// ground-truth imports before this migration (and after: the import path keeps its upsert) are
// `submitted`, source `import`.
export async function up(db: Kysely<unknown>): Promise<void> {
  const key = db.getExecutor().adapter instanceof PostgresAdapter ? sql`text collate "C"` : 'text'
  await db.schema
    .alterTable('label')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('submitted'))
    .execute()
  await db.schema
    .alterTable('label')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute()
  await db.schema
    .alterTable('label')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('import'))
    .execute()
  for (const column of ['labeler_id', 'created_by', 'updated_by'])
    await db.schema.alterTable('label').addColumn(column, key).execute()
  await db.schema.createIndex('label_state').on('label').columns(['project_id', 'state']).execute()

  await db.schema
    .createTable('label_draft')
    .addColumn('project_id', key, (c) => c.notNull())
    .addColumn('data_row_id', key, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('annotations_json', 'text', (c) => c.notNull())
    .addColumn('user_id', key)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('label_draft_pk', ['project_id', 'data_row_id'])
    .execute()
  await db.schema
    .createTable('label_lease')
    .addColumn('project_id', key, (c) => c.notNull())
    .addColumn('data_row_id', key, (c) => c.notNull())
    .addColumn('user_id', key, (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    // ms since the epoch, as job leases
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('label_lease_pk', ['project_id', 'data_row_id'])
    .execute()
  await db.schema
    .createTable('label_skip')
    .addColumn('project_id', key, (c) => c.notNull())
    .addColumn('data_row_id', key, (c) => c.notNull())
    .addColumn('user_id', key, (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('label_skip_pk', ['project_id', 'data_row_id', 'user_id'])
    .execute()
  await db.schema
    .createTable('label_version')
    .addColumn('id', key, (c) => c.primaryKey())
    .addColumn('project_id', key, (c) => c.notNull())
    .addColumn('data_row_id', key, (c) => c.notNull())
    .addColumn('label_id', key, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('user_id', key)
    .addColumn('annotations_json', 'text', (c) => c.notNull())
    .addColumn('summary_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('label_version_row')
    .on('label_version')
    .columns(['project_id', 'data_row_id', 'version'])
    .execute()
  await db.schema
    .createTable('label_review')
    .addColumn('id', key, (c) => c.primaryKey())
    .addColumn('project_id', key, (c) => c.notNull())
    .addColumn('data_row_id', key, (c) => c.notNull())
    .addColumn('label_id', key, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('user_id', key)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('label_review_row')
    .on('label_review')
    .columns(['project_id', 'data_row_id', 'created_at'])
    .execute()
}
