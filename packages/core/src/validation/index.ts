/** The import judge: what the server's import pipeline asks about every NDJSON line. */
export {
  ImportJudge,
  DEFAULT_MAX_LINE_BYTES,
  MAX_ANNOTATIONS_PER_FEATURE,
  type ImportJudgeOptions,
  type ParsedLine,
  type ParsedLineOk,
  type ParsedLineFailed,
  type DataRowLookup,
  type LineVerdict,
  type LateVerdict,
} from './import-judge.ts'
export { parseUuid } from './uuid-table.ts'
export {
  MAX_BODY_DEPTH,
  MAX_LINE_DEPTH,
  textProblem,
  checkText,
  findJsonProblem,
  jsonTextMayHaveProblem,
  type StorableJsonOptions,
} from './storable-json.ts'
