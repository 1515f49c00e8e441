/**
 * How jobs look to clients, as in Labelbox: a queued job is RUNNING, progress is "NN%", and an
 * import names the URLs of its files.
 */
import type { Evaluation, ImportJob } from '@labelport/core'
import type { EvaluationRecord, ImportJobRecord } from '@labelport/db'

export function toImportJob(job: ImportJobRecord): ImportJob {
  const base = `/v1/imports/${job.id}`
  const { checkpoint } = job
  return {
    id: job.id,
    projectId: job.projectId,
    name: job.name,
    kind: job.kind,
    dryRun: job.dryRun,
    state: job.state === 'QUEUED' ? 'RUNNING' : job.state,
    progress: `${checkpoint.progress}%`,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    counts: { total: checkpoint.total, success: checkpoint.success, failure: checkpoint.failure },
    errorCounts: checkpoint.errorCounts,
    errorExamples: checkpoint.errorExamples,
    failureReason: job.failureReason,
    createdBy: job.createdBy,
    inputFileUrl: `${base}/input`,
    statusFileUrl: `${base}/statuses`,
    errorFileUrl: `${base}/statuses?status=FAILURE`,
    revert: job.revert && {
      revertedAt: job.revert.revertedAt,
      removed: job.revert.removed,
      restored: job.revert.restored,
    },
  }
}

export function toEvaluation(e: EvaluationRecord): Evaluation {
  return {
    id: e.id,
    projectId: e.projectId,
    name: e.name,
    state: e.state === 'QUEUED' ? 'RUNNING' : e.state,
    progress: `${e.progress}%`,
    params: e.params,
    createdAt: e.createdAt,
    finishedAt: e.finishedAt,
    summary: e.summary,
    failureReason: e.failureReason,
  }
}
