/**
 * Deletes from the command line: each prints what it would take (the server counts it), then asks
 * for the name when run in a terminal, or refuses without `--yes` when not (scripts, CI).
 */
import { createInterface } from 'node:readline/promises'
import type { Command } from 'commander'
import { AppError, api } from '@labelport/core'
import type { DeletionImpact } from '@labelport/core'
import type { Client } from '@labelport/sdk'
import type { Io } from './output.ts'

export interface DeleteContext {
  io: Io
  client: () => Client
  json: () => boolean
  printJson: (value: unknown) => void
}

const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`

const SUBJECT: Record<DeletionImpact['subject']['type'], string> = {
  dataset: 'dataset',
  project: 'project',
  data_row: 'data row',
  import_prelabels: 'pre-labels of import',
}

/** One sentence: what is deleted and what uses it. */
export function formatImpact(impact: DeletionImpact): string {
  const parts: string[] = []
  const { prelabel, label } = impact.annotations
  if (impact.subject.type === 'project') {
    parts.push(
      `${plural(impact.batches, 'batch', 'batches')} of ${plural(impact.dataRows, 'data row')}`,
    )
    parts.push(plural(impact.imports, 'import'))
  } else if (impact.subject.type !== 'import_prelabels') {
    parts.push(plural(impact.dataRows, 'data row'))
    if (impact.projects.length > 0)
      parts.push(
        `used by ${plural(impact.projects.length, 'project')} (${impact.projects.map((p) => p.name).join(', ')})`,
      )
  } else parts.push(`on ${plural(impact.dataRows, 'data row')}`)
  parts.push(`${plural(prelabel, 'pre-label')} and ${plural(label, 'label')}`)
  if (impact.labels > 0)
    parts.push(`${plural(impact.labels, 'ground-truth label')} with their versions and reviews`)
  if (impact.drafts > 0)
    parts.push(plural(impact.drafts, 'draft in progress', 'drafts in progress'))
  if (impact.evaluations > 0) parts.push(plural(impact.evaluations, 'evaluation'))
  return `${SUBJECT[impact.subject.type]} ${impact.subject.name}: ${parts.join(', ')}`
}

/**
 * Goes on when `--yes` was given, or when a person at a terminal types the name; otherwise
 * throws, having changed nothing.
 */
export async function confirmDelete(
  io: Io,
  impact: DeletionImpact,
  yes: boolean | undefined,
): Promise<void> {
  io.stderr.write(`This deletes the ${formatImpact(impact)}.\n`)
  if (yes) return
  const stdin = io.stdin
  if (!stdin?.isTTY)
    throw new AppError(
      'validation_failed',
      'Nothing deleted: not a terminal, so not asked; add --yes to delete it',
      { path: ['yes'] },
    )
  const rl = createInterface({ input: stdin, output: io.stderr as NodeJS.WritableStream })
  try {
    const answer = await rl.question(`Type ${impact.subject.name} to delete it: `)
    if (answer.trim() !== impact.subject.name)
      throw new AppError('validation_failed', 'Nothing deleted: the name did not match', {
        path: ['yes'],
      })
  } finally {
    rl.close()
  }
}

export function addDeleteCommands(program: Command, ctx: DeleteContext): void {
  const out = (text: string) => ctx.io.stdout.write(`${text}\n`)
  const done = (impact: DeletionImpact) => {
    if (ctx.json()) ctx.printJson({ deleted: impact })
    else out(`deleted the ${formatImpact(impact)}`)
  }

  program
    .command('data-rows')
    .description('delete a data row (with its annotations in every project)')
    .command('delete')
    .argument('<dataRowId>', 'data row id')
    .option('--yes', 'delete without asking')
    .action(async (dataRowId: string, options: { yes?: boolean }) => {
      const client = ctx.client()
      const impact = await client.call(api.getDataRowDeletionImpact, { params: { dataRowId } })
      await confirmDelete(ctx.io, impact, options.yes)
      await client.call(api.deleteDataRow, { params: { dataRowId } })
      done(impact)
    })

  program
    .command('imports')
    .description("delete a MAL import's pre-labels")
    .command('delete-prelabels')
    .argument('<importId>', 'import id (a MAL import)')
    .option('--yes', 'delete without asking')
    .action(async (importId: string, options: { yes?: boolean }) => {
      const client = ctx.client()
      const impact = await client.call(api.getImportPrelabelsDeletionImpact, {
        params: { importId },
      })
      await confirmDelete(ctx.io, impact, options.yes)
      done(await client.call(api.deleteImportPrelabels, { params: { importId } }))
    })
}
