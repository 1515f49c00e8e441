/**
 * `npm run bench:import [-- --annotations N --rows R --large M --only a,b]`: generates the inputs
 * once (bench/.data), then measures, each in a fresh process, every row of issue 10's table: the
 * floor (read + JSON.parse), validation alone, the full import on SQLite and on PostgreSQL (when
 * LABELPORT_BENCH_DATABASE_URL or the local server is reachable) with grouped and with interleaved
 * lines, the server's peak RSS at N and at M annotations (SQLite, grouped), export v2 streamed
 * from the N-annotation SQLite import, and whether status lines can be read while a job runs.
 * `--only` picks measurements: floor, judge, sqlite, postgres, interleaved, large, export.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { SERVER_NODE_FLAGS } from '../../apps/server/src/serve.ts'
import { generateBenchInput, type LineOrder } from './generate.ts'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

const annotations = arg('annotations', 1_000_000)
const large = arg('large', 5 * annotations)
const rows = arg('rows', 10_000)
const onlyArg = process.argv.indexOf('--only')
const only = onlyArg >= 0 ? new Set((process.argv[onlyArg + 1] ?? '').split(',')) : null
const wanted = (name: string) => only === null || only.has(name)
const root = new URL('../..', import.meta.url).pathname

async function input(n: number, order: LineOrder): Promise<string> {
  const file = join(root, 'bench/.data', `import-${n}-${rows}-${order}.ndjson`)
  if (!existsSync(file)) {
    console.log(`generating ${n} annotations over ${rows} data rows (${order}) → ${file}`)
    await generateBenchInput(file, n, rows, order)
  }
  return file
}

function postgresUrl(): string | null {
  if (process.env['LABELPORT_BENCH_DATABASE_URL'])
    return process.env['LABELPORT_BENCH_DATABASE_URL']
  const admin = 'postgres://postgres@127.0.0.1:5432/postgres'
  try {
    execFileSync('psql', [admin, '-qtAc', 'select 1'], { stdio: 'ignore' })
    return admin
  } catch {
    return null
  }
}

/** A fresh PostgreSQL database per import, dropped when the benchmark exits. */
function freshPostgres(admin: string, n: number): string {
  if (process.env['LABELPORT_BENCH_DATABASE_URL']) return admin
  const name = `labelport_bench_${process.pid}_${n}`
  execFileSync('psql', [admin, '-qc', `create database ${name}`], { stdio: 'ignore' })
  process.on('exit', () =>
    spawnSync('psql', [admin, '-qc', `drop database if exists ${name} with (force)`], {
      stdio: 'ignore',
    }),
  )
  return admin.replace(/\/[^/]*$/, `/${name}`)
}

type Result = Record<string, unknown> & { label: string }

function measure(
  label: string,
  mode: string,
  file: string,
  extra: { databaseUrl?: string; keepDir?: string; projectId?: string } = {},
): Result {
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
      extra.databaseUrl ?? '',
      extra.keepDir ?? '',
      extra.projectId ?? '',
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  )
  if (run.status !== 0) throw new Error(`${label} failed:\n${run.stderr}`)
  const last = run.stdout.trim().split('\n').at(-1) ?? '{}'
  const result = { label, ...(JSON.parse(last) as Record<string, unknown>) }
  console.log(`  ${label}: ${last}`)
  return result
}

const grouped = await input(annotations, 'grouped')
const interleaved = wanted('interleaved') ? await input(annotations, 'interleaved') : ''
const largeFile = wanted('large') ? await input(large, 'grouped') : ''
const pg = wanted('postgres') ? postgresUrl() : null
if (wanted('postgres') && !pg) console.log('PostgreSQL not reachable: skipping PostgreSQL')

console.log(`measuring (${new Date().toISOString()}, load average ${loadAverage()})`)
const results: Result[] = []
const floor = measure('floor', 'floor', grouped)
results.push(floor)
if (wanted('judge')) results.push(measure('judge, grouped', 'judge', grouped))
let kept = ''
let sqliteGrouped: Result | undefined
if (wanted('sqlite') || wanted('export')) {
  kept = mkdtempSync(join(tmpdir(), 'labelport-bench-kept-'))
  sqliteGrouped = measure('import, SQLite, grouped', 'sqlite', grouped, { keepDir: kept })
  results.push(sqliteGrouped)
}
if (pg)
  results.push(
    measure('import, PostgreSQL, grouped', 'postgres', grouped, {
      databaseUrl: freshPostgres(pg, 1),
    }),
  )
if (interleaved) {
  results.push(measure('import, SQLite, interleaved', 'sqlite', interleaved))
  if (pg)
    results.push(
      measure('import, PostgreSQL, interleaved', 'postgres', interleaved, {
        databaseUrl: freshPostgres(pg, 2),
      }),
    )
}
let exported: Result | undefined
if (kept && sqliteGrouped && wanted('export'))
  exported = measure('export v2, SQLite', 'export', grouped, {
    keepDir: kept,
    projectId: String(sqliteGrouped['projectId']),
  })
