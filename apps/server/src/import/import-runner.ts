/**
 * Runs one import job: streams the NDJSON input line by line, judges each line (core's ImportJudge),
 * resolves data rows in batches, decodes masks, writes accepted annotations chunk by chunk in
 * transactions, and streams one status line per annotation line to the status file.
 * Memory stays flat: only the current chunk, a bounded data-row cache and the judge's compact tables.
 */
import { PassThrough } from 'node:stream'
import {
  ImportJudge,
  buildOntologyIndex,
  issue,
  newId,
  type AnnotationRecord,
  type ImportKind,
  type Issue,
  type LineVerdict,
  type NormalizedOntology,
  type ParsedLine,
  type StatusLine,
} from '@labelport/core'
import type { AnnotationRow, DataRowLookup, LabelTouch, Store } from '@labelport/db'
import type { MaskProcessor } from '../masks/mask-processor.ts'
import type { BlobStore } from '../storage/blob-store.ts'
import { readLines } from './read-lines.ts'

/** lines judged and written together; one transaction per chunk */
const CHUNK_LINES = 20_000
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
  statusKey: string
  ontology: NormalizedOntology
}

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
  readonly #store: Store
  readonly #blobs: BlobStore
  readonly #masks: MaskProcessor
  readonly #maxLineBytes: number

  constructor(deps: {
    store: Store
    blobs: BlobStore
    masks: MaskProcessor
    maxLineBytes: number
  }) {
    this.#store = deps.store
    this.#blobs = deps.blobs
    this.#masks = deps.masks
    this.#maxLineBytes = deps.maxLineBytes
  }

  async run(
    job: ImportJobSpec,
    onProgress: (percent: number, outcome: ImportOutcome) => Promise<void>,
  ): Promise<ImportOutcome> {
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
    const outcome: ImportOutcome = {
      total: 0,
      success: 0,
      failure: 0,
      errorCounts: {},
      errorExamples: {},
    }
    const cache = new Map<string, DataRowState>()
    const dataRowOfUuid = new Map<string, { id: string; globalKey: string | null }>() // relationship lines only

    const statusOut = new PassThrough()
    const statusWritten = this.#blobs.put(job.statusKey, statusOut, 'application/x-ndjson')
    const writeStatus = (line: StatusLine) => {
      if (!statusOut.write(`${JSON.stringify(line)}\n`))
        return new Promise<void>((r) => statusOut.once('drain', () => r()))
      return undefined
    }

    const record = (status: StatusLine) => {
      outcome.total++
      if (status.status === 'SUCCESS') outcome.success++
      else {
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
      return writeStatus(status)
    }

    let bytesRead = 0
    let chunk: Pending[] = []
    let chunkBytes = 0
    let lastPercent = -1
    const flush = async () => {
      await this.#judgeChunk(job, judge, chunk, cache, dataRowOfUuid, layer, record)
      chunk = []
      chunkBytes = 0
      const percent = inputSize > 0 ? Math.min(99, Math.floor((bytesRead / inputSize) * 100)) : 0
      if (percent !== lastPercent) {
        lastPercent = percent
        await onProgress(percent, outcome)
      }
    }

    try {
      for await (const item of readLines(input, this.#maxLineBytes)) {
        bytesRead += item.bytes
        chunkBytes += item.bytes
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
        if (chunk.length >= CHUNK_LINES || chunkBytes >= CHUNK_BYTES) await flush()
      }
      if (chunk.length > 0) await flush()

      // relationships are judged last: their endpoints may come later in the file
      const late = judge.finishRelationships()
      const rows: AnnotationRow[] = []
      const statuses: StatusLine[] = []
      for (const item of late) {
        const dataRow = dataRowOfUuid.get(item.uuid) ?? { id: item.dataRowId, globalKey: null }
        if (item.verdict.ok === true) {
          rows.push(toRow(job, layer, item.verdict.record))
          statuses.push(success(item.line, item.uuid, dataRow, item.verdict.warnings))
        } else if (item.verdict.ok === false) {
          statuses.push(failure(item.line, item.uuid, dataRow, item.verdict.issues))
        }
      }
      const written = await this.#write(job, rows, [])
      for (const s of statuses) {
        const finalStatus =
          written || s.status === 'FAILURE'
            ? s
            : failure(s.line, s.uuid, s.dataRow, [
                issue('internal', 'Storing this annotation failed; nothing of it was written'),
              ])
        await record(finalStatus)
      }
    } finally {
      statusOut.end()
      await statusWritten
    }
    return outcome
  }

  async #judgeChunk(
    job: ImportJobSpec,
    judge: ImportJudge,
    chunk: Pending[],
    cache: Map<string, DataRowState>,
    dataRowOfUuid: Map<string, { id: string; globalKey: string | null }>,
    layer: 'prelabel' | 'label',
    record: (s: StatusLine) => Promise<void> | undefined,
  ): Promise<void> {
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
        rows.push(toRow(job, layer, verdict.record))
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

    const written = await this.#write(job, rows, [...labels.values()], maskShas)
    if (!written) for (const uuid of accepted) judge.reject(uuid)

    for (const item of chunk) {
      const p = item.parsed
      const dataRow = item.dataRow ?? refAsDataRow(p.dataRowRef)
      if (!p.ok) {
        await record(failure(p.line, p.uuid, dataRow, p.issues))
      } else if (item.verdict?.ok === 'deferred') {
        continue
      } else if (item.verdict?.ok === true) {
        await record(
          written
            ? success(p.line, p.uuid, dataRow, item.verdict.warnings)
            : failure(p.line, p.uuid, dataRow, [
                issue('internal', 'Storing this chunk failed; nothing of it was written'),
              ]),
        )
      } else if (item.verdict?.ok === false) {
        await record(failure(p.line, p.uuid, dataRow, item.verdict.issues))
      }
    }
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
    const found = await this.#store.lookupDataRows(job.organizationId, job.projectId, {
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

  /** Writes one chunk in one transaction; false when it failed (nothing of it is written). */
  async #write(
    job: ImportJobSpec,
    rows: AnnotationRow[],
    labels: LabelTouch[],
    maskShas: ReadonlySet<string> = new Set(),
  ): Promise<boolean> {
    if (job.dryRun || (rows.length === 0 && labels.length === 0)) return true
    try {
      // the organization may read the composite masks its annotations point at (export URLs)
      if (maskShas.size > 0) await this.#store.maskOwners.grant(job.organizationId, maskShas)
      await this.#store.writeAnnotations(rows, labels)
      return true
    } catch (err) {
      console.error(`import ${job.id}: writing a chunk of ${rows.length} annotations failed`, err)
      return false
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

function refKey(ref: { id: string } | { globalKey: string }): string {
  return 'id' in ref ? `id:${ref.id}` : `gk:${ref.globalKey}`
}

function refAsDataRow(ref: { id?: string; globalKey?: string } | null): {
  id: string | null
  globalKey: string | null
} {
  return { id: ref?.id ?? null, globalKey: ref?.globalKey ?? null }
}

function toRow(
  job: ImportJobSpec,
  layer: 'prelabel' | 'label',
  record: AnnotationRecord,
): AnnotationRow {
  return {
    id: newId(),
    projectId: job.projectId,
    dataRowId: record.dataRowId,
    layer,
    uuid: record.uuid,
    importId: job.id,
    featureSchemaId: record.featureSchemaId,
    kind:
      record.kind === 'object'
        ? record.geometry.type
        : record.kind === 'classification'
          ? record.classification.type
          : 'relationship',
    payload: JSON.stringify(record),
  }
}

function success(
  line: number,
  uuid: string | null,
  dataRow: { id: string | null; globalKey: string | null },
  warnings: Issue[] = [],
): StatusLine {
  const line_: StatusLine = {
    line,
    uuid,
    dataRow: { id: dataRow.id, globalKey: dataRow.globalKey },
    status: 'SUCCESS',
  }
  if (warnings.length > 0)
    line_.warnings = warnings.map((w) => ({
      name: w.code,
      code: w.code,
      message: w.message,
      path: w.path,
    }))
  return line_
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
