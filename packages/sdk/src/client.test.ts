import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AppError, api } from '@labelport/core'
import type { ImportJob, Task as TaskResource } from '@labelport/core'
import {
  ApiError,
  Client,
  LabelImport,
  LabelportError,
  MALPredictionImport,
  TransportError,
} from './index.ts'
import { checkImportLines } from './import-checks.ts'

const NOW = '2026-01-01T00:00:00.000Z'

function job(overrides: Partial<ImportJob> = {}): ImportJob {
  return {
    id: 'imp1',
    projectId: 'p1',
    name: 'job',
    kind: 'mal',
    dryRun: false,
    state: 'RUNNING',
    progress: '0%',
    createdAt: NOW,
    finishedAt: null,
    counts: { total: 2, success: 0, failure: 0 },
    errorCounts: {},
    errorExamples: {},
    failureReason: null,
    inputFileUrl: '/v1/imports/imp1/input',
    statusFileUrl: '/v1/imports/imp1/statuses',
    errorFileUrl: '/v1/imports/imp1/statuses?status=FAILURE',
    ...overrides,
  }
}

interface Seen {
  method: string
  url: URL
  headers: Headers
  body: string
}

/** A fetch that answers from a route table and records every request (bodies read whole). */
function fakeFetch(routes: Record<string, (seen: Seen) => Response | Promise<Response>>): {
  fetch: typeof fetch
  seen: Seen[]
} {
  const seen: Seen[] = []
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString())
    const body =
      init?.body === undefined || init.body === null ? '' : await new Response(init.body).text()
    const request: Seen = {
      method: init?.method ?? 'GET',
      url,
      headers: new Headers(init?.headers),
      body,
    }
    seen.push(request)
    const handler = routes[`${request.method} ${url.pathname}`]
    if (!handler)
      return Response.json(
        { error: { code: 'route_not_found', message: 'no route' } },
        { status: 404 },
      )
    return handler(request)
  }
  return { fetch: fetchImpl, seen }
}

