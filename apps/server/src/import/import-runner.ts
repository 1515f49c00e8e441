/**
 * Runs one import job: streams the NDJSON input line by line, judges each line (core's ImportJudge),
 * resolves data rows in batches, decodes masks, and commits chunk by chunk: the chunk's status
 * lines go to a status part (a blob), then its annotations and the job's checkpoint are written in
 * one transaction, guarded by the job's owner. A job taken over after a crash replays the committed
 * lines through the judge (no writes, no masks) to rebuild what relationships need, then goes on.
 * Memory stays flat: only the current chunk, a bounded data-row cache and the judge's compact tables.
 */
import { createInterface } from 'node:readline'
import {
  ImportJudge,
  buildOntologyIndex,
  issue,
  type ImportKind,
  type Issue,
  type LineVerdict,
  type NormalizedOntology,
  type ParsedLine,
  type StatusLine,
} from '@labelport/core'
import {
  statusPartKey,
  toAnnotationRow,
  type AnnotationRow,
  type DataRowLookup,
  type ImportCheckpoint,
  type LabelTouch,
  type Repositories,
} from '@labelport/db'
import type { MaskProcessor } from '../masks/mask-processor.ts'
import type { BlobStore } from '../storage/blob-store.ts'
import { readLines } from './read-lines.ts'

/** lines judged and written together, one transaction per chunk (LABELPORT_IMPORT_CHUNK_LINES) */
export const DEFAULT_CHUNK_LINES = 20_000
/** …or fewer when the lines are big (inline masks), so one chunk never holds much memory */
const CHUNK_BYTES = 32 * 1024 * 1024
const DATA_ROW_CACHE_SIZE = 50_000

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
  /** where a job taken over resumes (line 0: from the start) */
  resume: ImportCheckpoint
  /** checked between chunks: a graceful stop, or the lease lost */
  shouldStop: () => boolean
}

export type RunEnd = { ended: 'finished'; outcome: ImportOutcome } | { ended: 'stopped' }

export interface ImportOutcome {
  total: number
  success: number
  failure: number
  errorCounts: Record<string, number>
  errorExamples: Record<string, { line: number; message: string; path: (string | number)[] }>
}

interface Pending {
  parsed: ParsedLine
  verdict?: LineVerdict
  dataRow?: { id: string; globalKey: string | null }
}

type DataRowState = DataRowLookup | 'unknown'

export class ImportRunner {
  readonly #repos: Pick<Repositories, 'annotations' | 'datasets' | 'maskOwners'>
  readonly #blobs: BlobStore
  readonly #masks: MaskProcessor
  readonly #maxLineBytes: number
  readonly #chunkLines: number

