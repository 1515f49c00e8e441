/**
 * Issue 9, items 6 and 7, on SQLite and PostgreSQL alike: NUL and lone surrogates refused per
 * import line and per request field (nothing else of the import or request lost), nesting past the
 * documented limits refused with a code; and over a real socket, what Node's HTTP parser refuses
 * (20 KB of headers, bytes that are not HTTP) answered with the same JSON error body.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  ErrorBodySchema,
  MAX_BODY_DEPTH,
  MAX_LINE_DEPTH,
  type ImportJob,
  type StatusLine,
} from '@labelport/core'
import { postgres } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { startServer, type RunningServer } from '../compose.ts'
import { makeWorld, type World } from '../../test/world.ts'

const pgNeed = postgres()

const nestedArrays = (depth: number): unknown => {
  let value: unknown = 1
  for (let i = 1; i < depth; i++) value = [value]
  return [value]
}

/** An ontology whose radio questions nest `levels` deep through their options. */
function nestedOntology(levels: number): unknown {
  let classifications: unknown[] = []
  for (let i = 0; i < levels; i++)
    classifications = [
      { type: 'radio', name: `q${i}`, options: [{ value: `o${i}`, label: 'o', classifications }] },
    ]
  return { tools: [{ tool: 'point', name: 'point' }], classifications }
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `NUL, surrogates and nesting on ${dialect}`,
    { skip: dialect === 'postgres' && pgNeed.skip },
    () => {
      let w: World
      before(async () => {
        w = await makeWorld(dialect === 'postgres' ? pgNeed.value : null)
      })
      after(async () => {
        await w?.close()
      })

      async function runImport(
        source: unknown,
      ): Promise<{ job: ImportJob; statuses: StatusLine[] }> {
        const created = await w.call<ImportJob>('POST', `/v1/projects/${w.a.projectId}/imports`, {
          name: `text ${Math.random()}`,
          kind: 'mal',
          source,
        })
        assert.equal(created.status, 202, JSON.stringify(created.body))
        await w.server.importWorker.whenIdle()
        const job = (await w.call<ImportJob>('GET', `/v1/imports/${created.body.id}`)).body
        const res = await w.request('GET', `/v1/imports/${created.body.id}/statuses`)
        const statuses = (await res.text())
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as StatusLine)
        return { job, statuses }
      }

      const annotationCount = async () =>
        (
          await w.call<{ annotations: unknown[] }>(
            'GET',
            `/v1/projects/${w.a.projectId}/data-rows/${w.a.dataRowId}/annotations`,
          )
        ).body.annotations.length

      it('an uploaded import: each NUL, surrogate or too-deep line fails alone, the others are stored', async () => {
        const gk = w.a.globalKey
        const lines = [
          { name: 'point', point: { x: 1, y: 1 }, dataRow: { globalKey: gk } },
          { name: 'point', point: { x: 2, y: 2 }, dataRow: { globalKey: 'a\u0000b' } },
          { name: 'poi\u0000nt', point: { x: 3, y: 3 }, dataRow: { globalKey: gk } },
          { name: 'point', point: { x: 4, y: 4 }, dataRow: { globalKey: `${gk}\ud800` } },
          {
            name: 'point',
            point: { x: 5, y: 5 },
            dataRow: { globalKey: gk },
            extra: nestedArrays(5000),
          },
          { name: 'point', point: { x: 6, y: 6 }, dataRow: { globalKey: gk } },
        ]
        // the deep line is written by hand: JSON.stringify would recurse 5000 levels
        const text = lines
          .map((l, i) =>
            i === 4
              ? `{"name":"point","point":{"x":5,"y":5},"dataRow":{"globalKey":"${gk}"},"extra":${'['.repeat(5000)}1${']'.repeat(5000)}}`
              : JSON.stringify(l),
          )
          .join('\n')
        const up = await w.request('POST', '/v1/uploads', {
          body: text,
          headers: { 'content-type': 'application/x-ndjson' },
        })
        assert.equal(up.status, 201)
        const before = await annotationCount()
        const { job, statuses } = await runImport({
          uploadId: ((await up.json()) as { id: string }).id,
        })
        assert.equal(job.state, 'FINISHED', JSON.stringify(job))
        assert.equal(statuses.length, 6)
        const byLine = statuses
          .sort((a, b) => a.line - b.line)
          .map((s) => [s.status, s.errors?.[0]?.code ?? null, s.errors?.[0]?.path ?? null])
        assert.deepEqual(byLine, [
          ['SUCCESS', null, null],
          ['FAILURE', 'text_invalid', ['dataRow', 'globalKey']],
          ['FAILURE', 'text_invalid', ['name']],
          ['FAILURE', 'text_invalid', ['dataRow', 'globalKey']],
          [
            'FAILURE',
            'nesting_too_deep',
            ['extra', ...new Array<number>(MAX_LINE_DEPTH - 1).fill(0)],
          ],
          ['SUCCESS', null, null],
        ])
        assert.equal(await annotationCount(), before + 2)
      })

      it('inline lines: NUL fails its line only; a line past the line limit fails alone; past the body limit the request is refused', async () => {
        const gk = w.a.globalKey
        const before = await annotationCount()
        const { job, statuses } = await runImport({
          lines: [
            { name: 'point', point: { x: 7, y: 7 }, dataRow: { globalKey: 'x\u0000' } },
            { name: 'point', point: { x: 8, y: 8 }, dataRow: { globalKey: gk } },
            {
              name: 'point',
              point: { x: 9, y: 9 },
              dataRow: { globalKey: gk },
              extra: nestedArrays(80),
            },
          ],
        })
        assert.equal(job.state, 'FINISHED')
        assert.deepEqual(
          statuses.sort((a, b) => a.line - b.line).map((s) => s.errors?.[0]?.code ?? s.status),
          ['text_invalid', 'SUCCESS', 'nesting_too_deep'],
        )
        assert.equal(await annotationCount(), before + 1)

        const deep = await w.call<{ error: { code: string; path: unknown[] } }>(
          'POST',
          `/v1/projects/${w.a.projectId}/imports`,
          {
            name: 'too deep',
            kind: 'mal',
            source: {
              lines: [{ name: 'point', dataRow: { globalKey: gk }, extra: nestedArrays(500) }],
            },
          },
        )
        assert.equal(deep.status, 422)
        assert.equal(deep.body.error.code, 'nesting_too_deep')
        assert.deepEqual(deep.body.error.path.slice(0, 6), [
          'body',
          'source',
          'lines',
          0,
          'extra',
          0,
        ])
        assert.equal(deep.body.error.path.length, MAX_BODY_DEPTH + 1)
      })

      it('create-data-rows: a NUL global key is refused with its field path and nothing is created', async () => {
        const listed = async () =>
          (await w.call<{ items: unknown[] }>('GET', `/v1/datasets/${w.a.datasetId}/data-rows`))
            .body.items.length
        const before = await listed()
        const res = await w.call<{ error: { code: string; path: unknown[]; message: string } }>(
          'POST',
          `/v1/datasets/${w.a.datasetId}/data-rows`,
          {
            items: [
              { rowData: `upload://${w.a.uploadId}`, globalKey: 'fine' },
              { rowData: `upload://${w.a.uploadId}`, globalKey: 'a\u0000b' },
            ],
          },
        )
        assert.equal(res.status, 422)
        assert.equal(res.body.error.code, 'text_invalid')
        assert.deepEqual(res.body.error.path, ['body', 'items', 1, 'globalKey'])
        assert.match(res.body.error.message, /NUL/)
        await w.server.catalog.drain()
        assert.equal(await listed(), before)
      })

      it('names, descriptions, ontology names, ids, query strings: one coded refusal each, naming the field', async () => {
        const cases: [string, string, unknown, string, (string | number)[]][] = [
          ['POST', '/v1/datasets', { name: 'a\u0000' }, 'text_invalid', ['body', 'name']],
          [
            'POST',
            '/v1/datasets',
            { name: 'ok', description: '\ud800' },
            'text_invalid',
            ['body', 'description'],
          ],
          [
            'POST',
            '/v1/projects',
            { name: 'p', description: 'x\u0000' },
            'text_invalid',
            ['body', 'description'],
          ],
          [
            'POST',
            '/v1/ontologies',
            { name: 'o', normalized: { tools: [{ tool: 'point', name: 'p\u0000' }] } },
            'text_invalid',
            ['body', 'normalized', 'tools', 0, 'name'],
          ],
          [
            'POST',
            `/v1/projects/${w.a.projectId}/batches`,
            { name: 'b', globalKeys: ['\u0000'] },
            'text_invalid',
            ['body', 'globalKeys', 0],
          ],
          ['GET', '/v1/datasets/a%00b', undefined, 'text_invalid', ['params', 'datasetId']],
          ['GET', '/v1/datasets?cursor=%00', undefined, 'text_invalid', ['query', 'cursor']],
          [
            'GET',
            `/v1/imports/${w.a.importId}/statuses?dataRow=x%00`,
            undefined,
            'text_invalid',
            ['query', 'dataRow'],
          ],
        ]
        for (const [method, path, body, code, at] of cases) {
          const res = await w.call<unknown>(method, path, body)
          assert.equal(res.status, 422, `${method} ${path}`)
          const error = ErrorBodySchema.parse(res.body).error
          assert.equal(error.code, code, `${method} ${path}`)
          assert.deepEqual(error.path, at, `${method} ${path}`)
        }
        // the same text with a proper pair, or a visible symbol for NUL, is stored as given
        const fine = await w.call<{ name: string }>('POST', '/v1/datasets', {
          name: 'a\u2400 \ud83d\ude00',
        })
        assert.equal(fine.status, 201)
        assert.equal(fine.body.name, 'a\u2400 \ud83d\ude00')
      })

      it(`ontologies: 400 nested levels are refused (nesting_too_deep), 15 are created`, async () => {
        const deep = await w.call<{ error: { code: string; path: unknown[] } }>(
          'POST',
          '/v1/ontologies',
          {
            name: 'deep',
            normalized: nestedOntology(400),
          },
        )
        assert.equal(deep.status, 422)
        assert.equal(deep.body.error.code, 'nesting_too_deep')
        assert.deepEqual(deep.body.error.path.slice(0, 3), [
          'body',
          'normalized',
          'classifications',
        ])
        const fine = await w.call('POST', '/v1/ontologies', {
          name: 'deep but fine',
          normalized: nestedOntology(15),
        })
        assert.equal(fine.status, 201, JSON.stringify(fine.body))
      })
    },
  )
}

