/** The labeling endpoints (issue 12): queue, drafts, submit, review, counts. No SQL here. */
import type { Hono } from 'hono'
import { api } from '@labelport/core'
import type { LabelingService } from '../services/labeling/labeling-service.ts'
import { route, type AppEnv } from './route.ts'

export function mountLabelingRoutes(app: Hono<AppEnv>, labeling: LabelingService): void {
  const row = (params: Record<string, string>) => ({
    projectId: params['projectId'] ?? '',
    dataRowId: params['dataRowId'] ?? '',
  })
  route(app, api.nextDataRowToLabel, ({ caller, params }) =>
    labeling.nextToLabel(caller, params['projectId'] ?? ''),
  )
  route(app, api.skipDataRow, async ({ caller, params, body }) => {
    await labeling.skip(caller, row(params), body.reason)
    return undefined
  })
  route(app, api.getLabelingView, ({ caller, params }) => labeling.view(caller, row(params)))
  route(app, api.saveDraft, ({ caller, params, body }) =>
    labeling.saveDraft(
      caller,
      row(params),
      body.baseVersion,
      body.annotations,
      body.rejectedSuggestions,
    ),
  )
  route(app, api.addDraftAnnotation, ({ caller, params, body }) =>
    labeling.editDraft(caller, row(params), body.baseVersion, {
      op: 'add',
      annotation: body.annotation,
    }),
  )
  route(app, api.replaceDraftAnnotation, ({ caller, params, body }) =>
    labeling.editDraft(caller, row(params), body.baseVersion, {
      op: 'replace',
      uuid: params['uuid'] ?? '',
      annotation: body.annotation,
    }),
  )
  route(app, api.deleteDraftAnnotation, ({ caller, params, query }) =>
    labeling.editDraft(caller, row(params), query.baseVersion, {
      op: 'delete',
      uuid: params['uuid'] ?? '',
    }),
  )
  route(app, api.submitLabel, ({ caller, params, body }) =>
    labeling.submit(caller, row(params), body.baseVersion),
  )
  route(app, api.reviewLabel, ({ caller, params, body }) =>
    labeling.review(caller, row(params), body),
  )
  route(app, api.nextDataRowToReview, ({ caller, params }) =>
    labeling.nextToReview(caller, params['projectId'] ?? ''),
  )
  route(app, api.getLabelingCounts, ({ caller, params }) =>
    labeling.counts(caller, params['projectId'] ?? ''),
  )
  route(app, api.listLabelingRows, ({ caller, params, query }) =>
    labeling.listRows(caller, params['projectId'] ?? '', query),
  )
}
