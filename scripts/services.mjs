// Prepares what the tests talk to: a throwaway PostgreSQL database, Debian Chromium, a moto S3 server.
// Outside CI a missing service is reported and the tests that need it skip with that reason;
// under CI=true a missing service is an error.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { createServer } from 'node:net'

const CI = process.env.CI === 'true'
const PG_ADMIN_URL =
  process.env.LABELPORT_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const CHROMIUM = '/usr/bin/chromium'

function sh(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', ...opts })
}

function warn(message) {
  if (CI) throw new Error(`test setup: ${message}`)
  console.warn(`test setup: ${message} (tests that need it will skip)`)
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

async function waitFor(check, timeoutMs) {
  const start = Date.now()
  while (Date.now() - start < timeoutMs) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 150))
  }
  return false
}

function psql(sql) {
  return sh('psql', [PG_ADMIN_URL, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql])
}

function ensurePostgres() {
  if (sh('which', ['psql']).status !== 0) return warn('psql is not installed')
  let ok = psql('select 1').status === 0
  if (!ok && existsSync('/etc/postgresql')) {
    // the machine's cluster may have stopped; the same command the machine uses starts it
    for (const version of readdirSync('/etc/postgresql')) {
      sh('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'])
    }
    ok = psql('select 1').status === 0
  }
  if (!ok) return warn(`PostgreSQL is not reachable at ${PG_ADMIN_URL}`)
  const name = `labelport_test_${process.pid}_${Date.now().toString(36)}`
  const created = psql(`create database ${name}`)
  if (created.status !== 0) return warn(`cannot create a test database: ${created.stderr.trim()}`)
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    env: { LABELPORT_TEST_DATABASE_URL: url.toString() },
    stop: () => {
      psql(`drop database if exists ${name} with (force)`)
    },
  }
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return
  if (process.getuid?.() === 0) {
    console.log('test setup: installing Debian chromium (once per machine)…')
    sh('apt-get', ['update', '-qq'], { stdio: 'inherit' })
    sh('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
  }
  if (!existsSync(CHROMIUM)) warn('Debian chromium is not installed (apt-get install chromium)')
}

async function ensureMoto() {
  if (sh('which', ['moto_server']).status !== 0) return warn('moto_server is not installed')
  const port = await freePort()
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
    detached: false,
  })
  const endpoint = `http://127.0.0.1:${port}`
  const up = await waitFor(async () => {
    try {
      return (await fetch(endpoint)).status < 500
    } catch {
      return false
    }
  }, 15_000)
  if (!up) {
    child.kill()
    return warn('moto_server did not start')
  }
  return { env: { LABELPORT_TEST_S3_ENDPOINT: endpoint }, stop: () => child.kill() }
}

export async function ensureServices() {
  ensureChromium()
  const parts = [ensurePostgres(), await ensureMoto()].filter(Boolean)
  return {
    env: Object.assign(
      {},
      ...parts.map((p) => p.env),
      existsSync(CHROMIUM) ? { LABELPORT_TEST_CHROMIUM: CHROMIUM } : {},
    ),
    stop: async () => {
      for (const p of parts) await p.stop()
    },
  }
}
