/**
 * Small checks shared by the judge: JSON types, scores, and how an offending value is shown.
 * Paths are built only when something is wrong, so a good line allocates no path arrays.
 */
import { issue, type ErrorCode, type Issue, type IssuePath } from '../errors.ts'
import type { CustomMetric } from '../ndjson/line.ts'
import type { Scores } from '../model/annotation-record.ts'

export type Json = Record<string, unknown>

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** JSON null counts as absent: Labelbox drops None fields, other tools write null. */
export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null
}

/** A value for a message: JSON, cut to a readable length. */
export function show(value: unknown): string {
  let text: string
  if (value === undefined) return 'nothing'
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  try {
    text = JSON.stringify(value)
  } catch {
    text = '(unprintable)' // only values not from JSON: cycles, bigint
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

export function jsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

export function at(path: IssuePath, ...more: (string | number)[]): IssuePath {
  return [...path, ...more]
}

export function add(issues: Issue[], code: ErrorCode, message: string, path: IssuePath): void {
  issues.push(issue(code, message, path))
}

/** `field_invalid` for a known field of the wrong JSON type. */
export function wrongType(
  issues: Issue[],
  path: IssuePath,
  expected: string,
  value: unknown,
): void {
  add(
    issues,
    'field_invalid',
    `${path.join('.')} must be ${expected}, got ${jsonType(value)} ${show(value)}`,
    path,
  )
}

/**
 * Reads `confidence` and `customMetrics` of `source` into `target` (omitted when absent).
 * Confidence is a number in [0, 1]; custom metrics are a list of {name: string, value: finite number}.
 */
export function readScores(source: Json, path: IssuePath, target: Scores, issues: Issue[]): void {
  const confidence = source.confidence
  if (!isAbsent(confidence)) {
    if (typeof confidence !== 'number')
      wrongType(issues, at(path, 'confidence'), 'a number in [0, 1]', confidence)
    else if (!(confidence >= 0 && confidence <= 1)) {
      add(
        issues,
        'confidence_out_of_range',
        `confidence ${show(confidence)} is outside [0, 1]`,
        at(path, 'confidence'),
      )
    } else target.confidence = confidence
  }
  const metrics = source.customMetrics
  if (!isAbsent(metrics)) {
    const read = readCustomMetrics(metrics, path, issues)
    if (read !== undefined) target.customMetrics = read
  }
}

function readCustomMetrics(
  metrics: unknown,
  path: IssuePath,
  issues: Issue[],
): CustomMetric[] | undefined {
  if (!Array.isArray(metrics)) {
    add(
      issues,
      'custom_metrics_invalid',
      `customMetrics must be a list of {name, value}, got ${show(metrics)}`,
      at(path, 'customMetrics'),
    )
    return undefined
  }
  const out: CustomMetric[] = []
  for (let i = 0; i < metrics.length; i++) {
    const metric: unknown = metrics[i]
    if (
      !isObject(metric) ||
      typeof metric.name !== 'string' ||
      metric.name === '' ||
      typeof metric.value !== 'number' ||
      !Number.isFinite(metric.value)
    ) {
      add(
        issues,
        'custom_metrics_invalid',
        `customMetrics[${i}] must be {name: string, value: finite number}, got ${show(metric)}`,
        at(path, 'customMetrics', i),
      )
      return undefined
    }
    out.push({ name: metric.name, value: metric.value })
  }
  return out
}
