/**
 * Which organizations may read a stored composite mask. Masks are stored once by content hash, so
 * a hash alone proves nothing: an import grants its organization each mask it stores, and
 * `GET /v1/masks/:sha256` serves a mask only to an organization it was granted to.
 */
import type { Kysely } from 'kysely'
import type { Schema } from './schema.ts'

export class MaskOwners {
  readonly #db: Kysely<Schema>

  constructor(db: Kysely<Schema>) {
    this.#db = db
  }

  async grant(organizationId: string, sha256s: Iterable<string>): Promise<void> {
    const values = [...new Set(sha256s)].map((sha256) => ({
      organization_id: organizationId,
      sha256,
    }))
    for (let i = 0; i < values.length; i += 500) {
      await this.#db
        .insertInto('mask_owner')
        .values(values.slice(i, i + 500))
        .onConflict((oc) => oc.columns(['organization_id', 'sha256']).doNothing())
        .execute()
    }
  }

  async owns(organizationId: string, sha256: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('mask_owner')
      .select('sha256')
      .where('organization_id', '=', organizationId)
      .where('sha256', '=', sha256)
      .executeTakeFirst()
    return row !== undefined
  }
}
