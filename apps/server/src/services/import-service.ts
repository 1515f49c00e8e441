/** Import jobs: creation from an upload, a URL or inline lines; the worker that runs them; statuses. */
import { createInterface } from 'node:readline'
import { Readable } from 'node:stream'
import {
  AppError,
  issue,
  newId,
  type CreateImportBody,
  type ImportJob,
  type Issue,
} from '@labelport/core'
import { DuplicateError, type Store } from '@labelport/db'
import { ImportRunner, ImportSourceError } from '../import/import-runner.ts'
import type { MaskProcessor } from '../masks/mask-processor.ts'
import type { BlobStore } from '../storage/blob-store.ts'
import { systemCaller, type Caller } from './auth-service.ts'
import type { CatalogService } from './catalog-service.ts'
import type { ProjectService } from './project-service.ts'

/** an import whose input must first be fetched keeps the URL here until the worker fetched it */
const FETCH_PREFIX = 'fetch:'

export type UrlStreamer = (
  url: string,
) => Promise<{ ok: true; stream: Readable } | { ok: false; issue: Issue }>

export class ImportService {
  readonly #store: Store
  readonly #blobs: BlobStore
  readonly #projects: ProjectService
  readonly #catalog: CatalogService
  readonly #runner: ImportRunner
  readonly #fetchStream: UrlStreamer
  #wake: (() => void) | null = null
  #stopped = false
  #loop: Promise<void> | null = null
  #idleWaiters: (() => void)[] = []

