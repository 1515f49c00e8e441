// Over 500 lines: one example per import rule through the real server, as one table of cases.
/**
 * One file mixing valid lines with one example of every import rule, through the real server on
 * SQLite and PostgreSQL: each invalid line fails with its own code and path, every valid line
 * succeeds, the export holds exactly the valid ones, and a dry run gives the same statuses while
 * leaving the database as it was. (relationship_not_allowed needs a ground-truth import, so that
 * rule has a second, small file.) A MAL line with isBenchmarkReferenceLabel succeeds with a warning.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import type { ImportJob, IssuePath, StatusLine } from '@labelport/core'
import { SHARED_FIXTURES, freshSchemaUrl, postgres } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'

const KEY = 'rules-key-3a7c1e9b5d20f4'
const IMG = 'rules-image'
const OUTSIDE = 'rules-outside'
const W = 200
const H = 100
const MAX_LINE_BYTES = 4096
const u = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
const dr = { globalKey: IMG }

type Line = string | Record<string, unknown>
interface Case {
  line: Line
  /** expected first error; absent = SUCCESS */
  code?: string
  path?: IssuePath
  /** a SUCCESS line that carries this warning */
  warning?: string
}

function png(
  width: number,
  height: number,
  color: [number, number, number] | null,
): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3)
  if (color) for (let i = 0; i < width * height; i += 2) raw.set(color, i * 3)
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer()
}

/** a PNG whose header claims 30,000 × 30,000 pixels (a decompression bomb): refused before decoding */
function bombHeader(): string {
  const bytes = Buffer.alloc(33)
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0)
  bytes.writeUInt32BE(13, 8)
  bytes.write('IHDR', 12, 'latin1')
  bytes.writeUInt32BE(30_000, 16)
  bytes.writeUInt32BE(30_000, 20)
  bytes[24] = 8
  bytes[25] = 2
  return bytes.toString('base64')
}

