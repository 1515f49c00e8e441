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
import {
  DuplicateError,
  JobLostError,
  statusPartKey,
  type ImportCheckpoint,
  type ImportJobRecord,
  type ImportJobTable,
  type JobRepository,
  type Repositories,
} from '@labelport/db'
import { ImportRunner, ImportSourceError } from '../import/import-runner.ts'
import type { MaskProcessor } from '../masks/mask-processor.ts'
import type { BlobStore } from '../storage/blob-store.ts'
import { systemCaller, type Caller } from './auth-service.ts'
import type { CatalogService } from './catalog-service.ts'
import { toImportJob } from './job-views.ts'
import { keepLease, type JobSettings } from './job-settings.ts'
import type { ProjectService } from './project-service.ts'

/** an import whose input must first be fetched keeps the URL here until the worker fetched it */
const FETCH_PREFIX = 'fetch:'

export type UrlStreamer = (
  url: string,
) => Promise<{ ok: true; stream: Readable } | { ok: false; issue: Issue }>

export class ImportService {
  readonly #repos: Pick<Repositories, 'importJobs' | 'annotations' | 'datasets' | 'maskOwners'>
  readonly #blobs: BlobStore
  readonly #projects: ProjectService
  readonly #catalog: CatalogService
  readonly #runner: ImportRunner
  readonly #fetchStream: UrlStreamer
  readonly #jobs: JobRepository
  readonly #settings: JobSettings
  readonly #pollMs: number
  #wakers: (() => void)[] = []
  #stopped = false
  #loops: Promise<void>[] = []
  #busy = 0
  #idleWaiters: (() => void)[] = []

  constructor(deps: {
    repos: Pick<Repositories, 'importJobs' | 'annotations' | 'datasets' | 'maskOwners'>
    blobs: BlobStore
    projects: ProjectService
    catalog: CatalogService
    masks: MaskProcessor
    maxLineBytes: number
    fetchStream: UrlStreamer
    jobs: JobRepository
    settings: JobSettings
    chunkLines?: number
  }) {
    this.#jobs = deps.jobs
    this.#settings = deps.settings
    // a job whose lease expired is seen within a third of the lease
    this.#pollMs = Math.min(1000, Math.max(50, Math.floor(deps.settings.leaseMs / 3)))
    this.#repos = deps.repos
    this.#blobs = deps.blobs
    this.#projects = deps.projects
    this.#catalog = deps.catalog
    this.#fetchStream = deps.fetchStream
    this.#runner = new ImportRunner({
      repos: deps.repos,
      blobs: deps.blobs,
      masks: deps.masks,
      maxLineBytes: deps.maxLineBytes,
      ...(deps.chunkLines === undefined ? {} : { chunkLines: deps.chunkLines }),
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
      const job = await this.#repos.importJobs.createImportJob({
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
      this.#wakeOne()
      return toImportJob(job)
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
    return toImportJob(await this.#find(caller, id))
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
    return { items: page.items.map(toImportJob), nextCursor: page.nextCursor }
  }

  async openInput(caller: Caller, id: string): Promise<Readable> {
    const job = await this.#find(caller, id)
    const stream = !job.inputKey.startsWith(FETCH_PREFIX)
      ? await this.#blobs.stream(job.inputKey)
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
    const job = await this.#find(caller, id)
    if (job.state === 'QUEUED' || job.state === 'RUNNING') return
    let skipped = 0
    let sent = 0
    const offset = filter.offset ?? 0
    const limit = filter.limit ?? Number.POSITIVE_INFINITY
    const needsParse =
      filter.status !== undefined || filter.code !== undefined || filter.dataRow !== undefined
    for await (const text of this.#statusLines(job)) {
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

  /** The status lines of a job: one part per committed chunk (a single file for older jobs). */
  async *#statusLines(job: ImportJobRecord): AsyncGenerator<string> {
    const parts = job.checkpoint.statusParts
    const keys =
      parts === 0
        ? [job.statusKey]
        : Array.from({ length: parts }, (_, i) => statusPartKey(job.id, i + 1))
    for (const key of keys) {
      const stream = await this.#blobs.stream(key)
      if (!stream) continue
      yield* createInterface({ input: stream, crlfDelay: Infinity })
    }
  }

  // ── the worker ─────────────────────────────────────────────────────────

  /**
   * Starts `concurrency` loops that claim jobs: queued ones, or RUNNING ones whose lease expired
   * (their server crashed or stopped). The organization with the fewest running jobs goes first.
   */
  start(opts: { concurrency: number }): void {
    this.#loops = Array.from({ length: Math.max(1, opts.concurrency) }, () => this.#work())
  }

  /**
   * Graceful stop: running jobs stop at their next chunk boundary (everything before it is
   * committed) and give their lease back; waits at most `stopTimeoutMs`. A job still running then
   * is taken over by another server (or the next start) when its lease expires.
   */
  async stop(): Promise<void> {
    this.#stopped = true
    for (const wake of this.#wakers.splice(0)) wake()
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.allSettled(this.#loops),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#settings.stopTimeoutMs)
      }),
    ])
    clearTimeout(timer)
  }

