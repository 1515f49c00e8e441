/**
 * The import judge: decides, line by line, whether an NDJSON import line becomes an annotation.
 *
 * The server drives it in three steps: `parse` (syntax, no lookups), `check` (after the data
 * row was looked up: ontology, answers, geometry, limits), and at the end `finishRelationships`
 * (relationships may point at lines further down). Between them, `reject` tells the judge that a
 * later stage (mask decoding, storage) failed an accepted line, so relationships on it fail too.
 *
 * The hot path uses no zod and keeps no per-line strings: see uuid-table.ts for the memory model.
 */
import type { Issue, IssuePath } from '../errors.ts'
import { issue } from '../errors.ts'
import type { ImportKind } from '../api/entities.ts'
import { newUuid } from '../ids.ts'
import type {
  AnnotationRecord,
  MaskLineRecord,
  RelationshipRecord,
} from '../model/annotation-record.ts'
import type { DataRowRef, KindKey, NdMask } from '../ndjson/line.ts'
import {
  ANNOTATIONS_PER_FEATURE_LIMIT,
  checkDataRowRef,
  checkFeatureRef,
  checkKind,
} from '../ndjson/line-grammar.ts'
import type {
  IndexedClassification,
  IndexedTool,
  OntologyIndex,
} from '../ontology/ontology-index.ts'
import type { Bounds } from './check-geometry.ts'
import { add, isAbsent, isObject, readScores, show, wrongType, type Json } from './check-values.ts'
import {
  ENTRY,
  hashRowId,
  newRowHash,
  newUuidWords,
  parseUuidInto,
  RowFeatureCounter,
  UuidTable,
} from './uuid-table.ts'
import { checkClassificationLine, checkObjectLine, checkRelationshipLine } from './check-lines.ts'
import { clipObjectValue } from './clip-geometry.ts'
import { resolveFeature } from './resolve-feature.ts'
import {
  findJsonProblem,
  jsonTextMayHaveProblem,
  MAX_LINE_DEPTH,
  utf8Length,
} from './storable-json.ts'

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024
/** Labelbox's documented limit: annotations per data row per feature in one import. */
export const MAX_ANNOTATIONS_PER_FEATURE = ANNOTATIONS_PER_FEATURE_LIMIT

const FEATURE_MISSING = {
  message: 'the line needs a name or a schemaId of a feature of the ontology',
  path: ['name'],
}

export interface ImportJudgeOptions {
  ontology: OntologyIndex
  kind: ImportKind
  /** longest accepted line in UTF-8 bytes; default 64 MiB */
  maxLineBytes?: number
  /** default 5,000 (Labelbox's limit); tests lower it */
  maxAnnotationsPerFeature?: number
  /**
   * Ground truth refuses relationships (`relationship_not_allowed`, the guide's rule for
   * ground-truth *imports*); a label submitted from the editor sets this to keep them, with both
   * endpoints still checked. Default: false.
   */
  groundTruthRelationships?: boolean
  /**
   * clip object geometry overshooting the image by a pixel or more (the import's `clip` option):
   * the line succeeds with the warning `geometry_clipped` (clip-geometry.ts)
   */
  clip?: boolean
}

export interface ParsedLineOk {
  ok: true
  /** 1-based line number in the input */
  line: number
  /** canonical lowercase uuid; generated when the line has none */
  uuid: string
  /** whether the uuid came from the line (only those can be relationship endpoints) */
  uuidGiven: boolean
  dataRowRef: DataRowRef
  /** the key that decides what the line is (`answers` counts as `answer`) */
  kind: KindKey
  value: Json
}

export interface ParsedLineFailed {
  ok: false
  line: number
  uuid: string | null
  dataRowRef: { id?: string; globalKey?: string } | null
  issues: Issue[]
}

export type ParsedLine = ParsedLineOk | ParsedLineFailed

/** A data row as the server found it, or why it found none. */
export type DataRowLookup =
  | { id: string; globalKey: string | null; width: number | null; height: number | null }
  | 'unknown'
  | 'not_in_project'

interface Accepted {
  /** the line says `isBenchmarkReferenceLabel: true` (ground truth only): its label is a benchmark reference */
  benchmarkReference?: true
  /** accepted, with something the status line should say (e.g. a flag ignored) */
  warnings?: Issue[]
}

