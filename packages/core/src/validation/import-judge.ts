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
  ClassificationLineRecord,
  GeometryRecord,
  ObjectRecord,
  RelationshipRecord,
} from '../model/annotation-record.ts'
import type { DataRowRef, KindKey, NdMask } from '../ndjson/line.ts'
import {
  ANNOTATIONS_PER_FEATURE_LIMIT,
  checkDataRowRef,
  checkFeatureRef,
  checkKind,
} from '../ndjson/line-grammar.ts'
import type { ToolType } from '../ontology/normalized.ts'
import type {
  FeatureLookup,
  IndexedClassification,
  IndexedTool,
  OntologyIndex,
} from '../ontology/ontology-index.ts'
import { answerKey, checkAnswer, checkNestedList } from './check-classifications.ts'
import {
  checkBbox,
  checkMask,
  checkPath,
  checkPoint,
  pendingMaskGeometry,
  type Bounds,
} from './check-geometry.ts'
import { add, isAbsent, isObject, readScores, show, wrongType, type Json } from './check-values.ts'
import { ENTRY, hashRowId, parseUuid, RowFeatureCounter, rowHash, UuidTable } from './uuid-table.ts'
import { findJsonProblem, jsonTextMayHaveProblem, MAX_LINE_DEPTH } from './storable-json.ts'

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

export type LineVerdict =
  | {
      ok: true
      record: AnnotationRecord
      /** a mask line: the server decodes `input` and fills `record.geometry` (type 'mask') */
      mask?: { input: NdMask; path: IssuePath }
      /** the line says `isBenchmarkReferenceLabel: true` (ground truth only): its label is a benchmark reference */
      benchmarkReference?: true
      /** accepted, with something the status line should say (e.g. a flag ignored) */
      warnings?: Issue[]
    }
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

const TOOL_OF_KIND: Record<Exclude<KindKey, 'answer'>, ToolType> = {
  bbox: 'rectangle',
  polygon: 'polygon',
  line: 'line',
  point: 'point',
  mask: 'raster-segmentation',
  relationship: 'edge',
}

const KIND_OF_TOOL: Record<ToolType, string> = {
  rectangle: 'bbox',
  polygon: 'polygon',
  line: 'line',
  point: 'point',
  'raster-segmentation': 'mask',
  edge: 'relationship',
}

export class ImportJudge {
  readonly kind: ImportKind
  private readonly ontology: OntologyIndex
  private readonly maxLineBytes: number
  private readonly maxPerFeature: number
  private readonly uuids = new UuidTable()
  private readonly perFeature = new RowFeatureCounter()
  private relationships: PendingRelationship[] = []