if (kept) rmSync(kept, { recursive: true, force: true })
let largeResult: Result | undefined
if (largeFile) {
  largeResult = measure(
    `import, SQLite, grouped, ${large.toLocaleString('en')}`,
    'sqlite',
    largeFile,
  )
  results.push(largeResult)
}

const floorSeconds = Number(floor['seconds'])
const mb = (r: Result | undefined, key = 'peakRssMb') => (r ? Number(r[key]) : NaN)
console.log(
  `\n${annotations.toLocaleString('en')} annotations over ${rows.toLocaleString('en')} data rows, ${String(floor['fileMb'])} MB NDJSON (the floor is read on the grouped file; the interleaved file holds the same lines in another order); load average ${loadAverage()}\n`,
)
console.log(
  'measurement                              seconds   annotations/s   peak RSS MB   ÷ floor   CPU s   CPU ÷ floor CPU   result',
)
for (const r of results) {
  const seconds = Number(r['seconds'])
  const n = r === largeResult ? large : annotations
  const detail =
    r['mode'] === 'floor'
      ? `${String(r['lines'])} lines`
      : r['mode'] === 'judge'
        ? `${String(r['accepted'])} accepted`
        : `${String(r['state'])}: ${String(r['success'])} SUCCESS, ${String(r['failure'])} FAILURE`
  console.log(
    `${r.label.padEnd(38)} ${seconds.toFixed(2).padStart(7)}   ${Math.round(n / seconds)
      .toLocaleString('en')
      .padStart(13)}   ${String(r['peakRssMb']).padStart(11)}   ${(
      (seconds * annotations) /
      n /
      floorSeconds
    )
      .toFixed(2)
      .padStart(7)}   ${Number(r['cpuSeconds']).toFixed(2).padStart(5)}   ${(
      (Number(r['cpuSeconds']) * annotations) /
      n /
      Number(floor['cpuSeconds'])
    )
      .toFixed(2)
      .padStart(15)}   ${detail}`,
  )
}

console.log('\nissue 10 table')
const ratio = (label: string) => {
  const r = results.find((x) => x.label === label)
  return r
    ? `${(Number(r['seconds']) / floorSeconds).toFixed(2)}× (CPU ${(Number(r['cpuSeconds']) / Number(floor['cpuSeconds'])).toFixed(2)}×)`
    : 'not measured'
}
console.log(`| floor (read + JSON.parse), s | ${floorSeconds.toFixed(2)} |`)
console.log(`| SQLite import, grouped ÷ floor | ${ratio('import, SQLite, grouped')} |`)
console.log(`| PostgreSQL import, grouped ÷ floor | ${ratio('import, PostgreSQL, grouped')} |`)
console.log(
  `| interleaved lines ÷ floor, SQLite / PostgreSQL | ${ratio('import, SQLite, interleaved')} / ${ratio('import, PostgreSQL, interleaved')} |`,
)
console.log(
  `| server peak RSS at ${annotations.toLocaleString('en')} (SQLite / PostgreSQL, grouped) | ${mb(sqliteGrouped)} MB / ${mb(results.find((x) => x.label === 'import, PostgreSQL, grouped'))} MB |`,
)
console.log(
  largeResult && sqliteGrouped
    ? `| peak RSS at ${large.toLocaleString('en')} vs ${annotations.toLocaleString('en')} (SQLite) | ${mb(largeResult)} MB vs ${mb(sqliteGrouped)} MB: ${((mb(largeResult) / mb(sqliteGrouped) - 1) * 100).toFixed(1)} % |`
    : '| peak RSS at the larger import | not measured |',
)
console.log(
  exported
    ? `| export v2 streaming (SQLite) | ${Math.round(Number(exported['annotations']) / Number(exported['seconds'])).toLocaleString('en')} annotations/s (${String(exported['annotations'])} in ${Number(exported['seconds']).toFixed(2)} s, ${String(exported['exportMb'])} MB); RSS ${String(exported['rssAtStartMb'])} MB at start, ${String(exported['rssMaxMb'])} MB at most while streaming, peak ${String(exported['peakRssMb'])} MB |`
    : '| export v2 streaming | not measured |',
)
const streamedOf = (r: Result) => {
  const s = r['streamed'] as { atSeconds: number; linesDecided: number } | null | undefined
  return s
    ? `yes, at ${s.atSeconds.toFixed(1)} s of ${Number(r['seconds']).toFixed(1)} s (${s.linesDecided} lines decided)`
    : 'no'
}
const imports = results.filter((r) => r['mode'] === 'sqlite' || r['mode'] === 'postgres')
console.log(
  `| status lines readable while the job runs | ${imports.map((r) => `${r.label.replace('import, ', '')}: ${streamedOf(r)}`).join('; ')} |`,
)

function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')
}