export type LineVerdict =
  | ({ ok: true; record: AnnotationRecord } & Accepted)
  /**
   * a mask line, good so far: the server decodes `mask.input` (it may still fail then, see
   * `reject`) and completes the record with `withMaskGeometry`
   */
  | ({ ok: 'mask'; record: MaskLineRecord; mask: { input: NdMask; path: IssuePath } } & Accepted)
  | { ok: false; issues: Issue[] }
  /** a relationship line: judged by `finishRelationships`, once every object line is known */
  | { ok: 'deferred' }

export interface LateVerdict {
  line: number
  uuid: string
  dataRowId: string
  verdict: LineVerdict
}

interface PendingRelationship {
  line: number
  record: RelationshipRecord
  warnings: Issue[]
  row0: number
  row1: number
  slot: number
}

export class ImportJudge {
  readonly kind: ImportKind
  private readonly ontology: OntologyIndex
  private readonly maxLineBytes: number
  private readonly maxPerFeature: number
  private readonly groundTruthRelationships: boolean
  private readonly clip: boolean
  private readonly uuids = new UuidTable()
  private readonly perFeature = new RowFeatureCounter()
  private relationships: PendingRelationship[] = []
  /** the key of the uuid at hand and the hash of the data row at hand, reused from line to line */
  private readonly uuidKey = newUuidWords()
  private readonly rowKey = newRowHash()

  constructor(options: ImportJudgeOptions) {
    this.ontology = options.ontology
    this.kind = options.kind
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
    this.maxPerFeature = options.maxAnnotationsPerFeature ?? MAX_ANNOTATIONS_PER_FEATURE
    this.groundTruthRelationships = options.groundTruthRelationships ?? false
    this.clip = options.clip ?? false
  }

  /** Phase 1, syntax only: JSON object, uuid, data row reference, feature reference, one kind key. */
  parse(text: string, lineNumber: number): ParsedLine {
    // a UTF-16 unit is at most 3 UTF-8 bytes, so short lines need no byte count
    if (text.length * 3 > this.maxLineBytes) {
      const bytes = utf8Length(text)
      if (bytes > this.maxLineBytes) {
        return failed(lineNumber, null, null, [
          issue(
            'line_too_long',
            `the line has ${bytes} bytes; at most ${this.maxLineBytes} are accepted`,
            [],
          ),
        ])
      }
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      return failed(lineNumber, null, null, [
        issue('line_not_json', `the line is not JSON: ${reason}`, []),
      ])
    }
    if (!isObject(value)) {
      return failed(lineNumber, null, null, [
        issue('line_not_object', `the line must be a JSON object, got ${show(value)}`, []),
      ])
    }
    const issues: Issue[] = []
    // text no database can store (NUL, lone surrogates) and nesting past the limit fail the line
    const hostile = jsonTextMayHaveProblem(text, MAX_LINE_DEPTH)
      ? findJsonProblem(value, { maxDepth: MAX_LINE_DEPTH })
      : null
    if (hostile) issues.push(hostile)

    // uuid: claimed by the first line that names it
    let uuid: string | null = null
    let slot = -1
    const rawUuid = value.uuid
    if (!isAbsent(rawUuid)) {
      if (typeof rawUuid !== 'string') wrongType(issues, ['uuid'], 'a string', rawUuid)
      else {
        const canonical = parseUuidInto(rawUuid, this.uuidKey)
        if (canonical === undefined)
          add(issues, 'uuid_invalid', `uuid ${show(rawUuid)} is not a uuid`, ['uuid'])
        else {
          uuid = canonical
          slot = this.uuids.claim(this.uuidKey)
          if (slot < 0)
            add(
              issues,
              'uuid_duplicate',
              `uuid '${canonical}' is already used by another line of this import`,
              ['uuid'],
            )
        }
      }
    }

    // data row reference, feature reference, kind: the line grammar (ndjson/line-grammar.ts)
    const ref = checkDataRowRef(value.dataRow)
    if (ref.issue) issues.push(ref.issue)
    const dataRowRef = ref.ref
    const seenRef = ref.seen
    checkFeatureRef(value, [], FEATURE_MISSING, issues)
    const { kind, issue: kindIssue } = checkKind(value)
    if (kindIssue) issues.push(kindIssue)

    const isObjectKind = kind !== undefined && kind !== 'answer' && kind !== 'relationship'
    if (issues.length > 0 || dataRowRef === undefined || kind === undefined) {
      if (slot >= 0) this.uuids.setFlags(slot, ENTRY.failed | (isObjectKind ? ENTRY.object : 0))
      return failed(lineNumber, uuid, seenRef, issues)
    }
    if (slot >= 0 && isObjectKind) this.uuids.setFlags(slot, ENTRY.object)
    return {
      ok: true,
      line: lineNumber,
      uuid: uuid ?? newUuid(),
      uuidGiven: uuid !== null,
      dataRowRef,
      kind,
      value,
    }
  }

