/**
 * The composition root: config → database → blob store → services → HTTP app.
 * `composeServer` builds it without listening (HTTP tests call `app.request`); `startServer` listens.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { join } from 'node:path'
import { getRequestListener } from '@hono/node-server'
import {
  connect,
  createRepositories,
  ImportRepository,
  type Connection,
  type GraphqlStateRepository,
  type Repositories,
} from '@labelport/db'
import type { ServerConfig } from './config.ts'
import { FileSigner } from './graphql/file-urls.ts'
import { createApp } from './http/app.ts'
import { answerClientError, answerRequestError } from './http/client-error.ts'
import { MaskProcessor } from './masks/mask-processor.ts'
import { createSafeFetch, createSafeFetchStream } from './net/safe-fetch.ts'
import { AuthService } from './services/auth-service.ts'
import { CatalogService } from './services/catalog-service.ts'
import { FormatImportService } from './services/format-import-service.ts'
import { EvaluationService } from './services/evaluation-service.ts'
import { ExportService } from './services/export-service.ts'
import { ImportRunner } from './import/import-runner.ts'
import { ImportWorker } from './import/import-worker.ts'
import { ImportService } from './services/import-service.ts'
import { ImportRevertService } from './services/import-revert-service.ts'
import type { Log } from './services/log.ts'
import { LabelingService } from './services/labeling/labeling-service.ts'
import { ownerId, type JobSettings } from './services/job-settings.ts'
import { checkSharedBlobStore, sweepTempFiles } from './storage/startup-checks.ts'
import { OntologyEditService } from './services/ontology-edit-service.ts'
import { ProjectService } from './services/project-service.ts'
import { DeletionService } from './services/deletion-service.ts'
import { ViewService } from './services/view-service.ts'
import { LocalBlobStore } from './storage/local-blob-store.ts'
import { S3BlobStore } from './storage/s3-blob-store.ts'
import { fromWebStream } from './storage/web-streams.ts'

export interface ComposedServer {
  app: ReturnType<typeof createApp>
  /** every repository on the server's connection (tests and benchmarks read through them) */
  repositories: Repositories
  auth: AuthService
  /** the GraphQL layer's state (signing secret), for tests */
  graphqlState: GraphqlStateRepository
  imports: ImportService
  /** runs the import jobs (tests and benchmarks wait for it: `whenIdle`) */
  importWorker: ImportWorker
  evaluations: EvaluationService
  catalog: CatalogService
  close(): Promise<void>
}

export async function composeServer(config: ServerConfig): Promise<ComposedServer> {
  await mkdir(config.dataDir, { recursive: true })
  const conn = await connect(
    config.databaseUrl
      ? { postgresUrl: config.databaseUrl }
      : { sqlitePath: join(config.dataDir, 'labelport.db') },
  )
  // a server that cannot start gives its database back (SQLite: its lock), so nothing is left open
  try {
    return await composeOn(conn, config)
  } catch (err) {
    await conn.close()
    throw err
  }
}

