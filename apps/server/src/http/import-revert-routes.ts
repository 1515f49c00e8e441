/** Cancel and revert of imports (issue 10; docs/import-revert.md). No SQL here. */
import type { Hono } from 'hono'
import { api } from '@labelport/core'
import type { AuthService } from '../services/auth-service.ts'
import type { ImportRevertService } from '../services/import-revert-service.ts'
import { route, type AppEnv } from './route.ts'

export function mountImportRevertRoutes(
  app: Hono<AppEnv>,
  reverts: ImportRevertService,
  auth: AuthService,
): void {
  route(app, api.cancelImport, async ({ caller, params }) => {
    const job = await reverts.cancel(caller, params.importId)
    await auth.recordDeletion(caller, 'import', params.importId, 'cancel')
    return job
  })
  route(app, api.revertImport, async ({ caller, params }) => {
    const job = await reverts.revert(caller, params.importId)
    await auth.recordDeletion(caller, 'import', params.importId, 'revert')
    return job
  })
}
