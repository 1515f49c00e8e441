/** A labeling project: one connected ontology, batches of data rows, imports, export. */
import { api } from '@labelport/core'
import type { Batch, ImportJob, Project as ProjectResource } from '@labelport/core'
import type { Transport } from './transport.ts'
import { Evaluation, type CreateEvaluationOptions } from './evaluation.ts'
import type { ExportRow } from './export-row.ts'
import { LabelportError } from './errors.ts'
import type { Ontology } from './ontology.ts'

export interface CreateBatchOptions {
  globalKeys?: readonly string[]
  dataRowIds?: readonly string[]
  /** 1 (highest) … 5 (lowest, default) */
  priority?: number
}

const MAX_BATCH_ROWS = 100_000

export class Project {
  readonly client: Transport
  #resource: ProjectResource

  constructor(client: Transport, resource: ProjectResource) {
    this.client = client
    this.#resource = resource
  }

  /** the project id (Labelbox's `project.uid`) */
  get uid(): string {
    return this.#resource.id
  }
  get id(): string {
    return this.#resource.id
  }
  get name(): string {
    return this.#resource.name
  }
  get description(): string {
    return this.#resource.description
  }
  get mediaType(): 'IMAGE' {
    return this.#resource.mediaType
  }
  get ontologyId(): string | null {
    return this.#resource.ontologyId
  }
  get dataRowCount(): number {
    return this.#resource.dataRowCount
  }
  get createdAt(): string {
    return this.#resource.createdAt
  }

  async refresh(): Promise<this> {
    this.#resource = await this.client.call(api.getProject, { params: { projectId: this.id } })
    return this
  }

  /** Connects the ontology (once per project). */
  async connectOntology(ontology: Ontology | string): Promise<this> {
    const ontologyId = typeof ontology === 'string' ? ontology : ontology.id
    this.#resource = await this.client.call(api.connectOntology, {
      params: { projectId: this.id },
      body: { ontologyId },
    })
    return this
  }

  /** Adds data rows to the project as a named batch (the name is unique per project). */
  async createBatch(name: string, options: CreateBatchOptions): Promise<Batch> {
    const { globalKeys, dataRowIds, priority } = options
    if ((globalKeys === undefined) === (dataRowIds === undefined)) {
      throw new LabelportError(
        'validation_failed',
        'give exactly one of globalKeys or dataRowIds',
        { path: ['globalKeys'] },
      )
    }
    const rows = globalKeys ?? dataRowIds ?? []
    const key = globalKeys === undefined ? 'dataRowIds' : 'globalKeys'
    if (rows.length === 0)
      throw new LabelportError('validation_failed', 'You need at least one data row in a batch', {
        path: [key],
      })
    if (rows.length > MAX_BATCH_ROWS) {
      throw new LabelportError(
        'limit_exceeded',
        `Batch exceeds max size of ${MAX_BATCH_ROWS} data rows, break into smaller batches`,
        { path: [key] },
      )
    }
    const batch = await this.client.call(api.createBatch, {
      params: { projectId: this.id },
      body: { name, [key]: [...rows], ...(priority === undefined ? {} : { priority }) },
    })
    await this.refresh()
    return batch
  }

  async batches(): Promise<Batch[]> {
    return (await this.client.call(api.listBatches, { params: { projectId: this.id } })).items
  }

  /** Import jobs of this project, newest first as the server lists them. */
  async imports(): Promise<ImportJob[]> {
    const jobs: ImportJob[] = []
    let cursor: string | undefined
    do {
      const page = await this.client.call(api.listImports, {
        params: { projectId: this.id },
        query: { limit: 1000, ...(cursor === undefined ? {} : { cursor }) },
      })
      jobs.push(...page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    return jobs
  }

  /** Starts an evaluation of the pre-labels against the labels; `waitUntilDone()` on the result. */
  async createEvaluation(options: CreateEvaluationOptions = {}): Promise<Evaluation> {
    const resource = await this.client.call(api.createEvaluation, {
      params: { projectId: this.id },
      body: options,
    })
    return new Evaluation(this.client, resource)
  }

  /** Evaluations of this project, newest first. */
  async evaluations(): Promise<Evaluation[]> {
    const out: Evaluation[] = []
    let cursor: string | undefined
    do {
      const page = await this.client.call(api.listEvaluations, {
        params: { projectId: this.id },
        query: { limit: 1000, ...(cursor === undefined ? {} : { cursor }) },
      })
      out.push(...page.items.map((e) => new Evaluation(this.client, e)))
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    return out
  }

  /** Export v2, streamed: one row per data row in the project's batches. */
  exportStream(
    options: { signal?: AbortSignal; masks?: 'url' | 'rle' } = {},
  ): AsyncGenerator<ExportRow> {
    return this.client.stream<ExportRow>(api.exportProject, {
      params: { projectId: this.id },
      ...(options.masks ? { query: { masks: options.masks } } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })
  }

  /** Export v2 as a list (see `exportStream` for large projects); `masks: 'rle'` adds each mask's own RLE. */
  async export(
    options: { signal?: AbortSignal; masks?: 'url' | 'rle' } = {},
  ): Promise<ExportRow[]> {
    const rows: ExportRow[] = []
    for await (const row of this.exportStream(options)) rows.push(row)
    return rows
  }

  async delete(): Promise<void> {
    await this.client.call(api.deleteProject, { params: { projectId: this.id } })
  }
}
