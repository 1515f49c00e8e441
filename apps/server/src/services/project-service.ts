/** Ontologies, projects and batches. */
import {
  AppError,
  NormalizedOntologySchema,
  completeOntology,
  newId,
  type NormalizedOntology,
  type Project,
} from '@labelport/core'
import { DuplicateError, type Repositories } from '@labelport/db'
import type { Caller } from './auth-service.ts'

export const MAX_BATCH_SIZE = 100_000

export class ProjectService {
  readonly #repos: Pick<Repositories, 'datasets' | 'ontologies' | 'projects'>

  constructor(repos: Pick<Repositories, 'datasets' | 'ontologies' | 'projects'>) {
    this.#repos = repos
  }

  async createOntology(caller: Caller, body: { name: string; normalized: unknown }) {
    const parsed = NormalizedOntologySchema.safeParse(body.normalized)
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({
        code: 'validation_failed' as const,
        message: i.message,
        path: ['normalized', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
      }))
      throw new AppError(
        'validation_failed',
        `The ontology is not valid: ${issues[0]?.message ?? ''}`,
        { path: issues[0]?.path ?? ['normalized'], issues },
      )
    }
    const normalized = completeOntology(parsed.data)
    return this.#repos.ontologies.createOntology({
      id: newId(),
      organizationId: caller.organizationId,
      name: body.name,
      normalized,
    })
  }

  async getOntology(caller: Caller, id: string) {
    const ontology = await this.#repos.ontologies.getOntology(caller.organizationId, id)
    if (!ontology)
      throw new AppError('ontology_not_found', `No ontology ${id} in this organization`, {
        path: ['ontologyId'],
      })
    return ontology
  }

  listOntologies(caller: Caller, cursor: string | undefined, limit: number | undefined) {
    return this.#repos.ontologies.listOntologies(caller.organizationId, cursor, limit ?? 100)
  }

  createProject(
    caller: Caller,
    body: { name: string; description?: string | undefined },
  ): Promise<Project> {
    return this.#repos.projects.createProject({
      id: newId(),
      organizationId: caller.organizationId,
      name: body.name,
      description: body.description ?? '',
    })
  }

  async getProject(caller: Caller, id: string): Promise<Project> {
    const project = await this.#repos.projects.getProject(caller.organizationId, id)
    if (!project)
      throw new AppError('project_not_found', `No project ${id} in this organization`, {
        path: ['projectId'],
      })
    return project
  }

  listProjects(caller: Caller, cursor: string | undefined, limit: number | undefined) {
    return this.#repos.projects.listProjects(caller.organizationId, cursor, limit ?? 100)
  }

  async deleteProject(caller: Caller, id: string): Promise<string[]> {
    await this.getProject(caller, id)
    return this.#repos.projects.deleteProject(caller.organizationId, id)
  }

  /** The project's ontology, completed (every node has its featureSchemaId). */
  async projectOntology(caller: Caller, project: Project): Promise<NormalizedOntology> {
    if (project.ontologyId === null) {
      throw new AppError(
        'ontology_not_connected',
        `Project ${project.id} has no ontology yet: connect one first (project.connectOntology)`,
        { path: ['projectId'] },
      )
    }
    const ontology = await this.getOntology(caller, project.ontologyId)
    return ontology.normalized
  }

  async connectOntology(caller: Caller, projectId: string, ontologyId: string): Promise<Project> {
    const project = await this.getProject(caller, projectId)
    await this.getOntology(caller, ontologyId)
    if (project.ontologyId === ontologyId) return project
    if (!(await this.#repos.projects.connectOntology(projectId, ontologyId))) {
      throw new AppError(
        'ontology_already_connected',
        `Project ${projectId} already has ontology ${project.ontologyId ?? ''}; an ontology is connected once`,
        { path: ['ontologyId'] },
      )
    }
    return this.getProject(caller, projectId)
  }

  async createBatch(
    caller: Caller,
    projectId: string,
    body: {
      name: string
      globalKeys?: string[] | undefined
      dataRowIds?: string[] | undefined
      priority?: number | undefined
    },
  ) {
    await this.getProject(caller, projectId)
    const by = body.globalKeys ? { globalKeys: body.globalKeys } : { ids: body.dataRowIds ?? [] }
    const wanted = 'globalKeys' in by ? by.globalKeys : by.ids
    const field = 'globalKeys' in by ? 'globalKeys' : 'dataRowIds'
    const found = await this.#repos.datasets.resolveDataRows(caller.organizationId, by)
    const known = new Set(found.map((r) => ('globalKeys' in by ? r.globalKey : r.id)))
    const missing = wanted.findIndex((w) => !known.has(w))
    if (missing >= 0) {
      throw new AppError(
        'data_row_not_found',
        `No data row ${field === 'globalKeys' ? 'with global key' : ''} '${wanted[missing] ?? ''}' in this organization`,
        { path: [field, missing] },
      )
    }
    const ids = [...new Set(found.map((r) => r.id))]
    try {
      const { batch, alreadyInProject } = await this.#repos.projects.createBatch({
        id: newId(),
        projectId,
        name: body.name,
        priority: body.priority ?? 5,
        dataRowIds: ids,
      })
      return { ...batch, failedDataRowIds: alreadyInProject }
    } catch (err) {
      if (err instanceof DuplicateError)
        throw new AppError(
          'name_taken',
          `A batch named '${body.name}' already exists in this project`,
          { path: ['name'] },
        )
      throw err
    }
  }

  async listBatches(caller: Caller, projectId: string) {
    await this.getProject(caller, projectId)
    return { items: await this.#repos.projects.listBatches(projectId), nextCursor: null }
  }
}
