/**
 * Editing an ontology that may be in use: adding features is always allowed; a feature whose
 * annotations exist cannot be removed (the answer says how many use it); ids of kept features
 * never change.
 */
import {
  AppError,
  NormalizedOntologySchema,
  completeOntology,
  type NormalizedClassification,
  type NormalizedOntology,
} from '@labelport/core'
import type { OntologyRepository } from '@labelport/db'
import type { Caller } from './auth-service.ts'

function featureIds(ontology: NormalizedOntology): Map<string, string> {
  const ids = new Map<string, string>()
  const walk = (c: NormalizedClassification, path: string) => {
    if (c.featureSchemaId) ids.set(c.featureSchemaId, `${path}${c.name}`)
    for (const option of c.options) {
      if (option.featureSchemaId)
        ids.set(option.featureSchemaId, `${path}${c.name}/${option.value}`)
      for (const nested of option.options) walk(nested, `${path}${c.name}/${option.value}/`)
    }
  }
  for (const tool of ontology.tools) {
    if (tool.featureSchemaId) ids.set(tool.featureSchemaId, tool.name)
    for (const c of tool.classifications) walk(c, `${tool.name}/`)
  }
  for (const c of ontology.classifications) walk(c, '')
  return ids
}

export class OntologyEditService {
  readonly #ontologies: OntologyRepository

  constructor(deps: { ontologies: OntologyRepository }) {
    this.#ontologies = deps.ontologies
  }

  async update(
    caller: Caller,
    ontologyId: string,
    body: { name?: string | undefined; normalized: unknown },
  ) {
    const stored = await this.#ontologies.getOntology(caller.organizationId, ontologyId)
    if (!stored)
      throw new AppError('ontology_not_found', `No ontology ${ontologyId} in this organization`, {
        path: ['ontologyId'],
      })
    const parsed = NormalizedOntologySchema.safeParse(body.normalized)
    if (!parsed.success) {
      const first = parsed.error.issues[0]
      throw new AppError(
        'validation_failed',
        `The ontology is not valid: ${first?.message ?? ''}`,
        {
          path: [
            'body',
            'normalized',
            ...(first?.path ?? []).map((p) => (typeof p === 'symbol' ? String(p) : p)),
          ],
        },
      )
    }
    const before = featureIds(stored.normalized)
    const next = completeOntology(parsed.data)
    const after = featureIds(next)
    const removed = [...before.keys()].filter((id) => !after.has(id))
    const used = await this.#ontologies.countAnnotationsUsing(ontologyId, removed)
    if (used > 0)
      throw new AppError(
        'feature_in_use',
        `${used} annotations use the features this change removes (${removed.map((id) => before.get(id)).join(', ')}); only features without annotations can be removed`,
        { path: ['body', 'normalized'] },
      )
    const name = body.name ?? stored.name
    await this.#ontologies.replaceOntology(caller.organizationId, ontologyId, name, next)
    return { ...stored, name, normalized: next }
  }
}