  constructor(deps: {
    repos: Pick<Repositories, 'annotations' | 'datasets' | 'maskOwners'>
    blobs: BlobStore
    masks: MaskProcessor
    maxLineBytes: number
    chunkLines?: number
  }) {
    this.#repos = deps.repos
    this.#blobs = deps.blobs
    this.#masks = deps.masks
    this.#maxLineBytes = deps.maxLineBytes
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
    })
    const layer = job.kind === 'mal' ? 'prelabel' : 'label'
    const resume = job.resume
    let outcome: ImportOutcome = {
      total: resume.total,
      success: resume.success,
      failure: resume.failure,
      errorCounts: { ...resume.errorCounts },
      errorExamples: { ...resume.errorExamples },
    }
    const cache = new Map<string, DataRowState>()
    const dataRowOfUuid = new Map<string, { id: string; globalKey: string | null }>() // relationship lines only
    // lines of committed chunks that failed after `check` (masks, storage): the replay rejects them again
    const failedLater = resume.line > 0 ? await this.#failedLines(job.id, resume.statusParts) : null

    let statusParts = resume.statusParts
    let bytesRead = 0
    let lastLine = resume.line
    let chunk: Pending[] = []
    let chunkBytes = 0

    const commit = async (
      rows: AnnotationRow[],
      labels: LabelTouch[],
      statuses: (written: boolean) => StatusLine[],
      finish: boolean,
      maskShas: ReadonlySet<string> = new Set(),
    ): Promise<void> => {
      const before = outcome
      for (let attempt = 0; ; attempt++) {
        const written = attempt === 0
        const lines = statuses(written)
        outcome = structuredClone(before)
        for (const line of lines) record(outcome, line)
        const part = statusParts + 1
        await this.#blobs.put(
          statusPartKey(job.id, part),
          Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join('')),
          'application/x-ndjson',
        )
        const percent = inputSize > 0 ? Math.min(99, Math.floor((bytesRead / inputSize) * 100)) : 0
        const checkpoint: ImportCheckpoint = {
          bytes: bytesRead,
          line: lastLine,
          statusParts: part,
          progress: finish ? 100 : percent,
          ...outcome,
        }
        const guard = {
          importId: job.id,
          owner: job.owner,
          leaseMs: job.leaseMs,
          checkpoint,
          finish,
        }
        try {
          // the organization may read the composite masks its annotations point at (export URLs)
          if (written && !job.dryRun && maskShas.size > 0)
            await this.#repos.maskOwners.grant(job.organizationId, maskShas)
          await this.#repos.annotations.writeAnnotations(
            written && !job.dryRun ? rows : [],
            written && !job.dryRun ? labels : [],
            guard,
          )
          statusParts = part
          return
        } catch (err) {
          if (!written || (err as Error).name === 'JobLostError') throw err
          console.error(
            `import ${job.id}: writing a chunk of ${rows.length} annotations failed`,
            err,
          )
        }
      }
    }

    const flush = async () => {
      const judged = await this.#judgeChunk(job, judge, chunk, cache, dataRowOfUuid, layer)
      chunk = []
      chunkBytes = 0
      await commit(judged.rows, judged.labels, judged.statuses, false, judged.maskShas)
    }
    const replay = async () => {
      await this.#resolveDataRows(job, chunk, cache)
      for (const item of chunk) {
        const parsed = item.parsed
        if (!parsed.ok) continue
        const state = cache.get(refKey(parsed.dataRowRef)) ?? 'unknown'
        const dataRow =
          state === 'unknown'
            ? 'unknown'
            : state.inProject
              ? {
                  id: state.id,
                  globalKey: state.globalKey,
                  width: state.width,
                  height: state.height,
                }
              : 'not_in_project'
        const verdict = judge.check(parsed, dataRow)
        if (verdict.ok === 'deferred' && state !== 'unknown')
          dataRowOfUuid.set(parsed.uuid, { id: state.id, globalKey: state.globalKey })
        if (verdict.ok === true && failedLater?.has(parsed.line)) judge.reject(parsed.uuid)
      }
      chunk = []
      chunkBytes = 0
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
        chunk.push({ parsed: judge.parse(item.text, item.number) })
      }
      lastLine = item.number
      if (chunk.length >= this.#chunkLines || chunkBytes >= CHUNK_BYTES) {
        if (replaying) await replay()
        else {
          if (job.shouldStop()) return { ended: 'stopped' }
          await flush()
        }
      }
      if (item.number === resume.line && chunk.length > 0) await replay()
    }
    if (chunk.length > 0) {
      if (job.shouldStop()) return { ended: 'stopped' }
      await flush()
    }
    if (job.shouldStop()) return { ended: 'stopped' }

    // relationships are judged last: their endpoints may come later in the file
    const late = judge.finishRelationships()
    const rows: AnnotationRow[] = []
    const judged: StatusLine[] = []
    for (const item of late) {
      const dataRow = dataRowOfUuid.get(item.uuid) ?? { id: item.dataRowId, globalKey: null }
      if (item.verdict.ok === true) {
        rows.push(
          toAnnotationRow({
            projectId: job.projectId,
            importId: job.id,
            layer,
            record: item.verdict.record,
          }),
        )
        judged.push(success(item.line, item.uuid, dataRow, item.verdict.warnings))
      } else if (item.verdict.ok === false) {
        judged.push(failure(item.line, item.uuid, dataRow, item.verdict.issues))
      }
    }
    await commit(
      rows,
      [],
      (written) =>
        judged.map((s) =>
          written || s.status === 'FAILURE'
            ? s
            : failure(s.line, s.uuid, s.dataRow, [
                issue('internal', 'Storing this annotation failed; nothing of it was written'),
              ]),
        ),
      true,
    )
    return { ended: 'finished', outcome }
  }

  /** Line numbers of the committed status parts' FAILURE lines (to replay a resumed job). */
  async #failedLines(importId: string, parts: number): Promise<Set<number>> {
    const failed = new Set<number>()
    for (let n = 1; n <= parts; n++) {
      const stream = await this.#blobs.stream(statusPartKey(importId, n))
      if (!stream) continue
      for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
        if (text.includes('"FAILURE"')) failed.add((JSON.parse(text) as StatusLine).line)
      }
    }
    return failed
  }

  async #judgeChunk(
    job: ImportJobSpec,
    judge: ImportJudge,
    chunk: Pending[],
    cache: Map<string, DataRowState>,
    dataRowOfUuid: Map<string, { id: string; globalKey: string | null }>,
    layer: 'prelabel' | 'label',
  ): Promise<{
    rows: AnnotationRow[]
    labels: LabelTouch[]
    statuses: (written: boolean) => StatusLine[]
    maskShas: ReadonlySet<string>
  }> {
    await this.#resolveDataRows(job, chunk, cache)

    const rows: AnnotationRow[] = []
    const labels = new Map<string, LabelTouch>()
    const accepted: string[] = []
    const maskShas = new Set<string>()
    for (const item of chunk) {
      const parsed = item.parsed
      if (!parsed.ok) continue
      const state = cache.get(refKey(parsed.dataRowRef)) ?? 'unknown'
      const dataRow =
        state === 'unknown'
          ? 'unknown'
          : state.inProject
            ? { id: state.id, globalKey: state.globalKey, width: state.width, height: state.height }
            : 'not_in_project'
      if (state !== 'unknown') item.dataRow = { id: state.id, globalKey: state.globalKey }
      let verdict = judge.check(parsed, dataRow)
      if (verdict.ok === 'deferred') {
        if (item.dataRow) dataRowOfUuid.set(parsed.uuid, item.dataRow)
        item.verdict = verdict
        continue
      }
      if (verdict.ok === true && verdict.mask && typeof dataRow === 'object') {
        const mask = await this.#masks.process(
          verdict.mask.input,
          { width: dataRow.width, height: dataRow.height },
          verdict.mask.path,
        )
        if (mask.ok) {
          const geometryRecord = verdict.record
          if (geometryRecord.kind === 'object') geometryRecord.geometry = mask.geometry
          maskShas.add(mask.geometry.compositeSha256)
        } else {
          judge.reject(parsed.uuid)
          verdict = { ok: false, issues: [mask.issue] }
        }
      }
      item.verdict = verdict
      if (verdict.ok === true) {
        accepted.push(parsed.uuid)
        rows.push(
          toAnnotationRow({
            projectId: job.projectId,
            importId: job.id,
            layer,
            record: verdict.record,
          }),
        )
        if (layer === 'label' && typeof dataRow === 'object') {
          const benchmark = verdict.benchmarkReference === true
          const touch = labels.get(dataRow.id)
          if (!touch)
            labels.set(dataRow.id, {
              projectId: job.projectId,
              dataRowId: dataRow.id,
              isBenchmarkReference: benchmark,
            })
          else if (benchmark) touch.isBenchmarkReference = true
        }
      }
    }

    const statuses = (written: boolean): StatusLine[] => {
      if (!written) for (const uuid of accepted) judge.reject(uuid)
      const out: StatusLine[] = []
      for (const item of chunk) {
        const p = item.parsed
        const dataRow = item.dataRow ?? refAsDataRow(p.dataRowRef)
        if (!p.ok) {
          out.push(failure(p.line, p.uuid, dataRow, p.issues))
        } else if (item.verdict?.ok === 'deferred') {
          continue
        } else if (item.verdict?.ok === true) {
          out.push(
            written
              ? success(p.line, p.uuid, dataRow, item.verdict.warnings)
              : failure(p.line, p.uuid, dataRow, [
                  issue('internal', 'Storing this chunk failed; nothing of it was written'),
                ]),
          )
        } else if (item.verdict?.ok === false) {
          out.push(failure(p.line, p.uuid, dataRow, item.verdict.issues))
        }
      }
      return out
    }
    return { rows, labels: [...labels.values()], statuses, maskShas }
  }

  /** Looks up the chunk's data rows not yet in the cache, with one query per kind of reference. */
  async #resolveDataRows(
    job: ImportJobSpec,
    chunk: Pending[],
    cache: Map<string, DataRowState>,
  ): Promise<void> {
    const ids = new Set<string>()
    const keys = new Set<string>()
    for (const { parsed } of chunk) {
      if (!parsed.ok) continue
      const key = refKey(parsed.dataRowRef)
      if (cache.has(key)) continue
      if ('id' in parsed.dataRowRef) ids.add(parsed.dataRowRef.id)
      else keys.add(parsed.dataRowRef.globalKey)
    }
    if (ids.size === 0 && keys.size === 0) return
    const found = await this.#repos.datasets.lookupDataRows(job.organizationId, job.projectId, {
      ids: [...ids],
      globalKeys: [...keys],
    })
    if (cache.size > DATA_ROW_CACHE_SIZE) cache.clear()
    for (const id of ids) cache.set(`id:${id}`, 'unknown')
    for (const key of keys) cache.set(`gk:${key}`, 'unknown')
    for (const row of found) {
      if (ids.has(row.id)) cache.set(`id:${row.id}`, row)
      if (row.globalKey !== null && keys.has(row.globalKey)) cache.set(`gk:${row.globalKey}`, row)
    }
  }
}

