/**
 * Judges and commits an import's chunks, one at a time. Per chunk: the data rows are resolved
 * (one query), every line is checked by the judge, mask lines are decoded, the status part is
 * written, then the annotations and the job's checkpoint go in one transaction guarded by the
 * job's owner. A failed transaction is retried once with every accepted line failed `internal`
 * (nothing of the chunk stored). Relationship lines wait for the end (`finish`).
 */
import {
  issue,
  withMaskGeometry,
  type AnnotationRecord,
  type ImportJudge,
  type LineVerdict,
  type ParsedLine,
  type StatusLine,
  type StatusSource,
} from '@labelport/core'
import {
  toAnnotationRow,
  type AnnotationRow,
  type ImportCheckpoint,
  type ImportRepository,
  type LabelTouch,
} from '@labelport/db'
import type { MaskProcessor } from '../masks/mask-processor.ts'
import type { Log } from '../services/log.ts'
import type { DataRowCache } from './data-row-cache.ts'
import {
  failureLine,
  successLine,
  type DataRowOfLine,
  type ImportOutcome,
  type StatusWriter,
} from './status-writer.ts'

/** One line of a chunk, as it goes through the stages. */
export interface ChunkLine {
  parsed: ParsedLine
  /** where a format import read the line (job option `sources`), copied onto its status line */
  source?: StatusSource
  verdict?: LineVerdict
  dataRow?: { id: string; globalKey: string | null }
}

/** How far the input was read when a chunk is committed (the checkpoint's position). */
export interface InputPosition {
  bytes: number
  line: number
  /** percent of the input read, 0–99 until the job finishes */
  percent: number
}

export interface ChunkJob {
  id: string
  organizationId: string
  projectId: string
  dryRun: boolean
  layer: 'prelabel' | 'label'
  owner: string
  leaseMs: number
  /** who started the import (the creator of labels it makes) */
  createdBy: string | null
}

/** A chunk judged and not yet committed. */
export type JudgedChunk = Judged

interface Judged {
  rows: AnnotationRow[]
  labels: LabelTouch[]
  /** the chunk's status lines; `written` false: the write failed and accepted lines say so */
  statuses: (written: boolean) => StatusLine[]
  maskShas: ReadonlySet<string>
}

export class ChunkRunner {
  readonly #job: ChunkJob
  readonly #judge: ImportJudge
  readonly #dataRows: DataRowCache
  readonly #status: StatusWriter
  readonly #repository: ImportRepository
  readonly #masks: MaskProcessor
  /** data rows of relationship lines (judged at the end) */
  readonly #dataRowOfUuid = new Map<string, { id: string; globalKey: string | null }>()
  /** lines of committed chunks that failed after the judge (replayed as failed) */
  readonly #failedLater: ReadonlySet<number>
  readonly #log: Log

  constructor(deps: {
    job: ChunkJob
    judge: ImportJudge
    dataRows: DataRowCache
    status: StatusWriter
    repository: ImportRepository
    masks: MaskProcessor
    failedLater?: ReadonlySet<number>
    log: Log
  }) {
    this.#job = deps.job
    this.#judge = deps.judge
    this.#dataRows = deps.dataRows
    this.#status = deps.status
    this.#repository = deps.repository
    this.#masks = deps.masks
    this.#failedLater = deps.failedLater ?? new Set()
    this.#log = deps.log
  }

  get outcome(): ImportOutcome {
    return this.#status.outcome
  }

