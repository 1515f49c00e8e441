/* eslint-disable @typescript-eslint/no-unsafe-return -- parsed JSON is untyped */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import sharp from 'sharp'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { checkRle, countsToMask } from '@labelport/core'
import { collect, type CollectedImport } from './model.ts'
import { readLabelStudio, readLabelStudioJson, writeLabelStudio } from './labelstudio.ts'
import {
  brushToMask,
  decodeLabelStudioRle,
  encodeLabelStudioRle,
  maskToBrush,
} from './labelstudio-rle.ts'
import { fileSource } from './node/files.ts'
import { judgeAndExport, text } from './test-support.ts'

const LS = SHARED_FIXTURES + 'real/label-studio-converter/tests/data/'

async function roundTrip(
  collected: CollectedImport,
  kind: 'ground_truth' | 'mal' = 'ground_truth',
) {
  const judged = judgeAndExport(collected, kind)
  assert.deepEqual(
    judged.failed.map((f) => [f.line.source, f.issues]),
    [],
  )
  return JSON.parse(
    await text(writeLabelStudio(judged.rows, { layer: kind === 'mal' ? 'prelabels' : 'labels' })),
  ) as any[]
}

/** the region results of a result list, comparable: type, label, numbers rounded to 1e-9 % */
function regions(result: any[]): unknown[] {
  const round = (v: unknown): unknown =>
    typeof v === 'number'
      ? Math.round(v * 1e9) / 1e9
      : Array.isArray(v)
        ? v.map(round)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round(x)]))
          : v
  return result
    .filter((r) => r.type !== 'choices' && r.type !== 'textarea')
    .map((r) => {
      const { closed: _closed, ...value } = r.value
      return { type: r.type, value: round(value), score: r.score }
    })
}

for (const name of [
  'test_export_yolo/data.json',
  'test_export_yolo/data_polygons.json',
  'test_export_yolo/data_obb.json',
  'test_export_json_min/data.json',
]) {
  void test(`Label Studio ${name}: import then export gives the same regions (percent, 1e-9), labels and rotations`, async () => {
    const original = JSON.parse(readFileSync(LS + name, 'utf8')) as any[]
    const collected = await collect(readLabelStudio(fileSource(LS + name, name)))
    assert.deepEqual(
      collected.issues.filter((i) => !i.warning),
      [],
    )
    const out = await roundTrip(collected)
    assert.equal(out.length, original.length)
    out.forEach((task, i) => {
      const first = original[i].annotations.find((a: any) => !a.was_cancelled)
      assert.deepEqual(regions(task.annotations[0].result), regions(first.result), `task ${i}`)
    })
  })
}

void test('Label Studio: percent of original_width/height, negative sizes normalised, extra annotations and rotations reported', async () => {
  const collected = await collect(
    readLabelStudio(fileSource(LS + 'test_export_yolo/data.json', 'data.json')),
  )
  // task 1 has two annotators' annotations: one label per image, the second is reported
  assert.deepEqual(
    collected.issues.map((i) => [i.code, i.source.element, i.warning]),
    [['format_geometry_lossy', '[0].annotations[1]', true]],
  )
  const box = collected.lines[0]!.line as any
  assert.equal(box.name, 'parasites')
  assert.ok(Math.abs(box.bbox.left - (37.15846994535519 * 2800) / 100) < 1e-9)
  const obb = await collect(
    readLabelStudio(fileSource(LS + 'test_export_yolo/data_obb.json', 'data_obb.json')),
  )
  assert.ok(obb.issues.every((i) => i.code === 'format_geometry_lossy' && i.warning))
  assert.ok(obb.issues.length > 0)
  const negative = await collect(
    readLabelStudioJson(
      JSON.stringify([
        {
          data: { image: '/data/local-files/?d=photos%2Fa%20b.jpg' },
          annotations: [
            {
              result: [
                {
                  id: 'x',
                  type: 'rectanglelabels',
                  original_width: 200,
                  original_height: 100,
                  value: { x: 50, y: 50, width: -10, height: -20, rectanglelabels: ['car'] },
                },
              ],
            },
          ],
        },
      ]),
      'tasks.json',
    ),
  )
  assert.equal(negative.images[0]!.globalKey, 'a b.jpg')
  assert.deepEqual((negative.lines[0]!.line as any).bbox, {
    left: 80,
    top: 30,
    width: 20,
    height: 20,
  })
})

