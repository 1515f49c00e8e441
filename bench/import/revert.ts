/**
 * `npm run bench:revert [-- --annotations N --rows R --database sqlite|postgres --preview]`
 * (issue 10): imports the bench input (bench/.data, made by generate.ts) as MAL pre-labels, then
 * the same file again (every uuid replaced: the trigger keeps each replaced pre-label), then
 * reverts the second import (N removed, N restored) and the first (N removed). `--preview` also
 * times a dry run of the file over the stored pre-labels (N replaced). One process, one database;
 * prints one JSON object (seconds per step, peak RSS). Timings: docs/benchmarks.md.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { newId, type ImportJob } from '@labelport/core'
import { readConfig } from '../../apps/server/src/config.ts'
import { composeServer } from '../../apps/server/src/compose.ts'
import { DEFAULT_ORGANIZATION_ID } from '../../apps/server/src/services/auth-service.ts'
import { IMAGE_SIZE, benchOntology, generateBenchInput, globalKeyOf } from './generate.ts'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const annotations = arg('annotations', 1_000_000)
const rows = arg('rows', 10_000)
const dialect = process.argv.includes('postgres') ? 'postgres' : 'sqlite'
const preview = process.argv.includes('--preview')
const root = new URL('../..', import.meta.url).pathname
const file = join(root, 'bench/.data', `import-${annotations}-${rows}-grouped.ndjson`)
if (!existsSync(file)) await generateBenchInput(file, annotations, rows, 'grouped')

function postgresUrl(): string {
  if (process.env['LABELPORT_BENCH_DATABASE_URL'])
    return process.env['LABELPORT_BENCH_DATABASE_URL']
  const admin = 'postgres://postgres@127.0.0.1:5432/postgres'
  const name = `labelport_revert_bench_${process.pid}`
  execFileSync('psql', [admin, '-qc', `create database ${name}`], { stdio: 'ignore' })
  process.on('exit', () =>
    spawnSync('psql', [admin, '-qc', `drop database if exists ${name} with (force)`], {
      stdio: 'ignore',
    }),
  )
  return `postgres://postgres@127.0.0.1:5432/${name}`
}

const dataDir = mkdtempSync(join(tmpdir(), 'labelport-revert-bench-'))
const apiKey = 'bench-revert-key-8e2c4a6b1d'
const server = await composeServer({
  ...readConfig(['--data-dir', dataDir], {}),
  databaseUrl: dialect === 'postgres' ? postgresUrl() : null,
  bootstrapApiKey: apiKey,
})
const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const res = await server.app.request(path, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}
const timed = async <T>(what: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now()
  const value = await what()
  return [value, Math.round((performance.now() - start) / 10) / 100]
}

try {
  const dataset = await call<{ id: string }>('POST', '/v1/datasets', { name: 'bench' })
  for (let i = 0; i < rows; i++)
    await server.repositories.datasets.insertDataRow({
      id: newId(),
      organizationId: DEFAULT_ORGANIZATION_ID,
      datasetId: dataset.id,
      globalKey: globalKeyOf(i),
      rowData: 'https://example.invalid/x.jpg',
      blobKey: 'images/none',
      ...IMAGE_SIZE,
      mimeType: 'image/jpeg',
      exifOrientation: 1,
    })
  const ontology = await call<{ id: string }>('POST', '/v1/ontologies', {
    name: 'bench',
    normalized: benchOntology(),
  })
  const project = await call<{ id: string }>('POST', '/v1/projects', { name: 'bench' })
  await call('PUT', `/v1/projects/${project.id}/ontology`, { ontologyId: ontology.id })
  await call('POST', `/v1/projects/${project.id}/batches`, {
    name: 'all',
    globalKeys: Array.from({ length: rows }, (_, i) => globalKeyOf(i)),
  })
  const upload = await server.app.request('/v1/uploads', {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/x-ndjson' },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  } as RequestInit)
  const { id: uploadId } = (await upload.json()) as { id: string }
  const runImport = async (name: string, dryRun = false) => {
    const job = await call<ImportJob>(
      'POST',
      `/v1/projects/${project.id}/imports${dryRun ? '/validate' : ''}`,
      { name, kind: 'mal', source: { uploadId } },
    )
    await server.importWorker.whenIdle()
    return call<ImportJob>('GET', `/v1/imports/${job.id}`)
  }
  const [first, firstSeconds] = await timed(() => runImport('first'))
  const [dry, drySeconds] = preview ? await timed(() => runImport('again', true)) : [null, 0]
  const [second, secondSeconds] = await timed(() => runImport('again'))
  const [revertSecond, revertSecondSeconds] = await timed(() =>
    call<ImportJob>('POST', `/v1/imports/${second.id}/revert`),
  )
  const [revertFirst, revertFirstSeconds] = await timed(() =>
    call<ImportJob>('POST', `/v1/imports/${first.id}/revert`),
  )
  console.log(
    JSON.stringify({
      database: dialect,
      annotations,
      rows,
      import: { seconds: firstSeconds, effect: first.effect },
      ...(dry ? { dryRunPreview: { seconds: drySeconds, effect: dry.effect } } : {}),
      reimportReplacingAll: { seconds: secondSeconds, effect: second.effect },
      revertOfReimport: { seconds: revertSecondSeconds, ...revertSecond.revert },
      revertOfFirst: { seconds: revertFirstSeconds, ...revertFirst.revert },
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  )
} finally {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
}
