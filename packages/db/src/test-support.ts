/** For tests of this package only: what production code never needs (organizations come from identity-store.ts). */
import type { Connection } from './connect.ts'
import { now } from './query-helpers.ts'

/** Makes the organization unless it exists. */
export async function ensureOrganization(
  conn: Connection,
  id: string,
  name: string,
): Promise<void> {
  const found = await conn.db
    .selectFrom('organization')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst()
  if (!found)
    await conn.db.insertInto('organization').values({ id, name, created_at: now() }).execute()
}