void describe('Client', () => {
  void it('sends the bearer key and validates answers with the contract', async () => {
    const { fetch, seen } = fakeFetch({
      'POST /v1/datasets': () =>
        Response.json(
          { id: 'd1', name: 'demo', description: '', rowCount: 0, createdAt: NOW, updatedAt: NOW },
          { status: 201 },
        ),
    })
    const client = new Client('key-1', { endpoint: 'http://server.test/', fetch })
    const dataset = await client.createDataset({ name: 'demo' })
    assert.equal(dataset.uid, 'd1')
    assert.equal(dataset.rowCount, 0)
    assert.equal(seen[0]?.headers.get('authorization'), 'Bearer key-1')
    assert.deepEqual(JSON.parse(seen[0]?.body ?? ''), { name: 'demo' })
  })

  void it('without a key (null) sends no authorization, and the headers of its options', async () => {
    const { fetch, seen } = fakeFetch({
      'GET /v1/datasets/d1': () =>
        Response.json({
          id: 'd1',
          name: 'demo',
          description: '',
          rowCount: 0,
          createdAt: NOW,
          updatedAt: NOW,
        }),
    })
    const client = new Client(null, {
      endpoint: 'http://server.test',
      fetch,
      headers: { 'x-labelport-csrf': '1' },
    })
    await client.getDataset('d1')
    assert.equal(seen[0]?.headers.get('authorization'), null)
    assert.equal(seen[0]?.headers.get('x-labelport-csrf'), '1')
  })

  void it('validates each status line with the contract and names the line that does not match', async () => {
    const good = { line: 1, uuid: 'a', dataRow: { id: 'r1', globalKey: null }, status: 'SUCCESS' }
    const bad = { ...good, line: 2, status: 'MAYBE' }
    const { fetch } = fakeFetch({
      'GET /v1/imports/imp1/statuses': () =>
        new Response(`${JSON.stringify(good)}\n${JSON.stringify(bad)}\n`, {
          headers: { 'content-type': 'application/x-ndjson' },
        }),
    })
    const client = new Client('k', { endpoint: 'http://server.test', fetch })
    const seenLines: unknown[] = []
    await assert.rejects(
      (async () => {
        for await (const line of client.stream(api.getImportStatuses, {
          params: { importId: 'imp1' },
        }))
          seenLines.push(line)
      })(),
      (e: unknown) =>
        e instanceof LabelportError &&
        e.code === 'internal' &&
        /line 2 of GET/.test(e.message) &&
        e.issues[0]?.path[0] === 2 &&
        e.issues[0]?.path[1] === 'status',
    )
    assert.deepEqual(seenLines, [good])
  })

  void it('turns error bodies into ApiError with code, status, path and issues', async () => {
    const { fetch } = fakeFetch({
      'POST /v1/projects': () =>
        Response.json(
          {
            error: {
              code: 'name_taken',
              message: 'taken',
              path: ['name'],
              issues: [{ code: 'name_taken', message: 'taken', path: ['name'] }],
            },
          },
          { status: 409 },
        ),
    })
    const client = new Client('k', { endpoint: 'http://server.test', fetch })
    const err = await client.createProject({ name: 'x' }).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    )
    assert.ok(err instanceof ApiError)
    assert.ok(err instanceof LabelportError)
    assert.ok(err instanceof AppError)
    assert.equal(err.code, 'name_taken')
    assert.equal(err.status, 409)
    assert.deepEqual(err.path, ['name'])
    assert.equal(err.issues.length, 1)
  })

  void it('keeps a code for error bodies outside the catalogue', async () => {
    const { fetch } = fakeFetch({
      'GET /v1/projects/p1': () => new Response('bad gateway', { status: 502 }),
    })
    const client = new Client('k', { endpoint: 'http://server.test', fetch })
    await assert.rejects(
      client.getProject('p1'),
      (e: unknown) => e instanceof ApiError && e.code === 'unavailable' && e.status === 502,
    )
  })

  void it('wraps network failures in TransportError with the cause', async () => {
    const cause = new TypeError('fetch failed')
    const client = new Client('k', {
      endpoint: 'http://server.test',
      fetch: () => Promise.reject(cause),
    })
    await assert.rejects(
      client.getDataset('d1'),
      (e: unknown) => e instanceof TransportError && e.code === 'unavailable' && e.cause === cause,
    )
  })

  void it('checks request bodies against the contract before sending', async () => {
    const { fetch, seen } = fakeFetch({})
    const client = new Client('k', { endpoint: 'http://server.test', fetch })
    await assert.rejects(
      client.createDataset({ name: '' }),
      (e: unknown) =>
        e instanceof LabelportError && e.code === 'validation_failed' && e.path[0] === 'body',
    )
    assert.equal(seen.length, 0)
  })

  void it('rejects a response that does not match the contract', async () => {
    const { fetch } = fakeFetch({ 'GET /v1/datasets/d1': () => Response.json({ id: 'd1' }) })
    const client = new Client('k', { endpoint: 'http://server.test', fetch })
    await assert.rejects(
      client.getDataset('d1'),
      (e: unknown) => e instanceof LabelportError && e.code === 'internal',
    )
  })

  void it('needs an API key', () => {
    const saved = process.env['LABELPORT_API_KEY']
    delete process.env['LABELPORT_API_KEY']
    try {
      assert.throws(
        () => new Client(),
        (e: unknown) => e instanceof LabelportError && e.code === 'unauthenticated',
      )
    } finally {
      if (saved !== undefined) process.env['LABELPORT_API_KEY'] = saved
    }
  })

  void it('falls back to LABELPORT_API_KEY and LABELPORT_ENDPOINT', () => {
    const saved = {
      key: process.env['LABELPORT_API_KEY'],
      endpoint: process.env['LABELPORT_ENDPOINT'],
    }
    process.env['LABELPORT_API_KEY'] = 'from-env'
    process.env['LABELPORT_ENDPOINT'] = 'http://env.test:9'
    try {
      assert.equal(new Client().endpoint, 'http://env.test:9')
    } finally {
      for (const [name, value] of [
        ['LABELPORT_API_KEY', saved.key],
        ['LABELPORT_ENDPOINT', saved.endpoint],
      ] as const) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
  })
})

