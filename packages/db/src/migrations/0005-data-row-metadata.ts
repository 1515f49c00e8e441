import { PostgresAdapter, sql, type Kysely } from 'kysely'

// Data-row metadata (issue 11, item 2): key/value fields per data row, filterable by name and value;
// and each data row's content hash (SHA-256 of the stored image), so `labelport upload` resumes by
// global key and content. Rows made before this migration have no hash (null).
export async function up(db: Kysely<unknown>): Promise<void> {
  const key = db.getExecutor().adapter instanceof PostgresAdapter ? sql`text collate "C"` : 'text'
  await db.schema
    .createTable('data_row_metadata')
    .addColumn('data_row_id', key, (c) => c.notNull())
    .addColumn('name', key, (c) => c.notNull())
    .addColumn('value', key, (c) => c.notNull())
    .addPrimaryKeyConstraint('data_row_metadata_pk', ['data_row_id', 'name'])
    .execute()
  await db.schema
    .createIndex('data_row_metadata_name_value')
    .on('data_row_metadata')
    .columns(['name', 'value', 'data_row_id'])
    .execute()
  await db.schema.alterTable('data_row').addColumn('content_sha256', key).execute()
}
