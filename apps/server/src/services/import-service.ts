/**
 * Import jobs, the request side: creation from an upload, a URL or inline lines; reading jobs,
 * their input and their status lines. The ImportWorker (import/import-worker.ts) runs them.
 */
import { createInterface } from 'node:readline'
import { Readable } from 'node:stream'
import {
  AppError,
  newId,
  type CreateImportBody,
  type ImportJob,
  type ImportKind,
} from '@labelport/core'
import {
  DuplicateError,
  importBlobKeys,
  type ImportJobRecord,
  type Repositories,
} from '@labelport/db'
import { FETCH_PREFIX } from '../import/import-worker.ts'
import { writeJobOptions } from '../import/job-options.ts'
import type { BlobStore } from '../storage/blob-store.ts'
import type { Caller } from './auth-service.ts'
import type { CatalogService } from './catalog-service.ts'
import { toImportJob } from './job-views.ts'
import type { ProjectService } from './project-service.ts'

export class ImportService {
  readonly #repos: Pick<Repositories, 'importJobs' | 'importReverts'>
  readonly #blobs: BlobStore
  readonly #projects: ProjectService
  readonly #catalog: CatalogService
  readonly #queued: () => void

  constructor(deps: {
    repos: Pick<Repositories, 'importJobs' | 'importReverts'>
    blobs: BlobStore
    projects: ProjectService
    catalog: CatalogService
    /** a job was queued (the worker looks at once) */
    queued: () => void
  }) {
    this.#repos = deps.repos
    this.#blobs = deps.blobs
    this.#projects = deps.projects
    this.#catalog = deps.catalog
    this.#queued = deps.queued
  }

