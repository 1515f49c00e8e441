/**
 * The composition root: config → database → blob store → services → HTTP app.
 * `composeServer` builds it without listening (HTTP tests call `app.request`); `startServer` listens.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { connect, IdentityStore, OntologyEdits, Store } from '@labelport/db'
import type { ServerConfig } from './config.ts'
import { createApp } from './http/app.ts'
import { MaskProcessor } from './masks/mask-processor.ts'
import { createSafeFetch, createSafeFetchStream } from './net/safe-fetch.ts'
import { AuthService } from './services/auth-service.ts'
import { CatalogService } from './services/catalog-service.ts'
import { ExportService } from './services/export-service.ts'
import { ImportService } from './services/import-service.ts'
import { OntologyEditService } from './services/ontology-edit-service.ts'
import { ProjectService } from './services/project-service.ts'
import { ViewService } from './services/view-service.ts'
import { LocalBlobStore } from './storage/local-blob-store.ts'
import { S3BlobStore } from './storage/s3-blob-store.ts'
import { fromWebStream } from './storage/web-streams.ts'

export interface ComposedServer {
  app: ReturnType<typeof createApp>
  store: Store
  imports: ImportService
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
  const store = new Store(conn)
  // one bucket shared by every server when configured; else files in the data dir
  const s3 = S3BlobStore.fromEnv(config.s3Env)
  if (s3) await s3.ensureBucket()
  const blobs = s3 ?? new LocalBlobStore(join(config.dataDir, 'blobs'))
  const fetchOptions = {
    maxBytes: config.fetchMaxBytes,
    timeoutMs: config.fetchTimeoutMs,
    allowHosts: config.fetchAllowHosts,
  }
  const safeFetch = createSafeFetch(fetchOptions)
  const safeFetchStream = createSafeFetchStream(fetchOptions)

  const auth = new AuthService(new IdentityStore(conn), {
    limits: { maxFailures: config.authMaxFailures, windowMs: config.authWindowSeconds * 1000 },
    sessionHours: config.sessionHours,
  })
  const catalog = new CatalogService({
    store,
    blobs,
    fetch: safeFetch,
    maxUploadBytes: config.maxUploadBytes,
  })
  const projects = new ProjectService(store)
  const masks = new MaskProcessor({ blobs, fetch: safeFetch })
  const imports = new ImportService({
    store,
    blobs,
    projects,
    catalog,
    masks,
    maxLineBytes: config.importMaxLineBytes,
    fetchStream: async (url) => {
      const fetched = await safeFetchStream(url, ['source', 'url'])
      return fetched.ok ? { ok: true, stream: fromWebStream(fetched.stream) } : fetched
    },
  })
  const exports = new ExportService({ store, projects })
  const views = new ViewService({ store, blobs, catalog, projects, masks })

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
  await imports.start({ singleProcess: conn.dialect === 'sqlite' })

  const app = createApp({
    auth,
    catalog,
    projects,
    imports,
    exports,
    views,
    ontologyEdits: new OntologyEditService({ store, edits: new OntologyEdits(conn) }),
    webDir: config.webDir,
    log: (message, err) => console.error(message, err),
  })
  return {
    app,
    store,
    imports,
    catalog,
    async close() {
      await imports.stop()
      await catalog.drain()
      await store.close()
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
  const server = serve({ fetch: composed.app.fetch, port: config.port, hostname: config.host })
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
