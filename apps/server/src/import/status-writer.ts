/**
 * An import's status lines: one part (a blob) per committed chunk, and the counts by status and
 * error code that go into the job's checkpoint. A part is written before its chunk's transaction;
 * it counts only once that transaction committed (`committed`), so a part of a chunk that never
 * committed is overwritten by the next attempt.
 */
import { createInterface } from 'node:readline'
import type { Issue, StatusLine } from '@labelport/core'
import { importBlobKeys, type ImportCheckpoint, type ImportJobTable } from '@labelport/db'
import type { BlobStore } from '../storage/blob-store.ts'

export interface ImportOutcome {
  total: number
  success: number
  failure: number
  errorCounts: Record<string, number>
  errorExamples: Record<string, { line: number; message: string; path: (string | number)[] }>
}

export interface DataRowOfLine {
  id: string | null
  globalKey: string | null
}

export class StatusWriter {
  readonly #blobs: BlobStore
  readonly #importId: string
  #parts: number
  #outcome: ImportOutcome

  constructor(deps: { blobs: BlobStore; importId: string; resume: ImportCheckpoint }) {
    this.#blobs = deps.blobs
    this.#importId = deps.importId
    const r = deps.resume
    this.#parts = r.statusParts
    this.#outcome = {
      total: r.total,
      success: r.success,
      failure: r.failure,
      errorCounts: { ...r.errorCounts },
      errorExamples: { ...r.errorExamples },
    }
  }

  /** Counts of the committed parts. */
  get outcome(): ImportOutcome {
    return this.#outcome
  }

  /** Writes the next part (overwriting one of a chunk that never committed). */
  async writeNext(lines: StatusLine[]): Promise<{ part: number; outcome: ImportOutcome }> {
    const outcome = structuredClone(this.#outcome)
    for (const line of lines) count(outcome, line)
    const part = this.#parts + 1
    await this.#blobs.put(
      importBlobKeys.statusPart(this.#importId, part),
      Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join('')),
      'application/x-ndjson',
    )
    return { part, outcome }
  }

  /** The part's chunk committed: its lines count. */
  committed(written: { part: number; outcome: ImportOutcome }): void {
    this.#parts = written.part
    this.#outcome = written.outcome
  }

  /** Deletes the part written after the last committed one, if any (its chunk failed). */
  async discardPending(): Promise<void> {
    await this.#blobs.delete(importBlobKeys.statusPart(this.#importId, this.#parts + 1))
  }

  /** Line numbers of the committed parts' FAILURE lines (a resumed job replays them as failed). */
  async failedLines(): Promise<Set<number>> {
    const failed = new Set<number>()
    for (let n = 1; n <= this.#parts; n++) {
      const stream = await this.#blobs.stream(importBlobKeys.statusPart(this.#importId, n))
      if (!stream) continue
      for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
        if (text.includes('"FAILURE"')) failed.add((JSON.parse(text) as StatusLine).line)
      }
    }
    return failed
  }
}

/** The committed status lines of a job, in order: its parts (a single file for older jobs). */
export async function* readStatusLines(
  blobs: BlobStore,
  row: Pick<ImportJobTable, 'id' | 'status_parts' | 'status_key'>,
): AsyncGenerator<string> {
  const keys =
    row.status_parts === 0
      ? [row.status_key]
      : Array.from({ length: row.status_parts }, (_, i) => importBlobKeys.statusPart(row.id, i + 1))
  for (const key of keys) {
    const stream = await blobs.stream(key)
    if (!stream) continue
    yield* createInterface({ input: stream, crlfDelay: Infinity })
  }
}

function count(outcome: ImportOutcome, status: StatusLine): void {
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

export function successLine(
  line: number,
  uuid: string | null,
  dataRow: DataRowOfLine,
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

export function failureLine(
  line: number,
  uuid: string | null,
  dataRow: DataRowOfLine,
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