async function mixedCases(boundingBoxId: string): Promise<Case[]> {
  const mask = (await png(W, H, [10, 200, 30])).toString('base64')
  const wrongSize = (await png(W + 1, H, [10, 200, 30])).toString('base64')
  const many = Array.from({ length: 5001 }, (_, i): Case => ({
    line: { uuid: u(100_000 + i), dataRow: dr, name: 'point', point: { x: 1, y: 1 } },
    ...(i === 5000 ? { code: 'annotations_per_feature_exceeded', path: [] } : {}),
  }))
  return [
    {
      line: {
        uuid: u(1),
        dataRow: dr,
        name: 'bounding_box',
        bbox: { top: 1, left: 2, height: 3, width: 4 },
      },
    },
    { line: '{"name": "point", "point": {"x": 1', code: 'line_not_json', path: [] },
    { line: '[1, 2]', code: 'line_not_object', path: [] },
    {
      line: { dataRow: dr, name: 'free_text', answer: 'x'.repeat(MAX_LINE_BYTES) },
      code: 'line_too_long',
      path: [],
    },
    {
      line: { dataRow: dr, name: 7, point: { x: 1, y: 1 } },
      code: 'field_invalid',
      path: ['name'],
    },
    { line: { dataRow: dr, name: 'point' }, code: 'annotation_kind_missing', path: [] },
    {
      line: {
        dataRow: dr,
        name: 'point',
        point: { x: 1, y: 1 },
        bbox: { top: 1, left: 1, height: 1, width: 1 },
      },
      code: 'annotation_kind_conflict',
      path: ['bbox'],
    },
    {
      line: { uuid: 'not-a-uuid', dataRow: dr, name: 'point', point: { x: 1, y: 1 } },
      code: 'uuid_invalid',
      path: ['uuid'],
    },
    {
      line: { uuid: u(1), dataRow: dr, name: 'point', point: { x: 1, y: 1 } },
      code: 'uuid_duplicate',
      path: ['uuid'],
    },
    { line: { name: 'point', point: { x: 1, y: 1 } }, code: 'data_row_missing', path: ['dataRow'] },
    {
      line: { dataRow: { id: 'a', globalKey: IMG }, name: 'point', point: { x: 1, y: 1 } },
      code: 'data_row_ref_invalid',
      path: ['dataRow'],
    },
    {
      line: { dataRow: { globalKey: 'nobody' }, name: 'point', point: { x: 1, y: 1 } },
      code: 'data_row_unknown',
      path: ['dataRow', 'globalKey'],
    },
    {
      line: { dataRow: { globalKey: OUTSIDE }, name: 'point', point: { x: 1, y: 1 } },
      code: 'data_row_not_in_project',
      path: ['dataRow', 'globalKey'],
    },
    { line: { dataRow: dr, point: { x: 1, y: 1 } }, code: 'feature_missing', path: ['name'] },
    {
      line: { dataRow: dr, name: 'point', schemaId: boundingBoxId, point: { x: 1, y: 1 } },
      code: 'feature_conflict',
      path: ['schemaId'],
    },
    {
      line: {
        dataRow: dr,
        name: 'point',
        schemaId: 'cxxxxxxxxxxxxxxxxxxxxxxxx',
        point: { x: 1, y: 1 },
      },
      code: 'feature_unknown',
      path: ['schemaId'],
    },
    {
      line: { dataRow: dr, name: 'no_such_tool', point: { x: 1, y: 1 } },
      code: 'feature_unknown',
      path: ['name'],
    },
    {
      line: {
        dataRow: dr,
        name: 'bounding_box',
        polygon: [
          { x: 1, y: 1 },
          { x: 5, y: 1 },
          { x: 5, y: 5 },
        ],
      },
      code: 'feature_kind_mismatch',
      path: ['polygon'],
    },
    {
      line: { dataRow: dr, name: 'radio_question', answer: 'first_radio_answer' },
      code: 'radio_answer_invalid',
      path: ['answer'],
    },
    {
      line: { dataRow: dr, name: 'checklist_question', answer: 'first_checklist_answer' },
      code: 'checklist_answer_invalid',
      path: ['answer'],
    },
    {
      line: { dataRow: dr, name: 'free_text', answer: { name: 'x' } },
      code: 'text_answer_invalid',
      path: ['answer'],
    },
    {
      line: { dataRow: dr, name: 'radio_question', answer: { name: 'third_radio_answer' } },
      code: 'answer_unknown',
      path: ['answer', 'name'],
    },
    {
      line: {
        dataRow: dr,
        name: 'checklist_question',
        answer: [{ name: 'first_checklist_answer' }, { name: 'first_checklist_answer' }],
      },
      code: 'checklist_answer_duplicate',
      path: ['answer', 1],
    },
    {
      line: {
        dataRow: dr,
        name: 'bbox_with_radio_subclass',
        bbox: { top: 1, left: 1, height: 1, width: 1 },
        classifications: [{ name: 'sub_free_text', answer: 'x' }],
      },
      code: 'classification_not_in_scope',
      path: ['classifications', 0, 'name'],
    },
    {
      line: {
        dataRow: dr,
        name: 'bounding_box',
        bbox: { top: 1, left: 1, height: 1, width: 1 },
        classifications: [
          { name: 'sub_radio_question', answer: { name: 'first_sub_radio_answer' } },
        ],
      },
      code: 'classification_too_deep',
      path: ['classifications', 0],
    },
    {
      line: {
        dataRow: dr,
        name: 'radio_question',
        answer: {
          name: 'first_radio_answer',
          classifications: [
            { name: 'sub_radio_question', answer: { name: 'first_sub_radio_answer' } },
          ],
        },
      },
      code: 'classification_too_deep',
      path: ['answer', 'classifications', 0],
    },
    {
      line: { dataRow: dr, name: 'point', point: { x: 'one', y: 1 } },
      code: 'coordinate_invalid',
      path: ['point', 'x'],
    },
    {
      line: '{"dataRow": {"globalKey": "rules-image"}, "name": "point", "point": {"x": 1e999, "y": 1}}',
      code: 'coordinate_not_finite',
      path: ['point', 'x'],
    },
    {
      line: { dataRow: dr, name: 'bounding_box', bbox: { top: 1, left: 1, height: 0, width: 4 } },
      code: 'bbox_degenerate',
      path: ['bbox', 'height'],
    },
    {
      line: {
        dataRow: dr,
        name: 'polygon',
        polygon: [
          { x: 1, y: 1 },
          { x: 5, y: 5 },
          { x: 1, y: 1 },
        ],
      },
      code: 'polygon_too_few_points',
      path: ['polygon'],
    },
    {
      line: { dataRow: dr, name: 'polyline', line: [{ x: 1, y: 1 }] },
      code: 'line_too_few_points',
      path: ['line'],
    },
    {
      line: { dataRow: dr, name: 'point', point: { x: W + 1, y: 1 } },
      code: 'geometry_out_of_bounds',
      path: ['point'],
    },
    {
      line: { dataRow: dr, name: 'point', point: { x: 1, y: 1 }, confidence: 1.5 },
      code: 'confidence_out_of_range',
      path: ['confidence'],
    },
    {
      line: { dataRow: dr, name: 'point', point: { x: 1, y: 1 }, customMetrics: [{ name: 'iou' }] },
      code: 'custom_metrics_invalid',
      path: ['customMetrics', 0],
    },
    {
      line: {
        uuid: u(2),
        dataRow: dr,
        name: 'bounding_box',
        bbox: { top: 5, left: 5, height: 5, width: 5 },
      },
    },
    {
      line: {
        uuid: u(3),
        dataRow: dr,
        name: 'bounding_box',
        bbox: { top: 500, left: 5, height: 5, width: 5 },
      },
      code: 'geometry_out_of_bounds',
      path: ['bbox'],
    },
    {
      line: {
        dataRow: dr,
        name: 'relationship',
        relationship: { source: u(2), target: u(9), type: 'unidirectional' },
      },
      code: 'relationship_endpoint_unknown',
      path: ['relationship', 'target'],
    },
    {
      line: {
        dataRow: dr,
        name: 'relationship',
        relationship: { source: u(2), target: u(2), type: 'unidirectional' },
      },
      code: 'relationship_self_reference',
      path: ['relationship', 'target'],
    },
    {
      line: {
        dataRow: dr,
        name: 'relationship',
        relationship: { source: u(1), target: u(2), type: 'sideways' },
      },
      code: 'relationship_type_invalid',
      path: ['relationship', 'type'],
    },
    {
      line: {
        dataRow: dr,
        name: 'relationship',
        relationship: { source: u(2), target: u(3), type: 'bidirectional' },
      },
      code: 'relationship_endpoint_failed',
      path: ['relationship', 'target'],
    },
    {
      line: {
        uuid: u(4),
        dataRow: dr,
        name: 'relationship',
        relationship: { source: u(1), target: u(2), type: 'unidirectional' },
      },
    },
    {
      // a box, not a point: the 5,001 points above test the per-feature limit
      // with a uuid: both MAL imports of this file must replace, not add, the pre-label
      line: {
        uuid: u(90_001),
        dataRow: dr,
        name: 'bounding_box',
        bbox: { top: 1, left: 1, height: 2, width: 2 },
        isBenchmarkReferenceLabel: true,
      },
      warning: 'benchmark_ignored',
    },
    {
      line: { dataRow: dr, name: 'mask', mask: { png: mask, url: 'https://example.com/m.png' } },
      code: 'mask_invalid',
      path: ['mask'],
    },
    {
      line: { dataRow: dr, name: 'mask', mask: { imBytes: mask, colorRGB: [10, 200, 300] } },
      code: 'mask_color_invalid',
      path: ['mask', 'colorRGB'],
    },
    {
      line: { dataRow: dr, name: 'mask', mask: { imBytes: mask, colorRGB: [1, 2, 3] } },
      code: 'mask_color_not_found',
      path: ['mask', 'colorRGB'],
    },
    {
      line: { dataRow: dr, name: 'mask', mask: { imBytes: bombHeader(), colorRGB: [1, 2, 3] } },
      code: 'mask_too_large',
      path: ['mask', 'imBytes'],
    },
    {
      line: { dataRow: dr, name: 'mask', mask: { imBytes: wrongSize, colorRGB: [10, 200, 30] } },
      code: 'mask_size_mismatch',
      path: ['mask', 'imBytes'],
    },
    {
      line: {
        dataRow: dr,
        name: 'mask',
        mask: { imBytes: mask.slice(0, 120), colorRGB: [10, 200, 30] },
      },
      code: 'mask_decode_failed',
      path: ['mask', 'imBytes'],
    },
    {
      line: { dataRow: dr, name: 'mask', mask: { counts: [5, 'x'], size: [H, W] } },
      code: 'mask_rle_invalid',
      path: ['mask', 'counts', 1],
    },
    {
      line: {
        dataRow: dr,
        name: 'mask',
        mask: { instanceURI: 'http://127.0.0.1:9/mask.png', colorRGB: [10, 200, 30] },
      },
      code: 'fetch_address_forbidden',
      path: ['mask', 'instanceURI'],
    },
    {
      line: {
        uuid: u(5),
        dataRow: dr,
        name: 'mask_with_text_subclass',
        mask: { imBytes: mask, colorRGB: [10, 200, 30] },
        classifications: [{ name: 'sub_free_text', answer: 'ok' }],
      },
    },
    {
      line: {
        uuid: u(6),
        dataRow: dr,
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
    },
    { line: { uuid: u(7), dataRow: dr, name: 'free_text', answer: 'fine' } },
    ...many,
  ]
}

const text = (line: Line) => (typeof line === 'string' ? line : JSON.stringify(line))
const pgNeed = postgres()

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `every import rule, on ${dialect}`,
    { skip: dialect === 'postgres' ? pgNeed.skip : false },
    () => {
      let server: ComposedServer
      let dataDir = ''
      let dropSchema: () => Promise<void> = () => Promise.resolve()
      let projectId = ''
      let cases: Case[] = []
      const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
        const res = await server.app.request(path, {
          method,
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
        const raw = await res.text()
        if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${raw}`)
        return (
          res.headers.get('content-type')?.includes('ndjson')
            ? raw
                .split('\n')
                .filter(Boolean)
                .map((l) => JSON.parse(l) as unknown)
            : JSON.parse(raw)
        ) as T
      }
      const runImport = async (
        name: string,
        kind: 'mal' | 'ground_truth',
        lines: Line[],
        dryRun = false,
      ) => {
        const job = await call<ImportJob>(
          'POST',
          `/v1/projects/${projectId}/imports${dryRun ? '/validate' : ''}`,
          { name, kind, source: { lines: lines.map(text) } },
        )
        await server.importWorker.whenIdle()
        const done = await call<ImportJob>('GET', `/v1/imports/${job.id}`)
        const statuses = await call<StatusLine[]>('GET', `/v1/imports/${job.id}/statuses`)
        return { job: done, statuses: statuses.sort((a, b) => a.line - b.line) }
      }
      const exportedCount = async () => {
        const rows = await call<Record<string, any>[]>('GET', `/v1/projects/${projectId}/export`)
        const entry = rows.find((r) => r['data_row'].global_key === IMG)!['projects'][projectId]
        const count = (layer: { annotations: Record<string, unknown[]> }[]) =>
          layer.reduce(
            (n, l) =>
              n +
              l.annotations['objects']!.length +
              l.annotations['classifications']!.length +
              l.annotations['relationships']!.length,
            0,
          )
        return { prelabels: count(entry.prelabels), labels: count(entry.labels) }
      }

      before(async () => {
        dataDir = mkdtempSync(join(tmpdir(), 'labelport-rules-'))
        let databaseUrl: string | null = null
        if (dialect === 'postgres') {
          const schema = await freshSchemaUrl(pgNeed.value)
          databaseUrl = schema.url
          dropSchema = schema.drop
        }
        server = await composeServer({
          ...readConfig(['--data-dir', dataDir], {}),
          databaseUrl,
          bootstrapApiKey: KEY,
          importMaxLineBytes: MAX_LINE_BYTES,
        })
        const upload = await server.app.request('/v1/uploads', {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}` },
          body: await png(W, H, [90, 90, 90]),
        })
        const { uri } = (await upload.json()) as { uri: string }
        const dataset = await call<{ id: string }>('POST', '/v1/datasets', { name: 'rules' })
        let task = await call<{ id: string; status: string }>(
          'POST',
          `/v1/datasets/${dataset.id}/data-rows`,
          {
            items: [
              { rowData: uri, globalKey: IMG },
              { rowData: uri, globalKey: OUTSIDE },
            ],
          },
        )
        while (task.status === 'IN_PROGRESS') {
          await new Promise((r) => setTimeout(r, 20))
          task = await call('GET', `/v1/tasks/${task.id}`)
        }
        const normalized = JSON.parse(
          readFileSync(
            `${SHARED_FIXTURES}labelbox/derived/seed_ontology_builder_asdict.json`,
            'utf8',
          ),
        ) as unknown
        const ontology = await call<{
          id: string
          normalized: { tools: { name: string; featureSchemaId: string }[] }
        }>('POST', '/v1/ontologies', { name: 'guide', normalized })
        projectId = (await call<{ id: string }>('POST', '/v1/projects', { name: 'rules' })).id
        await call('PUT', `/v1/projects/${projectId}/ontology`, { ontologyId: ontology.id })
        await call('POST', `/v1/projects/${projectId}/batches`, {
          name: 'only-img',
          globalKeys: [IMG],
        })
        cases = await mixedCases(
          ontology.normalized.tools.find((t) => t.name === 'bounding_box')?.featureSchemaId ?? '',
        )
      })
      after(async () => {
        await server.close()
        await dropSchema()
        rmSync(dataDir, { recursive: true, force: true })
      })

      it('a dry run judges every line and writes nothing', async () => {
        const before = await server.repositories.annotations.countAnnotations(projectId)
        const dry = await runImport(
          'rules-dry',
          'mal',
          cases.map((c) => c.line),
          true,
        )
        assert.deepEqual(await server.repositories.annotations.countAnnotations(projectId), before)
        const real = await runImport(
          'rules',
          'mal',
          cases.map((c) => c.line),
        )
        const verdicts = (s: StatusLine[]) =>
          s.map((x) => [x.line, x.status, x.errors?.map((e) => [e.code, e.path])])
        assert.deepEqual(verdicts(dry.statuses), verdicts(real.statuses))
      })

      it('fails each invalid line with its own code and path and accepts every valid line', async () => {
        const { statuses } = await runImport(
          'rules-again',
          'mal',
          cases.map((c) => c.line),
        )
        assert.equal(statuses.length, cases.length)
        const seen = new Set<string>()
        cases.forEach((c, i) => {
          const status = statuses[i]!
          assert.equal(status.line, i + 1)
          if (c.code === undefined) {
            assert.equal(
              status.status,
              'SUCCESS',
              `line ${i + 1} ${text(c.line).slice(0, 80)}: ${JSON.stringify(status.errors)}`,
            )
            assert.deepEqual(
              status.warnings?.map((w) => w.code),
              c.warning === undefined ? undefined : [c.warning],
              `line ${i + 1}: warnings`,
            )
            if (c.warning !== undefined) seen.add(c.warning)
          } else {
            assert.equal(status.status, 'FAILURE', `line ${i + 1} should fail with ${c.code}`)
            assert.equal(
              status.errors?.[0]?.code,
              c.code,
              `line ${i + 1}: ${JSON.stringify(status.errors)}`,
            )
            assert.deepEqual(status.errors?.[0]?.path, c.path, `line ${i + 1} (${c.code})`)
            seen.add(c.code)
          }
        })
        assert.ok(seen.size >= 45, `only ${seen.size} distinct codes exercised`)
      })

      it('exports exactly the valid lines', async () => {
        const valid = cases.filter((c) => c.code === undefined).length
        assert.deepEqual(await exportedCount(), { prelabels: valid, labels: 0 })
      })

      it('rejects relationships in a ground-truth import, line by line', async () => {
        const lines: Line[] = [
          {
            uuid: u(11),
            dataRow: dr,
            name: 'bounding_box',
            bbox: { top: 1, left: 1, height: 5, width: 5 },
          },
          {
            uuid: u(12),
            dataRow: dr,
            name: 'bounding_box',
            bbox: { top: 10, left: 10, height: 5, width: 5 },
            isBenchmarkReferenceLabel: true,
          },
          {
            dataRow: dr,
            name: 'relationship',
            relationship: { source: u(11), target: u(12), type: 'unidirectional' },
          },
        ]
        const { job, statuses } = await runImport('rules-gt', 'ground_truth', lines)
        assert.deepEqual(
          statuses.map((s) => s.status),
          ['SUCCESS', 'SUCCESS', 'FAILURE'],
        )
        assert.equal(statuses[2]?.errors?.[0]?.code, 'relationship_not_allowed')
        assert.deepEqual(job.errorCounts, { relationship_not_allowed: 1 })
        assert.deepEqual(await exportedCount(), {
          prelabels: cases.filter((c) => c.code === undefined).length,
          labels: 2,
        })
      })
    },
  )
}
