/** The HTTP app: every endpoint of the contract, auth, one error handler, and the web app at `/`. */
import { Readable } from 'node:stream'
import { Hono, type Context } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import {
  AppError,
  api,
  isPublic,
  openApiDocument,
  toErrorBody,
  type EndpointName,
} from '@labelport/core'
import { ThrottledError, type AuthService } from '../services/auth-service.ts'
import type { CatalogService } from '../services/catalog-service.ts'
import type { DeletionService } from '../services/deletion-service.ts'
import type { EvaluationService } from '../services/evaluation-service.ts'
import type { ExportService } from '../services/export-service.ts'
import type { FormatImportService } from '../services/format-import-service.ts'
import { exportInFormat } from '../formats/format-export.ts'
import type { ImportService } from '../services/import-service.ts'
import type { ImportRevertService } from '../services/import-revert-service.ts'
import type { LabelingService } from '../services/labeling/labeling-service.ts'
import type { OntologyEditService } from '../services/ontology-edit-service.ts'
import type { ProjectService } from '../services/project-service.ts'
import type { ViewService } from '../services/view-service.ts'
import { mountGraphql } from '../graphql/http.ts'
import type { GraphqlDeps } from '../graphql/resolvers.ts'
import { SESSION_COOKIE, clientAddress, requestCredentials } from './credentials.ts'
import { mountLabelingRoutes } from './labeling-routes.ts'
import { mountImportRevertRoutes } from './import-revert-routes.ts'
import { route, type AppEnv } from './route.ts'
import { serveWebApp } from './web-app.ts'

export interface AppDeps {
  auth: AuthService
  catalog: CatalogService
  projects: ProjectService
  imports: ImportService
  exports: ExportService
  formatImports: FormatImportService
  views: ViewService
  evaluations: EvaluationService
  ontologyEdits: OntologyEditService
  deletions: DeletionService
  labeling: LabelingService
  /** cancel and revert of imports (issue 10) */
  importReverts: ImportRevertService
  webDir: string
  log: (message: string, err?: unknown) => void
  /** Labelbox's wire protocol (issue 15); absent in apps that do not need it */
  graphql?: GraphqlDeps
}

let requestCounter = 0

/** The peer address of the connection (not X-Forwarded-For, which a client can write). */
function ndjson(lines: AsyncIterable<string>): Response {
  async function* encode() {
    for await (const line of lines) yield Buffer.from(`${line}\n`)
  }
  return new Response(Readable.toWeb(Readable.from(encode())) as ReadableStream, {
    headers: { 'content-type': 'application/x-ndjson; charset=utf-8' },
  })
}