void describe('Task', () => {
  void it('polls until COMPLETE, exposes errors in Labelbox shape and refreshes the dataset', async () => {
    let polls = 0
    const task = (status: TaskResource['status']): TaskResource => ({
      id: 't1',
      type: 'create-data-rows',
      status,
      progress: status === 'COMPLETE' ? 100 : 0,
      createdAt: NOW,
      completedAt: null,
      createdDataRows: [],
      errors:
        status === 'COMPLETE'
          ? [
              {
                code: 'global_key_duplicate',
                message: "Duplicate global key: 'gk'",
                path: ['items', 0, 'globalKey'],
                failedDataRows: [{ rowData: 'http://x/a.jpg', globalKey: 'gk' }],
              },
            ]
          : [],
    })
    const { fetch } = fakeFetch({
      'POST /v1/datasets': () =>
        Response.json(
          { id: 'd1', name: 'n', description: '', rowCount: 0, createdAt: NOW, updatedAt: NOW },
          { status: 201 },
        ),
      'POST /v1/datasets/d1/data-rows': () => Response.json(task('IN_PROGRESS'), { status: 202 }),
      'GET /v1/tasks/t1': () => Response.json(task(++polls < 2 ? 'IN_PROGRESS' : 'COMPLETE')),
      'GET /v1/datasets/d1': () =>
        Response.json({
          id: 'd1',
          name: 'n',
          description: '',
          rowCount: 0,
          createdAt: NOW,
          updatedAt: NOW,
        }),
    })
    const client = new Client('k', { endpoint: 'http://server.test', fetch })
    const dataset = await client.createDataset({ name: 'n' })
    const created = await dataset.createDataRows([{ rowData: 'http://x/a.jpg', globalKey: 'gk' }])
    assert.equal(created.resource.errors.length, 0)
    await created.waitTillDone({ checkFrequencySeconds: 0.01 })
    assert.equal(created.status, 'COMPLETE')
    assert.equal(created.errors?.[0]?.code, 'global_key_duplicate')
    assert.equal(created.failedDataRows?.[0]?.failedDataRows[0]?.globalKey, 'gk')
    assert.deepEqual(created.result, [])
  })
})

