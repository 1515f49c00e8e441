/**
 * Cancel and revert of imports from the command line (issue 10, docs/import-revert.md):
 * `labelport imports cancel ID` and `labelport imports revert ID --yes`, and the Ctrl-C prompt of
 * `labelport import` (`askToCancel`).
 */
import { createInterface } from 'node:readline/promises'
import type { Command } from 'commander'
import { AppError } from '@labelport/core'
import { MALPredictionImport, type AnnotationImport } from '@labelport/sdk'
import type { DeleteContext } from './delete-commands.ts'
import { formatImportSummary } from './output.ts'

const count = (n: number): string => n.toLocaleString('en-US')

/** What a revert of `job` would do, in one sentence. */
export function formatRevertPlan(job: AnnotationImport): string {
  const effect = job.effect
  const parts = effect
    ? `removes its ${count(effect.added + effect.replaced)} pre-labels and restores the ${count(effect.replaced)} it replaced`
    : 'removes its pre-labels and restores those it replaced'
  return `This reverts import ${job.name}: ${parts}.`
}

export function addImportCommands(program: Command, ctx: DeleteContext): void {
  // `imports` is made by delete-commands.ts (delete-prelabels); its other subcommands live here
  const imports =
    program.commands.find((c) => c.name() === 'imports') ??
    program.command('imports').description('manage import jobs')
  imports.description('manage import jobs: cancel, revert, delete their pre-labels')
  const show = (job: AnnotationImport, done: string) => {
    if (ctx.json()) ctx.printJson({ job: job.job })
    else ctx.io.stdout.write(`${done}\n${formatImportSummary(job.job)}`)
  }

  imports
    .command('cancel')
    .description('cancel a queued or running import (what it committed stays; revert removes it)')
    .argument('<importId>', 'import id')
    .action(async (importId: string) => {
      const job = await MALPredictionImport.fromId(ctx.client(), importId)
      await job.cancel()
      show(job, `cancelled import ${job.name}`)
    })

  imports
    .command('revert')
    .description(
      'revert a finished or cancelled MAL import: remove its pre-labels, restore those it replaced',
    )
    .argument('<importId>', 'import id (a MAL import)')
    .option('--yes', 'revert without asking')
    .action(async (importId: string, options: { yes?: boolean }) => {
      const job = await MALPredictionImport.fromId(ctx.client(), importId)
      ctx.io.stderr.write(`${formatRevertPlan(job)}\n`)
      if (options.yes !== true) {
        const stdin = ctx.io.stdin
        if (!stdin?.isTTY)
          throw new AppError(
            'validation_failed',
            'Nothing reverted: not a terminal, so not asked; add --yes to revert it',
            { path: ['yes'] },
          )
        const rl = createInterface({ input: stdin, output: ctx.io.stderr as NodeJS.WritableStream })
        try {
          const answer = await rl.question(`Type ${job.name} to revert it: `)
          if (answer.trim() !== job.name)
            throw new AppError('validation_failed', 'Nothing reverted: the name did not match', {
              path: ['yes'],
            })
        } finally {
          rl.close()
        }
      }
      await job.revert()
      const r = job.reverted
      show(
        job,
        `reverted import ${job.name}: removed ${count(r?.removed ?? 0)} pre-labels, restored ${count(r?.restored ?? 0)}`,
      )
    })
}

/**
 * While `labelport import` waits: Ctrl-C asks whether to cancel the import on the server (at a
 * terminal); without a terminal it stops waiting and says how to cancel. Returns the remover.
 */
export function askToCancel(
  job: AnnotationImport,
  io: DeleteContext['io'],
  onStop: (cancelled: boolean) => void,
): () => void {
  let asking = false
  const handler = (): void => {
    if (asking) return
    const stdin = io.stdin
    if (!stdin?.isTTY) {
      io.stderr.write(
        `\nstopped waiting; the import goes on in the server (labelport imports cancel ${job.id} cancels it)\n`,
      )
      onStop(false)
      return
    }
    asking = true
    const rl = createInterface({ input: stdin, output: io.stderr as NodeJS.WritableStream })
    rl.question(`\nCancel import ${job.name} on the server? [y/N] `)
      .then(async (answer) => {
        rl.close()
        asking = false
        if (/^y(es)?$/i.test(answer.trim())) {
          await job.cancel()
          onStop(true)
        }
      })
      .catch(() => {
        rl.close()
        asking = false
      })
  }
  process.on('SIGINT', handler)
  return () => process.off('SIGINT', handler)
}
