import { PostgresAdapter, sql, type Kysely } from 'kysely'

// The GraphQL layer's own state (issue 15): one key-value table. It holds the secret that signs
// file URLs (shared by every server on one database) and the Labelbox-only project settings
// (quality-mode numbers, setupComplete) that the rest of Labelport has no use for.
export async function up(db: Kysely<unknown>): Promise<void> {
  const key = db.getExecutor().adapter instanceof PostgresAdapter ? sql`text collate "C"` : 'text'
  await db.schema
    .createTable('graphql_state')
    .addColumn('key', key, (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute()
}
