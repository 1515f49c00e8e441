/**
 * Starts the real `labelport serve` process on a free port with a fresh data dir (and, given a
 * PostgreSQL URL, a fresh schema), for end-to-end tests of the SDK, CLI, examples and web app.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

export interface TestServer {
  url: string
  apiKey: string
  dataDir: string
  /** the PostgreSQL URL the server uses (with its own schema), when it runs on PostgreSQL */
  databaseUrl: string | null
  /** everything the server printed so far */
  output(): string
  /** the server process id */
  pid: number
  /** kill -9: no shutdown at all (crash tests); the data dir and schema are kept */
  kill(): Promise<void>
  /** SIGTERM (a graceful stop); the data dir is removed unless kept or given by the caller */
  stop(options?: { keepDataDir?: boolean }): Promise<void>
}

/** A schema of its own for each server, so tests sharing one throwaway database never meet. */
export async function freshSchemaUrl(
  databaseUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  await client.query(`create schema ${schema}`)
  await client.end()
  const url = new URL(databaseUrl)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: databaseUrl })
      await c.connect()
      await c.query(`drop schema if exists ${schema} cascade`)
      await c.end()
    },
  }
}

interface ServerLauncher {
  serveArgs(options: { port: number; dataDir: string }): string[]
}

/** The server's own command line (`@labelport/server/serve`, loaded by name: no package depends on the server). */
async function serverArgs(options: { port: number; dataDir: string }): Promise<string[]> {
  const launcher = (await import(import.meta.resolve('@labelport/server/serve'))) as ServerLauncher
  return launcher.serveArgs(options)
}

export async function startServer(
  options: {
    databaseUrl?: string
    /** use `databaseUrl` as it is (several servers sharing one database) instead of a fresh schema */
    shareDatabase?: boolean
    env?: Record<string, string>
    /** reuse this data dir (a restart after a crash); it is then not removed by `stop` */
    dataDir?: string
    apiKey?: string
  } = {},
): Promise<TestServer> {
  const ownDir = options.dataDir === undefined
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'labelport-test-'))
  const apiKey = options.apiKey ?? `lp_test_${randomBytes(16).toString('hex')}`
  const schema =
    options.databaseUrl === undefined
      ? null
      : options.shareDatabase === true
        ? { url: options.databaseUrl, drop: () => Promise.resolve() }
        : await freshSchemaUrl(options.databaseUrl)
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LABELPORT_BOOTSTRAP_API_KEY: apiKey,
    ...(schema ? { LABELPORT_DATABASE_URL: schema.url } : { LABELPORT_DATABASE_URL: '' }),
    ...options.env,
  }
  const child: ChildProcess = spawn(
    process.execPath,
    // the same command line as `labelport serve`
    await serverArgs({ port: 0, dataDir }),
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // a server that comes up later would keep the test process alive: it goes now
      child.kill('SIGKILL')
      reject(new Error(`the server did not start within 60 s:\n${output}`))
    }, 60_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /Labelport listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(
        new Error(`the server exited with code ${String(code)} before it was ready:\n${output}`),
      )
    })
  })
  return {
    url,
    apiKey,
    dataDir,
    databaseUrl: schema?.url ?? null,
    output: () => output,
    pid: child.pid ?? 0,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGKILL')
        await exited
      }
    },
    async stop(stopOptions: { keepDataDir?: boolean } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      await schema?.drop()
      if (ownDir && stopOptions.keepDataDir !== true)
        rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
