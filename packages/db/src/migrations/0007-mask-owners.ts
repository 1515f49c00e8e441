import { PostgresAdapter, sql, type Kysely } from 'kysely'

// Composite masks are stored once by content hash (masks/<sha256>.png); this table says which
// organizations may read each one. Existing mask annotations grant their project's organization.
export async function up(db: Kysely<unknown>): Promise<void> {
  const key = db.getExecutor().adapter instanceof PostgresAdapter ? sql`text collate "C"` : 'text'
  await db.schema
    .createTable('mask_owner')
    .addColumn('organization_id', key, (c) => c.notNull().references('organization.id'))
    .addColumn('sha256', key, (c) => c.notNull())
    .addPrimaryKeyConstraint('mask_owner_pk', ['organization_id', 'sha256'])
    .execute()
  const rows = await sql<{ organization_id: string; payload: string }>`
    select distinct p.organization_id, a.payload from annotation a
    join project p on p.id = a.project_id where a.kind = 'mask'`.execute(db)
  const owners = new Set<string>()
  for (const r of rows.rows) {
    const sha = (JSON.parse(r.payload) as { geometry?: { compositeSha256?: unknown } }).geometry
      ?.compositeSha256
    if (typeof sha === 'string') owners.add(`${r.organization_id} ${sha}`)
  }
  for (const owner of owners) {
    const [organizationId = '', sha256 = ''] = owner.split(' ')
    await sql`insert into mask_owner (organization_id, sha256) values (${organizationId}, ${sha256})`.execute(
      db,
    )
  }
}
