/**
 * One rule for text on both databases: PostgreSQL text cannot hold NUL (U+0000), and a lone UTF-16
 * surrogate has no UTF-8 form (PostgreSQL refuses it in JSON, SQLite silently turns it into U+FFFD).
 * Such text is refused where it enters (request fields, query strings, path ids, import lines),
 * with `text_invalid` and the path of the string, before any database sees it. Nesting is capped
 * as well (`nesting_too_deep`), so no recursion over input can run out of stack.
 */
import { issue, formatPath, type Issue, type IssuePath } from '../errors.ts'

/** Deepest nesting of arrays and objects in a JSON request body. */
export const MAX_BODY_DEPTH = 100
/** Deepest nesting of arrays and objects in one NDJSON import line. */
export const MAX_LINE_DEPTH = 64

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Why the text cannot be stored, or null when it can. */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'a NUL character (U+0000)'
  const lone = LONE_SURROGATE.exec(text)
  if (lone)
    return `a lone UTF-16 surrogate (U+${lone[0].charCodeAt(0).toString(16).toUpperCase()}), which has no UTF-8 form`
  return null
}

/** The `text_invalid` issue for a string (or object key) at `path`, or null when it is fine. */
export function checkText(text: string, path: IssuePath, what = 'this text'): Issue | null {
  const problem = textProblem(text)
  if (problem === null) return null
  const where = path.length > 0 ? formatPath(path) : what
  return issue('text_invalid', `${where} holds ${problem}, which cannot be stored; remove it`, path)
}

export interface StorableJsonOptions {
  maxDepth: number
  /** where the value sits (prefixed to every issue path) */
  path?: IssuePath
  /** sub-trees (paths relative to the value) whose text is judged elsewhere; depth still counts */
  textJudgedElsewhere?: readonly IssuePath[]
}

function samePath(a: IssuePath, b: IssuePath): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i])
}

/**
 * The first problem of a parsed JSON value: a string or key holding NUL or a lone surrogate
 * (`text_invalid`), or arrays/objects nested deeper than `maxDepth` (`nesting_too_deep`).
 * Recursion is bounded by `maxDepth`.
 */
export function findJsonProblem(value: unknown, options: StorableJsonOptions): Issue | null {
  const base = options.path ?? []
  const skips = options.textJudgedElsewhere ?? []
  const visit = (v: unknown, rel: IssuePath, depth: number, checkTexts: boolean): Issue | null => {
    if (typeof v === 'string') return checkTexts ? checkText(v, [...base, ...rel]) : null
    if (typeof v !== 'object' || v === null) return null
    if (depth >= options.maxDepth)
      return issue(
        'nesting_too_deep',
        `${formatPath([...base, ...rel]) || 'the value'} is nested deeper than ${options.maxDepth} levels of arrays and objects`,
        [...base, ...rel],
      )
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const at = [...rel, i]
        const found = visit(v[i], at, depth + 1, checkTexts && !skips.some((s) => samePath(s, at)))
        if (found) return found
      }
      return null
    }
    for (const [key, child] of Object.entries(v)) {
      const at = [...rel, key]
      if (checkTexts) {
        const bad = checkText(key, [...base, ...at])
        if (bad) return { ...bad, message: `the key of ${bad.message}` }
      }
      const found = visit(child, at, depth + 1, checkTexts && !skips.some((s) => samePath(s, at)))
      if (found) return found
    }
    return null
  }
  return visit(value, [], 0, !skips.some((s) => s.length === 0))
}
