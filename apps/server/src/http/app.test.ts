// Over 500 lines: the guide's workflow end to end on both databases, one scenario after another on one harness.
/**
 * The HTTP API in-process (app.request, no network), on SQLite and on PostgreSQL: the guide's whole
 * workflow with its exact NDJSON payload, partial success, coded errors, dry runs and the export.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import { StatusLineSchema, type ImportJob, type StatusLine, type Task } from '@labelport/core'
import { SHARED_FIXTURES, freshSchemaUrl, postgres } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'

const API_KEY = 'test-key-4f9a2c7e1b3d58'
const GLOBAL_KEY = '2560px-Kitano_Street_Kobe01s5s4110.jpeg'
const SIZE = { width: 2560, height: 1920 }
const MASK_COLORS: [number, number, number][] = [
  [73, 39, 85],
  [111, 87, 176],
  [255, 0, 0],
]

const pgNeed = postgres()

interface Harness {
  server: ComposedServer
  call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>
  upload(bytes: Uint8Array | string, type?: string): Promise<{ id: string; uri: string }>
  importLines(
    projectId: string,
    name: string,
    kind: 'mal' | 'ground_truth',
    lines: unknown[],
    dryRun?: boolean,
  ): Promise<{ job: ImportJob; statuses: StatusLine[] }>
  close(): Promise<void>
}

async function makeHarness(dialect: 'sqlite' | 'postgres'): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'labelport-http-'))
  const schema = dialect === 'postgres' ? await freshSchemaUrl(pgNeed.value) : null
  const server = await composeServer({
    ...readConfig(['--data-dir', dataDir], {}),
    databaseUrl: schema?.url ?? null,
    bootstrapApiKey: API_KEY,
  })
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await server.app.request(path, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    })
    const text = await res.text()
    const type = res.headers.get('content-type') ?? ''
    return {
      status: res.status,
      body: (type.includes('ndjson')
        ? text
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as unknown)
        : text
          ? JSON.parse(text)
          : null) as T,
    }
  }
  const upload = async (bytes: Uint8Array | string, type = 'application/octet-stream') => {
    const res = await server.app.request('/v1/uploads', {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': type },
      body: bytes,
    })
    assert.equal(res.status, 201)
    return (await res.json()) as { id: string; uri: string }
  }
  const importLines = async (
    projectId: string,
    name: string,
    kind: 'mal' | 'ground_truth',
    lines: unknown[],
    dryRun = false,
  ) => {
    const created = await call<ImportJob>(
      'POST',
      `/v1/projects/${projectId}/imports${dryRun ? '/validate' : ''}`,
      { name, kind, source: { lines } },
    )
    assert.equal(created.status, 202, JSON.stringify(created.body))
    await server.importWorker.whenIdle()
    const job = (await call<ImportJob>('GET', `/v1/imports/${created.body.id}`)).body
    // every status line the server streams is what the contract's line schema says
    const statuses = StatusLineSchema.array().parse(
      (await call('GET', `/v1/imports/${created.body.id}/statuses`)).body,
    )
    return { job, statuses }
  }
  return {
    server,
    call,
    upload,
    importLines,
    async close() {
      await server.close()
      await schema?.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

async function waitForTask(h: Harness, id: string): Promise<Task> {
  for (;;) {
    const task = (await h.call<Task>('GET', `/v1/tasks/${id}`)).body
    if (task.status !== 'IN_PROGRESS') return task
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The guide's composite mask, made here: three color blocks on black. */
async function compositeMask(): Promise<Buffer> {
  const raw = Buffer.alloc(SIZE.width * SIZE.height * 3)
  MASK_COLORS.forEach(([r, g, b], i) => {
    for (let y = 100 + i * 300; y < 300 + i * 300; y++) {
      for (let x = 200 + i * 400; x < 500 + i * 400; x++) {
        const o = (y * SIZE.width + x) * 3
        raw[o] = r
        raw[o + 1] = g
        raw[o + 2] = b
      }
    }
  })
  return sharp(raw, { raw: { ...SIZE, channels: 3 } })
    .png()
    .toBuffer()
}

