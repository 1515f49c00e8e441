import { PostgresAdapter, sql, type Kysely } from 'kysely'

// Evaluations (issue 14): one row per job, one per evaluated object, one per data row (for sorting
// by FN, FP or lowest IoU). Portable types; ids compare bytewise on PostgreSQL as in 0001.
export async function up(db: Kysely<unknown>): Promise<void> {
  const key = db.getExecutor().adapter instanceof PostgresAdapter ? sql`text collate "C"` : 'text'
  await db.schema
    .createTable('evaluation')
    .addColumn('id', key, (c) => c.primaryKey())
    .addColumn('organization_id', key, (c) => c.notNull())
    .addColumn('project_id', key, (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('progress', 'integer', (c) => c.notNull())
    .addColumn('params_json', 'text', (c) => c.notNull())
    .addColumn('summary_json', 'text')
    .addColumn('failure_reason_json', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute()
  await db.schema
    .createIndex('evaluation_state')
    .on('evaluation')
    .columns(['state', 'created_at'])
    .execute()
  await db.schema
    .createIndex('evaluation_project')
    .on('evaluation')
    .columns(['project_id', 'id'])
    .execute()
  await db.schema
    .createTable('evaluation_object')
    .addColumn('evaluation_id', key, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('data_row_id', key, (c) => c.notNull())
    .addColumn('annotation_id', key, (c) => c.notNull())
    .addColumn('layer', 'text', (c) => c.notNull())
    .addColumn('feature_schema_id', key, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('match_annotation_id', key)
    .addColumn('match_feature_schema_id', key)
    .addColumn('iou', 'double precision')
    .addColumn('score', 'double precision')
    .execute()
  await db.schema
    .createIndex('evaluation_object_position')
    .unique()
    .on('evaluation_object')
    .columns(['evaluation_id', 'position'])
    .execute()
  await db.schema
    .createIndex('evaluation_object_data_row')
    .on('evaluation_object')
    .columns(['evaluation_id', 'data_row_id'])
    .execute()
  await db.schema
    .createTable('evaluation_data_row')
    .addColumn('evaluation_id', key, (c) => c.notNull())
    .addColumn('data_row_id', key, (c) => c.notNull())
    .addColumn('global_key', 'text')
    .addColumn('tp', 'integer', (c) => c.notNull())
    .addColumn('fp', 'integer', (c) => c.notNull())
    .addColumn('fn', 'integer', (c) => c.notNull())
    .addColumn('lowest_iou', 'double precision')
    .execute()
  await db.schema
    .createIndex('evaluation_data_row_identity')
    .unique()
    .on('evaluation_data_row')
    .columns(['evaluation_id', 'data_row_id'])
    .execute()
}