/** The input could not be read at all: the job fails with this reason. */
export class ImportSourceError extends Error {
  readonly issue: Issue
  constructor(found: Issue) {
    super(found.message)
    this.issue = found
  }
}

function record(outcome: ImportOutcome, status: StatusLine): void {
  outcome.total++
  if (status.status === 'SUCCESS') {
    outcome.success++
    return
  }
  outcome.failure++
  const first = status.errors?.[0]
  if (first) {
    outcome.errorCounts[first.code] = (outcome.errorCounts[first.code] ?? 0) + 1
    outcome.errorExamples[first.code] ??= {
      line: status.line,
      message: first.message,
      path: first.path,
    }
  }
}

function refKey(ref: { id: string } | { globalKey: string }): string {
  return 'id' in ref ? `id:${ref.id}` : `gk:${ref.globalKey}`
}

function refAsDataRow(ref: { id?: string; globalKey?: string } | null): {
  id: string | null
  globalKey: string | null
} {
  return { id: ref?.id ?? null, globalKey: ref?.globalKey ?? null }
}

function success(
  line: number,
  uuid: string | null,
  dataRow: { id: string | null; globalKey: string | null },
  warnings: Issue[] = [],
): StatusLine {
  const status: StatusLine = {
    line,
    uuid,
    dataRow: { id: dataRow.id, globalKey: dataRow.globalKey },
    status: 'SUCCESS',
  }
  if (warnings.length > 0)
    status.warnings = warnings.map((w) => ({
      name: w.code,
      code: w.code,
      message: w.message,
      path: w.path,
    }))
  return status
}

function failure(
  line: number,
  uuid: string | null,
  dataRow: { id: string | null; globalKey: string | null },
  issues: Issue[],
): StatusLine {
  return {
    line,
    uuid,
    dataRow: { id: dataRow.id, globalKey: dataRow.globalKey },
    status: 'FAILURE',
    errors: issues.map((i) => ({ name: i.code, code: i.code, message: i.message, path: i.path })),
  }
}
