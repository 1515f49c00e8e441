/**
 * What the SDK checks before sending an import, as Labelbox's `create_from_objects` does:
 * the input is a list, each line names its data row by exactly one of id and globalKey, and no
 * (data row, feature name) pair has more than 5,000 annotations. Lines are read with core's line
 * grammar (`checkDataRowRef`), so a line refused here gets the code the server would give it.
 * Everything else is judged by the server, line by line, into status lines.
 */
import {
  ANNOTATIONS_PER_FEATURE_LIMIT,
  checkDataRowRef,
  dataRowRefKey,
  type Issue,
} from '@labelport/core'

export { ANNOTATIONS_PER_FEATURE_LIMIT }
/** like Labelbox, report at most this many problems in one error */
export const MAX_REPORTED_ISSUES = 100

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Problems of the NDJSON lines (paths start at the line index); empty when they may be sent. */
export function checkImportLines(
  lines: readonly unknown[],
  limit = ANNOTATIONS_PER_FEATURE_LIMIT,
): Issue[] {
  const issues: Issue[] = []
  const counts = new Map<string, number>()
  for (const [index, line] of lines.entries()) {
    if (!isRecord(line)) {
      issues.push({
        code: 'line_not_object',
        message: `line ${index + 1} is not a JSON object`,
        path: [index],
      })
      continue
    }
    const { ref, issue } = checkDataRowRef(line['dataRow'])
    if (ref === undefined) {
      if (issue)
        issues.push({
          ...issue,
          message: `line ${index + 1}: ${issue.message}`,
          path: [index, ...issue.path],
        })
      continue
    }
    const name = line['name']
    if (typeof name !== 'string') continue // lines with only a schemaId are not counted, as in Labelbox
    const row = dataRowRefKey(ref)
    const key = `${row}\u0000${name}`
    const count = (counts.get(key) ?? 0) + 1
    counts.set(key, count)
    if (count === limit + 1) {
      issues.push({
        code: 'annotations_per_feature_exceeded',
        message: `Row with ${row.replace(':', ' ')} has more than ${limit} annotations for feature ${name}. Imports are limited to ${limit} annotations per data row and feature.`,
        path: [index, 'name'],
      })
    }
  }
  return issues
}
