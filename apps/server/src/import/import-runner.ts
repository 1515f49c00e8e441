/**
 * Runs one import job: streams the NDJSON input line by line, parses each line (core's
 * ImportJudge) and hands chunks of lines to the ChunkRunner, which judges and commits them. A job
 * taken over after a crash replays the committed lines (no writes, no masks) to rebuild what
 * duplicates and relationships need, then goes on. Memory stays flat: only the current chunk, a
 * bounded data-row cache and the judge's compact tables.
 */
import type { Readable } from 'node:stream'
import {
  ImportJudge,
  buildOntologyIndex,
  issue,
  type ImportKind,
  type Issue,
  type NormalizedOntology,
  type ParsedLine,
  type StatusSource,
} from '@labelport/core'
import type { ImportCheckpoint, ImportRepository, Repositories } from '@labelport/db'
import type { MaskProcessor } from '../masks/mask-processor.ts'
import type { Log } from '../services/log.ts'
import type { BlobStore } from '../storage/blob-store.ts'
import { ChunkRunner, type ChunkLine, type InputPosition } from './chunk-runner.ts'
import { DataRowCache } from './data-row-cache.ts'
import { readLines } from './read-lines.ts'
import { StatusWriter, type ImportOutcome } from './status-writer.ts'

export type { ImportOutcome } from './status-writer.ts'

/** lines judged and written together, one transaction per chunk (LABELPORT_IMPORT_CHUNK_LINES) */
export const DEFAULT_CHUNK_LINES = 20_000
/** …or fewer when the lines are big (inline masks), so one chunk never holds much memory */
const CHUNK_BYTES = 32 * 1024 * 1024

export interface ImportJobSpec {
  id: string
  organizationId: string
  projectId: string
  kind: ImportKind
  dryRun: boolean
  inputKey: string
  ontology: NormalizedOntology
  /** the server holding the job's lease; every commit is guarded by it */
  owner: string
  leaseMs: number
  /** who started the import: a ground-truth import's labels record them as their creator */
  createdBy: string | null
  /** where a job taken over resumes (line 0: from the start) */
  resume: ImportCheckpoint
  /** checked between chunks: a graceful stop, or the lease lost */
  shouldStop: () => boolean
  /** the job's options (job-options.ts) */
  clip?: boolean
  sources?: boolean
}

export type RunEnd = { ended: 'finished'; outcome: ImportOutcome } | { ended: 'stopped' }

export class ImportRunner {
  readonly #repos: Pick<Repositories, 'datasets'>
  readonly #repository: ImportRepository
  readonly #blobs: BlobStore
  readonly #masks: MaskProcessor
  readonly #maxLineBytes: number
  readonly #log: Log
  readonly #chunkLines: number

  constructor(deps: {
    repos: Pick<Repositories, 'datasets'>
    repository: ImportRepository
    blobs: BlobStore
    masks: MaskProcessor
    maxLineBytes: number
    chunkLines?: number
    log: Log
  }) {
    this.#repos = deps.repos
    this.#repository = deps.repository
    this.#blobs = deps.blobs
    this.#masks = deps.masks
    this.#maxLineBytes = deps.maxLineBytes
    this.#log = deps.log
    this.#chunkLines = deps.chunkLines ?? DEFAULT_CHUNK_LINES
  }