function bytes(
  c: Context<AppEnv>,
  data: Uint8Array | Readable,
  contentType: string,
  cacheSeconds = 0,
): Response {
  const body = data instanceof Readable ? (Readable.toWeb(data) as ReadableStream) : data
  return c.body(body as ReadableStream, 200, {
    'content-type': contentType,
    'cache-control': cacheSeconds > 0 ? `private, max-age=${cacheSeconds}` : 'no-store',
  })
}

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const { auth, catalog, projects, imports, exports, views } = deps

  app.use('*', async (c, next) => {
    c.set('requestId', `req_${Date.now().toString(36)}_${(++requestCounter).toString(36)}`)
    await next()
  })
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  const publicCalls = new Set(
    (Object.keys(api) as EndpointName[])
      .filter((name) => isPublic(name))
      .map((name) => `${api[name].method} ${api[name].path}`),
  )
  app.use('/v1/*', async (c: Context<AppEnv>, next) => {
    if (!publicCalls.has(`${c.req.method} ${c.req.path}`))
      c.set('caller', await auth.authenticate(requestCredentials(c)))
    await next()
  })

  route(app, api.whoAmI, ({ caller }) => auth.whoAmI(caller))
  route(app, api.getOpenApi, ({ c }) => Promise.resolve(openApiDocument(new URL(c.req.url).origin)))

  // ── users, sessions, keys, organizations ──
  route(app, api.signIn, async ({ body, c }) => {
    const { session, token } = await auth.signIn(body.email, body.password, clientAddress(c))
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: auth.sessionSeconds,
    })
    return session
  })
  route(app, api.signOut, async ({ caller, c }) => {
    await auth.signOut(caller)
    deleteCookie(c, SESSION_COOKIE, { path: '/' })
  })
  route(app, api.listUsers, ({ caller, query }) =>
    auth.listUsers(caller, query.cursor, query.limit),
  )
  route(app, api.createUser, ({ caller, body }) => auth.createUser(caller, body))
  route(app, api.updateUser, ({ caller, params, body }) =>
    auth.updateUser(caller, params.userId, body),
  )
  route(app, api.listApiKeys, ({ caller, query }) =>
    auth.listApiKeys(caller, query.cursor, query.limit),
  )
  route(app, api.createApiKey, ({ caller, body }) => auth.createApiKey(caller, body.name))
  route(app, api.revokeApiKey, ({ caller, params }) => auth.revokeApiKey(caller, params.apiKeyId))
  route(app, api.createOrganization, ({ caller, body }) => auth.createOrganization(caller, body))
  route(app, api.listAuditEvents, ({ caller, query }) =>
    auth.listAuditEvents(caller, query.cursor, query.limit),
  )
  route(app, api.createUpload, ({ caller, c }) =>
    catalog.createUpload(
      caller,
      c.req.raw.body,
      c.req.header('content-type') ?? 'application/octet-stream',
    ),
  )

  route(app, api.createDataset, ({ caller, body }) => catalog.createDataset(caller, body))
  route(app, api.listDatasets, ({ caller, query }) =>
    catalog.listDatasets(caller, query.cursor, query.limit),
  )
  route(app, api.getDataset, ({ caller, params }) => catalog.getDataset(caller, params.datasetId))
  route(app, api.deleteDataset, async ({ caller, params }) => {
    await deps.deletions.deleteDataset(caller, params.datasetId)
    await auth.recordDeletion(caller, 'dataset', params.datasetId)
  })
  route(app, api.createDataRows, ({ caller, params, body }) =>
    catalog.createDataRows(caller, params.datasetId, body.items),
  )
  route(app, api.listDataRows, ({ caller, params, query }) =>
    catalog.listDataRows(caller, params.datasetId, query.cursor, query.limit, query),
  )
  route(app, api.getDataRow, ({ caller, params }) => views.dataRow(caller, params.dataRowId))
  route(app, api.getDataRowImage, async ({ caller, params, c }) => {
    const image = await catalog.openImage(caller, params.dataRowId)
    return bytes(c, image.stream, image.mimeType, 3600)
  })
  route(app, api.getDataRowThumbnail, async ({ caller, params, query, c }) =>
    bytes(
      c,
      await catalog.thumbnail(caller, params.dataRowId, query.size ?? 256),
      'image/jpeg',
      3600,
    ),
  )
  route(app, api.getTask, ({ caller, params }) => catalog.getTask(caller, params.taskId))

  route(app, api.createOntology, ({ caller, body }) => projects.createOntology(caller, body))
  route(app, api.listOntologies, ({ caller, query }) =>
    projects.listOntologies(caller, query.cursor, query.limit),
  )
  route(app, api.getOntology, ({ caller, params }) =>
    projects.getOntology(caller, params.ontologyId),
  )
  route(app, api.updateOntology, ({ caller, params, body }) =>
    deps.ontologyEdits.update(caller, params.ontologyId, body),
  )
  route(app, api.createProject, ({ caller, body }) => projects.createProject(caller, body))
  route(app, api.listProjects, ({ caller, query }) =>
    projects.listProjects(caller, query.cursor, query.limit),
  )
  route(app, api.getProject, ({ caller, params }) => projects.getProject(caller, params.projectId))
  route(app, api.deleteProject, async ({ caller, params }) => {
    await views.deleteProject(caller, params.projectId)
    await auth.recordDeletion(caller, 'project', params.projectId)
  })
  route(app, api.connectOntology, ({ caller, params, body }) =>
    projects.connectOntology(caller, params.projectId, body.ontologyId),
  )
  route(app, api.createBatch, ({ caller, params, body }) =>
    projects.createBatch(caller, params.projectId, body),
  )
  route(app, api.listBatches, ({ caller, params }) =>
    projects.listBatches(caller, params.projectId),
  )

  route(app, api.createImport, async ({ caller, params, body }) => {
    const job = await imports.create(caller, params.projectId, body, false)
    await auth.recordImportCreator(caller, job.id)
    return { ...job, createdBy: caller.userId }
  })
  route(app, api.validateImport, async ({ caller, params, body }) => {
    const job = await imports.create(caller, params.projectId, body, true)
    await auth.recordImportCreator(caller, job.id)
    return { ...job, createdBy: caller.userId }
  })
  route(app, api.listImports, ({ caller, params, query }) =>
    imports.list(caller, params.projectId, query.cursor, query.limit),
  )
  route(app, api.getImport, ({ caller, params }) => imports.get(caller, params.importId))
  route(app, api.getImportStatuses, async ({ caller, params, query }) => {
    const id = params.importId
    await imports.get(caller, id) // answer 404 before the stream starts
    return ndjson(imports.statuses(caller, id, query))
  })
  route(app, api.getImportInput, async ({ caller, params }) => {
    const stream = await imports.openInput(caller, params.importId)
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: { 'content-type': 'application/x-ndjson' },
    })
  })
  const { evaluations } = deps
  route(app, api.createEvaluation, ({ caller, params, body }) =>
    evaluations.create(caller, params.projectId, body),
  )
  route(app, api.listEvaluations, ({ caller, params, query }) =>
    evaluations.list(caller, params.projectId, query.cursor, query.limit),
  )
  route(app, api.getEvaluation, ({ caller, params }) =>
    evaluations.get(caller, params.evaluationId),
  )
  route(app, api.listEvaluationDataRows, ({ caller, params, query }) =>
    evaluations.dataRows(caller, params.evaluationId, query),
  )
  route(app, api.listEvaluationObjects, ({ caller, params, query }) =>
    evaluations.objects(caller, params.evaluationId, query),
  )
  route(app, api.exportProject, async ({ caller, params, query, c }) => {
    const projectId = params.projectId
    const project = await projects.getProject(caller, projectId)
    const format = query.format ?? 'labelbox'
    const lines = exports.exportProject(caller, projectId, new URL(c.req.url).origin, {
      maskRle: query.masks === 'rle' || format !== 'labelbox',
    })
    if (format === 'labelbox') return ndjson(lines)
    const out = exportInFormat(lines, format, query.layer ?? 'labels', project.name)
    return new Response(Readable.toWeb(Readable.from(out.body)) as ReadableStream, {
      headers: {
        'content-type': out.contentType,
        'content-disposition': `attachment; filename="${out.fileName.replace(/"/g, '')}"`,
      },
    })
  })
  route(app, api.createFormatImport, async ({ caller, params, body }) => {
    const result = await deps.formatImports.create(caller, params.projectId, body)
    if (result.job) await auth.recordImportCreator(caller, result.job.id)
    return result.job ? { ...result, job: { ...result.job, createdBy: caller.userId } } : result
  })

  route(app, api.listProjectDataRows, ({ caller, params, query }) =>
    views.projectDataRows(caller, params.projectId, query.cursor, query.limit),
  )
  route(app, api.getDataRowAnnotations, ({ caller, params }) =>
    views.dataRowAnnotations(caller, params.projectId, params.dataRowId),
  )
  route(app, api.getCompositeMask, async ({ caller, params, c }) =>
    bytes(c, await views.compositeMask(caller, params.sha256), 'image/png', 86400),
  )
  route(app, api.getAnnotationMask, async ({ caller, params, c }) =>
    bytes(
      c,
      await views.annotationMask(caller, params.projectId, params.annotationId),
      'image/png',
      3600,
    ),
  )

  const { deletions } = deps
  route(app, api.getDatasetDeletionImpact, ({ caller, params }) =>
    deletions.datasetImpact(caller, params.datasetId),
  )
  route(app, api.getProjectDeletionImpact, ({ caller, params }) =>
    deletions.projectImpact(caller, params.projectId),
  )
  route(app, api.getDataRowDeletionImpact, ({ caller, params }) =>
    deletions.dataRowImpact(caller, params.dataRowId),
  )
  route(app, api.deleteDataRow, async ({ caller, params }) => {
    await deletions.deleteDataRow(caller, params.dataRowId)
    await auth.recordDeletion(caller, 'data_row', params.dataRowId)
  })
  route(app, api.getImportPrelabelsDeletionImpact, ({ caller, params }) =>
    deletions.importPrelabelsImpact(caller, params.importId),
  )
  route(app, api.deleteImportPrelabels, async ({ caller, params }) => {
    const impact = await deletions.deleteImportPrelabels(caller, params.importId)
    await auth.recordDeletion(caller, 'import_prelabels', params.importId)
    return impact
  })
  route(app, api.updateDataRowMetadata, ({ caller, params, body }) =>
    catalog.updateDataRowMetadata(caller, params.dataRowId, body.metadataFields),
  )
  mountLabelingRoutes(app, deps.labeling)
  mountImportRevertRoutes(app, deps.importReverts, auth)

  if (deps.graphql) mountGraphql(app, deps.graphql, deps.log)

  app.all('/v1/*', () => {
    throw new AppError('route_not_found', 'No such endpoint; see docs/api.md')
  })
  app.get('*', (c) => serveWebApp(c, deps.webDir))

  app.onError((err, c) => {
    const requestId = c.get('requestId')
    if (err instanceof ThrottledError)
      return c.json(toErrorBody(err, requestId), 429, {
        'retry-after': String(err.retryAfterSeconds),
      })
    if (err instanceof AppError) return c.json(toErrorBody(err, requestId), err.status as 400)
    deps.log(`unhandled error in ${c.req.method} ${c.req.path} (${requestId})`, err)
    return c.json(
      toErrorBody(
        new AppError('internal', 'Internal server error; the server log has the details'),
        requestId,
      ),
      500,
    )
  })
  return app
}
