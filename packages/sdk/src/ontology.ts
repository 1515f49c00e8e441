/** A stored ontology: the normalized JSON with every featureSchemaId filled in by the server. */
import type { NormalizedOntology, OntologyResource } from '@labelport/core'

export class Ontology {
  readonly uid: string
  readonly id: string
  readonly name: string
  readonly mediaType: 'IMAGE'
  /** NormalizedOntology as stored (ids set) */
  readonly normalized: NormalizedOntology
  readonly createdAt: string

  constructor(resource: OntologyResource) {
    this.uid = resource.id
    this.id = resource.id
    this.name = resource.name
    this.mediaType = resource.mediaType
    this.normalized = resource.normalized
    this.createdAt = resource.createdAt
  }

  /** The featureSchemaId of a top-level tool or classification, by name. */
  featureSchemaId(name: string): string | undefined {
    const found = [...this.normalized.tools, ...this.normalized.classifications].find(
      (node) => node.name === name,
    )
    return found?.featureSchemaId ?? undefined
  }
}