  /**
   * A chunk committed before a crash: the judge sees its lines again (no writes, no masks) so
   * duplicates and relationships are judged as if the job never stopped.
   */
  async replay(chunk: ChunkLine[]): Promise<void> {
    await this.#resolve(chunk)
    for (const item of chunk) {
      const parsed = item.parsed
      if (!parsed.ok) continue
      const verdict = this.#judge.check(parsed, this.#dataRows.lookup(parsed.dataRowRef))
      const found = this.#dataRows.found(parsed.dataRowRef)
      if (verdict.ok === 'deferred' && found)
        this.#dataRowOfUuid.set(parsed.uuid, { id: found.id, globalKey: found.globalKey })
      if ((verdict.ok === true || verdict.ok === 'mask') && this.#failedLater.has(parsed.line))
        this.#judge.reject(parsed.uuid)
    }
  }

  /** Judges the chunk and commits it. */
  async run(chunk: ChunkLine[], at: InputPosition): Promise<void> {
    await this.commit(await this.judge(chunk), at)
  }

  /**
   * Judges a chunk without writing anything: the import runner judges the next chunk while the
   * previous one commits. Verdicts do not depend on that commit: duplicates are claimed at parse,
   * relationships wait for `finish`, and a failed commit only fails its own lines.
   */
  judge(chunk: ChunkLine[]): Promise<JudgedChunk> {
    return this.#judgeChunk(chunk)
  }

  /** Commits a judged chunk (after the previous chunk's commit ended). */
  commit(judged: JudgedChunk, at: InputPosition): Promise<void> {
    return this.#commit(judged, at, false)
  }

  /** Judges the relationship lines (every endpoint is known now) and ends the job FINISHED. */
  async finish(at: InputPosition): Promise<ImportOutcome> {
    const rows: AnnotationRow[] = []
    const judged: StatusLine[] = []
    for (const item of this.#judge.finishRelationships()) {
      const dataRow = this.#dataRowOfUuid.get(item.uuid) ?? { id: item.dataRowId, globalKey: null }
      if (item.verdict.ok === true) {
        rows.push(this.#toRow(item.verdict.record))
        judged.push(successLine(item.line, item.uuid, dataRow, item.verdict.warnings))
      } else if (item.verdict.ok === false) {
        judged.push(failureLine(item.line, item.uuid, dataRow, item.verdict.issues))
      }
    }
    const statuses = (written: boolean) =>
      judged.map((s) =>
        written || s.status === 'FAILURE'
          ? s
          : failureLine(s.line, s.uuid, s.dataRow, [
              issue('internal', 'Storing this annotation failed; nothing of it was written'),
            ]),
      )
    await this.#commit({ rows, labels: [], statuses, maskShas: new Set() }, at, true)
    return this.#status.outcome
  }

  async #resolve(chunk: ChunkLine[]): Promise<void> {
    const refs = []
    for (const { parsed } of chunk) if (parsed.ok) refs.push(parsed.dataRowRef)
    await this.#dataRows.resolve(refs)
  }

  async #judgeChunk(chunk: ChunkLine[]): Promise<Judged> {
    await this.#resolve(chunk)
    const rows: AnnotationRow[] = []
    const labels = new Map<string, LabelTouch>()
    const accepted: string[] = []
    const maskShas = new Set<string>()
    for (const item of chunk) {
      const parsed = item.parsed
      if (!parsed.ok) continue
      const dataRow = this.#dataRows.lookup(parsed.dataRowRef)
      const found = this.#dataRows.found(parsed.dataRowRef)
      if (found) item.dataRow = { id: found.id, globalKey: found.globalKey }
      let verdict = this.#judge.check(parsed, dataRow)
      if (verdict.ok === 'deferred') {
        if (item.dataRow) this.#dataRowOfUuid.set(parsed.uuid, item.dataRow)
        item.verdict = verdict
        continue
      }
      if (verdict.ok === 'mask' && found) {
        const mask = await this.#masks.process(
          verdict.mask.input,
          { width: found.width, height: found.height },
          verdict.mask.path,
        )
        if (mask.ok) {
          maskShas.add(mask.geometry.compositeSha256)
          const { benchmarkReference, warnings } = verdict
          verdict = { ok: true, record: withMaskGeometry(verdict.record, mask.geometry) }
          if (benchmarkReference) verdict.benchmarkReference = benchmarkReference
          if (warnings) verdict.warnings = warnings
        } else {
          this.#judge.reject(parsed.uuid)
          verdict = { ok: false, issues: [mask.issue] }
        }
      }
      item.verdict = verdict
      if (verdict.ok !== true) continue
      accepted.push(parsed.uuid)
      rows.push(this.#toRow(verdict.record))
      if (this.#job.layer === 'label' && typeof dataRow === 'object') {
        const benchmark = verdict.benchmarkReference === true
        const touch = labels.get(dataRow.id)
        if (!touch)
          labels.set(dataRow.id, {
            projectId: this.#job.projectId,
            dataRowId: dataRow.id,
            isBenchmarkReference: benchmark,
            createdBy: this.#job.createdBy,
          })
        else if (benchmark) touch.isBenchmarkReference = true
      }
    }

    const statuses = (written: boolean): StatusLine[] => {
      if (!written) for (const uuid of accepted) this.#judge.reject(uuid)
      const out: StatusLine[] = []
      for (const item of chunk) {
        const p = item.parsed
        const dataRow = item.dataRow ?? refAsDataRow(p.dataRowRef)
        const verdict = item.verdict
        const before = out.length
        if (!p.ok) out.push(failureLine(p.line, p.uuid, dataRow, p.issues))
        else if (verdict?.ok === true)
          out.push(
            written
              ? successLine(p.line, p.uuid, dataRow, verdict.warnings)
              : failureLine(p.line, p.uuid, dataRow, [
                  issue('internal', 'Storing this chunk failed; nothing of it was written'),
                ]),
          )
        else if (verdict?.ok === false)
          out.push(failureLine(p.line, p.uuid, dataRow, verdict.issues))
        if (item.source !== undefined && out.length > before) out[before]!.source = item.source
      }
      return out
    }
    return { rows, labels: [...labels.values()], statuses, maskShas }
  }

  /** Status part first, then one guarded transaction; on a write error, once more with nothing stored. */
  async #commit(judged: Judged, at: InputPosition, finish: boolean): Promise<void> {
    const job = this.#job
    for (let attempt = 0; ; attempt++) {
      const written = attempt === 0
      const part = await this.#status.writeNext(judged.statuses(written))
      const checkpoint: ImportCheckpoint = {
        bytes: at.bytes,
        line: at.line,
        statusParts: part.part,
        progress: finish ? 100 : at.percent,
        ...part.outcome,
      }
      const store = written && !job.dryRun
      try {
        await this.#repository.writeChunk({
          rows: store ? judged.rows : [],
          labels: store ? judged.labels : [],
          // the organization may read the composite masks its annotations point at (export URLs)
          maskShas: store ? judged.maskShas : new Set(),
          organizationId: job.organizationId,
          guard: { importId: job.id, owner: job.owner, leaseMs: job.leaseMs, checkpoint, finish },
          ...(written && job.dryRun ? { preview: judged.rows } : {}),
        })
        this.#status.committed(part)
        return
      } catch (err) {
        if (!written || (err as Error).name === 'JobLostError') throw err
        this.#log(
          `import ${job.id}: writing a chunk of ${judged.rows.length} annotations failed`,
          err,
        )
      }
    }
  }

  #toRow(record: AnnotationRecord): AnnotationRow {
    return toAnnotationRow({
      projectId: this.#job.projectId,
      importId: this.#job.id,
      layer: this.#job.layer,
      record,
    })
  }
}

function refAsDataRow(ref: { id?: string; globalKey?: string } | null): DataRowOfLine {
  return { id: ref?.id ?? null, globalKey: ref?.globalKey ?? null }
}