  /** Phase 2: the full check of a parsed line against the ontology and its data row. */
  check(parsed: ParsedLineOk, dataRow: DataRowLookup): LineVerdict {
    const slot =
      parsed.uuidGiven && parseUuidInto(parsed.uuid, this.uuidKey) !== undefined
        ? this.uuids.find(this.uuidKey)
        : -1
    const verdict = this.judge(parsed, dataRow, slot)
    if (slot >= 0 && verdict.ok !== 'deferred') {
      const objectBit = this.uuids.flagsAt(slot) & (ENTRY.object | ENTRY.rowKnown)
      this.uuids.setFlags(slot, objectBit | (verdict.ok ? ENTRY.ok : ENTRY.failed))
    }
    return verdict
  }

  /** A later stage failed the line with this uuid: relationships on it will fail. */
  reject(uuid: string): void {
    if (parseUuidInto(uuid, this.uuidKey) === undefined) return
    const slot = this.uuids.find(this.uuidKey)
    if (slot < 0) return
    this.uuids.setFlags(slot, (this.uuids.flagsAt(slot) & ~ENTRY.ok) | ENTRY.failed)
  }

  /** Judges the relationship lines held back by `check`, now that every object line is known. */
  finishRelationships(): LateVerdict[] {
    const pending = this.relationships
    this.relationships = []
    const out: LateVerdict[] = []
    for (const rel of pending) {
      const issues: Issue[] = []
      this.checkEndpoint(rel, 'source', issues)
      this.checkEndpoint(rel, 'target', issues)
      const verdict: LineVerdict =
        issues.length > 0
          ? { ok: false, issues }
          : rel.warnings.length > 0
            ? { ok: true, record: rel.record, warnings: rel.warnings }
            : { ok: true, record: rel.record }
      if (rel.slot >= 0) {
        const bits = this.uuids.flagsAt(rel.slot) & ENTRY.rowKnown
        this.uuids.setFlags(rel.slot, bits | (verdict.ok ? ENTRY.ok : ENTRY.failed))
      }
      out.push({ line: rel.line, uuid: rel.record.uuid, dataRowId: rel.record.dataRowId, verdict })
    }
    return out
  }

  private checkEndpoint(rel: PendingRelationship, end: 'source' | 'target', issues: Issue[]): void {
    const uuid = rel.record[end]
    parseUuidInto(uuid, this.uuidKey)
    const slot = this.uuids.find(this.uuidKey)
    this.rowKey[0] = rel.row0
    this.rowKey[1] = rel.row1
    const flags = slot < 0 ? 0 : this.uuids.flagsAt(slot)
    const onRow = (flags & ENTRY.rowKnown) === 0 || this.uuids.sameRow(slot, this.rowKey)
    if (slot < 0 || (flags & ENTRY.object) === 0 || !onRow) {
      add(
        issues,
        'relationship_endpoint_unknown',
        `${end} '${uuid}' is not the uuid of an object line on data row '${rel.record.dataRowId}' in this import`,
        ['relationship', end],
      )
    } else if ((flags & ENTRY.ok) === 0) {
      add(
        issues,
        'relationship_endpoint_failed',
        `${end} '${uuid}' names an annotation that failed, so this relationship fails too`,
        ['relationship', end],
      )
    }
  }

