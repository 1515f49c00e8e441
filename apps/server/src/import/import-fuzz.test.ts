/**
 * Property: whatever an import file holds, the server never crashes, every non-blank line gets
 * exactly one status, and the annotations stored by the import are exactly its SUCCESS lines.
 * Valid guide-shaped lines are mutated at random (fields dropped, retyped, replaced by random
 * JSON, lines truncated or duplicated) and imported through the real pipeline on SQLite.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import sharp from 'sharp'
import type { ImportJob, StatusLine } from '@labelport/core'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'

const KEY = 'fuzz-key-6e2a8c4b0d17f3'
const GLOBAL_KEY = 'fuzz-image'

const TEMPLATES: Record<string, unknown>[] = [
  { name: 'bounding_box', bbox: { top: 10, left: 20, height: 30, width: 40 } },
  {
    name: 'bbox_with_radio_subclass',
    bbox: { top: 1, left: 2, height: 3, width: 4 },
    classifications: [{ name: 'sub_radio_question', answer: { name: 'first_sub_radio_answer' } }],
  },
  {
    name: 'polygon',
    polygon: [
      { x: 1, y: 1 },
      { x: 50, y: 1 },
      { x: 50, y: 50 },
    ],
  },
  {
    name: 'polyline',
    line: [
      { x: 1, y: 1 },
      { x: 60, y: 60 },
    ],
  },
  { name: 'point', point: { x: 5, y: 6 } },
  { name: 'radio_question', answer: { name: 'first_radio_answer' } },
  {
    name: 'checklist_question',
    answer: [{ name: 'first_checklist_answer' }, { name: 'second_checklist_answer' }],
  },
  { name: 'free_text', answer: 'some text' },
  {
    name: 'nested_radio_question',
    answer: {
      name: 'first_radio_answer',
      classifications: [{ name: 'sub_radio_question', answer: { name: 'first_sub_radio_answer' } }],
    },
  },
  {
    name: 'nested_checklist_question',
    answer: [
      {
        name: 'first_checklist_answer',
        classifications: [
          { name: 'sub_checklist_question', answer: { name: 'first_sub_checklist_answer' } },
        ],
      },
    ],
  },
]

type Mutation =
  | { kind: 'keep' }
  | { kind: 'drop'; key: string }
  | { kind: 'set'; key: string; value: unknown }
  | { kind: 'truncate'; at: number }
  | { kind: 'raw'; text: string }

const KEYS = [
  'name',
  'schemaId',
  'dataRow',
  'uuid',
  'bbox',
  'polygon',
  'line',
  'point',
  'answer',
  'classifications',
  'confidence',
  'relationship',
  'mask',
  'isBenchmarkReferenceLabel',
]

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Mutation>({ kind: 'keep' }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('drop' as const), key: fc.constantFrom(...KEYS) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      key: fc.constantFrom(...KEYS),
      value: fc.jsonValue({ maxDepth: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat({ max: 200 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('raw' as const), text: fc.string({ maxLength: 30 }) }),
  },
)

function render(template: Record<string, unknown>, m: Mutation, uuid: string): string {
  const line: Record<string, unknown> = { uuid, dataRow: { globalKey: GLOBAL_KEY }, ...template }
  switch (m.kind) {
    case 'keep':
      return JSON.stringify(line)
    case 'drop':
      delete line[m.key]
      return JSON.stringify(line)
    case 'set':
      line[m.key] = m.value
      return JSON.stringify(line)
    case 'truncate':
      return JSON.stringify(line).slice(0, m.at)
    case 'raw':
      return m.text.replace(/[\r\n]/g, ' ')
  }
}

describe('import pipeline under random input', () => {
  let server: ComposedServer
  let dataDir = ''
  let projectId = ''
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await server.app.request(path, {
      method,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
    return (
      res.headers.get('content-type')?.includes('ndjson')
        ? text
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as unknown)
        : JSON.parse(text)
    ) as T
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'labelport-fuzz-'))
    server = await composeServer({
      ...readConfig(['--data-dir', dataDir], {}),
      databaseUrl: null,
      bootstrapApiKey: KEY,
    })
    const png = await sharp({ create: { width: 100, height: 80, channels: 3, background: '#456' } })
      .png()
      .toBuffer()
    const upload = await server.app.request('/v1/uploads', {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: png,
    })
    const { uri } = (await upload.json()) as { uri: string }
    const dataset = await call<{ id: string }>('POST', '/v1/datasets', { name: 'fuzz' })
    let task = await call<{ id: string; status: string }>(
      'POST',
      `/v1/datasets/${dataset.id}/data-rows`,
      { items: [{ rowData: uri, globalKey: GLOBAL_KEY }] },
    )
    while (task.status === 'IN_PROGRESS') {
      await new Promise((r) => setTimeout(r, 20))
      task = await call('GET', `/v1/tasks/${task.id}`)
    }
    const normalized = JSON.parse(
      readFileSync(`${SHARED_FIXTURES}labelbox/derived/seed_ontology_builder_asdict.json`, 'utf8'),
    ) as unknown
    const ontology = await call<{ id: string }>('POST', '/v1/ontologies', {
      name: 'guide',
      normalized,
    })
    projectId = (await call<{ id: string }>('POST', '/v1/projects', { name: 'fuzz' })).id
    await call('PUT', `/v1/projects/${projectId}/ontology`, { ontologyId: ontology.id })
    await call('POST', `/v1/projects/${projectId}/batches`, {
      name: 'all',
      globalKeys: [GLOBAL_KEY],
    })
  })
  after(async () => {
    await server.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('answers every line exactly once and stores exactly the SUCCESS lines', async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: TEMPLATES.length - 1 }), mutation, fc.boolean()), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.constantFrom<'mal' | 'ground_truth'>('mal', 'ground_truth'),
        async (items, kind) => {
          run++
          let previousUuid = crypto.randomUUID()
          const lines = items.map(([template, m, reuseUuid]) => {
            const uuid = reuseUuid ? previousUuid : crypto.randomUUID()
            previousUuid = uuid
            return render(TEMPLATES[template] ?? {}, m, uuid)
          })
          const job = await call<ImportJob>('POST', `/v1/projects/${projectId}/imports`, {
            name: `fuzz-${run}-${Date.now()}`,
            kind,
            source: { lines },
          })
          await server.importWorker.whenIdle()
          const done = await call<ImportJob>('GET', `/v1/imports/${job.id}`)
          assert.equal(done.state, 'FINISHED', JSON.stringify(done.failureReason))
          const statuses = await call<StatusLine[]>('GET', `/v1/imports/${job.id}/statuses`)
          const expected = lines.map((l, i) => (l.trim() === '' ? 0 : i + 1)).filter((n) => n > 0)
          assert.deepEqual(
            statuses.map((s) => s.line).sort((a, b) => a - b),
            expected,
          )
          for (const s of statuses) {
            if (s.status === 'FAILURE')
              assert.ok((s.errors?.length ?? 0) > 0, `line ${s.line} failed without a reason`)
            else assert.equal(s.errors, undefined)
          }
          let stored = 0
          const row = (
            await server.repositories.datasets.lookupDataRows(
              'cdefaultorganization00000',
              projectId,
              {
                ids: [],
                globalKeys: [GLOBAL_KEY],
              },
            )
          )[0]
          for await (const a of server.repositories.annotations.streamProjectAnnotations(
            projectId,
            [row?.id ?? ''],
          ))
            if (a.importId === job.id) stored++
          assert.equal(stored, statuses.filter((s) => s.status === 'SUCCESS').length)
          assert.equal(done.counts.success + done.counts.failure, statuses.length)
        },
      ),
      { numRuns: 100 },
    )
  })
})
