/**
 * What an import did, or a dry run would do, in one sentence (issue 10): "adds 12,030, replaces
 * 417 pre-labels, fails 88". The SDK, the CLI and the web app print the same words.
 */
import type { ImportJob } from './entities.ts'

const count = (n: number): string => n.toLocaleString('en-US')

/** `undefined` when the server did not say (ground-truth imports, servers before issue 10). */
export function describeImportEffect(
  job: Pick<ImportJob, 'dryRun' | 'kind' | 'counts' | 'effect'>,
): string | undefined {
  if (!job.effect) return undefined
  const what = job.kind === 'mal' ? 'pre-labels' : 'labels'
  const { added, replaced } = job.effect
  const failed = job.counts.failure
  return job.dryRun
    ? `adds ${count(added)}, replaces ${count(replaced)} ${what}, fails ${count(failed)}`
    : `added ${count(added)}, replaced ${count(replaced)} ${what}, failed ${count(failed)}`
}
