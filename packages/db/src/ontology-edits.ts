/** Editing a stored ontology: how many annotations use some of its features, and the new version. */
import { sql, type Kysely } from 'kysely'
import type { Connection } from './connect.ts'
import type { Schema } from './schema.ts'

export class OntologyEdits {
  readonly #db: Kysely<Schema>

  constructor(conn: Connection) {
    this.#db = conn.db
  }

  /**
   * Annotations, in the projects using the ontology, of these features: a top-level feature by its
   * column, a nested one (answer, nested question) by its id inside the stored record.
   */
  async countAnnotationsUsing(ontologyId: string, featureSchemaIds: string[]): Promise<number> {
    if (featureSchemaIds.length === 0) return 0
    const row = await this.#db
      .selectFrom('annotation')
      .innerJoin('project', 'project.id', 'annotation.project_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project.ontology_id', '=', ontologyId)
      .where((eb) =>
        eb.or([
          eb('annotation.feature_schema_id', 'in', featureSchemaIds),
          // ids are cuid-shaped (letters and digits): no LIKE wildcard can hide in them
          ...featureSchemaIds.map((id) =>
            eb('annotation.payload', 'like', sql<string>`${`%${id}%`}`),
          ),
        ]),
      )
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  async replace(
    organizationId: string,
    id: string,
    name: string,
    normalized: unknown,
  ): Promise<void> {
    await this.#db
      .updateTable('ontology')
      .set({ name, normalized_json: JSON.stringify(normalized) })
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .execute()
  }
}
