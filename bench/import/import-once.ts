/**
 * One measurement, in its own process so peak RSS is its own:
 *   floor   — read the file and JSON.parse every line
 *   judge   — floor + ImportJudge.parse/check on every line (validation, no database)
 *   sqlite | postgres — the real import pipeline through the HTTP API on that database
 * Prints one JSON object on stdout.
 */
import { createReadStream } from 'node:fs'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import {
  ImportJudge,
  buildOntologyIndex,
  completeOntology,
  newId,
  type ImportJob,
} from '@labelport/core'
import { readConfig } from '../../apps/server/src/config.ts'
import { composeServer } from '../../apps/server/src/compose.ts'
import { DEFAULT_ORGANIZATION_ID } from '../../apps/server/src/services/auth-service.ts'
import { IMAGE_SIZE, benchOntology, globalKeyOf } from './generate.ts'

const [mode = 'floor', file = '', rowsArg = '10000', databaseUrl = ''] = process.argv.slice(2)
const dataRows = Number(rowsArg)

async function* lines(path: string): AsyncGenerator<string> {
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity }))
    yield line
}

async function floor() {
  let n = 0
  const start = performance.now()
  for await (const line of lines(file)) {
    if (JSON.parse(line)) n++
  }
  return { lines: n, seconds: (performance.now() - start) / 1000 }
}

async function judgeOnly() {
  const judge = new ImportJudge({
    ontology: buildOntologyIndex(completeOntology(benchOntology())),
    kind: 'mal',
  })
  const rows = new Map<string, string>()
  for (let i = 0; i < dataRows; i++) rows.set(globalKeyOf(i), newId())
  let n = 0
  let ok = 0
  const start = performance.now()
  for await (const text of lines(file)) {
    n++
    const parsed = judge.parse(text, n)
    if (!parsed.ok) continue
    const key = 'globalKey' in parsed.dataRowRef ? parsed.dataRowRef.globalKey : ''
    const verdict = judge.check(parsed, {
      id: rows.get(key) ?? '',
      globalKey: key,
      width: IMAGE_SIZE.width,
      height: IMAGE_SIZE.height,
    })
    if (verdict.ok === true) ok++
  }
  return { lines: n, accepted: ok, seconds: (performance.now() - start) / 1000 }
}

async function importThrough(dialect: 'sqlite' | 'postgres') {
  const dataDir = mkdtempSync(join(tmpdir(), 'labelport-bench-'))
  const apiKey = 'bench-key-5b1d9f3a7c26e0'
  const config = {
    ...readConfig(['--data-dir', dataDir], {}),
    databaseUrl: dialect === 'postgres' ? databaseUrl : null,
    bootstrapApiKey: apiKey,
  }
  const server = await composeServer(config)
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await server.app.request(path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
    return res.json()
  }
  try {
    const dataset = (await call('POST', '/v1/datasets', { name: 'bench' })) as { id: string }
    // data rows straight into the store: the benchmark measures the import, not image fetching
    for (let i = 0; i < dataRows; i++) {
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
    }
    const ontology = (await call('POST', '/v1/ontologies', {
      name: 'bench',
      normalized: benchOntology(),
    })) as { id: string }
    const project = (await call('POST', '/v1/projects', { name: 'bench' })) as { id: string }
    await call('PUT', `/v1/projects/${project.id}/ontology`, { ontologyId: ontology.id })
    const keys = Array.from({ length: dataRows }, (_, i) => globalKeyOf(i))
    await call('POST', `/v1/projects/${project.id}/batches`, { name: 'all', globalKeys: keys })

    const upload = await server.app.request('/v1/uploads', {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/x-ndjson' },
      body: (await import('node:stream')).Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit)
    const { id: uploadId } = (await upload.json()) as { id: string }

    const start = performance.now()
    let job = (await call('POST', `/v1/projects/${project.id}/imports`, {
      name: 'bench',
      kind: 'mal',
      source: { uploadId },
    })) as ImportJob
    await server.importWorker.whenIdle()
    job = (await call('GET', `/v1/imports/${job.id}`)) as ImportJob
    const seconds = (performance.now() - start) / 1000
    return {
      state: job.state,
      total: job.counts.total,
      success: job.counts.success,
      failure: job.counts.failure,
      errorCounts: job.errorCounts,
      seconds,
    }
  } finally {
    await server.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const result =
  mode === 'floor'
    ? await floor()
    : mode === 'judge'
      ? await judgeOnly()
      : await importThrough(mode as 'sqlite' | 'postgres')
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024)
console.log(
  JSON.stringify({ mode, fileMb: Math.round(statSync(file).size / 1e6), peakRssMb, ...result }),
)