const TASKS = [
  {
    data: { image: 'https://example.org/img/cat.png' },
    annotations: [
      {
        result: [
          {
            id: 'r1',
            type: 'polygonlabels',
            from_name: 'label',
            to_name: 'image',
            original_width: 10,
            original_height: 8,
            value: {
              points: [
                [10, 12.5],
                [50, 12.5],
                [50, 75],
              ],
              polygonlabels: ['cat'],
            },
          },
          {
            id: 'r1',
            type: 'choices',
            from_name: 'pose',
            to_name: 'image',
            original_width: 10,
            original_height: 8,
            value: { choices: ['sitting'] },
          },
          {
            id: 'r1',
            type: 'textarea',
            from_name: 'note',
            to_name: 'image',
            original_width: 10,
            original_height: 8,
            value: { text: ['fluffy'] },
          },
          {
            id: 'g',
            type: 'choices',
            from_name: 'weather',
            to_name: 'image',
            original_width: 10,
            original_height: 8,
            value: { choices: ['sunny'] },
          },
          {
            id: 'k',
            type: 'keypointlabels',
            from_name: 'label',
            to_name: 'image',
            original_width: 10,
            original_height: 8,
            value: { x: 20, y: 25, width: 1, keypointlabels: ['nose'] },
          },
        ],
      },
    ],
    predictions: [
      {
        score: 0.5,
        result: [
          {
            id: 'p1',
            type: 'rectanglelabels',
            from_name: 'label',
            to_name: 'image',
            original_width: 10,
            original_height: 8,
            score: 0,
            value: { x: 10, y: 25, width: 20, height: 50, rotation: 0, rectanglelabels: ['cat'] },
          },
          {
            id: 'p2',
            type: 'rectanglelabels',
            from_name: 'label',
            to_name: 'image',
            original_width: 10,
            original_height: 8,
            value: { x: 0, y: 0, width: 10, height: 10, rotation: 0, rectanglelabels: ['dog'] },
          },
        ],
      },
    ],
  },
]

void test('Label Studio choices and text areas: per region nested, without a region of the image; predictions keep their scores (0 included)', async () => {
  const collected = await collect(readLabelStudioJson(JSON.stringify(TASKS), 'tasks.json'))
  assert.deepEqual(collected.issues, [])
  assert.deepEqual(collected.features, [
    {
      name: 'cat',
      tool: 'polygon',
      classifications: [
        { type: 'radio', name: 'pose', options: ['sitting'] },
        { type: 'text', name: 'note', options: [] },
      ],
    },
    { name: 'nose', tool: 'point' },
  ])
  assert.deepEqual(collected.classifications, [
    { type: 'radio', name: 'weather', options: ['sunny'] },
  ])
  const cat = collected.lines[0]!.line as any
  assert.deepEqual(cat.polygon, [
    { x: 1, y: 1 },
    { x: 5, y: 1 },
    { x: 5, y: 6 },
  ])
  assert.deepEqual(cat.classifications, [
    { name: 'pose', answer: { name: 'sitting' } },
    { name: 'note', answer: 'fluffy' },
  ])
  const [task] = await roundTrip(collected)
  const result = task.annotations[0].result
  assert.deepEqual(
    result.map((r: any) => [
      r.type,
      r.from_name,
      r.value.choices ?? r.value.text ?? r.value.polygonlabels ?? r.value.keypointlabels,
    ]),
    [
      ['polygonlabels', 'label', ['cat']],
      ['choices', 'pose', ['sitting']],
      ['textarea', 'note', ['fluffy']],
      ['keypointlabels', 'label', ['nose']],
      ['choices', 'weather', ['sunny']],
    ],
  )
  assert.equal(result[1].id, result[0].id) // the nested choice names its region
  assert.deepEqual(regions(result), regions(TASKS[0]!.annotations[0]!.result as any[]))
  // predictions: pre-labels with the result's score, else the prediction's
  const pre = await collect(
    readLabelStudioJson(JSON.stringify(TASKS), 'tasks.json', { take: 'predictions' }),
  )
  assert.deepEqual(
    pre.lines.map((l) => [l.line.name, l.line.confidence]),
    [
      ['cat', 0],
      ['dog', 0.5],
    ],
  )
  const [again] = await roundTrip(pre, 'mal')
  assert.deepEqual(
    again.predictions[0].result.map((r: any) => r.score),
    [0, 0.5],
  )
})

