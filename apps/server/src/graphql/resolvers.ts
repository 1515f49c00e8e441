// Over 500 lines: one resolver per SDK operation of the guide, kept together so the mapping reads in one place.
/**
 * Resolvers of the Labelbox-compatible schema: each maps one operation of Labelbox's Python SDK
 * onto the existing services (catalog, projects, imports, auth). Input is checked with the same
 * contract schemas as the REST API (`api.*.body`); no rule is written twice.
 */
import {
  AppError,
  DataRowInputSchema,
  api,
  mayCall,
  type Dataset,
  type EndpointName,
  type DataRowInput,
  type ImportJob,
  type OntologyResource,
  type Project,
  type Task,
} from '@labelport/core'
import type { GraphqlStateRepository } from '@labelport/db'
import { validateWith } from '../http/route.ts'
import type { AuthService, Caller } from '../services/auth-service.ts'
import type { CatalogService } from '../services/catalog-service.ts'
import type { DeletionService } from '../services/deletion-service.ts'
import type { ImportService } from '../services/import-service.ts'
import type { ProjectService } from '../services/project-service.ts'
import type { FileSigner } from './file-urls.ts'

export interface GraphqlDeps {
  auth: AuthService
  catalog: CatalogService
  /** deletes as the REST API does them: nothing orphaned, blobs nothing uses removed, audited */
  deletions: DeletionService
  projects: ProjectService
  imports: ImportService
  state: GraphqlStateRepository
  signer: FileSigner
}

export interface GraphqlContext {
  caller: Caller
  /** scheme://host:port the client called, for the file URLs handed out */
  origin: string
}

type Args = Record<string, unknown>

/** Labelport has one editor; Labelbox's SDK connects "the default labeling frontend" by name. */
const EDITOR = {
  id: 'clabelporteditor000000000',
  name: 'Editor',
  description: 'The Labelport image editor',
  iframeUrlPath: '/',
}

interface ProjectSettings {
  autoAuditNumberOfLabels?: number
  autoAuditPercentage?: number
  isBenchmarkEnabled?: boolean
  isConsensusEnabled?: boolean
  setupComplete?: string
  labelingFrontendId?: string
}

const obj = (value: unknown): Args =>
  typeof value === 'object' && value !== null ? (value as Args) : {}
const str = (value: unknown): string => (typeof value === 'string' ? value : '')

/** Labelbox sends `IMAGE`, `VIDEO`…; the contract's own `mediaType` rule (IMAGE only) judges it. */
const mediaType = (value: unknown) =>
  value === undefined || value === null ? {} : { mediaType: str(value).toUpperCase() }

