/**
 * Labelbox's own Python SDK 3.77.1 against a real Labelport server process, on SQLite and on
 * PostgreSQL: the guide's Python code (guide/guide.py) runs every step, then the results are read
 * back through Labelport's own REST API. Also the SDK's error paths (guide/error-paths.py).
 * The client runs through ../shared/clients/labelbox-python-3.77.1/run, which installs Debian's
 * python3 packages on a fresh machine (about 75 s once; a quick import check afterwards).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import { SHARED_DIR, postgres, startServer, type TestServer } from '@labelport/testkit'

const RUN = join(SHARED_DIR, 'clients', 'labelbox-python-3.77.1', 'run')
const GUIDE_DIR = new URL('./guide/', import.meta.url).pathname
const WIDTH = 2560
const HEIGHT = 1920
/** the composite mask's colors: two for mask_with_text_subclass (the guide's list), two for mask */
const MASK_COLORS = ['rgb(73,39,85)', 'rgb(111,87,176)', 'rgb(255,0,0)', 'rgb(0,200,0)']

interface Assets {
  url: string
  close(): Promise<void>
}

/** The guide's sample image and composite mask, drawn here and served on 127.0.0.1. */
async function serveAssets(): Promise<Assets> {
  const image = await sharp({
    create: { width: WIDTH, height: HEIGHT, channels: 3, background: '#9cc3e6' },
  })
    .jpeg()
    .toBuffer()
  const rects = MASK_COLORS.map(
    (fill, i) => `<rect x="${200 + i * 500}" y="900" width="300" height="300" fill="${fill}"/>`,
  ).join('')
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" shape-rendering="crispEdges"><rect width="${WIDTH}" height="${HEIGHT}" fill="#000"/>${rects}</svg>`
  const mask = await sharp(Buffer.from(svg)).removeAlpha().png().toBuffer()
  const labels = Buffer.from(
    `${JSON.stringify({
      uuid: '0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a',
      dataRow: { globalKey: 'more-calls-key' },
      name: 'box',
      bbox: { top: 5, left: 6, height: 7, width: 8 },
    })}\n`,
  )
  const files: Record<string, Buffer> = {
    '/image.jpeg': image,
    '/mask.png': mask,
    '/labels.ndjson': labels,
  }
  const server: Server = createServer((req, res) => {
    const body = files[req.url ?? ''] ?? null
    if (!body) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200)
    res.end(req.method === 'HEAD' ? undefined : body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** Runs a Python script with Labelbox's SDK; returns the JSON it printed after LABELPORT-RESULT. */
async function runPython(
  script: string,
  env: Record<string, string>,
): Promise<{ result: Record<string, unknown>; output: string }> {
  const child = spawn(
    RUN,
    [join(GUIDE_DIR, script), ...(script === 'run-guide.py' ? [join(GUIDE_DIR, 'guide.py')] : [])],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr.on('data', (c: Buffer) => (output += c.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  const line = output.split('\n').find((l) => l.startsWith('LABELPORT-RESULT '))
  assert.ok(code === 0 && line, `${script} failed (exit ${String(code)}):\n${output}`)
  return {
    result: JSON.parse(line.slice('LABELPORT-RESULT '.length)) as Record<string, unknown>,
    output,
  }
}

async function rest<T>(server: TestServer, path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${server.apiKey}` },
  })
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`)
  return (res.headers.get('content-type') ?? '').includes('ndjson')
    ? ((await res.text())
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as unknown) as T)
    : ((await res.json()) as T)
}

interface StatusLine {
  uuid: string
  status: string
  errors?: { name: string; code: string; message: string }[]
  warnings?: { name: string; code: string }[]
}
interface ImportJob {
  id: string
  name: string
  kind: string
  state: string
}

void describe("Labelbox's Python client", () => {
  void it('is ready: the run script installs its Debian packages on a fresh machine, else only checks', async (t) => {
    assert.ok(existsSync(RUN), `${RUN} is missing (set LABELPORT_SHARED_DIR)`)
    const started = Date.now()
    const child = spawn(RUN, ['-c', 'import labelbox; print(labelbox.__version__)'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    // the cost stays visible in the test output: about 75 s when apt-get installs, ~1 s after
    t.diagnostic(`labelbox-python ready in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    assert.equal(code, 0, output)
    assert.equal(output.trim(), '3.77.1')
  })
})

function suite(backend: { skip: string | false; databaseUrl?: () => string }, title: string) {
  void describe(
    `Labelbox's Python SDK runs the guide against Labelport (${title})`,
    {
      skip: backend.skip,
    },
    () => {
      let assets: Assets
      let server: TestServer
      let guide: Record<string, unknown>
      let guideOutput: string

      before(async () => {
        assert.ok(existsSync(RUN), `${RUN} is missing (set LABELPORT_SHARED_DIR)`)
        assets = await serveAssets()
        server = await startServer({
          ...(backend.databaseUrl ? { databaseUrl: backend.databaseUrl() } : {}),
          env: { LABELPORT_FETCH_ALLOW_HOSTS: '127.0.0.1' },
        })
        const ran = await runPython('run-guide.py', {
          LABELPORT_API_KEY: server.apiKey,
          LABELPORT_ENDPOINT: server.url,
          GUIDE_IMAGE_URL: `${assets.url}/image.jpeg`,
          GUIDE_MASK_URL: `${assets.url}/mask.png`,
        })
        guide = ran.result
        guideOutput = ran.output
      })
      after(async () => {
        await server?.stop()
        await assets?.close()
      })

      void it('creates the data row and the batch (no failed rows)', () => {
        assert.match(guideOutput, /Failed data rows: None/)
        assert.match(guideOutput, /^Errors: None$/m)
        assert.equal(guide['batchSize'], 1)
      })

      void it('MAL: every annotation of the label becomes a pre-label; the benchmark flag only warns', async () => {
        const projectId = String(guide['projectId'])
        const jobs = await rest<{ items: ImportJob[] }>(server, `/v1/projects/${projectId}/imports`)
        const mal = jobs.items.find((j) => j.kind === 'mal')
        assert.ok(mal)
        assert.equal(mal.state, 'FINISHED')
        const input = await rest<Record<string, unknown>[]>(server, `/v1/imports/${mal.id}/input`)
        // what the SDK really sent: the flag on every line, masks by URL
        assert.ok(input.length > 10)
        assert.ok(input.every((l) => l['isBenchmarkReferenceLabel'] === true))
        const statuses = await rest<StatusLine[]>(server, `/v1/imports/${mal.id}/statuses`)
        assert.equal(statuses.length, input.length)
        assert.ok(
          statuses.every((s) => s.status === 'SUCCESS'),
          JSON.stringify(statuses),
        )
        assert.ok(statuses.every((s) => s.warnings?.[0]?.code === 'benchmark_ignored'))
        assert.match(guideOutput, /^Errors: \[\]$/m) // the MAL job's upload_job.errors

        const rows = await rest<{ items: { id: string; globalKey: string }[] }>(
          server,
          `/v1/projects/${projectId}/data-rows`,
        )
        assert.equal(rows.items.length, 1)
        assert.equal(rows.items[0]?.globalKey, guide['globalKey'])
        const annotations = await rest<{
          label: { isBenchmarkReference: boolean } | null
          annotations: { layer: string; record: { uuid: string } }[]
        }>(server, `/v1/projects/${projectId}/data-rows/${rows.items[0]?.id ?? ''}/annotations`)
        const prelabels = annotations.annotations.filter((a) => a.layer === 'prelabel')
        assert.deepEqual(
          prelabels.map((a) => a.record.uuid).sort(),
          input.map((l) => String(l['uuid'])).sort(),
        )
      })

      void it('ground truth: all but the relationship, which fails with its reason in upload_job.errors', async () => {
        const label = guide['labelImport'] as {
          state: string
          errors: StatusLine[]
          statuses: StatusLine[]
        }
        assert.equal(label.state, 'FINISHED')
        assert.equal(label.errors.length, 1)
        assert.equal(label.errors[0]?.errors?.[0]?.name, 'relationship_not_allowed')
        assert.match(label.errors[0]?.errors?.[0]?.message ?? '', /relationship/i)
        const projectId = String(guide['projectId'])
        const rows = await rest<{ items: { id: string }[] }>(
          server,
          `/v1/projects/${projectId}/data-rows`,
        )
        const annotations = await rest<{
          label: { isBenchmarkReference: boolean } | null
          annotations: { layer: string; record: { uuid: string; kind: string } }[]
        }>(server, `/v1/projects/${projectId}/data-rows/${rows.items[0]?.id ?? ''}/annotations`)
        const labels = annotations.annotations.filter((a) => a.layer === 'label')
        const succeeded = label.statuses.filter((s) => s.status === 'SUCCESS').map((s) => s.uuid)
        assert.equal(succeeded.length, label.statuses.length - 1)
        assert.deepEqual(labels.map((a) => a.record.uuid).sort(), succeeded.sort())
        assert.ok(labels.every((a) => a.record.kind !== 'relationship'))
        assert.equal(annotations.label?.isBenchmarkReference, true)
      })
    },
  )

  void describe(
    `Labelbox's Python SDK: error paths and the other calls (${title})`,
    { skip: backend.skip },
    () => {
      let assets: Assets
      let server: TestServer
      let cases: Record<string, { ok: boolean; type?: string; message?: string; value?: unknown }>
      let more: Record<string, unknown>

      before(async () => {
        assets = await serveAssets()
        server = await startServer({
          ...(backend.databaseUrl ? { databaseUrl: backend.databaseUrl() } : {}),
          env: { LABELPORT_FETCH_ALLOW_HOSTS: '127.0.0.1' },
        })
        const ran = await runPython('error-paths.py', {
          LABELPORT_API_KEY: server.apiKey,
          LABELPORT_ENDPOINT: server.url,
          GUIDE_IMAGE_URL: `${assets.url}/image.jpeg`,
        })
        cases = ran.result as typeof cases
        more = (
          await runPython('more-calls.py', {
            LABELPORT_API_KEY: server.apiKey,
            LABELPORT_ENDPOINT: server.url,
            GUIDE_IMAGE_URL: `${assets.url}/image.jpeg`,
            GUIDE_NDJSON_URL: `${assets.url}/labels.ndjson`,
          })
        ).result
      })
      after(async () => {
        await server?.stop()
        await assets?.close()
      })

      void it('a bad key is the SDK AuthenticationError', () => {
        assert.equal(cases['bad_key']?.type, 'AuthenticationError')
      })
      void it('an unknown project id is the SDK ResourceNotFoundError', () => {
        assert.equal(cases['unknown_project']?.type, 'ResourceNotFoundError')
      })
      void it('a duplicate global key fails that row, named in task.errors', () => {
        const value = cases['duplicate_global_key']?.value as {
          first: unknown
          errors: { message: string; failedDataRows: { globalKey: string }[] }[]
          status: string
          rowCount: number
        }
        assert.equal(value.first, null)
        assert.equal(value.status, 'COMPLETE')
        assert.equal(value.errors.length, 1)
        assert.match(value.errors[0]?.message ?? '', /Duplicate global key: 'dup-key'/)
        assert.equal(value.errors[0]?.failedDataRows[0]?.globalKey, 'dup-key')
        assert.equal(value.rowCount, 0)
      })
      void it('an unsupported call is a GraphQL error naming it as not supported by Labelport', () => {
        assert.equal(cases['unsupported']?.type, 'InvalidQueryError')
        assert.match(
          cases['unsupported']?.message ?? '',
          /GetModelsPyApi|not supported by Labelport/,
        )
        assert.match(cases['unsupported']?.message ?? '', /not supported by Labelport/)
      })
      void it('task.result lists the created rows (successesfulDataRowImports)', () => {
        const result = more['task_result'] as { id: string; global_key: string; row_data: string }[]
        assert.equal(more['task_status'], 'COMPLETE')
        assert.equal(result.length, 1)
        assert.equal(result[0]?.global_key, 'more-calls-key')
        assert.match(result[0]?.id ?? '', /^c[0-9a-z]{24}$/)
        assert.equal(more['project_again'], 'more-calls')
      })
      void it('create_data_rows with a local file: the SDK uploads it, the row is created', () => {
        const result = more['file_result'] as { global_key: string; row_data: string }[]
        assert.equal(more['file_errors'], null)
        assert.equal(result[0]?.global_key, 'more-calls-file')
        assert.match(result[0]?.row_data ?? '', /^upload:\/\//)
      })
      void it('create_from_file: statuses, errors and inputs read back through signed URLs', () => {
        const job = more['from_file'] as {
          state: string
          statuses: StatusLine[]
          inputs: { uuid: string }[]
          errors: unknown[]
        }
        assert.equal(job.state, 'FINISHED')
        assert.deepEqual(
          job.statuses.map((st) => [st.uuid, st.status]),
          [['5f2b6a8e-3c1d-4e5f-8a9b-0c1d2e3f4a5b', 'SUCCESS']],
        )
        assert.deepEqual(
          job.inputs.map((l) => l.uuid),
          ['5f2b6a8e-3c1d-4e5f-8a9b-0c1d2e3f4a5b'],
        )
        assert.deepEqual(job.errors, [])
      })
      void it('create_from_url: the server fetches the NDJSON; the job is found again by name', () => {
        const job = more['from_url'] as { state: string; statuses: StatusLine[] }
        assert.equal(job.state, 'FINISHED')
        assert.deepEqual(
          job.statuses.map((st) => [st.uuid, st.status]),
          [['0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a', 'SUCCESS']],
        )
        assert.equal(more['from_name'], true)
      })
      void it('dataset.delete removes the dataset (get_dataset then raises ResourceNotFoundError)', () => {
        assert.equal(more['deleted'], true)
      })
      void it('a non-image project is refused with the reason, not a 500', () => {
        assert.equal(cases['video_project']?.type, 'InvalidQueryError')
        assert.match(cases['video_project']?.message ?? '', /expected "IMAGE" at mediaType/)
      })
    },
  )
}

suite({ skip: false }, 'SQLite')
const pg = postgres()
suite({ skip: pg.skip, databaseUrl: () => pg.value }, 'PostgreSQL')
