import { PostgresAdapter, sql, type Kysely } from 'kysely'

// Users with roles, sessions, API keys that belong to a user and can be revoked, who started an
// import, and an audit trail of deletions (issue 11; key revocation from issue 9 item 9).
export async function up(db: Kysely<unknown>): Promise<void> {
  const key = db.getExecutor().adapter instanceof PostgresAdapter ? sql`text collate "C"` : 'text'
  await db.schema
    .createTable('app_user')
    .addColumn('id', key, (c) => c.primaryKey())
    .addColumn('organization_id', key, (c) => c.notNull().references('organization.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  // one account per email on a server: sign-in asks for the email only
  await db.schema.createIndex('app_user_email').unique().on('app_user').column('email').execute()
  await db.schema
    .createTable('session')
    .addColumn('id', key, (c) => c.primaryKey())
    .addColumn('user_id', key, (c) => c.notNull().references('app_user.id'))
    .addColumn('token_hash', key, (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute()
  await db.schema.alterTable('api_key').addColumn('user_id', key).execute()
  await db.schema.alterTable('api_key').addColumn('prefix', 'text').execute()
  await db.schema.alterTable('api_key').addColumn('revoked_at', 'text').execute()
  await db.schema.alterTable('import_job').addColumn('created_by', key).execute()
  await db.schema
    .createTable('audit_event')
    .addColumn('id', key, (c) => c.primaryKey())
    .addColumn('organization_id', key, (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', key, (c) => c.notNull())
    .addColumn('user_id', key)
    .addColumn('api_key_id', key)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('audit_event_organization')
    .on('audit_event')
    .columns(['organization_id', 'created_at'])
    .execute()
}