export function createResolvers(deps: GraphqlDeps) {
  const { auth, catalog, deletions, projects, imports, state, signer } = deps

  async function settingsOf(projectId: string): Promise<ProjectSettings> {
    const raw = await state.get(`project:${projectId}`)
    return raw ? (JSON.parse(raw) as ProjectSettings) : {}
  }
  async function updateSettings(projectId: string, change: ProjectSettings): Promise<void> {
    await state.set(
      `project:${projectId}`,
      JSON.stringify({ ...(await settingsOf(projectId)), ...change }),
    )
  }

  const datasetObject = (d: Dataset) => ({ ...d })

  const ontologyObject = (o: OntologyResource) => {
    const normalized = obj(o.normalized)
    return {
      id: o.id,
      name: o.name,
      description: '',
      normalized,
      classificationSchemaCount: Array.isArray(normalized['classifications'])
        ? normalized['classifications'].length
        : 0,
      objectSchemaCount: Array.isArray(normalized['tools']) ? normalized['tools'].length : 0,
      createdAt: o.createdAt,
      updatedAt: o.createdAt,
    }
  }

  async function projectObject(ctx: GraphqlContext, p: Project) {
    const settings = await settingsOf(p.id)
    return {
      id: p.id,
      name: p.name,
      description: p.description,
      createdAt: p.createdAt,
      updatedAt: p.createdAt,
      setupComplete: settings.setupComplete ?? null,
      lastActivityTime: null,
      queueMode: 'BATCH',
      allowedMediaType: p.mediaType,
      autoAuditNumberOfLabels: settings.autoAuditNumberOfLabels ?? 1,
      autoAuditPercentage: settings.autoAuditPercentage ?? 1,
      dataRowCount: p.dataRowCount,
      editorTaskType: null,
      isBenchmarkEnabled: settings.isBenchmarkEnabled ?? false,
      isConsensusEnabled: settings.isConsensusEnabled ?? false,
      modelSetupComplete: null,
      uploadType: null,
      ontology: async () =>
        p.ontologyId === null
          ? null
          : ontologyObject(await projects.getOntology(ctx.caller, p.ontologyId)),
      labelingFrontend: () =>
        p.ontologyId !== null || settings.labelingFrontendId !== undefined ? EDITOR : null,
    }
  }

  const taskObject = (t: Task) => ({
    id: t.id,
    name: 'upsert-data-rows',
    // the value SDK 3.77.1 treats as a data-row creation task (it then asks for the errors)
    type: 'adv-upsert-data-rows',
    status: t.status,
    completionPercentage: t.progress / 100,
    result: null,
    errors: null,
    metadata: null,
    createdAt: t.createdAt,
    updatedAt: t.completedAt ?? t.createdAt,
  })

  async function importObject(ctx: GraphqlContext, job: ImportJob) {
    const project = await projects.getProject(ctx.caller, job.projectId)
    return {
      id: job.id,
      name: job.name,
      // Labelbox's SDK knows RUNNING, FINISHED and FAILED only: a cancelled import did not finish
      state: job.state === 'CANCELLED' ? 'FAILED' : job.state,
      progress: job.progress,
      inputFileUrl: signer.url(ctx.origin, job.id, 'input'),
      statusFileUrl: signer.url(ctx.origin, job.id, 'statuses'),
      errorFileUrl: signer.url(ctx.origin, job.id, 'errors'),
      project: await projectObject(ctx, project),
    }
  }

  /** offset cursors over an in-memory list, as `failedDataRowImports` pages */
  function page<T>(items: T[], data: Args): { slice: T[]; after: string | null } {
    const from = Number.parseInt(str(data['from']) || '0', 10) || 0
    const first = typeof data['first'] === 'number' && data['first'] > 0 ? data['first'] : 5000
    const slice = items.slice(from, from + first)
    return { slice, after: from + first < items.length ? String(from + first) : null }
  }

  async function readJsonUpload(caller: Caller, uri: string, path: (string | number)[]) {
    const bytes = await catalog.readUpload(caller, uri, path)
    try {
      return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown
    } catch (err) {
      throw new AppError('validation_failed', `${uri} is not JSON: ${(err as Error).message}`, {
        path,
      })
    }
  }

  /** Reads the SDK's manifest and chunks back from the uploads and returns the rows per dataset. */
  async function readUpsertSpecs(caller: Caller, manifestUri: string) {
    const manifest = obj(await readJsonUpload(caller, manifestUri, ['data', 'manifestUri']))
    const chunkUris = manifest['chunk_uris']
    if (!Array.isArray(chunkUris))
      throw new AppError('validation_failed', 'The manifest has no chunk_uris list', {
        path: ['data', 'manifestUri', 'chunk_uris'],
      })
    let datasetId: string | null = null
    const items: DataRowInput[] = []
    for (const [c, uri] of chunkUris.entries()) {
      const specs = await readJsonUpload(caller, str(uri), ['chunk_uris', c])
      if (!Array.isArray(specs))
        throw new AppError('validation_failed', `Chunk ${c} is not a JSON array of data rows`, {
          path: ['chunk_uris', c],
        })
      for (const [i, raw] of specs.entries()) {
        const spec = obj(raw)
        const path = ['chunk_uris', c, i]
        const idType = str(obj(spec['id'])['type'])
        if (idType !== 'AUTO')
          throw new AppError(
            'validation_failed',
            `Updating data rows (upsert key type '${idType}') is not supported by Labelport; create new data rows`,
            { path: [...path, 'id', 'type'] },
          )
        const payload = obj(spec['payload'])
        for (const key of Object.keys(payload))
          // external_id is accepted and not kept (the SDK sets it to the path of a local file)
          if (!['row_data', 'global_key', 'dataset_id', 'external_id'].includes(key))
            throw new AppError(
              'validation_failed',
              `Data row field '${key}' is not supported by Labelport (row_data and global_key are)`,
              { path: [...path, 'payload', key] },
            )
        const rowDataset = str(payload['dataset_id'])
        if (datasetId !== null && rowDataset !== datasetId)
          throw new AppError(
            'validation_failed',
            'All data rows of one create_data_rows call must go to one dataset',
            { path: [...path, 'payload', 'dataset_id'] },
          )
        datasetId = rowDataset
        const input: Args = { rowData: payload['row_data'] }
        if (payload['global_key'] !== undefined && payload['global_key'] !== null)
          input['globalKey'] = payload['global_key']
        items.push(validateWith(DataRowInputSchema, input, `chunk_uris[${c}][${i}]`))
      }
    }
    if (datasetId === null)
      throw new AppError('validation_failed', 'The manifest lists no data rows', {
        path: ['data', 'manifestUri'],
      })
    return { datasetId, items }
  }

  async function createImport(args: Args, ctx: GraphqlContext, kind: 'mal' | 'ground_truth') {
    const data = obj(args['data'])
    const projectId = str(data['projectId'])
    await projects.getProject(ctx.caller, projectId)
    const file = obj(data['filePayload'])['file']
    let source: unknown
    if (file instanceof Blob) {
      const upload = await catalog.createUpload(ctx.caller, file.stream(), 'application/x-ndjson')
      source = { uploadId: upload.id }
    } else if (typeof data['fileUrl'] === 'string') {
      source = { url: data['fileUrl'] }
    } else {
      throw new AppError(
        'validation_failed',
        'Give the annotations as filePayload.file (a multipart upload) or as fileUrl',
        { path: ['data', 'filePayload'] },
      )
    }
    const body = validateWith(api.createImport.body, { name: data['name'], kind, source }, 'data')
    return importObject(ctx, await imports.create(ctx.caller, projectId, body, false))
  }

  async function findImport(args: Args, ctx: GraphqlContext, kind: 'mal' | 'ground_truth') {
    const where = obj(args['where'])
    const projectId = str(where['projectId'])
    await projects.getProject(ctx.caller, projectId)
    const id = await state.findImportJobId(
      ctx.caller.organizationId,
      projectId,
      str(where['name']),
      kind,
    )
    if (id === undefined)
      throw new AppError(
        'import_not_found',
        `No ${kind === 'mal' ? 'MAL' : 'label'} import named '${str(where['name'])}' in project ${projectId}`,
        { path: ['where', 'name'] },
      )
    return importObject(ctx, await imports.get(ctx.caller, id))
  }

  const query = {
    user: (args: Args, ctx: GraphqlContext) => {
      const where = obj(args['where'])
      // Labelport has API keys, not users: the key stands for the user who calls
      if (where['id'] !== undefined && where['id'] !== ctx.caller.apiKeyId) return null
      return {
        id: ctx.caller.apiKeyId,
        name: ctx.caller.apiKeyName,
        nickname: ctx.caller.apiKeyName,
        email: null,
        picture: null,
        intercomHash: null,
        isExternalUser: false,
        isViewer: false,
        createdAt: null,
        updatedAt: null,
        createdTasks: async (taskArgs: Args) => {
          const id = str(obj(taskArgs['where'])['id'])
          if (!id)
            throw new AppError(
              'validation_failed',
              'Listing all tasks is not supported by Labelport; ask for one task by id',
              { path: ['where', 'id'] },
            )
          try {
            return [taskObject(await catalog.getTask(ctx.caller, id))]
          } catch (err) {
            if (err instanceof AppError && err.code === 'task_not_found') return []
            throw err
          }
        },
      }
    },
    organization: async (_: Args, ctx: GraphqlContext) => {
      const who = await auth.whoAmI(ctx.caller)
      return { ...who.organization, createdAt: null, updatedAt: null }
    },
    // no cloud IAM integrations: rows are fetched by URL or uploaded
    iamIntegrations: () => [],
    dataset: async (args: Args, ctx: GraphqlContext) =>
      datasetObject(await catalog.getDataset(ctx.caller, str(obj(args['where'])['id']))),
    project: async (args: Args, ctx: GraphqlContext) =>
      projectObject(ctx, await projects.getProject(ctx.caller, str(obj(args['where'])['id']))),
    labelingFrontends: (args: Args) => {
      const names: string[] = []
      const collect = (w: Args) => {
        if (typeof w['name'] === 'string') names.push(w['name'])
        if (Array.isArray(w['AND'])) for (const inner of w['AND']) collect(obj(inner))
      }
      collect(obj(args['where']))
      return names.every((n) => n === EDITOR.name) ? [EDITOR] : []
    },
    failedDataRowImports: async (args: Args, ctx: GraphqlContext) => {
      const data = obj(args['data'])
      const task = await catalog.getTask(ctx.caller, str(data['taskId']))
      const results = task.errors.map((e) => {
        const row = e.failedDataRows[0]
        return {
          message: e.message,
          spec: {
            externalId: null,
            globalKey: row?.globalKey ?? null,
            rowData: row?.rowData ?? null,
            metadata: [],
            attachments: [],
          },
        }
      })
      const { slice, after } = page(results, data)
      return { after, total: results.length, results: slice }
    },
    successesfulDataRowImports: async (args: Args, ctx: GraphqlContext) => {
      const data = obj(args['data'])
      const task = await catalog.getTask(ctx.caller, str(data['taskId']))
      const nodes = task.createdDataRows.map((r) => ({ ...r, externalId: null }))
      const { slice, after } = page(nodes, data)
      return { after, total: nodes.length, nodes: slice }
    },
    // a Labelport data row exists only once its image was fetched and measured
    queryAllDataRowsHaveBeenProcessed: () => ({ allDataRowsHaveBeenProcessed: true }),
    modelAssistedLabelingPredictionImport: (args: Args, ctx: GraphqlContext) =>
      findImport(args, ctx, 'mal'),
    labelImport: (args: Args, ctx: GraphqlContext) => findImport(args, ctx, 'ground_truth'),
  }

  const mutation = {
    createDataset: async (args: Args, ctx: GraphqlContext) =>
      datasetObject(
        await catalog.createDataset(
          ctx.caller,
          validateWith(api.createDataset.body, args['data'], 'data'),
        ),
      ),
    updateDataset: async (args: Args, ctx: GraphqlContext) => {
      const id = str(obj(args['where'])['id'])
      if (obj(args['data'])['deleted'] !== true)
        throw new AppError(
          'validation_failed',
          'Labelport supports updateDataset only as a delete (data: {deleted: true})',
          { path: ['data'] },
        )
      await deletions.deleteDataset(ctx.caller, id)
      await auth.recordDeletion(ctx.caller, 'dataset', id)
      return { id, name: '', description: '', rowCount: 0, createdAt: null, updatedAt: null }
    },
    uploadFile: async (args: Args, ctx: GraphqlContext) => {
      const file = args['file']
      if (!(file instanceof Blob))
        throw new AppError('validation_failed', 'uploadFile expects a multipart file', {
          path: ['file'],
        })
      const upload = await catalog.createUpload(
        ctx.caller,
        file.stream(),
        'application/octet-stream',
      )
      return { url: upload.uri, filename: upload.id }
    },
    upsertDataRows: async (args: Args, ctx: GraphqlContext) => {
      const { datasetId, items } = await readUpsertSpecs(
        ctx.caller,
        str(obj(args['data'])['manifestUri']),
      )
      const body = validateWith(api.createDataRows.body, { items }, 'data')
      return taskObject(await catalog.createDataRows(ctx.caller, datasetId, body.items))
    },
    upsertOntology: async (args: Args, ctx: GraphqlContext) => {
      const data = obj(args['data'])
      let normalized: unknown
      try {
        normalized = JSON.parse(str(data['normalized']))
      } catch (err) {
        throw new AppError(
          'validation_failed',
          `data.normalized is not JSON: ${(err as Error).message}`,
          { path: ['data', 'normalized'] },
        )
      }
      const body = validateWith(
        api.createOntology.body,
        { name: data['name'], normalized, ...mediaType(data['mediaType']) },
        'data',
      )
      return ontologyObject(await projects.createOntology(ctx.caller, body))
    },
    createProject: async (args: Args, ctx: GraphqlContext) => {
      const data = obj(args['data'])
      const body = validateWith(
        api.createProject.body,
        {
          name: data['name'],
          ...(typeof data['description'] === 'string' ? { description: data['description'] } : {}),
          ...mediaType(data['allowedMediaType']),
        },
        'data',
      )
      const project = await projects.createProject(ctx.caller, body)
      const settings: ProjectSettings = {}
      if (typeof data['autoAuditNumberOfLabels'] === 'number')
        settings.autoAuditNumberOfLabels = data['autoAuditNumberOfLabels']
      if (typeof data['autoAuditPercentage'] === 'number')
        settings.autoAuditPercentage = data['autoAuditPercentage']
      if (typeof data['isBenchmarkEnabled'] === 'boolean')
        settings.isBenchmarkEnabled = data['isBenchmarkEnabled']
      if (typeof data['isConsensusEnabled'] === 'boolean')
        settings.isConsensusEnabled = data['isConsensusEnabled']
      await updateSettings(project.id, settings)
      return projectObject(ctx, project)
    },
    updateProject: async (args: Args, ctx: GraphqlContext) => {
      const id = str(obj(args['where'])['id'])
      await projects.getProject(ctx.caller, id)
      const data = obj(args['data'])
      const frontend = str(obj(obj(data['labelingFrontend'])['connect'])['id'])
      if (data['labelingFrontend'] !== undefined && frontend !== EDITOR.id)
        throw new AppError(
          'not_found',
          `No labeling frontend ${frontend}; Labelport has one, "Editor"`,
          {
            path: ['data', 'labelingFrontend', 'connect', 'id'],
          },
        )
      const change: ProjectSettings = {}
      if (frontend) change.labelingFrontendId = frontend
      if (data['setupComplete'] !== undefined && data['setupComplete'] !== null) {
        const when = new Date(str(data['setupComplete']))
        if (Number.isNaN(when.getTime()))
          throw new AppError('validation_failed', 'setupComplete must be a date-time', {
            path: ['data', 'setupComplete'],
          })
        change.setupComplete = when.toISOString()
      }
      await updateSettings(id, change)
      return projectObject(ctx, await projects.getProject(ctx.caller, id))
    },
    createLabelingFrontendOptions: async (args: Args, ctx: GraphqlContext) => {
      const data = obj(args['data'])
      const projectId = str(obj(obj(data['project'])['connect'])['id'])
      await projects.getProject(ctx.caller, projectId)
      // the editor shows the connected ontology; these options are answered, not kept
      return {
        id: `${projectId}-options`,
        customizationOptions: data['customizationOptions'] ?? null,
      }
    },
    project: async (args: Args, ctx: GraphqlContext) => {
      const projectId = str(obj(args['where'])['id'])
      await projects.getProject(ctx.caller, projectId)
      return {
        connectOntology: async (inner: Args) =>
          projectObject(
            ctx,
            await projects.connectOntology(ctx.caller, projectId, str(inner['ontologyId'])),
          ),
        createBatchV2: async (inner: Args) => {
          const input = obj(inner['input'])
          const globalKeys = Array.isArray(input['globalKeys']) ? input['globalKeys'] : []
          const dataRowIds = Array.isArray(input['dataRowIds']) ? input['dataRowIds'] : []
          if (globalKeys.length > 0 && dataRowIds.length > 0)
            throw new AppError(
              'validation_failed',
              'Give either global keys or data row ids for one batch, not both',
              { path: ['input'] },
            )
          const body = validateWith(
            api.createBatch.body,
            {
              name: input['name'],
              ...(globalKeys.length > 0 ? { globalKeys } : { dataRowIds }),
              ...(typeof input['priority'] === 'number' ? { priority: input['priority'] } : {}),
            },
            'input',
          )
          const batch = await projects.createBatch(ctx.caller, projectId, body)
          return {
            batch: {
              id: batch.id,
              name: batch.name,
              size: batch.size,
              consensusSettingsJson: null,
              createdAt: batch.createdAt,
              updatedAt: batch.createdAt,
            },
            failedDataRowIds: batch.failedDataRowIds,
          }
        },
      }
    },
    createModelAssistedLabelingPredictionImport: (args: Args, ctx: GraphqlContext) =>
      createImport(args, ctx, 'mal'),
    createLabelImport: (args: Args, ctx: GraphqlContext) => createImport(args, ctx, 'ground_truth'),
  }

  return { query, mutation: guardMutations(mutation) }
}