  constructor(deps: {
    store: Store
    blobs: BlobStore
    projects: ProjectService
    catalog: CatalogService
    masks: MaskProcessor
    maxLineBytes: number
    fetchStream: UrlStreamer
  }) {
    this.#store = deps.store
    this.#blobs = deps.blobs
    this.#projects = deps.projects
    this.#catalog = deps.catalog
    this.#fetchStream = deps.fetchStream
    this.#runner = new ImportRunner({
      store: deps.store,
      blobs: deps.blobs,
      masks: deps.masks,
      maxLineBytes: deps.maxLineBytes,
    })
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
    let inputKey = `imports/${id}/input.ndjson`
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
    try {
      const job = await this.#store.createImportJob({
        id,
        organizationId: caller.organizationId,
        projectId,
        // dry runs get their own name space: they never block a real import's name
        name: body.name,
        kind: body.kind,
        dryRun,
        inputKey,
        statusKey: `imports/${id}/status.ndjson`,
      })
      this.#wake?.()
      return job
    } catch (err) {
      if (err instanceof DuplicateError)
        throw new AppError(
          'name_taken',
          `An import named '${body.name}' already exists in this project; import names are unique per project`,
          { path: ['name'] },
        )
      throw err
    }
  }

  async get(caller: Caller, id: string): Promise<ImportJob> {
    const job = await this.#store.getImportJob(caller.organizationId, id)
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
    return this.#store.listImportJobs(projectId, cursor, limit ?? 100)
  }

  async openInput(caller: Caller, id: string): Promise<Readable> {
    await this.get(caller, id)
    const row = await this.#store.getImportJobRow(id)
    const stream =
      row && !row.input_key.startsWith(FETCH_PREFIX)
        ? await this.#blobs.stream(row.input_key)
        : null
    if (!stream) throw new AppError('not_found', `The input of import ${id} is not available (yet)`)
    return stream
  }

  /** Status lines, filtered; streamed from the status file of a finished job. */
  async *statuses(
    caller: Caller,
    id: string,
    filter: {
      status?: 'SUCCESS' | 'FAILURE' | undefined
      code?: string | undefined
      dataRow?: string | undefined
      offset?: number | undefined
      limit?: number | undefined
    },
  ): AsyncGenerator<string> {
    const job = await this.get(caller, id)
    if (job.state === 'RUNNING') return
    const row = await this.#store.getImportJobRow(id)
    const stream = row ? await this.#blobs.stream(row.status_key) : null
    if (!stream) return
    let skipped = 0
    let sent = 0
    const offset = filter.offset ?? 0
    const limit = filter.limit ?? Number.POSITIVE_INFINITY
    const needsParse =
      filter.status !== undefined || filter.code !== undefined || filter.dataRow !== undefined
    for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
      if (text === '') continue
      if (needsParse) {
        const s = JSON.parse(text) as {
          status: string
          dataRow: { id: string | null; globalKey: string | null }
          errors?: { code: string }[]
        }
        if (filter.status && s.status !== filter.status) continue
        if (filter.code && !s.errors?.some((e) => e.code === filter.code)) continue
        if (
          filter.dataRow &&
          s.dataRow.id !== filter.dataRow &&
          s.dataRow.globalKey !== filter.dataRow
        )
          continue
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

  // ── the worker ─────────────────────────────────────────────────────────

  /** Starts the loop that claims queued jobs; one job at a time per server process. */
  async start(opts: { singleProcess: boolean }): Promise<void> {
    // a single-process server that stopped mid-import can never finish those jobs;
    // with PostgreSQL other servers may be running them, so they are left alone
    if (opts.singleProcess)
      await this.#store.failInterruptedJobs(
        issue(
          'internal',
          'The server stopped while this import was running; run it again under a new name',
        ),
      )
    this.#loop = this.#work()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#wake?.()
    await this.#loop
  }

  /** Resolves when no queued job is left (tests and benchmarks). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve)
      this.#wake?.()
    })
  }

  async #work(): Promise<void> {
    while (!this.#stopped) {
      const job = await this.#store.claimQueuedImportJob()
      if (job) {
        await this.#runJob(job.id)
        continue
      }
      for (const resolve of this.#idleWaiters.splice(0)) resolve()
      // another server may queue jobs too (PostgreSQL): poll as well as being woken
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000)
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.#wake = null
    }
  }

  async #runJob(id: string): Promise<void> {
    const row = await this.#store.getImportJobRow(id)
    if (!row) return
    try {
      const caller = systemCaller(row.organization_id)
      const project = await this.#projects.getProject(caller, row.project_id)
      const ontology = await this.#projects.projectOntology(caller, project)
      let inputKey = row.input_key
      if (inputKey.startsWith(FETCH_PREFIX))
        inputKey = await this.#fetchInput(id, inputKey.slice(FETCH_PREFIX.length))
      const outcome = await this.#runner.run(
        {
          id,
          organizationId: row.organization_id,
          projectId: row.project_id,
          kind: row.kind,
          dryRun: row.dry_run === 1,
          inputKey,
          statusKey: row.status_key,
          ontology,
        },
        (progress, o) =>
          this.#store.updateImportJob(id, {
            progress,
            counts: { total: o.total, success: o.success, failure: o.failure },
          }),
      )
      await this.#store.updateImportJob(id, {
        state: 'FINISHED',
        progress: 100,
        counts: { total: outcome.total, success: outcome.success, failure: outcome.failure },
        errorCounts: outcome.errorCounts,
        errorExamples: outcome.errorExamples,
      })
    } catch (err) {
      const reason =
        err instanceof ImportSourceError
          ? err.issue
          : err instanceof AppError
            ? { code: err.code, message: err.message, path: err.path }
            : issue('internal', `The import stopped: ${(err as Error).message}`)
      if (!(err instanceof ImportSourceError) && !(err instanceof AppError))
        console.error(`import ${id} failed`, err)
      await this.#store.updateImportJob(id, { state: 'FAILED', failureReason: reason })
    }
  }

  async #fetchInput(id: string, url: string): Promise<string> {
    const fetched = await this.#fetchStream(url)
    if (!fetched.ok) throw new ImportSourceError({ ...fetched.issue, path: ['source', 'url'] })
    const key = `imports/${id}/input.ndjson`
    await this.#blobs.put(key, fetched.stream, 'application/x-ndjson')
    await this.#store.setImportInputKey(id, key)
    return key
  }
}
