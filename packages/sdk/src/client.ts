/**
 * The entry point of the SDK: a `Transport` (one API key, one server, `fetch` only) with the
 * organization's resources: datasets, tasks, ontologies, projects, members and keys.
 */
import { api } from '@labelport/core'
import type {
  ApiKey,
  CreatedApiKey,
  CreatedOrganization,
  OntologyResource,
  User,
} from '@labelport/core'
import { Transport, type BodyOf, type ResponseOf } from './transport.ts'
import { Dataset } from './dataset.ts'
import { Project } from './project.ts'
import { Ontology } from './ontology.ts'
import { Task } from './task.ts'

export { DEFAULT_ENDPOINT } from './transport.ts'
export type {
  CallOptions,
  ClientOptions,
  RequestBody,
  RequestOptions,
  ResponseOf,
  UploadOptions,
} from './transport.ts'

export class Client extends Transport {
  async whoAmI(): Promise<ResponseOf<typeof api.whoAmI>> {
    return this.call(api.whoAmI)
  }

  async createDataset(input: { name: string; description?: string }): Promise<Dataset> {
    return new Dataset(this, await this.call(api.createDataset, { body: input }))
  }

  async getDataset(datasetId: string): Promise<Dataset> {
    return new Dataset(this, await this.call(api.getDataset, { params: { datasetId } }))
  }

  async getTask(taskId: string): Promise<Task> {
    return new Task(this, await this.call(api.getTask, { params: { taskId } }))
  }

  /** Creates an ontology from `OntologyBuilder.asDict()` (Labelbox's normalized JSON). */
  async createOntology(
    name: string,
    normalized: unknown,
    mediaType: 'IMAGE' = 'IMAGE',
  ): Promise<Ontology> {
    const resource: OntologyResource = await this.call(api.createOntology, {
      body: { name, normalized, mediaType },
    })
    return new Ontology(resource)
  }

  async getOntology(ontologyId: string): Promise<Ontology> {
    return new Ontology(await this.call(api.getOntology, { params: { ontologyId } }))
  }

  async createProject(input: {
    name: string
    mediaType?: 'IMAGE'
    description?: string
  }): Promise<Project> {
    return new Project(
      this,
      await this.call(api.createProject, { body: { mediaType: 'IMAGE', ...input } }),
    )
  }

  async getProject(projectId: string): Promise<Project> {
    return new Project(this, await this.call(api.getProject, { params: { projectId } }))
  }

  // ── members and keys ──
  /** The members of the organization (admins). */
  async listUsers(): Promise<User[]> {
    return (await this.call(api.listUsers, { query: { limit: 1000 } })).items
  }

  async createUser(input: BodyOf<typeof api.createUser>): Promise<User> {
    return this.call(api.createUser, { body: input })
  }

  async updateUser(userId: string, change: BodyOf<typeof api.updateUser>): Promise<User> {
    return this.call(api.updateUser, { params: { userId }, body: change })
  }

  /** Your own API keys (never their secrets). */
  async listApiKeys(): Promise<ApiKey[]> {
    return (await this.call(api.listApiKeys, { query: { limit: 1000 } })).items
  }

  /** A new key acting as you; `key` is shown this once. */
  async createApiKey(name: string): Promise<CreatedApiKey> {
    return this.call(api.createApiKey, { body: { name } })
  }

  async revokeApiKey(apiKeyId: string): Promise<void> {
    await this.call(api.revokeApiKey, { params: { apiKeyId } })
  }

  async createOrganization(
    input: BodyOf<typeof api.createOrganization>,
  ): Promise<CreatedOrganization> {
    return this.call(api.createOrganization, { body: input })
  }
}
