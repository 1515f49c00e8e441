/**
 * Cancel and revert of imports, the request side (issue 10, docs/import-revert.md). The rows
 * change in import-revert-repository.ts; the worker notices a cancel at its next chunk commit,
 * which is guarded by the job's state, and writes nothing more.
 */
import { AppError, type ImportJob } from '@labelport/core'
import type { Repositories } from '@labelport/db'
import type { Caller } from './auth-service.ts'
import type { ImportService } from './import-service.ts'

export class ImportRevertService {
  readonly #repos: Pick<Repositories, 'importReverts'>
  readonly #imports: ImportService

  constructor(deps: { repos: Pick<Repositories, 'importReverts'>; imports: ImportService }) {
    this.#repos = deps.repos
    this.#imports = deps.imports
  }

  /** Cancels a queued or running import; 409 import_not_running once it has ended. */
  async cancel(caller: Caller, importId: string): Promise<ImportJob> {
    const job = await this.#imports.get(caller, importId)
    if (!(await this.#repos.importReverts.cancelImport(importId))) {
      const now = await this.#imports.get(caller, importId)
      throw new AppError(
        'import_not_running',
        `Import ${importId} has already ended (${now.state}); only a queued or running import can be cancelled`,
        { path: ['importId'] },
      )
    }
    return this.#imports.get(caller, job.id)
  }

  /** Reverts a MAL import as a whole (one transaction); 409 with the reason when it cannot. */
  async revert(caller: Caller, importId: string): Promise<ImportJob> {
    await this.#imports.get(caller, importId)
    const result = await this.#repos.importReverts.revertImport(importId)
    if (!('refused' in result)) return this.#imports.get(caller, importId)
    const path = ['importId']
    switch (result.refused) {
      case 'not_found':
        throw new AppError('import_not_found', `No import ${importId} in this organization`, {
          path,
        })
      case 'blocked':
        throw new AppError(
          'import_revert_blocked',
          `A later import replaced pre-labels of import ${importId}: revert ${result.by.join(', ')} first`,
          { path },
        )
      case 'state':
        throw new AppError('import_not_revertible', whyNotRevertible(importId, result), { path })
    }
  }
}

function whyNotRevertible(
  id: string,
  job: { state: string; dryRun: boolean; kind: string; reverted: boolean },
): string {
  if (job.reverted) return `Import ${id} was already reverted`
  if (job.dryRun) return `Import ${id} is a dry run: it wrote nothing to revert`
  if (job.kind !== 'mal')
    return `Import ${id} imported ground truth: labels are not reverted (edit them, or delete the data rows)`
  return `Import ${id} is still running: cancel it first, then revert it`
}
