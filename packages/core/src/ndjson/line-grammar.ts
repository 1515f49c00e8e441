/**
 * The grammar of one NDJSON import line, written once: the data row reference (exactly one of
 * `id` and `globalKey`), the feature reference (`name` and/or `schemaId`; `featureSchemaId` is
 * not a line key), the kind (exactly one of the kind keys) and the per-feature limit. The
 * server's judge (`ImportJudge.parse`), the SDK's converter and the SDK's pre-checks all read a
 * line with these, so a line means the same thing everywhere. `checkX` returns issues (or adds
 * them to the list it is given); `requireX` throws the first as an `AppError`.
 */
import { AppError, issue, type Issue, type IssuePath } from '../errors.ts'
import { add, isAbsent, isObject, show, wrongType, type Json } from '../validation/check-values.ts'
import { KIND_KEYS, type DataRowRef, type KindKey } from './line.ts'

/** At most this many annotations of one feature on one data row in one import (as Labelbox). */
export const ANNOTATIONS_PER_FEATURE_LIMIT = 5000

/** The reference as written, kept for status lines even when it is invalid. */
export interface SeenDataRowRef {
  id?: string
  globalKey?: string
}

export interface DataRowRefCheck {
  /** the reference, when valid */
  ref: DataRowRef | undefined
  /** what the line wrote (string values only); null when `dataRow` is not an object */
  seen: SeenDataRowRef | null
  issue: Issue | undefined
}

const DATA_ROW: IssuePath = ['dataRow']

/**
 * `dataRow`: an object with exactly one of `id` and `globalKey`, a non-empty string. `path` is
 * where `dataRow` sits (`['dataRow']` in a line).
 */
export function checkDataRowRef(raw: unknown, path: IssuePath = DATA_ROW): DataRowRefCheck {
  const fail = (seen: SeenDataRowRef | null, message: string, at: IssuePath) => ({
    ref: undefined,
    seen,
    issue: issue(isAbsent(raw) ? 'data_row_missing' : 'data_row_ref_invalid', message, at),
  })
  const field = String(path.at(-1) ?? 'dataRow') // `data` in a Label, `dataRow` in a line
  if (isAbsent(raw)) return fail(null, `the line has no ${field}: give {id} or {globalKey}`, path)
  if (!isObject(raw))
    return fail(null, `${field} must be an object {id} or {globalKey}, got ${show(raw)}`, path)
  const { id, globalKey } = raw
  const seen: SeenDataRowRef = {}
  if (typeof id === 'string') seen.id = id
  if (typeof globalKey === 'string') seen.globalKey = globalKey
  if (!isAbsent(id) && !isAbsent(globalKey))
    return fail(seen, `${field} must have only one of id and globalKey, got ${show(raw)}`, path)
  if (!isAbsent(id)) {
    if (typeof id === 'string' && id !== '') return { ref: { id }, seen, issue: undefined }
    return fail(seen, `${field}.id must be a non-empty string, got ${show(id)}`, [...path, 'id'])
  }
  if (!isAbsent(globalKey)) {
    if (typeof globalKey === 'string' && globalKey !== '')
      return { ref: { globalKey }, seen, issue: undefined }
    return fail(seen, `${field}.globalKey must be a non-empty string, got ${show(globalKey)}`, [
      ...path,
      'globalKey',
    ])
  }
  return fail(seen, `${field} must have one of id and globalKey`, path)
}

export function requireDataRowRef(raw: unknown, path: IssuePath = DATA_ROW): DataRowRef {
  const checked = checkDataRowRef(raw, path)
  if (checked.issue) throw AppError.fromIssue(checked.issue)
  return checked.ref as DataRowRef
}

/** `"id:<id>"` or `"globalKey:<key>"`: one data row reference as one string (map keys, messages). */
export function dataRowRefKey(ref: DataRowRef): string {
  return 'id' in ref ? `id:${ref.id}` : `globalKey:${ref.globalKey}`
}

export interface FeatureRef {
  name: string | undefined
  schemaId: string | undefined
}

/**
 * A feature reference (`name` and/or `schemaId`, strings) of a line or of a nested classification
 * or answer at `path`: undefined, with the issues added, when either has the wrong type or both
 * are missing (`feature_missing` at `missing.path`).
 */
export function checkFeatureRef(
  source: Json,
  path: IssuePath,
  missing: { message: string; path: IssuePath },
  issues: Issue[],
): FeatureRef | undefined {
  const { name, schemaId } = source
  const before = issues.length
  if (!isAbsent(name) && typeof name !== 'string')
    wrongType(issues, [...path, 'name'], 'a string', name)
  if (!isAbsent(schemaId) && typeof schemaId !== 'string')
    wrongType(issues, [...path, 'schemaId'], 'a string', schemaId)
  if (issues.length > before) return undefined
  if (isAbsent(name) && isAbsent(schemaId)) {
    add(issues, 'feature_missing', missing.message, missing.path)
    return undefined
  }
  return {
    name: typeof name === 'string' ? name : undefined,
    schemaId: typeof schemaId === 'string' ? schemaId : undefined,
  }
}

export function requireFeatureRef(source: Json, path: IssuePath): FeatureRef {
  const issues: Issue[] = []
  const ref = checkFeatureRef(
    source,
    path,
    {
      message: 'a name or a schemaId of a feature of the ontology is needed',
      path: [...path, 'name'],
    },
    issues,
  )
  const first = issues[0]
  if (ref === undefined || first)
    throw AppError.fromIssue(first ?? issue('feature_missing', '', path))
  return ref
}

/**
 * The line's kind: the one kind key it has (`answers` counts as `answer`). With several, the
 * issue says so and `kind` is the last found (the judge still knows whether it was an object).
 */
export function checkKind(line: Json): { kind: KindKey | undefined; issue: Issue | undefined } {
  let kind: KindKey | undefined
  let kinds = 0
  for (const key of KIND_KEYS) {
    if (!isAbsent(line[key])) {
      kind = key
      kinds++
    }
  }
  if (!isAbsent(line.answers)) {
    kind = 'answer'
    kinds++
  }
  if (kinds === 0)
    return {
      kind: undefined,
      issue: issue('annotation_kind_missing', `the line needs one of ${KIND_KEYS.join(', ')}`, []),
    }
  if (kinds > 1) {
    const found = Object.keys(line).filter(
      (k) => k === 'answers' || (KIND_KEYS as readonly string[]).includes(k),
    )
    return {
      kind,
      issue: issue(
        'annotation_kind_conflict',
        `the line must have exactly one of ${KIND_KEYS.join(', ')}; found ${found.join(', ')}`,
        [found[1] ?? ''],
      ),
    }
  }
  return { kind, issue: undefined }
}

export function requireKind(line: Json, path: IssuePath): KindKey {
  const { kind, issue: found } = checkKind(line)
  if (found !== undefined || kind === undefined)
    throw AppError.fromIssue(
      found
        ? { ...found, path: [...path, ...found.path] }
        : issue('annotation_kind_missing', '', path),
    )
  return kind
}
