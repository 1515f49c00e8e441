/** How this server owns jobs (imports and create-data-rows tasks): see docs/architecture.md, "Jobs survive crashes". */
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Log } from './log.ts'

export interface JobSettings {
  /** this server process: owner of the jobs it runs */
  owner: string
  /** a job's lease lasts this long and is renewed every third of it (LABELPORT_JOB_LEASE_MS) */
  leaseMs: number
  /** a graceful stop waits this long for running jobs to reach a checkpoint (LABELPORT_STOP_TIMEOUT_MS) */
  stopTimeoutMs: number
  /** a job claimed this many times without ending (its servers crashed) fails (LABELPORT_JOB_MAX_ATTEMPTS) */
  maxAttempts: number
  /** where a background failure is reported */
  log: Log
}

export function ownerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
}

/** Calls `onLost` when renewing the lease finds the job is no longer ours; returns the stopper. */
export function keepLease(
  leaseMs: number,
  renew: () => Promise<boolean>,
  onLost: () => void,
  log: Log,
): () => void {
  const timer = setInterval(
    () => {
      renew().then(
        (held) => {
          if (!held) onLost()
        },
        (err: unknown) => log('renewing a job lease failed', err),
      )
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  )
  timer.unref()
  return () => clearInterval(timer)
}