  constructor(options: ImportJudgeOptions) {
    this.ontology = options.ontology
    this.kind = options.kind
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
    this.maxPerFeature = options.maxAnnotationsPerFeature ?? MAX_ANNOTATIONS_PER_FEATURE
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
        const canonical = parseUuid(rawUuid)
        if (canonical === undefined)
          add(issues, 'uuid_invalid', `uuid ${show(rawUuid)} is not a uuid`, ['uuid'])
        else {
          uuid = canonical
          slot = this.uuids.claim()
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
    const slot = parsed.uuidGiven && parseUuid(parsed.uuid) !== undefined ? this.uuids.find() : -1
    const verdict = this.judge(parsed, dataRow, slot)
    if (slot >= 0 && verdict.ok !== 'deferred') {
      const objectBit = this.uuids.flagsAt(slot) & (ENTRY.object | ENTRY.rowKnown)
      this.uuids.setFlags(slot, objectBit | (verdict.ok ? ENTRY.ok : ENTRY.failed))
    }
    return verdict
  }

  /** A later stage failed the line with this uuid: relationships on it will fail. */
  reject(uuid: string): void {
    if (parseUuid(uuid) === undefined) return
    const slot = this.uuids.find()
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
    parseUuid(uuid)
    const slot = this.uuids.find()
    rowHash[0] = rel.row0
    rowHash[1] = rel.row1
    const flags = slot < 0 ? 0 : this.uuids.flagsAt(slot)
    const onRow = (flags & ENTRY.rowKnown) === 0 || this.uuids.sameRow(slot)
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
    hashRowId(dataRow.id)
    if (slot >= 0) this.uuids.setRow(slot)

    const { value, kind } = parsed
    if (kind === 'relationship' && this.kind === 'ground_truth') {
      return failure(
        'relationship_not_allowed',
        'relationships are not supported in ground-truth imports; import them with MAL',
        ['relationship'],
      )
    }
    const issues: Issue[] = []
    const feature = this.resolveFeature(value, kind, issues)
    if (feature === undefined) return { ok: false, issues }

    const bounds: Bounds | null =
      dataRow.width !== null && dataRow.height !== null
        ? { width: dataRow.width, height: dataRow.height }
        : null
    let record: AnnotationRecord | undefined
    let mask: NdMask | undefined
    if (kind === 'answer')
      record = this.checkClassificationLine(
        parsed,
        dataRow.id,
        feature as IndexedClassification,
        issues,
      )
    else if (kind === 'relationship')
      record = this.checkRelationshipLine(parsed, dataRow.id, feature as IndexedTool, issues)
    else {
      const tool = feature as IndexedTool
      let geometry: GeometryRecord | undefined
      switch (kind) {
        case 'bbox':
          geometry = checkBbox(value.bbox, bounds, issues)
          break
        case 'polygon':
          geometry = checkPath('polygon', value.polygon, bounds, issues)
          break
        case 'line':
          geometry = checkPath('line', value.line, bounds, issues)
          break
        case 'point':
          geometry = checkPoint(value.point, bounds, issues)
          break
        case 'mask':
          mask = checkMask(value.mask, issues)
          if (mask !== undefined) geometry = pendingMaskGeometry(mask)
          break
      }
      const classifications: ObjectRecord['classifications'] = []
      if (!isAbsent(value.classifications))
        checkNestedList(
          value.classifications,
          tool.classifications,
          `tool '${tool.name}'`,
          [],
          classifications,
          issues,
        )
      if (geometry !== undefined) {
        record = {
          kind: 'object',
          uuid: parsed.uuid,
          dataRowId: dataRow.id,
          featureSchemaId: tool.featureSchemaId,
          name: tool.name,
          tool: tool.type as ObjectRecord['tool'],
          geometry,
          classifications,
        }
      }
    }
    if (record !== undefined) readScores(value, [], record, issues)

    let benchmark = false
    const warnings: Issue[] = []
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
    if (issues.length > 0 || record === undefined) return { ok: false, issues }

    // the limit counts lines that are otherwise good: the 5,001st good one fails
    const count = this.perFeature.increment(feature.ordinal)
    if (count > this.maxPerFeature) {
      return failure(
        'annotations_per_feature_exceeded',
        `data row '${dataRow.id}' already has ${this.maxPerFeature} annotations of '${feature.name}' in this import, the most one import may add`,
        [],
      )
    }
    if (record.kind === 'relationship') {
      this.relationships.push({
        line: parsed.line,
        record,
        row0: rowHash[0]!,
        row1: rowHash[1]!,
        slot,
        warnings,
      })
      return { ok: 'deferred' }
    }
    const verdict: LineVerdict =
      mask === undefined
        ? { ok: true, record }
        : { ok: true, record, mask: { input: mask, path: ['mask'] } }
    if (benchmark) verdict.benchmarkReference = true
    if (warnings.length > 0) verdict.warnings = warnings
    return verdict
  }

  /** Resolves name/schemaId among the features of the line's kind; finds kind mismatches. */
  private resolveFeature(
    value: Json,
    kind: KindKey,
    issues: Issue[],
  ): IndexedTool | IndexedClassification | undefined {
    // parse() made sure both are strings when present
    const name = typeof value.name === 'string' ? value.name : undefined
    const schemaId = typeof value.schemaId === 'string' ? value.schemaId : undefined
    const wantTool = kind !== 'answer'
    const primary: FeatureLookup<IndexedTool | IndexedClassification> = wantTool
      ? this.ontology.tools
      : this.ontology.classifications
    const secondary: FeatureLookup<IndexedTool | IndexedClassification> = wantTool
      ? this.ontology.classifications
      : this.ontology.tools
    const byName = name === undefined ? undefined : primary.byName.get(name)
    const byId = schemaId === undefined ? undefined : primary.byId.get(schemaId)
    const nameMissing = name !== undefined && byName === undefined
    const idMissing = schemaId !== undefined && byId === undefined
    if (nameMissing || idMissing) {
      const other =
        (nameMissing ? secondary.byName.get(name) : undefined) ??
        (idMissing ? secondary.byId.get(schemaId) : undefined)
      if (other !== undefined && byName === undefined && byId === undefined) {
        const what =
          'optionsByValue' in other
            ? `the ${other.type} classification '${other.name}'`
            : `the ${other.type} tool '${other.name}'`
        const path =
          kind === 'answer' && !isAbsent(value.answers) && isAbsent(value.answer) ? 'answers' : kind
        add(issues, 'feature_kind_mismatch', `a line with ${path} cannot be ${what}`, [path])
        return undefined
      }
      if (other !== undefined) {
        add(
          issues,
          'feature_conflict',
          `name '${String(name)}' and schemaId '${String(schemaId)}' name different features`,
          ['schemaId'],
        )
        return undefined
      }
      const key = nameMissing ? 'name' : 'schemaId'
      const given = nameMissing ? name : schemaId
      add(
        issues,
        'feature_unknown',
        `the ontology has no ${wantTool ? 'tool' : 'classification'} with ${key} '${String(given)}'`,
        [key],
      )
      return undefined
    }
    if (byName !== undefined && byId !== undefined && byName !== byId) {
      add(
        issues,
        'feature_conflict',
        `name '${byName.name}' and schemaId '${byId.featureSchemaId}' name different features`,
        ['schemaId'],
      )
      return undefined
    }
    const feature = byName ?? byId
    if (feature === undefined) return undefined // parse() made sure one is given
    if (wantTool) {
      const tool = feature as IndexedTool
      if (TOOL_OF_KIND[kind] !== tool.type) {
        add(
          issues,
          'feature_kind_mismatch',
          `'${tool.name}' is a ${tool.type} tool: it takes ${KIND_OF_TOOL[tool.type]}, not ${kind}`,
          [kind],
        )
        return undefined
      }
    }
    return feature
  }

  private checkClassificationLine(
    parsed: ParsedLineOk,
    dataRowId: string,
    question: IndexedClassification,
    issues: Issue[],
  ): ClassificationLineRecord | undefined {
    const { value } = parsed
    const nested = value.classifications
    if (Array.isArray(nested) && nested.length > 0) {
      // a question has no questions of its own; nested ones go under an answer
      add(
        issues,
        'classification_too_deep',
        `'${question.name}' is a question: nest classifications under its answer, not beside it`,
        ['classifications'],
      )
    } else if (!isAbsent(nested) && !Array.isArray(nested))
      wrongType(issues, ['classifications'], 'a list', nested)
    const key = answerKey(value)
    const classification = checkAnswer(question, value[key], [key], issues)
    if (classification === undefined) return undefined
    return {
      kind: 'classification',
      uuid: parsed.uuid,
      dataRowId,
      featureSchemaId: question.featureSchemaId,
      name: question.name,
      classification,
    }
  }

  private checkRelationshipLine(
    parsed: ParsedLineOk,
    dataRowId: string,
    tool: IndexedTool,
    issues: Issue[],
  ): RelationshipRecord | undefined {
    const rel = parsed.value.relationship
    if (!isObject(rel))
      return void wrongType(issues, ['relationship'], 'an object {source, target, type}', rel)
    const source = endpoint(rel, 'source', issues)
    const target = endpoint(rel, 'target', issues)
    let type = rel.type
    if (isAbsent(type)) type = 'unidirectional'
    else if (typeof type === 'string' && type !== 'unidirectional' && type !== 'bidirectional')
      type = type.toLowerCase()
    if (type !== 'unidirectional' && type !== 'bidirectional') {
      add(
        issues,
        'relationship_type_invalid',
        `relationship type ${show(rel.type)} must be 'unidirectional' or 'bidirectional'`,
        ['relationship', 'type'],
      )
      return undefined
    }
    if (source === undefined || target === undefined) return undefined
    if (source === target) {
      add(
        issues,
        'relationship_self_reference',
        `relationship source and target are both '${source}'`,
        ['relationship', 'target'],
      )
      return undefined
    }
    return {
      kind: 'relationship',
      uuid: parsed.uuid,
      dataRowId,
      featureSchemaId: tool.featureSchemaId,
      name: tool.name,
      source,
      target,
      relationshipType: type,
    }
  }
}

function endpoint(rel: Json, end: 'source' | 'target', issues: Issue[]): string | undefined {
  const raw = rel[end]
  if (typeof raw !== 'string')
    return void wrongType(issues, ['relationship', end], 'the uuid of an object line', raw)
  const canonical = parseUuid(raw)
  if (canonical === undefined)
    add(issues, 'uuid_invalid', `relationship ${end} ${show(raw)} is not a uuid`, [
      'relationship',
      end,
    ])
  return canonical
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

function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}
