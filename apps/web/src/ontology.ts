/** The stored ontology JSON, read through core's schema (every featureSchemaId is set once stored). */
import { NormalizedOntologySchema } from '@labelport/core'
import type { NormalizedOntology } from '@labelport/core'

export function readOntology(normalized: unknown): NormalizedOntology | null {
  const parsed = NormalizedOntologySchema.safeParse(normalized)
  return parsed.success ? parsed.data : null
}
