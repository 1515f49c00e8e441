/* eslint-disable @typescript-eslint/no-unsafe-return -- parsed JSON is untyped */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { collect } from './model.ts'
import { readLabelbox } from './labelbox.ts'
import { detectFile } from './detect.ts'
import { fileSource, textSource } from './node/files.ts'
import { judgeAndExport } from './test-support.ts'

const ROOF =
  SHARED_FIXTURES + 'real/labelbox-python/history/export_v2_roof-wear-highres_2024-02-22.ndjson'

interface Row {
  data_row: { global_key: string }
  projects: Record<string, { labels: { annotations: { classifications: unknown[] } }[] }>
}

/** per global key: the classifications' names and answers */
function answers(rows: Row[]): Record<string, unknown> {
  return Object.fromEntries(
    rows.map((r) => [
      r.data_row.global_key,
      Object.values(r.projects)
        .flatMap((p) => p.labels)
        .flatMap((l) => l.annotations.classifications)
        .map((c: any) => [
          c.name,
          c.radio_answer?.name ??
            c.checklist_answers?.map((a: any) => a.name) ??
            c.text_answer?.content,
        ]),
    ]),
  )
}

void test('a real Labelbox export v2 (102 rows, radio classifications) migrates whole: every row, every answer', async () => {
  const text = readFileSync(ROOF, 'utf8')
  assert.equal(detectFile('export.ndjson', text.slice(0, 65536)), 'labelbox')
  const collected = await collect(readLabelbox(fileSource(ROOF, 'export.ndjson')))
  assert.deepEqual(collected.issues, [])
  assert.equal(collected.images.length, 102)
  assert.deepEqual(
    collected.classifications.map((c) => [c.name, c.type]),
    [
      ['bad_image', 'radio'],
      ['wear', 'radio'],
    ],
  )
  const judged = judgeAndExport(collected, 'ground_truth')
  assert.deepEqual(
    judged.failed.map((f) => [f.line.source, f.issues]),
    [],
  )
  const original = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Row)
  assert.deepEqual(answers(judged.rows as unknown as Row[]), answers(original))
})

void test('Labelbox export v2 objects with nested classifications read unchanged; damaged rows get coded errors with their line', async () => {
  const rows = [
    {
      data_row: { id: 'a', global_key: 'a.jpg' },
      media_attributes: { width: 100, height: 80 },
      projects: {
        p: {
          labels: [
            {
              annotations: {
                objects: [
                  {
                    feature_id: 'f1',
                    name: 'car',
                    bounding_box: { top: 1, left: 2, height: 3, width: 4 },
                    classifications: [{ name: 'color', radio_answer: { name: 'red' } }],
                  },
                  {
                    feature_id: 'f2',
                    name: 'road',
                    polygon: [
                      { x: 1, y: 1 },
                      { x: 9, y: 1 },
                      { x: 9, y: 9 },
                    ],
                  },
                  {
                    feature_id: 'f3',
                    name: 'lane',
                    line: [
                      { x: 1, y: 1 },
                      { x: 9, y: 9 },
                    ],
                  },
                  { feature_id: 'f4', name: 'eye', point: { x: 5, y: 6 } },
                  { feature_id: 'f5', name: 'nothing' },
                ],
                classifications: [
                  { name: 'tags', checklist_answers: [{ name: 'day' }, { name: 'city' }] },
                ],
                relationships: [],
              },
            },
          ],
        },
      },
    },
  ]
  const text =
    rows.map((r) => JSON.stringify(r)).join('\n') + '\n{"data_row": \n{"media_attributes": {}}\n'
  const collected = await collect(readLabelbox(textSource('export.ndjson', text)))
  assert.deepEqual(
    collected.issues.map((i) => [i.code, i.source.line, i.source.element]),
    [
      ['format_syntax_invalid', 2, undefined],
      ['format_element_invalid', 3, undefined],
      ['format_element_invalid', 1, 'objects[4]'],
    ],
  )
  const judged = judgeAndExport(collected, 'ground_truth')
  assert.deepEqual(
    judged.failed.map((f) => [f.line.source, f.issues]),
    [],
  )
  const objects = (judged.rows[0]!.projects.p!.labels![0]!.annotations.objects as any[]).map(
    (o) => [
      o.name,
      o.bounding_box ?? o.polygon ?? o.line ?? o.point,
      o.classifications.map((c: any) => c.radio_answer?.name),
    ],
  )
  assert.deepEqual(objects, [
    ['car', { top: 1, left: 2, height: 3, width: 4 }, ['red']],
    [
      'road',
      [
        { x: 1, y: 1 },
        { x: 9, y: 1 },
        { x: 9, y: 9 },
        { x: 1, y: 1 },
      ],
      [],
    ],
    [
      'lane',
      [
        { x: 1, y: 1 },
        { x: 9, y: 9 },
      ],
      [],
    ],
    ['eye', { x: 5, y: 6 }, []],
  ])
})
