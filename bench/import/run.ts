/**
 * `npm run bench:import [-- --annotations N --rows R --order grouped|interleaved]`: generates the input once (bench/.data),
 * then measures, each in a fresh process: the floor (read + JSON.parse), validation alone, and the
 * full import on SQLite and on PostgreSQL (when LABELPORT_BENCH_DATABASE_URL or the local server
 * is reachable). Prints annotations per second, peak RSS, and import ÷ floor.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { SERVER_NODE_FLAGS } from '../../apps/server/src/serve.ts'
import { generateBenchInput, type LineOrder } from './generate.ts'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

const annotations = arg('annotations', 1_000_000)
const rows = arg('rows', 10_000)
const orderArg = process.argv.indexOf('--order')
const order: LineOrder =
  orderArg >= 0 && process.argv[orderArg + 1] === 'interleaved' ? 'interleaved' : 'grouped'
const root = new URL('../..', import.meta.url).pathname
const file = join(root, 'bench/.data', `import-${annotations}-${rows}-${order}.ndjson`)

if (!existsSync(file)) {
  console.log(`generating ${annotations} annotations over ${rows} data rows (${order}) → ${file}`)
  await generateBenchInput(file, annotations, rows, order)
}

function postgresUrl(): string | null {
  if (process.env['LABELPORT_BENCH_DATABASE_URL'])
    return process.env['LABELPORT_BENCH_DATABASE_URL']
  const admin = 'postgres://postgres@127.0.0.1:5432/postgres'
  const name = `labelport_bench_${process.pid}`
  try {
    execFileSync('psql', [admin, '-qc', `create database ${name}`], { stdio: 'ignore' })
    process.on('exit', () =>
      spawnSync('psql', [admin, '-qc', `drop database if exists ${name} with (force)`], {
        stdio: 'ignore',
      }),
    )
    return `postgres://postgres@127.0.0.1:5432/${name}`
  } catch {
    return null
  }
}

function measure(mode: string, databaseUrl = ''): Record<string, unknown> {
  const run = spawnSync(
    process.execPath,
    [
      // the server's own node flags (packages/cli/src/serve.ts), so the figures match `labelport serve`
      ...SERVER_NODE_FLAGS,
      '--import',
      'tsx',
      join(root, 'bench/import/import-once.ts'),
      mode,
      file,
      String(rows),
      databaseUrl,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  )
  if (run.status !== 0) throw new Error(`${mode} failed:\n${run.stderr}`)
  const last = run.stdout.trim().split('\n').at(-1) ?? '{}'
  return JSON.parse(last) as Record<string, unknown>
}

const results = [measure('floor'), measure('judge'), measure('sqlite')]
const pg = postgresUrl()
if (pg) results.push(measure('postgres', pg))
else console.log('PostgreSQL not reachable: skipping the PostgreSQL import')

const floorSeconds = Number(results[0]?.['seconds'])
console.log(
  `\n${annotations.toLocaleString('en')} annotations over ${rows.toLocaleString('en')} data rows, lines ${order}, ${String(results[0]?.['fileMb'])} MB NDJSON\n`,
)
console.log('measurement        seconds   annotations/s   peak RSS MB   ÷ floor   result')
for (const r of results) {
  const seconds = Number(r['seconds'])
  const detail =
    r['mode'] === 'floor'
      ? `${String(r['lines'])} lines`
      : r['mode'] === 'judge'
        ? `${String(r['accepted'])} accepted`
        : `${String(r['state'])}: ${String(r['success'])} SUCCESS, ${String(r['failure'])} FAILURE`
  console.log(
    `${String(r['mode']).padEnd(18)} ${seconds.toFixed(2).padStart(7)}   ${Math.round(
      annotations / seconds,
    )
      .toLocaleString('en')
      .padStart(
        13,
      )}   ${String(r['peakRssMb']).padStart(11)}   ${(seconds / floorSeconds).toFixed(2).padStart(7)}   ${detail}`,
  )
}
const judgeSeconds = Number(results[1]?.['seconds'])
for (const r of results.slice(2)) {
  const seconds = Number(r['seconds'])
  const validation = judgeSeconds - floorSeconds
  console.log(
    `validation share of the ${String(r['mode'])} import: ${validation.toFixed(2)} s of ${seconds.toFixed(2)} s = ${((validation / seconds) * 100).toFixed(1)}% (import without validation ≈ ${(seconds - validation).toFixed(2)} s, so validation adds ${((validation / (seconds - validation)) * 100).toFixed(1)}%)`,
  )
}
