/**
 * One measurement, in its own process so peak RSS is its own:
 *   floor   — read the file and JSON.parse every line
 *   judge   — floor + ImportJudge.parse/check on every line (validation, no database)
 *   sqlite | postgres — the real import pipeline through the HTTP API on that database; while it
 *                       runs, the status lines are polled (do they stream before the job ends?).
 *                       With a fifth argument (a folder) the SQLite data folder is kept there.
 *   export  — export v2 of the project a kept SQLite import left (folder, project id), streamed
 *             through the HTTP API; samples RSS while it streams (is memory flat?)
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

const [
  mode = 'floor',
  file = '',
  rowsArg = '10000',
  databaseUrl = '',
  keepDir = '',
  projectArg = '',
] = process.argv.slice(2)
const dataRows = Number(rowsArg)

async function* lines(path: string): AsyncGenerator<string> {
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity }))
    yield line
}

/** CPU seconds (user + system) of this process since `from`: steadier than wall time on a shared machine. */
function cpuSince(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from)
  return (used.user + used.system) / 1e6
}

async function floor() {
  let n = 0
  const start = performance.now()
  const cpuStart = process.cpuUsage()
  for await (const line of lines(file)) {
    if (JSON.parse(line)) n++
  }
  return { lines: n, seconds: (performance.now() - start) / 1000, cpuSeconds: cpuSince(cpuStart) }
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
  const cpuStart = process.cpuUsage()
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
  return {
    lines: n,
    accepted: ok,
    seconds: (performance.now() - start) / 1000,
    cpuSeconds: cpuSince(cpuStart),
  }
}

/** LABELPORT_IMPORT_CHUNK_LINES passed through, to compare chunk sizes */
function chunkEnv(): Record<string, string> {
  const lines = process.env['LABELPORT_IMPORT_CHUNK_LINES']
  return lines ? { LABELPORT_IMPORT_CHUNK_LINES: lines } : {}
}

async function importThrough(dialect: 'sqlite' | 'postgres') {
  const dataDir = keepDir || mkdtempSync(join(tmpdir(), 'labelport-bench-'))
  const apiKey = 'bench-key-5b1d9f3a7c26e0'
  const config = {
    ...readConfig(['--data-dir', dataDir], chunkEnv()),
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
    const cpuStart = process.cpuUsage()
    let job = (await call('POST', `/v1/projects/${project.id}/imports`, {
      name: 'bench',
      kind: 'mal',
      source: { uploadId },
    })) as ImportJob
    // status lines while the job runs: does GET …/statuses return lines before the job ends?
    const jobId = job.id
    let streamed: { atSeconds: number; linesDecided: number } | null = null
    let polling = true
    const poll = (async () => {
      while (polling && streamed === null) {
        await new Promise((r) => setTimeout(r, 1000))
        const now = (await call('GET', `/v1/imports/${jobId}`)) as ImportJob
        if (now.state !== 'RUNNING') continue
        const res = await server.app.request(`/v1/imports/${jobId}/statuses?limit=1`, {
          headers: { authorization: `Bearer ${apiKey}` },
        })
        const text = await res.text()
        const after = (await call('GET', `/v1/imports/${jobId}`)) as ImportJob
        if (res.ok && text.trim() !== '' && after.state === 'RUNNING')
          streamed = {
            atSeconds: (performance.now() - start) / 1000,
            linesDecided: now.counts.total,
          }
      }
    })()
    await server.importWorker.whenIdle()
    const seconds = (performance.now() - start) / 1000
    const cpuSeconds = cpuSince(cpuStart)
    polling = false
    await poll
    job = (await call('GET', `/v1/imports/${job.id}`)) as ImportJob
    return {
      projectId: project.id,
      streamed,
      state: job.state,
      total: job.counts.total,
      success: job.counts.success,
      failure: job.counts.failure,
      errorCounts: job.errorCounts,
      seconds,
      cpuSeconds,
    }
  } finally {
    await server.close()
    if (!keepDir) rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Export v2 of a kept SQLite import: every line read as a client would, RSS sampled meanwhile. */
async function exportThrough() {
  const apiKey = 'bench-key-5b1d9f3a7c26e0'
  const config = {
    ...readConfig(['--data-dir', keepDir], {}),
    databaseUrl: null,
    bootstrapApiKey: apiKey,
  }
  const server = await composeServer(config)
  try {
    const rssAtStart = process.memoryUsage.rss()
    let rssMax = rssAtStart
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, process.memoryUsage.rss())
    }, 100)
    const start = performance.now()
    const cpuStart = process.cpuUsage()
    const res = await server.app.request(`/v1/projects/${projectArg}/export`, {
      headers: { authorization: `Bearer ${apiKey}` },
    })
    if (!res.ok || !res.body) throw new Error(`export: ${res.status} ${await res.text()}`)
    let lines = 0
    let bytes = 0
    let annotations = 0
    let rest = ''
    const decoder = new TextDecoder()
    const countLine = (text: string) => {
      if (text === '') return
      lines++
      const row = JSON.parse(text) as {
        projects: Record<string, { prelabels: { annotations: Record<string, unknown[]> }[] }>
      }
      for (const p of Object.values(row.projects))
        for (const pre of p.prelabels)
          for (const list of Object.values(pre.annotations)) annotations += list.length
    }
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length
      const text = rest + decoder.decode(chunk, { stream: true })
      const parts = text.split('\n')
      rest = parts.pop() ?? ''
      for (const line of parts) countLine(line)
    }
    countLine(rest)
    const seconds = (performance.now() - start) / 1000
    const cpuSeconds = cpuSince(cpuStart)
    clearInterval(sampler)
    return {
      lines,
      annotations,
      exportMb: Math.round(bytes / 1e6),
      rssAtStartMb: Math.round(rssAtStart / 2 ** 20),
      rssMaxMb: Math.round(rssMax / 2 ** 20),
      seconds,
      cpuSeconds,
    }
  } finally {
    await server.close()
  }
}

const result =
  mode === 'floor'
    ? await floor()
    : mode === 'judge'
      ? await judgeOnly()
      : mode === 'export'
        ? await exportThrough()
        : await importThrough(mode as 'sqlite' | 'postgres')
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024)
console.log(
  JSON.stringify({ mode, fileMb: Math.round(statSync(file).size / 1e6), peakRssMb, ...result }),
)
