/**
 * `npm run bench:graphql [-- --annotations 10000 --rows 10]`: the guide's MAL import of one label
 * list with N bounding boxes, through Labelbox's Python SDK (GraphQL layer) and through Labelport's
 * TypeScript SDK, against one real server process (SQLite). Prints, for each: the time the client
 * took end to end, and the server's own job time (created → finished). The Python SDK polls every
 * 10 s (its default, which the guide uses), so its end-to-end time is rounded up to that.
 */
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { join } from 'node:path'
import sharp from 'sharp'
import * as lb from '@labelport/sdk'
import * as lbTypes from '@labelport/sdk/types'
import { SHARED_DIR, startServer } from '@labelport/testkit'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const annotations = arg('annotations', 10_000)
const rows = arg('rows', 10) // at most 5,000 boxes per data row and feature in one import
const root = new URL('../..', import.meta.url).pathname
const run = join(SHARED_DIR, 'clients', 'labelbox-python-3.77.1', 'run')

const image = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#888' } })
  .jpeg()
  .toBuffer()
const images = createServer((_req, res) => res.end(image))
await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve))
const address = images.address()
const imageUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/i.jpeg`

const server = await startServer({ env: { LABELPORT_FETCH_ALLOW_HOSTS: '127.0.0.1' } })
try {
  const client = new lb.Client(server.apiKey, { endpoint: server.url })
  const dataset = await client.createDataset({ name: 'bench-graphql' })
  const keys = Array.from({ length: rows }, (_, i) => `bench-graphql-${i}`)
  const task = await dataset.createDataRows(
    keys.map((globalKey) => ({ rowData: imageUrl, globalKey })),
  )
  await task.waitTillDone()
  const builder = new lb.OntologyBuilder({
    tools: [new lb.Tool({ tool: lb.Tool.Type.BBOX, name: 'box' })],
  })
  const ontology = await client.createOntology('bench', builder.asDict(), lb.MediaType.Image)
  const project = await client.createProject({ name: 'bench-graphql' })
  await project.connectOntology(ontology)
  await project.createBatch('bench', { globalKeys: keys })

  const serverSeconds = async (importId: string): Promise<number> => {
    const res = await fetch(`${server.url}/v1/imports/${importId}`, {
      headers: { authorization: `Bearer ${server.apiKey}` },
    })
    const job = (await res.json()) as { createdAt: string; finishedAt: string; counts: unknown }
    return (Date.parse(job.finishedAt) - Date.parse(job.createdAt)) / 1000
  }

  // Labelbox's Python SDK through the GraphQL layer
  const py = await new Promise<Record<string, number | string>>((resolve, reject) => {
    const child = spawn(
      run,
      [join(root, 'bench/graphql/mal-python.py'), project.uid, keys.join(','), String(annotations)],
      {
        env: { ...process.env, LABELPORT_API_KEY: server.apiKey, LABELPORT_ENDPOINT: server.url },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('LABELPORT-RESULT '))
      if (code !== 0 || !line) reject(new Error(`python exited ${String(code)}:\n${out}`))
      else resolve(JSON.parse(line.slice(17)) as Record<string, number | string>)
    })
  })
  const pyServer = await serverSeconds(String(py['importId']))

  // Labelport's TypeScript SDK, the same label list
  const t0 = performance.now()
  const labels = keys.map((globalKey, i) => {
    const count = Math.floor(annotations / rows) + (i < annotations % rows ? 1 : 0)
    return new lbTypes.Label({
      data: { globalKey },
      annotations: Array.from({ length: count }, (_, j) => {
        const x = j % 500
        const y = Math.floor(j / 500) % 400
        return new lbTypes.ObjectAnnotation({
          name: 'box',
          value: new lbTypes.Rectangle({
            start: new lbTypes.Point({ x, y }),
            end: new lbTypes.Point({ x: x + 10, y: y + 10 }),
          }),
        })
      }),
    })
  })
  const t1 = performance.now()
  const job = await lb.MALPredictionImport.createFromObjects({
    client,
    projectId: project.uid,
    name: `bench_ts_${Date.now()}`,
    predictions: labels,
  })
  const t2 = performance.now()
  await job.waitUntilDone()
  const statuses = await job.statuses()
  const errors = await job.errors()
  const t3 = performance.now()
  const tsServer = await serverSeconds(job.id)

  const s = (v: unknown) => `${Number(v).toFixed(2)} s`
  console.log(`MAL import of ${annotations} bounding boxes over ${rows} data rows (SQLite)`)
  console.log(
    '| client | build labels | serialize + upload | wait + statuses | total | server job |',
  )
  console.log('|---|---|---|---|---|---|')
  console.log(
    `| Labelbox Python SDK 3.77.1 (GraphQL) | ${s(py['build_s'])} | ${s(py['serialize_upload_s'])} | ${s(py['wait_and_fetch_s'])} | ${s(py['total_s'])} | ${s(pyServer)} |`,
  )
  console.log(
    `| Labelport TS SDK (REST) | ${s((t1 - t0) / 1000)} | ${s((t2 - t1) / 1000)} | ${s((t3 - t2) / 1000)} | ${s((t3 - t0) / 1000)} | ${s(tsServer)} |`,
  )
  console.log(
    `statuses: python ${String(py['statuses'])} (errors ${String(py['errors'])}), ts ${statuses.length} (errors ${errors.length})`,
  )
} finally {
  await server.stop()
  images.close()
}
