/** A labeling project: one connected ontology, batches of data rows, imports, export. */
import { api } from '@labelport/core'
import type { Batch, ImportJob, Project as ProjectResource } from '@labelport/core'
import type { Transport } from './transport.ts'
import { Evaluation, type CreateEvaluationOptions } from './evaluation.ts'
import type { ExportRow } from './export-row.ts'
import { LabelportError } from './errors.ts'
import { ProjectLabeling, type DataRowLabeling } from './labeling.ts'
import type { Ontology } from './ontology.ts'
import {
  exportFormatStream,
  importFormat,
  type ExportFormat,
  type ExportFormatOptions,
  type FormatImportArgs,
  type FormatImportOutcome,
} from './format-import.ts'

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

  /** Labeling: the queue, drafts, submit, review, counts (docs/labeling.md). */
  get labeling(): ProjectLabeling {
    return new ProjectLabeling(this.client, this.id)
  }

  /** Leases the next data row to label to you (`project.labeling.next()`); null when none is left. */
  async nextDataRowToLabel(): Promise<DataRowLabeling | null> {
    return this.labeling.next()
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

  /**
   * Imports a foreign annotation file (COCO, CVAT, LabelMe, Label Studio, Labelbox; YOLO, Pascal
   * VOC or LabelMe folders as a ZIP): the server detects the format, refuses features the ontology
   * lacks (`format_features_unmapped`, nothing written) and runs an import job whose status lines
   * name each object's place in the file. `waitUntilDone()` on `outcome.job`.
   */
  async importFormat(args: FormatImportArgs): Promise<FormatImportOutcome> {
    const outcome = await importFormat(this.client, this.id, args)
    await this.refresh()
    return outcome
  }

  /** The project in a foreign format, streamed: the format's file, or a ZIP for yolo, voc and labelme. */
  exportFormatStream(
    format: ExportFormat,
    options: ExportFormatOptions = {},
  ): AsyncGenerator<Uint8Array> {
    return exportFormatStream(this.client, this.id, format, options)
  }

  /** `exportFormatStream`, gathered into one byte array. */
  async exportFormat(format: ExportFormat, options: ExportFormatOptions = {}): Promise<Uint8Array> {
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of this.exportFormatStream(format, options)) {
      chunks.push(chunk)
      size += chunk.length
    }
    const out = new Uint8Array(size)
    let at = 0
    for (const chunk of chunks) {
      out.set(chunk, at)
      at += chunk.length
    }
    return out
  }

  async delete(): Promise<void> {
    await this.client.call(api.deleteProject, { params: { projectId: this.id } })
  }
}
