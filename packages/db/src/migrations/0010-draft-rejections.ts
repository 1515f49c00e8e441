import type { Kysely } from 'kysely'

// Rejected suggestions stay rejected (docs/editor.md): a draft records the pre-label uuids its
// labeler rejected, as a JSON array, so the editor does not offer them again after a reload.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('label_draft')
    .addColumn('rejected_suggestions_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute()
}
