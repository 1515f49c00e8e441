import { PostgresAdapter, sql, type Kysely } from 'kysely'

// Cancel, preview and revert of imports (issue 10, docs/import-revert.md).
// - replaced_annotation: the stored pre-label a MAL import replaced by uuid, exactly as it was,
//   copied by a trigger in the same statement as the upsert (so in the same transaction as the
//   chunk: kill -9 leaves both or neither). A revert restores these rows.
// - import_preview_part: what each committed chunk of a dry run would replace, keyed by status
//   part (a chunk redone after a crash overwrites its own count).
// - import_job.revert_json: when and what a revert did; the job's state may now be CANCELLED.
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const key = postgres ? sql`text collate "C"` : 'text'
  await db.schema
    .createTable('replaced_annotation')
    // the import that replaced it
    .addColumn('replaced_by', key, (c) => c.notNull())
    .addColumn('id', key, (c) => c.notNull())
    .addColumn('project_id', key, (c) => c.notNull())
    .addColumn('data_row_id', key, (c) => c.notNull())
    .addColumn('layer', key, (c) => c.notNull())
    .addColumn('uuid', key, (c) => c.notNull())
    .addColumn('import_id', key, (c) => c.notNull())
    .addColumn('feature_schema_id', key, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('replaced_annotation_by')
    .on('replaced_annotation')
    .columns(['replaced_by'])
    .execute()
  // "was an annotation of import X replaced by a later import?" (the revert's refusal rule)
  await db.schema
    .createIndex('replaced_annotation_of')
    .on('replaced_annotation')
    .columns(['import_id'])
    .execute()
  await db.schema
    .createTable('import_preview_part')
    .addColumn('import_id', key, (c) => c.notNull())
    .addColumn('part', 'integer', (c) => c.notNull())
    .addColumn('replaced', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_preview_part_pk', ['import_id', 'part'])
    .execute()
  await db.schema.alterTable('import_job').addColumn('revert_json', 'text').execute()

  // Only pre-labels, and only when another import takes the uuid over: labels (ground truth) are
  // not reverted (docs/import-revert.md), and the labeling editor never updates pre-labels.
  if (postgres) {
    await sql`create function annotation_keep_replaced() returns trigger language plpgsql as $$
      begin
        insert into replaced_annotation (replaced_by, id, project_id, data_row_id, layer, uuid,
          import_id, feature_schema_id, kind, payload, created_at)
        values (new.import_id, old.id, old.project_id, old.data_row_id, old.layer, old.uuid,
          old.import_id, old.feature_schema_id, old.kind, old.payload, old.created_at);
        return new;
      end $$`.execute(db)
    await sql`create trigger annotation_keep_replaced before update on annotation
      for each row when (old.layer = 'prelabel' and old.import_id <> new.import_id)
      execute function annotation_keep_replaced()`.execute(db)
  } else {
    await sql`create trigger annotation_keep_replaced before update on annotation
      for each row when old.layer = 'prelabel' and old.import_id <> new.import_id
      begin
        insert into replaced_annotation (replaced_by, id, project_id, data_row_id, layer, uuid,
          import_id, feature_schema_id, kind, payload, created_at)
        values (new.import_id, old.id, old.project_id, old.data_row_id, old.layer, old.uuid,
          old.import_id, old.feature_schema_id, old.kind, old.payload, old.created_at);
      end`.execute(db)
  }
}
