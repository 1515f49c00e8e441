/** How the CLI talks to people (and to scripts with --json). */
import { AppError, describeImportEffect, formatPath } from '@labelport/core'
import type { Evaluation, ImportJob, Issue } from '@labelport/core'

export interface Io {
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown; isTTY?: boolean }
  /** where deletes ask for confirmation; not a terminal (or absent): they need --yes */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean }
}

/** Exit codes: 0 all good, 1 an error, 2 a usage error, 3 an import where some annotations failed. */
export const EXIT = { ok: 0, error: 1, usage: 2, someFailed: 3 } as const

/** `code: message (at path)` */
export function formatIssue(found: Pick<Issue, 'code' | 'message' | 'path'>): string {
  return `${found.code}: ${found.message}${found.path.length > 0 ? ` (at ${formatPath(found.path)})` : ''}`
}

export function formatError(err: unknown): string {
  if (err instanceof AppError) {
    const lines = [formatIssue(err)]
    for (const found of err.issues.slice(0, 10)) {
      if (found.message !== err.message) lines.push(`  ${formatIssue(found)}`)
    }
    if (err.issues.length > 10) lines.push(`  … and ${err.issues.length - 10} more`)
    return lines.join('\n')
  }
  // a file the command was given but could not open: say which, without Node's wording
  const fsError = err as { code?: string; path?: string }
  if (typeof fsError.path === 'string' && (fsError.code === 'ENOENT' || fsError.code === 'EACCES'))
    return `validation_failed: ${fsError.code === 'ENOENT' ? 'No file or folder' : 'Not allowed to read'} ${fsError.path}`
  return `internal: ${err instanceof Error ? err.message : String(err)}`
}

/** A plain aligned table: the first row is the header. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** Summary of an import job: counts by status, then by error code with the first failing line of each. */
export function formatImportSummary(job: ImportJob): string {
  const what = job.dryRun ? 'Validation' : 'Import'
  const kind = job.kind === 'mal' ? 'MAL pre-labels' : 'ground truth'
  const out = [`${what} "${job.name}" (${kind}) ${job.state}: ${job.counts.total} annotation lines`]
  // issue 10: "adds 12,030, replaces 417 pre-labels, fails 88"
  const effect = describeImportEffect(job)
  if (effect !== undefined) out.push(job.dryRun ? `The import ${effect}.` : `It ${effect}.`)
  if (job.revert)
    out.push(
      `Reverted ${job.revert.revertedAt}: removed ${job.revert.removed}, restored ${job.revert.restored}.`,
    )
  out.push('')
  out.push(
    formatTable([
      ['status', 'count'],
      ['SUCCESS', String(job.counts.success)],
      ['FAILURE', String(job.counts.failure)],
    ]),
  )
  const codes = Object.entries(job.errorCounts).sort(([, a], [, b]) => b - a)
  if (codes.length > 0) {
    const rows: string[][] = [['error code', 'count', 'first example']]
    for (const [code, count] of codes) {
      const example = job.errorExamples[code]
      rows.push([
        code,
        String(count),
        example
          ? `line ${example.line}: ${example.message}${example.path.length > 0 ? ` (at ${formatPath(example.path)})` : ''}`
          : '',
      ])
    }
    out.push('', formatTable(rows))
  }
  if (job.failureReason) out.push('', `job failed: ${formatIssue(job.failureReason)}`)
  return `${out.join('\n')}\n`
}

export function importExitCode(job: ImportJob): number {
  if (job.state === 'FAILED' || job.state === 'CANCELLED') return EXIT.error
  return job.counts.failure > 0 ? EXIT.someFailed : EXIT.ok
}

const COCO_STAT_LABELS = [
  'AP @[.50:.95] all',
  'AP @.50',
  'AP @.75',
  'AP small',
  'AP medium',
  'AP large',
  'AR maxDets 1',
  'AR maxDets 10',
  'AR maxDets 100',
  'AR small',
  'AR medium',
  'AR large',
]

const fixed = (value: number): string => (value < 0 ? '-' : value.toFixed(3))

/** An evaluation as people read it: the 12 COCO statistics, then one row per class. */
export function formatEvaluationSummary(evaluation: Evaluation): string {
  if (evaluation.summary === null) {
    const reason = evaluation.failureReason
    return `${evaluation.name}: ${evaluation.state}${reason ? ` (${formatIssue(reason)})` : ''}\n`
  }
  const s = evaluation.summary
  const p = evaluation.params
  const lines = [
    `${evaluation.name}: ${s.images} images, ${s.groundTruths} labels, ${s.predictions} pre-labels (${p.iouType})`,
    '',
    'COCO (pycocotools rules)',
    formatTable(COCO_STAT_LABELS.map((label, i) => [label, fixed(s.cocoStats[i] ?? -1)])),
    '',
    `Per class at IoU ${p.iouThreshold} (${p.method === 'coco' ? 'greedy by confidence' : 'greedy by IoU'}${p.classwise ? '' : ', across classes'})`,
    formatTable([
      [
        'class',
        'labels',
        'pre-labels',
        'TP',
        'FP',
        'FN',
        'precision',
        'recall',
        'F1',
        'AP',
        'AP50',
      ],
      ...s.classes.map((c) => [
        c.name,
        String(c.groundTruths),
        String(c.predictions),
        String(c.tp),
        String(c.fp),
        String(c.fn),
        c.precision.toFixed(3),
        c.recall.toFixed(3),
        c.f1.toFixed(3),
        fixed(c.ap),
        fixed(c.ap50),
      ]),
    ]),
  ]
  return `${lines.join('\n')}\n`
}