void describe('imports', () => {
  const line = (globalKey: string, name = 'bounding_box'): Record<string, unknown> => ({
    name,
    dataRow: { globalKey },
    bbox: { top: 1, left: 1, height: 2, width: 2 },
  })

  void it('streams NDJSON to an upload, starts the job from it and polls until done', async () => {
    let polls = 0
    const { fetch, seen } = fakeFetch({
      'POST /v1/uploads': () =>
        Response.json(
          {
            id: 'u1',
            size: 10,
            sha256: 'x',
            contentType: 'application/x-ndjson',
            uri: 'upload://u1',
          },
          { status: 201 },
        ),
      'POST /v1/projects/p1/imports': () => Response.json(job(), { status: 202 }),
      'GET /v1/imports/imp1': () =>
        Response.json(
          job(
            ++polls < 3
              ? { progress: '50%' }
              : {
                  state: 'FINISHED',
                  progress: '100%',
                  counts: { total: 2, success: 1, failure: 1 },
                },
          ),
        ),
      'GET /v1/imports/imp1/statuses': (request) => {
        const all = [
          { line: 1, uuid: 'a', dataRow: { id: 'r1', globalKey: 'gk' }, status: 'SUCCESS' },
          {
            line: 2,
            uuid: 'b',
            dataRow: { id: 'r1', globalKey: 'gk' },
            status: 'FAILURE',
            errors: [
              { name: 'feature_unknown', code: 'feature_unknown', message: 'no', path: ['name'] },
            ],
          },
        ]
        const wanted = request.url.searchParams.get('status')
        const lines = all.filter((l) => wanted === null || l.status === wanted)
        return new Response(lines.map((l) => JSON.stringify(l)).join('\n') + '\n', {
          headers: { 'content-type': 'application/x-ndjson' },
        })
      },
    })
    const client = new Client('k', { endpoint: 'http://server.test', fetch })
    const progress: string[] = []
    const mal = await MALPredictionImport.createFromObjects({
      client,
      projectId: 'p1',
      name: 'job',
      predictions: [line('gk'), line('gk', 'nope')],
    })
    assert.ok(mal instanceof MALPredictionImport)
    await mal.waitUntilDone({
      sleepTimeSeconds: 0.01,
      onProgress: (j) => progress.push(j.progress),
    })
    assert.equal(mal.state, 'FINISHED')
    assert.deepEqual(progress, ['0%', '50%', '50%', '100%'])

    const upload = seen.find((s) => s.url.pathname === '/v1/uploads')
    assert.equal(upload?.headers.get('content-type'), 'application/x-ndjson')
    assert.deepEqual(
      upload?.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
      [line('gk'), line('gk', 'nope')],
    )
    const start = seen.find((s) => s.url.pathname === '/v1/projects/p1/imports')
    assert.deepEqual(JSON.parse(start?.body ?? ''), {
      name: 'job',
      kind: 'mal',
      source: { uploadId: 'u1' },
    })

    assert.equal((await mal.statuses()).length, 2)
    const errors = await mal.errors()
    assert.equal(errors.length, 1)
    assert.equal(errors[0]?.errors?.[0]?.code, 'feature_unknown')
  })

  void it('LabelImport sends kind ground_truth; validate uses the dry-run endpoint', async () => {
    const { fetch, seen } = fakeFetch({
      'POST /v1/uploads': () =>
        Response.json(
          {
            id: 'u1',
            size: 10,
            sha256: 'x',
            contentType: 'application/x-ndjson',
            uri: 'upload://u1',
          },
          { status: 201 },
        ),
      'POST /v1/projects/p1/imports': () =>
        Response.json(job({ kind: 'ground_truth' }), { status: 202 }),
      'POST /v1/projects/p1/imports/validate': () =>
        Response.json(job({ dryRun: true }), { status: 202 }),
    })
    const client = new Client('k', { endpoint: 'http://server.test', fetch })
    const gt = await LabelImport.createFromObjects({
      client,
      projectId: 'p1',
      name: 'gt',
      labels: [line('gk')],
    })
    assert.ok(gt instanceof LabelImport)
    assert.equal(JSON.parse(seen[1]?.body ?? '').kind, 'ground_truth')
    const dry = await MALPredictionImport.validate({
      client,
      projectId: 'p1',
      name: 'dry',
      predictions: [line('gk')],
    })
    assert.equal(dry.dryRun, true)
    assert.equal(seen.at(-1)?.url.pathname, '/v1/projects/p1/imports/validate')
  })

  void it('checks the input on the client before uploading anything', async () => {
    const { fetch, seen } = fakeFetch({})
    const client = new Client('k', { endpoint: 'http://server.test', fetch })
    const target = { client, projectId: 'p1', name: 'job' }
    const fails = (code: string, path: (string | number)[]) => (e: unknown) =>
      e instanceof LabelportError &&
      e.code === code &&
      JSON.stringify(e.path) === JSON.stringify(path)

    await assert.rejects(
      MALPredictionImport.createFromObjects({ ...target, predictions: 'x' as never }),
      fails('validation_failed', ['predictions']),
    )
    await assert.rejects(
      MALPredictionImport.createFromObjects({ ...target, predictions: [] }),
      fails('validation_failed', ['predictions']),
    )
    await assert.rejects(
      MALPredictionImport.createFromObjects({
        ...target,
        predictions: [{ name: 'point', point: { x: 1, y: 1 } }],
      }),
      fails('data_row_missing', ['predictions', 0, 'dataRow']),
    )
    await assert.rejects(
      LabelImport.createFromObjects({
        ...target,
        labels: [{ name: 'point', dataRow: { id: 'r', globalKey: 'g' }, point: { x: 1, y: 1 } }],
      }),
      fails('data_row_ref_invalid', ['labels', 0, 'dataRow']),
    )
    assert.equal(seen.length, 0)
  })

  void it('limits annotations per data row and feature to 5000 (lines with only a schemaId are not counted)', () => {
    const lines = Array.from({ length: 5001 }, () => line('gk'))
    const issues = checkImportLines(lines)
    assert.equal(issues.length, 1)
    assert.equal(issues[0]?.code, 'annotations_per_feature_exceeded')
    assert.deepEqual(issues[0]?.path, [5000, 'name'])
    assert.deepEqual(checkImportLines(lines.slice(0, 5000)), [])
    assert.deepEqual(
      checkImportLines([...lines.slice(0, 5000), line('other'), line('gk', 'polygon')]),
      [],
    )
    const schemaOnly = Array.from({ length: 5001 }, () => ({
      schemaId: 'c'.repeat(25),
      dataRow: { globalKey: 'gk' },
      point: { x: 1, y: 1 },
    }))
    assert.deepEqual(checkImportLines(schemaOnly), [])
  })

  void it("reads data row references with core's line grammar: the server's codes and paths", () => {
    const point = { name: 'p', point: { x: 1, y: 1 } }
    const codes = checkImportLines([
      { ...point },
      { ...point, dataRow: 'gk' },
      { ...point, dataRow: { id: '' } },
      { ...point, dataRow: { id: 'a', globalKey: 'b' } },
      { ...point, dataRow: { globalKey: 7 } },
      { ...point, dataRow: { id: 'fine' } },
    ]).map((i) => [i.code, i.path])
    assert.deepEqual(codes, [
      ['data_row_missing', [0, 'dataRow']],
      ['data_row_ref_invalid', [1, 'dataRow']],
      ['data_row_ref_invalid', [2, 'dataRow', 'id']],
      ['data_row_ref_invalid', [3, 'dataRow']],
      ['data_row_ref_invalid', [4, 'dataRow', 'globalKey']],
    ])
  })
})