describe('over a real socket: what the HTTP parser refuses is answered as JSON', () => {
  let server: RunningServer
  let dataDir = ''
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'labelport-socket-'))
    server = await startServer({
      ...readConfig(['--data-dir', dataDir, '--port', '0'], {}),
      bootstrapApiKey: 'lp_socket_test_key_0123456789',
    })
  })
  after(async () => {
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  /** Writes raw bytes, reads the whole answer (the server closes the connection). */
  function raw(request: string): Promise<{ status: number; headers: string; body: string }> {
    const { hostname, port } = new URL(server.url)
    return new Promise((resolve, reject) => {
      const socket = tcpConnect(Number(port), hostname)
      const chunks: Buffer[] = []
      socket.on('data', (c: Buffer) => chunks.push(c))
      socket.on('error', reject)
      socket.on('close', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        const [head = '', body = ''] = text.split('\r\n\r\n')
        resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body })
      })
      socket.end(request)
    })
  }

  it('20 KB of headers: 431 with {error:{code:"headers_too_large"}}', async () => {
    const res = await raw(
      `GET /v1/me HTTP/1.1\r\nhost: x\r\nauthorization: Bearer k\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
    )
    assert.equal(res.status, 431)
    assert.match(res.headers, /content-type: application\/json/)
    assert.equal(ErrorBodySchema.parse(JSON.parse(res.body)).error.code, 'headers_too_large')
  })

  it('bytes that are not HTTP, or Host headers no URL can be built from: 400 with a coded JSON body', async () => {
    for (const request of [
      'GARBAGE\r\n\r\n',
      'GET /v1/me HTTP/1.1\r\nhost x\r\n\r\n',
      'GET /a\u0000b HTTP/1.1\r\n\r\n',
      'GET / HTTP/1.1\r\nhost: %zz\r\n\r\n',
      'GET /v1/me HTTP/1.1\r\nhost: [::1\r\n\r\n',
      'GET * HTTP/1.1\r\nhost: x\r\n\r\n',
      'GET http://%zz/ HTTP/1.1\r\nhost: x\r\n\r\n',
    ]) {
      const res = await raw(request)
      assert.equal(res.status, 400, JSON.stringify(request))
      assert.match(res.headers, /content-type: application\/json/)
      assert.equal(ErrorBodySchema.parse(JSON.parse(res.body)).error.code, 'validation_failed')
    }
  })

  it('a client that leaves mid-body gets a coded answer and leaves no "unhandled error" in the log', async () => {
    const logged: string[] = []
    const original = console.error
    console.error = (...args: unknown[]) => void logged.push(args.map(String).join(' '))
    try {
      const res = await raw(
        'POST /v1/datasets HTTP/1.1\r\nhost: x\r\nauthorization: Bearer lp_socket_test_key_0123456789\r\n' +
          'content-type: application/json\r\ncontent-length: 50\r\n\r\n{"na',
      )
      assert.equal(res.status, 400)
      ErrorBodySchema.parse(JSON.parse(res.body))
      await new Promise((r) => setTimeout(r, 200))
    } finally {
      console.error = original
    }
    assert.deepEqual(
      logged.filter((l) => l.includes('unhandled')),
      [],
    )
  })

  it('a malformed % escape in a path: a coded 4xx, never 500', async () => {
    for (const path of ['/%zz', '/assets/%E0%A4%A.js', '/v1/datasets/%zz', '/v1/%']) {
      const res = await fetch(`${server.url}${path}`, {
        headers: { authorization: 'Bearer lp_socket_test_key_0123456789' },
      })
      assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`)
      ErrorBodySchema.parse(await res.json())
    }
  })
})
