/** Ontologies: the normalized JSON (checked with its schema when read), and what editing one needs. */
import { sql, type Kysely } from 'kysely'
import { StoredNormalizedOntologySchema, type NormalizedOntology } from '@labelport/core'
import type { OntologyTable, Schema } from './schema.ts'
import { now, readJsonColumn, toPage, type Page } from './query-helpers.ts'

export interface StoredOntology {
  id: string
  name: string
  mediaType: 'IMAGE'
  /** every featureSchemaId set */
  normalized: NormalizedOntology
  createdAt: string
}

export function toOntology(r: OntologyTable): StoredOntology {
  return {
    id: r.id,
    name: r.name,
    mediaType: 'IMAGE',
    normalized: readJsonColumn(
      StoredNormalizedOntologySchema,
      r.normalized_json,
      'ontology.normalized_json',
    ),
    createdAt: r.created_at,
  }
}

export class OntologyRepository {
  readonly #db: Kysely<Schema>

  constructor(db: Kysely<Schema>) {
    this.#db = db
  }

  async createOntology(o: {
    id: string
    organizationId: string
    name: string
    normalized: NormalizedOntology
  }): Promise<StoredOntology> {
    const row: OntologyTable = {
      id: o.id,
      organization_id: o.organizationId,
      name: o.name,
      media_type: 'IMAGE',
      normalized_json: JSON.stringify(o.normalized),
      created_at: now(),
    }
    await this.#db.insertInto('ontology').values(row).execute()
    return {
      id: o.id,
      name: o.name,
      mediaType: 'IMAGE',
      normalized: o.normalized,
      createdAt: row.created_at,
    }
  }

  async getOntology(organizationId: string, id: string): Promise<StoredOntology | undefined> {
    const row = await this.#db
      .selectFrom('ontology')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst()
    return row && toOntology(row)
  }

  async listOntologies(
    organizationId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<StoredOntology>> {
    let q = this.#db
      .selectFrom('ontology')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .limit(limit + 1)
    if (cursor) q = q.where('id', '>', cursor)
    return toPage((await q.execute()).map(toOntology), limit)
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

  /** A new version of the ontology (name and normalized JSON) in place. */
  async replaceOntology(
    organizationId: string,
    id: string,
    name: string,
    normalized: NormalizedOntology,
  ): Promise<void> {
    await this.#db
      .updateTable('ontology')
      .set({ name, normalized_json: JSON.stringify(normalized) })
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .execute()
  }
}