/**
 * The REST endpoint each mutation stands for: the one permission table (core's PERMISSIONS) decides
 * who may call it, so a labeler's key can no more create a dataset here than over REST.
 */
const MUTATION_ENDPOINTS: Record<string, EndpointName> = {
  createDataset: 'createDataset',
  updateDataset: 'deleteDataset',
  uploadFile: 'createUpload',
  upsertDataRows: 'createDataRows',
  upsertOntology: 'createOntology',
  createProject: 'createProject',
  updateProject: 'connectOntology',
  createLabelingFrontendOptions: 'connectOntology',
  // connectOntology and createBatchV2 under it: both need the admin role
  project: 'connectOntology',
  createModelAssistedLabelingPredictionImport: 'createImport',
  createLabelImport: 'createImport',
}

type Resolver = (args: Args, ctx: GraphqlContext) => unknown

function guardMutations<M extends Record<string, Resolver>>(mutations: M): M {
  const guarded: Record<string, Resolver> = {}
  for (const [field, resolve] of Object.entries(mutations)) {
    const endpoint = MUTATION_ENDPOINTS[field]
    if (endpoint === undefined)
      throw new Error(`mutation ${field} has no entry in MUTATION_ENDPOINTS`)
    guarded[field] = (args, ctx) => {
      if (!mayCall(ctx.caller.role, endpoint))
        throw new AppError('forbidden', `The ${ctx.caller.role} role may not call ${field}`)
      return resolve(args, ctx)
    }
  }
  return guarded as M
}