  private judge(parsed: ParsedLineOk, dataRow: DataRowLookup, slot: number): LineVerdict {
    const refKey = 'id' in parsed.dataRowRef ? 'id' : 'globalKey'
    const refValue = 'id' in parsed.dataRowRef ? parsed.dataRowRef.id : parsed.dataRowRef.globalKey
    if (dataRow === 'unknown') {
      return failure(
        'data_row_unknown',
        `no data row with ${refKey} '${refValue}' in this organization`,
        ['dataRow', refKey],
      )
    }
    if (dataRow === 'not_in_project') {
      return failure(
        'data_row_not_in_project',
        `data row with ${refKey} '${refValue}' is not in a batch of this project`,
        ['dataRow', refKey],
      )
    }
    hashRowId(dataRow.id, this.rowKey)
    if (slot >= 0) this.uuids.setRow(slot, this.rowKey)

    const { kind } = parsed
    let value = parsed.value
    if (kind === 'relationship' && this.kind === 'ground_truth' && !this.groundTruthRelationships) {
      return failure(
        'relationship_not_allowed',
        'relationships are not supported in ground-truth imports; import them with MAL',
        ['relationship'],
      )
    }
    const issues: Issue[] = []
    const feature = resolveFeature(this.ontology, value, kind, issues)
    if (feature === undefined) return { ok: false, issues }

    const bounds: Bounds | null =
      dataRow.width !== null && dataRow.height !== null
        ? { width: dataRow.width, height: dataRow.height }
        : null
    let clipWarning: Issue | undefined
    if (this.clip && bounds !== null && kind !== 'answer' && kind !== 'relationship') {
      const clipped = clipObjectValue(value, kind, bounds)
      if (clipped.kind === 'outside') return { ok: false, issues: [clipped.failure] }
      if (clipped.kind === 'clipped') {
        value = clipped.value
        clipWarning = clipped.warning
      }
    }
    let record: AnnotationRecord | undefined
    let mask: NdMask | undefined
    let maskRecord: MaskLineRecord | undefined
    if (kind === 'answer')
      record = checkClassificationLine(parsed, dataRow.id, feature as IndexedClassification, issues)
    else if (kind === 'relationship')
      record = checkRelationshipLine(parsed, dataRow.id, feature as IndexedTool, issues)
    else {
      const line = { uuid: parsed.uuid, value, kind }
      const checked = checkObjectLine(line, dataRow.id, feature as IndexedTool, bounds, issues)
      if (checked?.mask) {
        mask = checked.mask
        maskRecord = checked.record
      } else record = checked?.record
    }
    const scored = record ?? maskRecord
    if (scored !== undefined) readScores(value, [], scored, issues)

    let benchmark = false
    const warnings: Issue[] = clipWarning === undefined ? [] : [clipWarning]
    const flag = value.isBenchmarkReferenceLabel
    if (!isAbsent(flag)) {
      if (typeof flag !== 'boolean')
        wrongType(issues, ['isBenchmarkReferenceLabel'], 'a boolean', flag)
      else if (flag && this.kind === 'mal')
        // Labelbox's SDK puts the flag on every line of a benchmark Label, MAL imports included
        warnings.push(
          issue(
            'benchmark_ignored',
            'isBenchmarkReferenceLabel is ignored in a MAL import: benchmarks are ground truth (import the label with LabelImport to mark it)',
            ['isBenchmarkReferenceLabel'],
          ),
        )
      else benchmark = flag
    }
    if (issues.length > 0 || (record === undefined && maskRecord === undefined))
      return { ok: false, issues }

    // the limit counts lines that are otherwise good: the 5,001st good one fails
    const count = this.perFeature.increment(this.rowKey, feature.ordinal)
    if (count > this.maxPerFeature) {
      return failure(
        'annotations_per_feature_exceeded',
        `data row '${dataRow.id}' already has ${this.maxPerFeature} annotations of '${feature.name}' in this import, the most one import may add`,
        [],
      )
    }
    if (record?.kind === 'relationship') {
      this.relationships.push({
        line: parsed.line,
        record,
        row0: this.rowKey[0]!,
        row1: this.rowKey[1]!,
        slot,
        warnings,
      })
      return { ok: 'deferred' }
    }
    const verdict: LineVerdict =
      maskRecord !== undefined && mask !== undefined
        ? { ok: 'mask', record: maskRecord, mask: { input: mask, path: ['mask'] } }
        : { ok: true, record: record! }
    if (benchmark) verdict.benchmarkReference = true
    if (warnings.length > 0) verdict.warnings = warnings
    return verdict
  }
}
function failed(
  line: number,
  uuid: string | null,
  dataRowRef: ParsedLineFailed['dataRowRef'],
  issues: Issue[],
): ParsedLineFailed {
  return { ok: false, line, uuid, dataRowRef, issues }
}

function failure(code: Issue['code'], message: string, path: IssuePath): LineVerdict {
  return { ok: false, issues: [issue(code, message, path)] }
}