  /** Resolves when no queued job is left (tests and benchmarks). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve)
      for (const wake of this.#wakers.splice(0)) wake()
    })
  }

  #wakeOne(): void {
    this.#wakers.shift()?.()
  }

  async #work(): Promise<void> {
    while (!this.#stopped) {
      // busy from the claim on: whenIdle must not see a loop that is about to get a job as idle
      this.#busy++
      let job: Awaited<ReturnType<JobRepository['claimImport']>>
      try {
        job = await this.#jobs.claimImport(this.#settings.owner, this.#settings.leaseMs)
        if (job) await this.#runJob(job)
      } catch (err) {
        console.error('claiming an import failed', err)
        job = undefined
      } finally {
        this.#busy--
      }
      if (job) continue
      if (this.#busy === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve()
      // other servers queue jobs and leases expire: poll as well as being woken
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#pollMs)
        this.#wakers.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  async #runJob(row: ImportJobTable): Promise<void> {
    const id = row.id
    const owner = this.#settings.owner
    const resume: ImportCheckpoint = {
      bytes: row.checkpoint_bytes,
      line: row.checkpoint_line,
      statusParts: row.status_parts,
      progress: row.progress,
      total: row.total,
      success: row.success,
      failure: row.failure,
      errorCounts: JSON.parse(row.error_counts_json) as ImportCheckpoint['errorCounts'],
      errorExamples: JSON.parse(row.error_examples_json) as ImportCheckpoint['errorExamples'],
    }
    if (row.attempts > this.#settings.maxAttempts) {
      await this.#jobs.endImport(id, owner, {
        state: 'FAILED',
        reason: issue(
          'job_interrupted',
          `The import was interrupted ${row.attempts - 1} times (its server stopped or crashed while running it); ` +
            `the ${resume.total} lines judged before are kept with their status lines`,
        ),
      })
      return
    }
    let lost = false
    const stopLease = keepLease(
      this.#settings.leaseMs,
      () => this.#jobs.renewImport(id, owner, this.#settings.leaseMs),
      () => {
        lost = true
      },
    )
    try {
      const caller = systemCaller(row.organization_id)
      const project = await this.#projects.getProject(caller, row.project_id)
      const ontology = await this.#projects.projectOntology(caller, project)
      let inputKey = row.input_key
      if (inputKey.startsWith(FETCH_PREFIX))
        inputKey = await this.#fetchInput(id, inputKey.slice(FETCH_PREFIX.length))
      const end = await this.#runner.run({
        id,
        organizationId: row.organization_id,
        projectId: row.project_id,
        kind: row.kind,
        dryRun: row.dry_run === 1,
        inputKey,
        ontology,
        owner,
        leaseMs: this.#settings.leaseMs,
        resume,
        shouldStop: () => this.#stopped || lost,
      })
      if (end.ended === 'stopped' && !lost) await this.#jobs.releaseImport(id, owner)
    } catch (err) {
      // stopping: a write cut short by the closing database is not the job's failure; the lease
      // expires and another server (or the next start) resumes it
      if (this.#stopped) return
      if (err instanceof JobLostError || lost) {
        // taken over (a lease that expired while we were stalled) or deleted with its project
        if (!(await this.#jobs.importExists(id))) await this.#removeBlobs(id)
        return
      }
      const reason =
        err instanceof ImportSourceError
          ? err.issue
          : err instanceof AppError
            ? { code: err.code, message: err.message, path: err.path }
            : issue('internal', `The import stopped: ${(err as Error).message}`)
      if (!(err instanceof ImportSourceError) && !(err instanceof AppError))
        console.error(`import ${id} failed`, err)
      const fresh = await this.#repos.importJobs.getImportJob(undefined, id)
      await this.#jobs.endImport(id, owner, { state: 'FAILED', reason })
      // a status part written for a chunk whose commit never happened
      if (fresh) await this.#blobs.delete(statusPartKey(id, fresh.checkpoint.statusParts + 1))
    } finally {
      stopLease()
    }
  }

  /** The blobs of an import deleted while this server ran it (the project delete took the rest). */
  async #removeBlobs(id: string): Promise<void> {
    if (await this.#repos.importJobs.getImportJob(undefined, id)) return
    await this.#blobs.delete(`imports/${id}/input.ndjson`)
    for (let n = 1; ; n++) {
      const key = statusPartKey(id, n)
      if (!(await this.#blobs.has(key))) break
      await this.#blobs.delete(key)
    }
  }

  async #fetchInput(id: string, url: string): Promise<string> {
    const fetched = await this.#fetchStream(url)
    if (!fetched.ok) throw new ImportSourceError({ ...fetched.issue, path: ['source', 'url'] })
    const key = `imports/${id}/input.ndjson`
    await this.#blobs.put(key, fetched.stream, 'application/x-ndjson')
    if (!(await this.#jobs.setImportInputKey(id, this.#settings.owner, key)))
      throw new JobLostError(`import ${id} is no longer this server's`)
    return key
  }
}