void test("Label Studio brush RLE: Label Studio's bit stream decoded (repeat and literal chunks), a real mask round-trips", async () => {
  // hand-built stream: num 6, word 8, sizes 3 4 8 16; a literal chunk of 2 words (7, 9), a repeat chunk of 4 × 255
  const bits =
    (6).toString(2).padStart(32, '0') +
    '00111' +
    '0010' +
    '0011' +
    '0111' +
    '1111' +
    '0' +
    '00' +
    '001' +
    '00000111' +
    '00001001' +
    '1' +
    '00' +
    '011' +
    '11111111'
  const bytes: number[] = []
  for (let i = 0; i < bits.length; i += 8)
    bytes.push(parseInt(bits.slice(i, i + 8).padEnd(8, '0'), 2))
  assert.deepEqual([...decodeLabelStudioRle(bytes, 100)], [7, 9, 255, 255, 255, 255])
  assert.deepEqual(
    encodeLabelStudioRle(new Uint8Array([7, 9, 255, 255, 255, 255])).length > 0,
    true,
  )
  assert.throws(() => decodeLabelStudioRle(bytes.slice(0, 6), 100), RangeError)
  // a real brush image from label-studio-converter's tests: its alpha channel as the mask
  const { data, info } = await sharp(LS + 'test_brush/test.png')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  const W = info.width
  const H = info.height
  const mask = new Uint8Array(W * H)
  for (let p = 0; p < mask.length; p++) mask[p] = data[p * 4 + 3]! > 0 ? 1 : 0
  assert.ok(mask.some((v) => v === 1))
  const rle = maskToBrush(mask)
  assert.deepEqual(brushToMask(rle, W, H), mask)
  const collected = await collect(
    readLabelStudioJson(
      JSON.stringify([
        {
          data: { image: 'brush.png' },
          annotations: [
            {
              result: [
                {
                  id: 'b',
                  type: 'brushlabels',
                  from_name: 'tag',
                  to_name: 'image',
                  original_width: W,
                  original_height: H,
                  value: { format: 'rle', rle, brushlabels: ['wall'] },
                },
              ],
            },
          ],
        },
      ]),
      'brush.json',
    ),
  )
  const line = collected.lines[0]!.line as any
  const checked = checkRle(line.mask)
  assert.ok(checked.ok)
  assert.deepEqual(countsToMask(checked.counts, W, H), mask)
  const [task] = await roundTrip(collected)
  assert.deepEqual(brushToMask(task.annotations[0].result[0].value.rle, W, H), mask)
})

void test('damaged Label Studio files: coded errors with the task and result, the rest imports', async () => {
  assert.deepEqual(
    (await collect(readLabelStudioJson('[{"data": ', 'x.json'))).issues.map((i) => i.code),
    ['format_syntax_invalid'],
  )
  const repeater = await collect(
    readLabelStudio(
      fileSource(LS + 'test_export_json_min/data_repeater.json', 'data_repeater.json'),
    ),
  )
  assert.deepEqual(
    repeater.issues.map((i) => [i.code, i.source.element]),
    [['format_element_invalid', '[0]']],
  )
  const collected = await collect(
    readLabelStudioJson(
      JSON.stringify([
        {
          data: { image: 'a.png' },
          annotations: [
            {
              result: [
                {
                  id: '1',
                  type: 'rectanglelabels',
                  original_width: 10,
                  original_height: 10,
                  value: { x: 1, y: 1, width: 1, height: 1, rectanglelabels: ['ok'] },
                },
                {
                  id: '2',
                  type: 'rectanglelabels',
                  original_width: 10,
                  original_height: 10,
                  value: { x: 'a', y: 1, width: 1, height: 1, rectanglelabels: ['bad'] },
                },
                {
                  id: '3',
                  type: 'rectanglelabels',
                  value: { x: 1, y: 1, width: 1, height: 1, rectanglelabels: ['nosize'] },
                },
                {
                  id: '4',
                  type: 'polygonlabels',
                  original_width: 10,
                  original_height: 10,
                  value: { points: [[1, 1]], polygonlabels: ['short'] },
                },
                {
                  id: '5',
                  type: 'brushlabels',
                  original_width: 10,
                  original_height: 10,
                  value: { format: 'rle', rle: [0, 0], brushlabels: ['b'] },
                },
                { id: '6', type: 'videorectangle', value: {} },
              ],
            },
          ],
        },
        { data: { image: 'a.png' }, annotations: [] },
      ]),
      'tasks.json',
    ),
  )
  assert.deepEqual(
    collected.issues.map((i) => [i.code, i.source.element, i.source.annotationId]),
    [
      ['format_element_invalid', '[0].annotations[0].result[1]', '2'],
      ['format_image_size_unknown', '[0].annotations[0].result[2]', '3'],
      ['format_element_invalid', '[0].annotations[0].result[3]', '4'],
      ['mask_rle_invalid', '[0].annotations[0].result[4]', '5'],
      ['format_element_invalid', '[0].annotations[0].result[5]', '6'],
      ['format_element_invalid', '[1]', undefined],
    ],
  )
  assert.equal(collected.lines.length, 1)
})
