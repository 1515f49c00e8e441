/** Server settings from flags and LABELPORT_* environment variables, with the defaults of the embedded mode. */
import { resolve } from 'node:path'

export interface ServerConfig {
  port: number
  host: string
  dataDir: string
  /** postgres://… to use PostgreSQL; otherwise SQLite in the data dir */
  databaseUrl: string | null
  bootstrapApiKey: string | null
  /** the first admin user, created on first start (LABELPORT_ADMIN_EMAIL / LABELPORT_ADMIN_PASSWORD) */
  adminEmail: string
  /** null: generated, printed and saved to admin-password.txt in the data dir */
  adminPassword: string | null
  /** failed authentications per client address, key prefix or email before 429, per window */
  authMaxFailures: number
  authWindowSeconds: number
  sessionHours: number
  /** hosts or CIDRs the server may fetch from although private or loopback (masks, row data, import URLs) */
  fetchAllowHosts: string[]
  fetchMaxBytes: number
  fetchTimeoutMs: number
  /** the largest body POST /v1/uploads accepts */
  maxUploadBytes: number
  /** longest NDJSON line an import accepts (a composite mask inline as imBytes is the long one) */
  importMaxLineBytes: number
  /** LABELPORT_S3_* variables: when LABELPORT_S3_BUCKET is set, blobs go to that bucket */
  s3Env: Readonly<Record<string, string | undefined>>
  /** the built web app to serve at `/`, when present */
  webDir: string
  /** the longest one fetch of an import input may take in all, however steadily bytes come */
  fetchDeadlineMs: number
  /** job leases, graceful stop and retries (docs/architecture.md, "Jobs survive crashes") */
  jobLeaseMs: number
  /** a labeler's lease on a data row ends this long after their last draft save (docs/labeling.md) */
  labelLeaseMs: number
  /** the clock label leases are judged by (tests move it; default Date.now) */
  labelClock?: () => number
  stopTimeoutMs: number
  jobMaxAttempts: number
  /** imports run at once by this server (fair between organizations) */
  importConcurrency: number
  importChunkLines: number
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got '${raw}'`)
  return value
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`)
  if (i >= 0) return argv[i + 1]
  const inline = argv.find((a) => a.startsWith(`--${name}=`))
  return inline?.slice(name.length + 3)
}

export function readConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  const port = Number(flag(argv, 'port') ?? env['LABELPORT_PORT'] ?? 7440)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number, got ${String(port)}`)
  return {
    port,
    host: flag(argv, 'host') ?? env['LABELPORT_HOST'] ?? '127.0.0.1',
    dataDir: resolve(flag(argv, 'data-dir') ?? env['LABELPORT_DATA_DIR'] ?? '.labelport'),
    databaseUrl: env['LABELPORT_DATABASE_URL'] || null,
    bootstrapApiKey: env['LABELPORT_BOOTSTRAP_API_KEY'] || null,
    adminEmail: env['LABELPORT_ADMIN_EMAIL'] || 'admin@labelport.local',
    adminPassword: env['LABELPORT_ADMIN_PASSWORD'] || null,
    authMaxFailures: Number(env['LABELPORT_AUTH_MAX_FAILURES'] ?? 10),
    authWindowSeconds: Number(env['LABELPORT_AUTH_WINDOW_SECONDS'] ?? 300),
    sessionHours: Number(env['LABELPORT_SESSION_HOURS'] ?? 168),
    fetchAllowHosts: (env['LABELPORT_FETCH_ALLOW_HOSTS'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    fetchMaxBytes: Number(env['LABELPORT_FETCH_MAX_BYTES'] ?? 512 * 1024 * 1024),
    fetchTimeoutMs: Number(env['LABELPORT_FETCH_TIMEOUT_MS'] ?? 30_000),
    maxUploadBytes: Number(env['LABELPORT_MAX_UPLOAD_BYTES'] ?? 16 * 1024 * 1024 * 1024),
    importMaxLineBytes: Number(env['LABELPORT_IMPORT_MAX_LINE_BYTES'] ?? 64 * 1024 * 1024),
    s3Env: Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('LABELPORT_S3_'))),
    webDir: resolve(new URL('../../web/dist', import.meta.url).pathname),
    fetchDeadlineMs: positive(env, 'LABELPORT_FETCH_DEADLINE_MS', 10 * 60_000),
    jobLeaseMs: positive(env, 'LABELPORT_JOB_LEASE_MS', 30_000),
    labelLeaseMs: positive(env, 'LABELPORT_LABEL_LEASE_MS', 600_000),
    stopTimeoutMs: positive(env, 'LABELPORT_STOP_TIMEOUT_MS', 10_000),
    jobMaxAttempts: Math.floor(positive(env, 'LABELPORT_JOB_MAX_ATTEMPTS', 3)),
    importConcurrency: Math.floor(positive(env, 'LABELPORT_IMPORT_CONCURRENCY', 2)),
    importChunkLines: Math.floor(positive(env, 'LABELPORT_IMPORT_CHUNK_LINES', 20_000)),
  }
}
