/** Queries of the GraphQL layer (issue 15): its key-value state and import lookup by name. */
import type { Kysely } from 'kysely'
import type { Schema } from './schema.ts'

// a type alias (not an interface): Kysely wants an index-signature-compatible record
type GraphqlTables = {
  graphql_state: { key: string; value: string }
}

export class GraphqlStateRepository {
  readonly #db: Kysely<Schema & GraphqlTables>

  constructor(db: Kysely<Schema>) {
    this.#db = db.withTables<GraphqlTables>()
  }

  async get(key: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('graphql_state')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst()
    return row?.value
  }

  async set(key: string, value: string): Promise<void> {
    await this.#db
      .insertInto('graphql_state')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute()
  }

  /** The stored value, or `candidate` stored first: every server of one database gets the same. */
  async getOrInsert(key: string, candidate: string): Promise<string> {
    await this.#db
      .insertInto('graphql_state')
      .values({ key, value: candidate })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute()
    return (await this.get(key)) ?? candidate
  }

  /** The id of a (non dry-run) import job by project and name, as Labelbox looks jobs up. */
  async findImportJobId(
    organizationId: string,
    projectId: string,
    name: string,
    kind: 'mal' | 'ground_truth',
  ): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('import_job')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .where('kind', '=', kind)
      .where('dry_run', '=', 0)
      .executeTakeFirst()
    return row?.id
  }

  /** The organization of an import job (signed file URLs carry no key). */
  async importJobOrganization(id: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('import_job')
      .select('organization_id')
      .where('id', '=', id)
      .executeTakeFirst()
    return row?.organization_id
  }
}
