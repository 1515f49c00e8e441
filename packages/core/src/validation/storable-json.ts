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
/** ES2024 `String.prototype.isWellFormed` (Node 20, current browsers): false for lone surrogates */
const wellFormed = (text: string): boolean => {
  const native = (text as { isWellFormed?: () => boolean }).isWellFormed
  return native ? native.call(text) : !LONE_SURROGATE.test(text)
}

/** Why the text cannot be stored, or null when it can. */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'a NUL character (U+0000)'
  if (wellFormed(text)) return null
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

/**
 * A cheap look at JSON text before `findJsonProblem` walks its parsed value: false when the text
 * can hold neither unstorable text nor nesting past `maxDepth` (brackets outside strings are
 * counted). NUL and lone surrogates reach a parsed string only through a `\u` escape or as raw
 * lone surrogates (a raw NUL is not JSON). Import lines take this fast path; only suspect ones
 * are walked (`npm run bench:hostile`).
 */
export function jsonTextMayHaveProblem(text: string, maxDepth: number): boolean {
  if (text.includes('\\u') || !wellFormed(text)) return true
  // most lines have fewer brackets in all than the limit: counted with indexOf (fast), no walk
  let brackets = 0
  for (const open of ['{', '[']) {
    for (let i = text.indexOf(open); i !== -1; i = text.indexOf(open, i + 1))
      if (++brackets >= maxDepth) break
  }
  if (brackets < maxDepth) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth >= maxDepth) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

export interface StorableJsonOptions {
  maxDepth: number
  /** where the value sits (prefixed to every issue path) */
  path?: IssuePath
  /** sub-trees (paths relative to the value) whose text is judged elsewhere; depth still counts */
  textJudgedElsewhere?: readonly IssuePath[]
}

/**
 * The first problem of a parsed JSON value: a string or key holding NUL or a lone surrogate
 * (`text_invalid`), or arrays/objects nested deeper than `maxDepth` (`nesting_too_deep`).
 * Recursion is bounded by `maxDepth`; paths are built only for the problem found (import lines
 * pass through here, mask RLE counts and all).
 */
export function findJsonProblem(value: unknown, options: StorableJsonOptions): Issue | null {
  const base = options.path ?? []
  const skips = options.textJudgedElsewhere ?? []
  const at: (string | number)[] = []
  const here = (): IssuePath => [...base, ...at]
  const skipped = (): boolean =>
    skips.some((s) => s.length === at.length && s.every((part, i) => part === at[i]))
  const text = (s: string, isKey: boolean): Issue | null => {
    const problem = textProblem(s)
    if (problem === null) return null
    const path = here()
    const where = formatPath(path) || 'the value'
    return issue(
      'text_invalid',
      `${isKey ? 'a key of ' : ''}${where} holds ${problem}, which cannot be stored; remove it`,
      path,
    )
  }
  const visit = (v: unknown, depth: number, checkTexts: boolean): Issue | null => {
    if (typeof v === 'string') return checkTexts ? text(v, false) : null
    if (typeof v !== 'object' || v === null) return null
    if (depth >= options.maxDepth)
      return issue(
        'nesting_too_deep',
        `${formatPath(here()) || 'the value'} is nested deeper than ${options.maxDepth} levels of arrays and objects`,
        here(),
      )
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const child: unknown = v[i]
        if (typeof child !== 'string' && (typeof child !== 'object' || child === null)) continue
        at.push(i)
        const found = visit(child, depth + 1, checkTexts && (skips.length === 0 || !skipped()))
        at.pop()
        if (found) return found
      }
      return null
    }
    const keys = Object.keys(v)
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as string
      at.push(key)
      const found =
        (checkTexts ? text(key, true) : null) ??
        visit(
          (v as Record<string, unknown>)[key],
          depth + 1,
          checkTexts && (skips.length === 0 || !skipped()),
        )
      at.pop()
      if (found) return found
    }
    return null
  }
  return visit(value, 0, !skips.some((s) => s.length === 0))
}

/** Bytes of the text in UTF-8 (a lone surrogate counts 3, as it is replaced on encoding). */
export function utf8Length(text: string): number {
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
