/**
 * Test-only helpers of the judge's tests: runs lines through an ImportJudge as the server does
 * (parse, check, masks, reject, finishRelationships) and returns each line's outcome.
 * Pure on purpose (fixtures are read by the tests themselves), so it typechecks with core.
 */
import type { ImportKind } from '../api/entities.ts'
import type { Issue } from '../errors.ts'
import { NormalizedOntologySchema } from '../ontology/normalized.ts'
import {
  buildOntologyIndex,
  completeOntology,
  type OntologyIndex,
} from '../ontology/ontology-index.ts'
import {
  ImportJudge,
  type DataRowLookup,
  type ImportJudgeOptions,
  type LineVerdict,
  type ParsedLine,
} from './import-judge.ts'

export type TestLine = Record<string, unknown> | string

export interface LineOutcome {
  parsed: ParsedLine
  /** the final verdict (relationships: the late one); absent when parse failed */
  verdict?: LineVerdict
  /** parse issues or verdict issues; empty when accepted */
  issues: Issue[]
}

export interface RunOptions {
  kind?: ImportKind
  /** the data row every line resolves to, or a function of the line's reference */
  row?: DataRowLookup | ((ref: { id: string } | { globalKey: string }) => DataRowLookup)
  options?: Partial<Omit<ImportJudgeOptions, 'ontology' | 'kind'>>
  /** called after every line was checked and before relationships are finished */
  beforeFinish?: (judge: ImportJudge) => void
}

export const ROW_ID = 'ckrow0000000000000000000a'
export const GLOBAL_KEY = 'gk-image-1'
export const ROW: DataRowLookup = { id: ROW_ID, globalKey: GLOBAL_KEY, width: 4000, height: 3000 }

export function indexOf(normalized: unknown): OntologyIndex {
  return buildOntologyIndex(completeOntology(NormalizedOntologySchema.parse(normalized)))
}

export function runLines(
  ontology: OntologyIndex,
  lines: TestLine[],
  run: RunOptions = {},
): LineOutcome[] {
  const judge = new ImportJudge({ ontology, kind: run.kind ?? 'mal', ...run.options })
  const outcomes: LineOutcome[] = []
  const late = new Map<string, number>()
  lines.forEach((line, i) => {
    const text = typeof line === 'string' ? line : JSON.stringify(line)
    const parsed = judge.parse(text, i + 1)
    if (!parsed.ok) {
      outcomes.push({ parsed, issues: parsed.issues })
      return
    }
    const row = typeof run.row === 'function' ? run.row(parsed.dataRowRef) : (run.row ?? ROW)
    const verdict = judge.check(parsed, row)
    if (verdict.ok === 'deferred') late.set(String(i + 1), i)
    outcomes.push({ parsed, verdict, issues: verdict.ok === false ? verdict.issues : [] })
  })
  run.beforeFinish?.(judge)
  for (const item of judge.finishRelationships()) {
    const i = late.get(String(item.line))
    if (i === undefined) throw new Error(`late verdict for unknown line ${item.line}`)
    outcomes[i] = {
      parsed: outcomes[i]!.parsed,
      verdict: item.verdict,
      issues: item.verdict.ok === false ? item.verdict.issues : [],
    }
  }
  return outcomes
}