function guideLines(maskBase64: string): Record<string, unknown>[] {
  const seed = JSON.parse(
    readFileSync(`${SHARED_FIXTURES}labelbox/derived/seed_image_notebook_ndjson.json`, 'utf8'),
  ) as { lines: { var: string; line: Record<string, unknown> }[] }
  const source = crypto.randomUUID()
  const target = crypto.randomUUID()
  const replace = (value: string) =>
    value
      .replace('<GLOBAL_KEY>', GLOBAL_KEY)
      .replace('<UUID_SOURCE>', source)
      .replace('<UUID_TARGET>', target)
  const lines = seed.lines
    .filter((l) => !l.var.startsWith('cp_mask'))
    .map((l) => JSON.parse(replace(JSON.stringify(l.line))) as Record<string, unknown>)
  // one line per color of the composite, as the guide does
  lines.push({
    name: 'mask_with_text_subclass',
    mask: { imBytes: maskBase64, colorRGB: MASK_COLORS[0] },
    classifications: [{ name: 'sub_free_text', answer: 'free text answer' }],
    dataRow: { globalKey: GLOBAL_KEY },
  })
  lines.push({
    name: 'mask_with_text_subclass',
    mask: { imBytes: maskBase64, colorRGB: MASK_COLORS[1] },
    classifications: [{ name: 'sub_free_text', answer: 'free text answer' }],
    dataRow: { globalKey: GLOBAL_KEY },
  })
  lines.push({
    name: 'mask',
    classifications: [],
    mask: { imBytes: maskBase64, colorRGB: MASK_COLORS[2] },
    dataRow: { globalKey: GLOBAL_KEY },
  })
  return lines
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`HTTP API on ${dialect}`, { skip: dialect === 'postgres' ? pgNeed.skip : false }, () => {
    let h: Harness
    let projectId = ''
    let datasetId = ''
    let maskBase64 = ''

    before(async () => {
      h = await makeHarness(dialect)
      maskBase64 = (await compositeMask()).toString('base64')
    })
    after(async () => {
      await h.close()
    })

    it('answers 401 unauthenticated without a key and 404 route_not_found for unknown routes', async () => {
      const res = await h.server.app.request('/v1/datasets')
      assert.equal(res.status, 401)
      assert.equal(
        ((await res.json()) as { error: { code: string } }).error.code,
        'unauthenticated',
      )
      const missing = await h.call<{ error: { code: string } }>('GET', '/v1/nothing-here')
      assert.equal(missing.status, 404)
      assert.equal(missing.body.error.code, 'route_not_found')
      assert.equal((await h.server.app.request('/healthz')).status, 200)
    })

    it('answers malformed bodies with validation_failed and the path of the field', async () => {
      const notJson = await h.call<{ error: { code: string; path: unknown[] } }>(
        'POST',
        '/v1/datasets',
        '{"name": ',
      )
      assert.equal(notJson.status, 400)
      assert.equal(notJson.body.error.code, 'validation_failed')
      const badField = await h.call<{ error: { code: string; path: unknown[] } }>(
        'POST',
        '/v1/datasets',
        { name: 42 },
      )
      assert.equal(badField.status, 400)
      assert.deepEqual(badField.body.error.path, ['body', 'name'])
      const badBatch = await h.call<{ error: { path: unknown[] } }>(
        'POST',
        '/v1/projects/cnone00000000000000000000/batches',
        { name: 'b', globalKeys: ['k'], priority: 9 },
      )
      assert.equal(badBatch.status, 400)
      assert.deepEqual(badBatch.body.error.path, ['body', 'priority'])
    })

    it('runs the guide: data rows, ontology, project, batch, and a duplicate global key error naming the key', async () => {
      const image = await sharp({
        create: { ...SIZE, channels: 3, background: { r: 90, g: 120, b: 150 } },
      })
        .jpeg()
        .toBuffer()
      const { uri } = await h.upload(image, 'image/jpeg')
      const dataset = (
        await h.call<{ id: string }>('POST', '/v1/datasets', { name: 'image-demo-dataset' })
      ).body
      datasetId = dataset.id
      const created = await h.call<Task>('POST', `/v1/datasets/${dataset.id}/data-rows`, {
        items: [{ rowData: uri, globalKey: GLOBAL_KEY }],
      })
      assert.equal(created.status, 202)
      const task = await waitForTask(h, created.body.id)
      assert.equal(task.status, 'COMPLETE')
      assert.equal(task.createdDataRows.length, 1)
      assert.equal(task.errors.length, 0)

      // a retry of the same row (same key, same row data) is idempotent: the same row, no error
      const retry = await waitForTask(
        h,
        (
          await h.call<Task>('POST', `/v1/datasets/${dataset.id}/data-rows`, {
            items: [{ rowData: uri, globalKey: GLOBAL_KEY }],
          })
        ).body.id,
      )
      assert.deepEqual(retry.errors, [])
      assert.equal(retry.createdDataRows[0]?.id, task.createdDataRows[0]?.id)

      // the same key for other row data is a duplicate
      const other = await h.upload(
        await sharp({ create: { ...SIZE, channels: 3, background: '#123' } })
          .jpeg()
          .toBuffer(),
        'image/jpeg',
      )
      const again = await waitForTask(
        h,
        (
          await h.call<Task>('POST', `/v1/datasets/${dataset.id}/data-rows`, {
            items: [{ rowData: other.uri, globalKey: GLOBAL_KEY }],
          })
        ).body.id,
      )
      assert.equal(again.createdDataRows.length, 0)
      assert.equal(again.errors[0]?.code, 'global_key_duplicate')
      assert.match(
        again.errors[0]?.message ?? '',
        new RegExp(`Duplicate global key: '${GLOBAL_KEY.replace(/\./g, '\\.')}'`),
      )
      assert.equal(again.errors[0]?.failedDataRows[0]?.globalKey, GLOBAL_KEY)

      const row = (
        await h.call<{
          items: { mediaAttributes: { width: number; height: number; mimeType: string } }[]
        }>('GET', `/v1/datasets/${dataset.id}/data-rows`)
      ).body.items[0]
      assert.deepEqual(row?.mediaAttributes, {
        width: SIZE.width,
        height: SIZE.height,
        mimeType: 'image/jpeg',
        exifOrientation: 1,
      })

      const normalized = JSON.parse(
        readFileSync(
          `${SHARED_FIXTURES}labelbox/derived/seed_ontology_builder_asdict.json`,
          'utf8',
        ),
      ) as unknown
      const ontology = (
        await h.call<{ id: string; normalized: { tools: { featureSchemaId: string | null }[] } }>(
          'POST',
          '/v1/ontologies',
          { name: 'Image Annotation Import Demo Ontology', normalized, mediaType: 'IMAGE' },
        )
      ).body
      assert.ok(ontology.normalized.tools.every((t) => typeof t.featureSchemaId === 'string'))
      const project = (
        await h.call<{ id: string }>('POST', '/v1/projects', {
          name: 'Image Annotation Import Demo',
          mediaType: 'IMAGE',
        })
      ).body
      projectId = project.id
      assert.equal(
        (await h.call('PUT', `/v1/projects/${projectId}/ontology`, { ontologyId: ontology.id }))
          .status,
        200,
      )
      const batch = await h.call<{ size: number; priority: number }>(
        'POST',
        `/v1/projects/${projectId}/batches`,
        { name: 'image-demo-batch', globalKeys: [GLOBAL_KEY], priority: 1 },
      )
      assert.equal(batch.status, 201)
      assert.equal(batch.body.size, 1)
      const sameName = await h.call<{ error: { code: string } }>(
        'POST',
        `/v1/projects/${projectId}/batches`,
        { name: 'image-demo-batch', globalKeys: [GLOBAL_KEY] },
      )
      assert.equal(sameName.body.error.code, 'name_taken')
    })

    it('imports the guide payload as MAL with every status SUCCESS', async () => {
      const lines = guideLines(maskBase64)
      const { job, statuses } = await h.importLines(projectId, 'mal_job', 'mal', lines)
      assert.equal(job.state, 'FINISHED')
      assert.equal(job.progress, '100%')
      assert.equal(statuses.length, lines.length)
      assert.deepEqual(
        statuses.filter((s) => s.status !== 'SUCCESS'),
        [],
      )
      assert.deepEqual(job.counts, { total: lines.length, success: lines.length, failure: 0 })
    })

    it('imports the guide payload as ground truth: relationships fail with relationship_not_allowed, all else succeeds', async () => {
      const lines = guideLines(maskBase64)
      const { job, statuses } = await h.importLines(projectId, 'gt_job', 'ground_truth', lines)
      const failed = statuses.filter((s) => s.status === 'FAILURE')
      assert.equal(failed.length, 1)
      assert.equal(failed[0]?.errors?.[0]?.code, 'relationship_not_allowed')
      assert.equal(lines[(failed[0]?.line ?? 0) - 1]?.['relationship'] !== undefined, true)
      assert.deepEqual(job.errorCounts, { relationship_not_allowed: 1 })
    })

    it('refuses a second import with the same name in the project', async () => {
      const res = await h.call<{ error: { code: string; path: unknown[] } }>(
        'POST',
        `/v1/projects/${projectId}/imports`,
        { name: 'mal_job', kind: 'mal', source: { lines: [{}] } },
      )
      assert.equal(res.status, 409)
      assert.equal(res.body.error.code, 'name_taken')
    })

    it('exports exactly what succeeded: pre-labels beside labels', async () => {
      const lines = guideLines(maskBase64)
      const rows = (await h.call<Record<string, any>[]>('GET', `/v1/projects/${projectId}/export`))
        .body
      assert.equal(rows.length, 1)
      const entry = rows[0]!['projects'][projectId]
      const count = (a: {
        objects: unknown[]
        classifications: unknown[]
        relationships: unknown[]
      }) => a.objects.length + a.classifications.length + a.relationships.length
      assert.equal(count(entry.prelabels[0].annotations), lines.length)
      assert.equal(count(entry.labels[0].annotations), lines.length - 1)
      assert.equal(entry.labels[0].annotations.relationships.length, 0)
      assert.equal(entry.prelabels[0].annotations.relationships.length, 1)
      const masks = entry.labels[0].annotations.objects.filter(
        (o: { composite_mask?: unknown }) => o.composite_mask,
      )
      assert.equal(masks.length, 3)
      assert.deepEqual(
        masks
          .map((m: { composite_mask: { color_rgb: number[] } }) => m.composite_mask.color_rgb)
          .sort(),
        [...MASK_COLORS].sort(),
      )
      // the composite is stored once and served by Labelport
      const urls = new Set(
        masks.map((m: { composite_mask: { url: string } }) => m.composite_mask.url),
      )
      assert.equal(urls.size, 1)
      const maskPath = new URL([...urls][0] as string).pathname
      const png = await h.server.app.request(maskPath, {
        headers: { authorization: `Bearer ${API_KEY}` },
      })
      assert.equal(png.status, 200)
      assert.equal(png.headers.get('content-type'), 'image/png')
    })

    it('lists each data row with the projects that use it and its counts there', async () => {
      const page = (
        await h.call<{
          items: {
            globalKey: string
            usage: { projectId: string; prelabelCount: number; labelCount: number }[]
          }[]
        }>('GET', `/v1/datasets/${datasetId}/data-rows`)
      ).body
      const usage = page.items.find((r) => r.globalKey === GLOBAL_KEY)?.usage
      const lines = guideLines(maskBase64).length
      assert.deepEqual(
        usage?.map((u) => [u.projectId, u.prelabelCount, u.labelCount]),
        [[projectId, lines, lines - 1]],
      )
    })

    it('gives each malformed line a coded FAILURE and still imports the others', async () => {
      const good = { name: 'point', point: { x: 10, y: 10 }, dataRow: { globalKey: GLOBAL_KEY } }
      const lines = [
        JSON.stringify(good),
        '{"name": "point", "point": {"x": 1',
        '[1, 2, 3]',
        JSON.stringify({ ...good, name: 'no_such_tool' }),
        JSON.stringify({ name: 'point', point: { x: 1, y: 1 } }),
        JSON.stringify({ ...good, dataRow: { globalKey: 'not-a-known-key' } }),
        JSON.stringify({ ...good, point: { x: 5, y: 6 } }),
      ]
      const { job, statuses } = await h.importLines(projectId, 'malformed', 'mal', lines)
      assert.equal(job.state, 'FINISHED')
      const byLine = new Map(statuses.map((s) => [s.line, s]))
      assert.equal(byLine.get(1)?.status, 'SUCCESS')
      assert.equal(byLine.get(2)?.errors?.[0]?.code, 'line_not_json')
      assert.equal(byLine.get(3)?.errors?.[0]?.code, 'line_not_object')
      assert.equal(byLine.get(4)?.errors?.[0]?.code, 'feature_unknown')
      assert.equal(byLine.get(5)?.errors?.[0]?.code, 'data_row_missing')
      assert.equal(byLine.get(6)?.errors?.[0]?.code, 'data_row_unknown')
      assert.equal(byLine.get(7)?.status, 'SUCCESS')
      assert.deepEqual(job.counts, { total: 7, success: 2, failure: 5 })
      const failures = (
        await h.call<StatusLine[]>(
          'GET',
          `/v1/imports/${job.id}/statuses?status=FAILURE&code=feature_unknown`,
        )
      ).body
      assert.deepEqual(
        failures.map((s) => s.line),
        [4],
      )
      // search: a substring of the global key, the message or the code, ignoring case
      const search = async (text: string) =>
        (
          await h.call<StatusLine[]>(
            'GET',
            `/v1/imports/${job.id}/statuses?status=FAILURE&search=${encodeURIComponent(text)}`,
          )
        ).body.map((s) => s.line)
      assert.deepEqual(await search('NOT-A-KNOWN'), [6])
      assert.deepEqual(await search('feature_unk'), [4])
      assert.deepEqual(await search('no_such_tool'), [4])
      assert.deepEqual(await search('nothing matches this'), [])
      assert.deepEqual(await search(''), [2, 3, 4, 5, 6])
    })

    it('dry-runs an import: the same statuses, nothing written', async () => {
      const before = await h.server.repositories.annotations.countAnnotations(projectId)
      const lines = [
        { name: 'point', point: { x: 3, y: 4 }, dataRow: { globalKey: GLOBAL_KEY } },
        { name: 'point', point: { x: 3, y: 99999 }, dataRow: { globalKey: GLOBAL_KEY } },
      ]
      const { job, statuses } = await h.importLines(projectId, 'dry', 'mal', lines, true)
      assert.equal(job.dryRun, true)
      assert.deepEqual(
        statuses.map((s) => s.status),
        ['SUCCESS', 'FAILURE'],
      )
      assert.equal(statuses[1]?.errors?.[0]?.code, 'geometry_out_of_bounds')
      assert.deepEqual(await h.server.repositories.annotations.countAnnotations(projectId), before)
    })

    it('replaces a MAL pre-label when the same uuid is imported again', async () => {
      const uuid = crypto.randomUUID()
      const line = (x: number) => ({
        uuid,
        name: 'point',
        point: { x, y: 7 },
        dataRow: { globalKey: GLOBAL_KEY },
      })
      await h.importLines(projectId, 'replace-1', 'mal', [line(11)])
      const before = await h.server.repositories.annotations.countAnnotations(projectId)
      await h.importLines(projectId, 'replace-2', 'mal', [line(12)])
      assert.deepEqual(await h.server.repositories.annotations.countAnnotations(projectId), before)
      const view = (
        await h.call<{ annotations: { record: { uuid: string; geometry?: { x: number } } }[] }>(
          'GET',
          `/v1/projects/${projectId}/data-rows/${(await h.server.repositories.datasets.lookupDataRows('cdefaultorganization00000', projectId, { ids: [], globalKeys: [GLOBAL_KEY] }))[0]?.id ?? ''}/annotations`,
        )
      ).body
      const mine = view.annotations.filter((a) => a.record.uuid === uuid)
      assert.equal(mine.length, 1)
      assert.equal(mine[0]?.record.geometry?.x, 12)
    })
  })
}
