/**
 * The import worker of one server: `concurrency` loops that claim import jobs (queued ones, or
 * RUNNING ones whose lease expired: their server crashed or stopped), keep the lease while the
 * ImportRunner runs the job, and end it. It acts for no caller: the job row it claimed names the
 * organization and project, read once at the claim.
 */
import type { Readable } from 'node:stream'
import { AppError, issue, type Issue, type NormalizedOntology } from '@labelport/core'
import {
  JobLostError,
  importBlobKeys,
  type ImportCheckpoint,
  type ImportJobTable,
  type JobRepository,
  type Repositories,
} from '@labelport/db'
import type { BlobStore } from '../storage/blob-store.ts'
import { keepLease, type JobSettings } from '../services/job-settings.ts'
import { ImportSourceError, type ImportRunner } from './import-runner.ts'
import { readJobOptions } from './job-options.ts'

/** an import whose input must first be fetched keeps the URL in its input key until then */
export const FETCH_PREFIX = 'fetch:'

export type UrlStreamer = (
  url: string,
) => Promise<{ ok: true; stream: Readable } | { ok: false; issue: Issue }>

export class ImportWorker {
  readonly #repos: Pick<Repositories, 'projects' | 'ontologies'>
  readonly #blobs: BlobStore
  readonly #jobs: JobRepository
  readonly #runner: ImportRunner
  readonly #fetchStream: UrlStreamer
  readonly #settings: JobSettings
  readonly #pollMs: number
  #wakers: (() => void)[] = []
  #stopped = false
  #loops: Promise<void>[] = []
  #busy = 0
  #idleWaiters: (() => void)[] = []

  constructor(deps: {
    repos: Pick<Repositories, 'projects' | 'ontologies'>
    blobs: BlobStore
    jobs: JobRepository
    runner: ImportRunner
    fetchStream: UrlStreamer
    settings: JobSettings
  }) {
    this.#repos = deps.repos
    this.#blobs = deps.blobs
    this.#jobs = deps.jobs
    this.#runner = deps.runner
    this.#fetchStream = deps.fetchStream
    this.#settings = deps.settings
    // a job whose lease expired is seen within a third of the lease
    this.#pollMs = Math.min(1000, Math.max(50, Math.floor(deps.settings.leaseMs / 3)))
  }

  /**
   * Starts `concurrency` loops that claim jobs. The organization with the fewest running jobs
   * goes first.
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

  /** A job was queued: one idle loop looks now instead of at its next poll. */
  wake(): void {
    this.#wakers.shift()?.()
  }

  async #work(): Promise<void> {
    while (!this.#stopped) {
      // busy from the claim on: whenIdle must not see a loop that is about to get a job as idle
      this.#busy++
      let job: ImportJobTable | undefined
      try {
        job = await this.#jobs.claimImport(this.#settings.owner, this.#settings.leaseMs)
        if (job) await this.#runJob(job)
      } catch (err) {
        this.#settings.log('claiming an import failed', err)
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
    const resume = checkpointOf(row)
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
      this.#settings.log,
    )
    try {
      const ontology = await this.#ontologyOf(row)
      let inputKey = row.input_key
      if (inputKey.startsWith(FETCH_PREFIX))
        inputKey = await this.#fetchInput(id, inputKey.slice(FETCH_PREFIX.length))
      const options = await readJobOptions(this.#blobs, id)
      const end = await this.#runner.run({
        ...options,
        id,
        organizationId: row.organization_id,
        projectId: row.project_id,
        kind: row.kind,
        dryRun: row.dry_run === 1,
        inputKey,
        ontology,
        owner,
        leaseMs: this.#settings.leaseMs,
        createdBy: row.created_by,
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
        this.#settings.log(`import ${id} failed`, err)
      await this.#jobs.endImport(id, owner, { state: 'FAILED', reason })
    } finally {
      stopLease()
    }
  }

  /** The ontology of the job's project, read for the job's organization. */
  async #ontologyOf(row: ImportJobTable): Promise<NormalizedOntology> {
    const project = await this.#repos.projects.getProject(row.organization_id, row.project_id)
    if (!project)
      throw new AppError('project_not_found', `No project ${row.project_id} in this organization`, {
        path: ['projectId'],
      })
    const ontology =
      project.ontologyId === null
        ? undefined
        : await this.#repos.ontologies.getOntology(row.organization_id, project.ontologyId)
    if (!ontology)
      throw new AppError(
        'ontology_not_connected',
        `Project ${project.id} has no ontology yet: connect one first (project.connectOntology)`,
        { path: ['projectId'] },
      )
    return ontology.normalized
  }

  /** The blobs of an import deleted while this server ran it (the project delete took the rest). */
  async #removeBlobs(id: string): Promise<void> {
    if (await this.#jobs.importExists(id)) return
    await this.#blobs.delete(importBlobKeys.input(id))
    await this.#blobs.delete(importBlobKeys.options(id))
    for (let n = 1; ; n++) {
      const key = importBlobKeys.statusPart(id, n)
      if (!(await this.#blobs.has(key))) break
      await this.#blobs.delete(key)
    }
  }

  async #fetchInput(id: string, url: string): Promise<string> {
    const fetched = await this.#fetchStream(url)
    if (!fetched.ok) throw new ImportSourceError({ ...fetched.issue, path: ['source', 'url'] })
    const key = importBlobKeys.input(id)
    await this.#blobs.put(key, fetched.stream, 'application/x-ndjson')
    if (!(await this.#jobs.setImportInputKey(id, this.#settings.owner, key)))
      throw new JobLostError(`import ${id} is no longer this server's`)
    return key
  }
}

/** Where a claimed job resumes: its committed checkpoint. */
function checkpointOf(row: ImportJobTable): ImportCheckpoint {
  return {
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
}