  async create(
    caller: Caller,
    projectId: string,
    body: CreateImportBody,
    dryRun: boolean,
  ): Promise<ImportJob> {
    const project = await this.#projects.getProject(caller, projectId)
    await this.#projects.projectOntology(caller, project) // fails early when no ontology is connected
    const id = newId()
    let inputKey = importBlobKeys.input(id)
    const source = body.source
    if ('uploadId' in source) {
      const key = this.#catalog.uploadKey(caller, source.uploadId)
      if (!(await this.#blobs.has(key)))
        throw new AppError('upload_not_found', `No upload ${source.uploadId}`, {
          path: ['source', 'uploadId'],
        })
      inputKey = key
    } else if ('url' in source) {
      if (!/^https?:\/\//i.test(source.url))
        throw new AppError('validation_failed', 'source.url must be an http(s) URL', {
          path: ['source', 'url'],
        })
      inputKey = `${FETCH_PREFIX}${source.url}`
    } else {
      await this.#blobs.put(
        inputKey,
        Readable.from(
          source.lines.map((l) => `${typeof l === 'string' ? l : JSON.stringify(l)}\n`),
        ),
      )
    }
    if (body.clip === true) await writeJobOptions(this.#blobs, id, { clip: true })
    return this.#insert(caller, projectId, {
      id,
      name: body.name,
      kind: body.kind,
      dryRun,
      inputKey,
    })
  }

  /**
   * A job on an input already in the blob store (a format import wrote it, and its options): the
   * project's ontology must be connected.
   */
  async createFromInput(
    caller: Caller,
    projectId: string,
    job: { id: string; name: string; kind: ImportKind; dryRun: boolean; inputKey: string },
  ): Promise<ImportJob> {
    const project = await this.#projects.getProject(caller, projectId)
    await this.#projects.projectOntology(caller, project)
    return this.#insert(caller, projectId, job)
  }

  async #insert(
    caller: Caller,
    projectId: string,
    job: { id: string; name: string; kind: ImportKind; dryRun: boolean; inputKey: string },
  ): Promise<ImportJob> {
    try {
      const created = await this.#repos.importJobs.createImportJob({
        id: job.id,
        organizationId: caller.organizationId,
        projectId,
        // dry runs get their own name space: they never block a real import's name
        name: job.name,
        kind: job.kind,
        dryRun: job.dryRun,
        inputKey: job.inputKey,
        statusKey: importBlobKeys.legacyStatus(job.id),
      })
      this.#queued()
      return toImportJob(created)
    } catch (err) {
      if (err instanceof DuplicateError)
        throw new AppError(
          'name_taken',
          `An import named '${job.name}' already exists in this project; import names are unique per project`,
          { path: ['name'] },
        )
      throw err
    }
  }

  async get(caller: Caller, id: string): Promise<ImportJob> {
    const [view] = await this.#views([await this.#find(caller, id)])
    return view ?? toImportJob(await this.#find(caller, id))
  }

  /** Jobs as clients see them, with what each did (issue 10: `effect`). */
  async #views(jobs: ImportJobRecord[]): Promise<ImportJob[]> {
    const effects = await this.#repos.importReverts.effects(jobs)
    return jobs.map((j) => {
      const effect = effects.get(j.id)
      return effect ? { ...toImportJob(j), effect } : toImportJob(j)
    })
  }

  async #find(caller: Caller, id: string): Promise<ImportJobRecord> {
    const job = await this.#repos.importJobs.getImportJob(caller.organizationId, id)
    if (!job)
      throw new AppError('import_not_found', `No import ${id} in this organization`, {
        path: ['importId'],
      })
    return job
  }

  async list(
    caller: Caller,
    projectId: string,
    cursor: string | undefined,
    limit: number | undefined,
  ) {
    await this.#projects.getProject(caller, projectId)
    const page = await this.#repos.importJobs.listImportJobs(projectId, cursor, limit ?? 100)
    return { items: await this.#views(page.items), nextCursor: page.nextCursor }
  }

  async openInput(caller: Caller, id: string): Promise<Readable> {
    const job = await this.#find(caller, id)
    const stream = !job.inputKey.startsWith(FETCH_PREFIX)
      ? await this.#blobs.stream(job.inputKey)
      : null
    if (!stream) throw new AppError('not_found', `The input of import ${id} is not available (yet)`)
    return stream
  }

  /**
   * Status lines, filtered, streamed from the job's status parts. A running job answers with the
   * lines of its committed chunks: what is decided so far, in line order (relationship lines come
   * with the last chunk); a queued job has none yet.
   */
  async *statuses(
    caller: Caller,
    id: string,
    filter: {
      status?: 'SUCCESS' | 'FAILURE' | undefined
      code?: string | undefined
      dataRow?: string | undefined
      search?: string | undefined
      offset?: number | undefined
      limit?: number | undefined
    },
  ): AsyncGenerator<string> {
    const job = await this.#find(caller, id)
    if ((job.state === 'QUEUED' || job.state === 'RUNNING') && job.checkpoint.statusParts === 0)
      return
    let skipped = 0
    let sent = 0
    const offset = filter.offset ?? 0
    const limit = filter.limit ?? Number.POSITIVE_INFINITY
    const search = filter.search?.trim().toLowerCase() || undefined
    const needsParse =
      filter.status !== undefined ||
      filter.code !== undefined ||
      filter.dataRow !== undefined ||
      search !== undefined
    for await (const text of this.#statusLines(job)) {
      if (text === '') continue
      if (needsParse) {
        const s = JSON.parse(text) as {
          status: string
          dataRow: { id: string | null; globalKey: string | null }
          uuid?: string | null
          errors?: { code: string; message?: string; path?: unknown[] }[]
        }
        if (filter.status && s.status !== filter.status) continue
        if (filter.code && !s.errors?.some((e) => e.code === filter.code)) continue
        if (
          filter.dataRow &&
          s.dataRow.id !== filter.dataRow &&
          s.dataRow.globalKey !== filter.dataRow
        )
          continue
        if (search !== undefined && !statusMentions(s, search)) continue
      }
      if (skipped < offset) {
        skipped++
        continue
      }
      if (sent >= limit) break
      sent++
      yield text
    }
  }

  /** The status lines of a job: one part per committed chunk (a single file for older jobs). */
  async *#statusLines(job: ImportJobRecord): AsyncGenerator<string> {
    const parts = job.checkpoint.statusParts
    const keys =
      parts === 0
        ? [job.statusKey]
        : Array.from({ length: parts }, (_, i) => importBlobKeys.statusPart(job.id, i + 1))
    for (const key of keys) {
      const stream = await this.#blobs.stream(key)
      if (!stream) continue
      yield* createInterface({ input: stream, crlfDelay: Infinity })
    }
  }
}

/** Whether a status line holds `needle` (lower case) in its data row, uuid or errors. */
function statusMentions(
  s: {
    dataRow: { id: string | null; globalKey: string | null }
    uuid?: string | null
    errors?: { code: string; message?: string; path?: unknown[] }[]
  },
  needle: string,
): boolean {
  const fields = [s.dataRow.id, s.dataRow.globalKey, s.uuid]
  for (const e of s.errors ?? []) fields.push(e.code, e.message, (e.path ?? []).join('.'))
  return fields.some((f) => typeof f === 'string' && f.toLowerCase().includes(needle))
}