async function composeOn(conn: Connection, config: ServerConfig): Promise<ComposedServer> {
  const repos = createRepositories(conn)
  const { jobs } = repos
  // one bucket shared by every server when configured; else files in the data dir
  const s3 = S3BlobStore.fromEnv(config.s3Env)
  if (s3) await s3.ensureBucket()
  const blobs = s3 ?? new LocalBlobStore(join(config.dataDir, 'blobs'))
  if (!s3) await sweepTempFiles(join(config.dataDir, 'blobs'))
  // servers sharing PostgreSQL must share their blobs too: refuse to start otherwise
  if (conn.dialect === 'postgres') await checkSharedBlobStore(jobs, blobs, s3 !== null)
  // SQLite is locked by this process: jobs left running belong to a process that is gone
  else await jobs.expireAllLeases()
  // the one place the server's background failures go
  const log: Log = (message, err) => console.error(message, err)
  const settings: JobSettings = {
    log,
    owner: ownerId(),
    leaseMs: config.jobLeaseMs,
    stopTimeoutMs: config.stopTimeoutMs,
    maxAttempts: config.jobMaxAttempts,
  }
  const fetchOptions = {
    maxBytes: config.fetchMaxBytes,
    timeoutMs: config.fetchTimeoutMs,
    allowHosts: config.fetchAllowHosts,
  }
  const safeFetch = createSafeFetch(fetchOptions)
  const safeFetchStream = createSafeFetchStream({
    ...fetchOptions,
    deadlineMs: config.fetchDeadlineMs,
  })

  const auth = new AuthService(repos.identity, {
    limits: { maxFailures: config.authMaxFailures, windowMs: config.authWindowSeconds * 1000 },
    sessionHours: config.sessionHours,
  })
  const catalog = new CatalogService({
    repos,
    blobs,
    fetch: safeFetch,
    maxUploadBytes: config.maxUploadBytes,
    jobs,
    settings,
  })
  const projects = new ProjectService(repos)
  const masks = new MaskProcessor({ blobs, fetch: safeFetch })
  const importWorker = new ImportWorker({
    repos,
    blobs,
    jobs,
    settings,
    runner: new ImportRunner({
      repos,
      repository: new ImportRepository(conn),
      blobs,
      masks,
      maxLineBytes: config.importMaxLineBytes,
      chunkLines: config.importChunkLines,
      log,
    }),
    fetchStream: async (url) => {
      const fetched = await safeFetchStream(url, ['source', 'url'])
      return fetched.ok ? { ok: true, stream: fromWebStream(fetched.stream) } : fetched
    },
  })
  const imports = new ImportService({
    repos,
    blobs,
    projects,
    catalog,
    queued: () => importWorker.wake(),
  })
  const exports = new ExportService({ repos, projects })
  const formatImports = new FormatImportService({
    repos,
    blobs,
    projects,
    catalog,
    imports,
    maxUnpackedBytes: config.maxUploadBytes,
  })
  const views = new ViewService({ repos, blobs, catalog, projects, masks })
  const evaluations = new EvaluationService({
    repos,
    repository: repos.evaluations,
    log,
    projects,
    imports,
  })

  const { generatedKey, createdAdmin } = await auth.bootstrap({
    bootstrapKey: config.bootstrapApiKey,
    adminEmail: config.adminEmail,
    adminPassword: config.adminPassword,
  })
  if (createdAdmin?.generated) {
    const passwordFile = join(config.dataDir, 'admin-password.txt')
    await writeFile(passwordFile, `${createdAdmin.password}\n`, { mode: 0o600 })
    console.log(
      `Created the admin user ${createdAdmin.email}; its password is saved to ${passwordFile}`,
    )
  }
  if (generatedKey) {
    const keyFile = join(config.dataDir, 'admin-api-key.txt')
    await writeFile(keyFile, `${generatedKey}\n`, { mode: 0o600 })
    console.log(
      `Created the admin API key of the default organization (also saved to ${keyFile}):\n  ${generatedKey}`,
    )
  }
  importWorker.start({ concurrency: config.importConcurrency })
  catalog.start()
  await evaluations.start({ singleProcess: conn.dialect === 'sqlite' })

  const deletions = new DeletionService({
    repository: repos.deletions,
    catalog,
    projects,
    imports,
    blobs,
  })
  const graphqlState = repos.graphqlState
  const graphql = {
    auth,
    catalog,
    deletions,
    projects,
    imports,
    state: graphqlState,
    signer: await FileSigner.load(graphqlState),
  }
  const app = createApp({
    graphql,
    auth,
    catalog,
    projects,
    imports,
    exports,
    formatImports,
    views,
    evaluations,
    ontologyEdits: new OntologyEditService({ ontologies: repos.ontologies }),
    deletions,
    labeling: new LabelingService({
      repos,
      projects,
      catalog,
      masks,
      leaseMs: config.labelLeaseMs,
      now: config.labelClock,
    }),
    importReverts: new ImportRevertService({ repos, imports }),
    webDir: config.webDir,
    log,
  })
  return {
    app,
    repositories: repos,
    auth,
    graphqlState,
    imports,
    importWorker,
    evaluations,
    catalog,
    async close() {
      await evaluations.stop()
      await Promise.all([importWorker.stop(), catalog.stop()])
      await conn.close()
      s3?.destroy()
    },
  }
}

export interface RunningServer {
  url: string
  stop(): Promise<void>
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const composed = await composeServer(config)
  // what is refused before the app sees it (oversized headers, malformed requests or Host
  // headers) gets a coded JSON error too, not a bare status line
  const server = http.createServer(
    getRequestListener(composed.app.fetch, {
      hostname: config.host,
      errorHandler: answerRequestError((message, err) => console.error(message, err)),
    }),
  )
  server.on('clientError', answerClientError(http.maxHeaderSize))
  server.listen(config.port, config.host)
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve())
    server.once('error', reject)
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  return {
    url: `http://${config.host}:${port}`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await composed.close()
    },
  }
}