  async run(job: ImportJobSpec): Promise<RunEnd> {
    const input = await this.#blobs.stream(job.inputKey)
    if (!input)
      throw new ImportSourceError(
        issue('import_source_unreadable', 'The import input is missing from storage'),
      )
    const inputSize = (await this.#blobs.size(job.inputKey)) ?? 0

    const judge = new ImportJudge({
      ontology: buildOntologyIndex(job.ontology),
      kind: job.kind,
      maxLineBytes: this.#maxLineBytes,
      clip: job.clip === true,
    })
    const resume = job.resume
    const status = new StatusWriter({ blobs: this.#blobs, importId: job.id, resume })
    const chunks = new ChunkRunner({
      job: {
        id: job.id,
        organizationId: job.organizationId,
        projectId: job.projectId,
        dryRun: job.dryRun,
        layer: job.kind === 'mal' ? 'prelabel' : 'label',
        owner: job.owner,
        leaseMs: job.leaseMs,
        createdBy: job.createdBy,
      },
      judge,
      log: this.#log,
      dataRows: new DataRowCache({
        datasets: this.#repos.datasets,
        organizationId: job.organizationId,
        projectId: job.projectId,
      }),
      status,
      repository: this.#repository,
      masks: this.#masks,
      ...(resume.line > 0 ? { failedLater: await status.failedLines() } : {}),
    })

    try {
      return await this.#readAndCommit(job, input, inputSize, judge, chunks)
    } catch (err) {
      // a status part written for a chunk whose commit never happened (not when the job is
      // another server's now or the server stops: the part is the next owner's to overwrite)
      if (!job.shouldStop() && (err as Error).name !== 'JobLostError') await status.discardPending()
      throw err
    }
  }

  async #readAndCommit(
    job: ImportJobSpec,
    input: Readable,
    inputSize: number,
    judge: ImportJudge,
    chunks: ChunkRunner,
  ): Promise<RunEnd> {
    // one chunk commits while the next is read, parsed and judged: on PostgreSQL the database
    // works while this process judges; status parts and commits stay in chunk order
    const inFlight: { commit: Promise<void> | null } = { commit: null }
    const settle = async () => {
      const pending = inFlight.commit
      inFlight.commit = null
      if (pending) await pending
    }
    const commitNext = async (taken: ChunkLine[], at: InputPosition) => {
      const judged = await chunks.judge(taken)
      await settle()
      if (job.shouldStop()) return false
      const pending = chunks.commit(judged, at)
      // awaited by the next settle; marked handled meanwhile
      pending.catch(() => undefined)
      inFlight.commit = pending
      return true
    }
    try {
      const read = await this.#readChunks(job, input, inputSize, judge, chunks, commitNext)
      await settle()
      if ('ended' in read) return read
      if (job.shouldStop()) return { ended: 'stopped' }
      // relationships are judged last: their endpoints may come later in the file
      return { ended: 'finished', outcome: await chunks.finish(read.at) }
    } catch (err) {
      // a commit in flight ends before the error goes on (its status part is settled either way)
      await inFlight.commit?.catch(() => undefined)
      throw err
    }
  }

  /** Reads the input chunk by chunk; resolves with the end position once every chunk was handed on. */
  async #readChunks(
    job: ImportJobSpec,
    input: Readable,
    inputSize: number,
    judge: ImportJudge,
    chunks: ChunkRunner,
    commitNext: (chunk: ChunkLine[], at: InputPosition) => Promise<boolean>,
  ): Promise<RunEnd | { at: InputPosition }> {
    const resume = job.resume
    let bytesRead = 0
    let lastLine = resume.line
    let chunk: ChunkLine[] = []
    let chunkBytes = 0
    const position = (): InputPosition => ({
      bytes: bytesRead,
      line: lastLine,
      percent: inputSize > 0 ? Math.min(99, Math.floor((bytesRead / inputSize) * 100)) : 0,
    })
    const take = (): ChunkLine[] => {
      const taken = chunk
      chunk = []
      chunkBytes = 0
      return taken
    }

    for await (const item of readLines(input, this.#maxLineBytes)) {
      bytesRead += item.bytes
      chunkBytes += item.bytes
      const replaying = item.number <= resume.line
      if (!replaying && chunk.length > 0 && job.shouldStop()) return { ended: 'stopped' }
      if (item.kind === 'too_long') {
        const message = `line ${item.number} has ${item.bytes} bytes; lines are limited to ${this.#maxLineBytes} bytes`
        chunk.push({
          parsed: {
            ok: false,
            line: item.number,
            uuid: null,
            dataRowRef: null,
            issues: [issue('line_too_long', message)],
          },
        })
      } else if (item.text.trim() !== '') {
        // blank lines (e.g. a trailing newline) are not annotations
        const parsed = judge.parse(item.text, item.number)
        const source = job.sources === true ? sourceOf(parsed, item.text) : undefined
        chunk.push(source === undefined ? { parsed } : { parsed, source })
      }
      lastLine = item.number
      if (chunk.length >= this.#chunkLines || chunkBytes >= CHUNK_BYTES) {
        if (replaying) await chunks.replay(take())
        else {
          if (job.shouldStop()) return { ended: 'stopped' }
          if (!(await commitNext(take(), position()))) return { ended: 'stopped' }
        }
      }
      if (item.number === resume.line && chunk.length > 0) await chunks.replay(take())
    }
    if (chunk.length > 0) {
      if (job.shouldStop()) return { ended: 'stopped' }
      if (!(await commitNext(take(), position()))) return { ended: 'stopped' }
    }
    return { at: position() }
  }
}

/** The `source` a format import wrote on the line (file, element, line, annotation id), if well-formed. */
function sourceOf(parsed: ParsedLine, text: string): StatusSource | undefined {
  let value: unknown
  if (parsed.ok) value = parsed.value.source
  else {
    try {
      value = (JSON.parse(text) as { source?: unknown } | null)?.source
    } catch {
      return undefined
    }
  }
  if (typeof value !== 'object' || value === null) return undefined
  const s = value as Record<string, unknown>
  if (typeof s.file !== 'string') return undefined
  const out: StatusSource = { file: s.file }
  if (typeof s.element === 'string') out.element = s.element
  if (typeof s.line === 'number') out.line = s.line
  if (typeof s.annotationId === 'string' || typeof s.annotationId === 'number')
    out.annotationId = s.annotationId
  return out
}

/** The input could not be read at all: the job fails with this reason. */
export class ImportSourceError extends Error {
  readonly issue: Issue
  constructor(found: Issue) {
    super(found.message)
    this.issue = found
  }
}
