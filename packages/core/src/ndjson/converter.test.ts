// Over 500 lines: one round-trip case per annotation kind and per error, as tables.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { AppError } from '../errors.ts'
import {
  Checklist,
  ClassificationAnnotation,
  ClassificationAnswer,
  Label,
  Line,
  Mask,
  MaskData,
  ObjectAnnotation,
  Point,
  Polygon,
  Radio,
  Rectangle,
  Relationship,
  RelationshipAnnotation,
  Text,
  encodeBase64,
} from '../annotation/index.ts'
import { decodeRle } from '../mask/rle.ts'
import { NDJsonConverter } from './converter.ts'

type Json = Record<string, unknown>
const LABELBOX = `${SHARED_FIXTURES}labelbox/`
const readJson = (path: string): unknown => JSON.parse(readFileSync(`${LABELBOX}${path}`, 'utf8'))
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function throwsCode(fn: () => unknown, code: string, path: (string | number)[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AppError, `expected AppError, got ${String(err)}`)
    assert.equal(err.code, code)
    assert.deepEqual(err.path, path)
    return true
  })
}

const OBJECT_KEYS = ['bbox', 'polygon', 'line', 'point', 'mask']

/** What a line becomes after a round trip: the documented normalizations, applied to the input. */
function normalized(line: Json): Json {
  const out = structuredClone(line)
  if (OBJECT_KEYS.some((k) => k in out) && !('classifications' in out)) out['classifications'] = []
  if ('answers' in out && !('answer' in out)) {
    out['answer'] = out['answers']
    delete out['answers']
  }
  if (
    'answer' in out &&
    Array.isArray(out['classifications']) &&
    out['classifications'].length === 0
  )
    delete out['classifications']
  const polygon = out['polygon'] as Json[] | undefined
  if (polygon && JSON.stringify(polygon[0]) !== JSON.stringify(polygon.at(-1)))
    polygon.push(polygon[0]!)
  return out
}

function withoutUuid(line: Json): Json {
  const { uuid: _uuid, ...rest } = line
  return rest
}

function roundTrip(lines: Json[]): Json[] {
  return NDJsonConverter.serialize(NDJsonConverter.deserialize(lines)) as unknown as Json[]
}

const FIXTURES = [
  'classification_import.json',
  'classification_import_name_only.json',
  'image_import.json',
  'image_import_name_only.json',
  'nested_import.json',
  'nested_import_name_only.json',
  'polyline_import.json',
  'polyline_without_confidence_import.json',
  'rectangle_import.json',
  'relationship_import.json',
  'v5.2.1/classification_import_global_key.json',
  'v5.2.1/image_import.json',
  'v5.2.1/image_import_global_key.json',
  'v5.2.1/image_import_name_only.json',
  'v5.2.1/polyline_import_global_key.json',
]

for (const file of FIXTURES) {
  void test(`${file}: deserialize then serialize gives the same lines (up to the documented normalizations)`, () => {
    const lines = readJson(file) as Json[]
    const labels = NDJsonConverter.deserialize(lines)
    assert.ok(labels.every((l) => l instanceof Label))
    assert.deepStrictEqual(NDJsonConverter.serialize(labels), lines.map(normalized))
  })
}

void test('the fixture list covers every non-metric annotation file at the top level and in v5.2.1/', () => {
  const metric = new Set([
    'metric_import.json',
    'custom_scalar_import.json',
    'custom_confusion_matrix_import.json',
    'metric_import_global_key.json',
  ])
  const index = readFileSync(`${LABELBOX}INDEX.md`, 'utf8')
  const section = (title: string): string[] => {
    const start = index.indexOf(title)
    const end = index.indexOf('\n## ', start + 1)
    return [...index.slice(start, end).matchAll(/^\| (\S+\.json) \|/gm)]
      .map((m) => m[1]!)
      .filter((f) => !metric.has(f))
  }
  const wanted = [...section('## Top level'), ...section('## v5.2.1/').map((f) => `v5.2.1/${f}`)]
  assert.equal(wanted.length, 15)
  assert.deepEqual([...wanted].sort(), [...FIXTURES].sort())
})

void test('image_import.json: grouping, kinds and the mask without colorRGB', () => {
  const [label] = NDJsonConverter.deserialize(readJson('image_import.json') as Json[])
  assert.deepEqual(label!.data, { id: 'ckrazctum0z8a0ybc0b0o0g0v' })
  const [bbox, mask, polygon, point] = label!.annotations as ObjectAnnotation[]
  assert.ok(
    bbox!.value instanceof Rectangle &&
      polygon!.value instanceof Polygon &&
      point!.value instanceof Point,
  )
  assert.ok(mask!.value instanceof Mask)
  assert.equal(mask!.value.color, undefined)
  assert.match(mask!.value.mask.url!, /^https:\/\/storage\.labelbox\.com\//)
  assert.equal(bbox!.confidence, 0.851)
  assert.equal(bbox!.uuid, 'b862c586-8614-483c-b5e6-82810f70cac0')
})

void test('relationship_import.json: two data rows may reuse uuids; relationships resolve within their own row', () => {
  const labels = NDJsonConverter.deserialize(readJson('relationship_import.json') as Json[])
  assert.equal(labels.length, 2)
  for (const label of labels) {
    const rel = label.annotations[2] as RelationshipAnnotation
    assert.ok(rel instanceof RelationshipAnnotation)
    assert.equal(rel.value.source, label.annotations[1])
    assert.equal(rel.value.target, label.annotations[0])
  }
  assert.notEqual(
    (labels[0]!.annotations[2] as RelationshipAnnotation).value.source,
    labels[1]!.annotations[1],
  )
})

// ------------------------------------------------------------- serializer_vectors.json

interface Vector {
  id: string
  input: Json
  expected: Json[] | string
  ignore_keys: string[]
}
const vectors = (readJson('derived/serializer_vectors.json') as { cases: Vector[] }).cases
const vector = (id: string): Vector => vectors.find((v) => v.id === id)!

function stripKeys(lines: readonly object[], keys: string[]): Json[] {
  return lines.map((l) => Object.fromEntries(Object.entries(l).filter(([k]) => !keys.includes(k))))
}

const DR = { id: 'bkj7z2q0b0000jx6x0q2q7q0d' }
const answer = (
  name: string,
  more: Partial<ConstructorParameters<typeof ClassificationAnswer>[0]> = {},
): ClassificationAnswer => new ClassificationAnswer({ name, ...more })

const VECTOR_LABELS: Record<string, () => Label[]> = {
  checklist_min: () => [
    new Label({
      data: DR,
      annotations: [
        new ClassificationAnnotation({
          name: 'checkbox_question_geo',
          value: new Checklist({ answer: [answer('first_answer')] }),
        }),
      ],
    }),
  ],
  checklist_with_subclassifications: () => [
    new Label({
      data: DR,
      annotations: [
        new ClassificationAnnotation({
          name: 'checkbox_question_geo',
          confidence: 0.5,
          value: new Checklist({
            answer: [
              answer('first_answer', {
                confidence: 0.1,
                classifications: [
                  new ClassificationAnnotation({
                    name: 'sub_radio_question',
                    value: new Radio({
                      answer: answer('first_sub_radio_answer', { confidence: 0.31 }),
                    }),
                  }),
                  new ClassificationAnnotation({
                    name: 'sub_chck_question',
                    value: new Checklist({
                      answer: [
                        answer('second_subchk_answer', { confidence: 0.41 }),
                        answer('third_subchk_answer', { confidence: 0.42 }),
                      ],
                    }),
                  }),
                ],
              }),
            ],
          }),
        }),
      ],
    }),
  ],
  checklist_double_nested: () => [
    new Label({
      data: DR,
      annotations: [
        new ClassificationAnnotation({
          name: 'checkbox_question_geo',
          confidence: 0.5,
          value: new Checklist({
            answer: [
              answer('first_answer', {
                confidence: 0.1,
                classifications: [
                  new ClassificationAnnotation({
                    name: 'sub_radio_question',
                    value: new Radio({
                      answer: answer('first_sub_radio_answer', {
                        confidence: 0.31,
                        classifications: [
                          new ClassificationAnnotation({
                            name: 'sub_chck_question',
                            value: new Checklist({
                              answer: [
                                answer('second_subchk_answer', { confidence: 0.41 }),
                                answer('third_subchk_answer', { confidence: 0.42 }),
                              ],
                            }),
                          }),
                        ],
                      }),
                    }),
                  }),
                ],
              }),
            ],
          }),
        }),
      ],
    }),
  ],
  radio_min: () => [
    new Label({
      data: DR,
      annotations: [
        new ClassificationAnnotation({
          name: 'radio_question_geo',
          value: new Radio({ answer: answer('first_radio_answer') }),
        }),
      ],
    }),
  ],
  radio_with_subclassification: () => [
    new Label({
      data: DR,
      annotations: [
        new ClassificationAnnotation({
          name: 'radio_question_geo',
          confidence: 0.5,
          value: new Radio({
            answer: answer('first_radio_answer', {
              confidence: 0.6,
              classifications: [
                new ClassificationAnnotation({
                  name: 'sub_radio_question',
                  value: new Radio({ answer: answer('first_sub_radio_answer') }),
                }),
              ],
            }),
          }),
        }),
      ],
    }),
  ],
  free_text: () => [
    new Label({
      data: DR,
      annotations: [
        new ClassificationAnnotation({
          name: 'free_text_annotation',
          value: new Text({ answer: 'text_answer', confidence: 0.5 }),
        }),
      ],
    }),
  ],
  global_key_radio_schema_ids: () => [
    new Label({
      data: { globalKey: 'ckrb1sf1i1g7i0ybcdc6oc8ct' },
      annotations: [
        new ClassificationAnnotation({
          featureSchemaId: 'ckrb1sfjx099a0y914hl319ie',
          uuid: 'f6879f59-d2b5-49c2-aceb-d9e8dc478673',
          value: new Radio({
            answer: new ClassificationAnswer({ featureSchemaId: 'ckrb1sfl8099g0y91cxbd5ftb' }),
          }),
        }),
      ],
    }),
  ],
  benchmark_reference_flag: () => [
    new Label({
      data: { id: 'ckrb1sf1i1g7i0ybcdc6oc8ct' },
      isBenchmarkReference: true,
      annotations: [
        new ObjectAnnotation({
          name: 'bbox',
          uuid: 'c1be3a57-597e-48cb-8d8d-a852665f9e72',
          value: new Rectangle({
            start: new Point({ x: 81, y: 28 }),
            end: new Point({ x: 38, y: 69 }),
          }),
        }),
      ],
    }),
  ],
}

for (const [id, make] of Object.entries(VECTOR_LABELS)) {
  void test(`serializer vector ${id}`, () => {
    const v = vector(id)
    const lines = NDJsonConverter.serialize(make())
    for (const line of lines) assert.match(line.uuid!, UUID)
    assert.deepStrictEqual(
      stripKeys(lines, v.ignore_keys),
      stripKeys(v.expected as Json[], v.ignore_keys),
    )
  })
}

void test('serializer vector rectangle_normalized: all three corner orders give rectangle_import.json', () => {
  const v = vector('rectangle_normalized')
  for (const variant of v.input['variants'] as Json[]) {
    const value = (variant['annotations'] as Json[])[0]!['value'] as {
      start: { x: number; y: number }
      end: { x: number; y: number }
    }
    const label = new Label({
      data: { id: 'ckrb1sf1i1g7i0ybcdc6oc8ct' },
      annotations: [
        new ObjectAnnotation({
          name: 'bbox',
          uuid: 'c1be3a57-597e-48cb-8d8d-a852665f9e72',
          value: new Rectangle({ start: new Point(value.start), end: new Point(value.end) }),
        }),
      ],
    })
    assert.deepStrictEqual(NDJsonConverter.serialize([label]), v.expected)
    assert.deepStrictEqual(NDJsonConverter.serialize([label]), readJson('rectangle_import.json'))
  }
})

void test('serializer vector mask_png_and_instance_uri: url → {instanceURI, colorRGB}; arr → RLE with the same pixels', () => {
  const v = vector('mask_png_and_instance_uri')
  const expected = v.expected as Json[]
  const url = (expected[1]!['mask'] as Json)['instanceURI'] as string
  // the Python arr is [[[1,1,0],[1,0,1]],[[1,1,1],[1,1,1]]] with color (1,1,1): rows "00" and "11"
  const arr = new Uint8Array([0, 0, 1, 1])
  const lines = NDJsonConverter.serialize([
    new Label({
      data: { id: 'ckrazctum0z8a0ybc0b0o0g0v' },
      annotations: [
        new ObjectAnnotation({
          featureSchemaId: 'ckrazcueb16og0z6609jj7y3y',
          confidence: 0.8,
          customMetrics: [{ name: 'customMetric1', value: 0.4 }],
          uuid: 'b862c586-8614-483c-b5e6-82810f70cac0',
          value: new Mask({ mask: new MaskData({ arr, width: 2, height: 2 }), color: [1, 1, 1] }),
        }),
        new ObjectAnnotation({
          featureSchemaId: 'ckrazcuec16ok0z66f956apb7',
          uuid: '751fc725-f7b6-48ed-89b0-dd7d94d08af6',
          value: new Mask({ mask: new MaskData({ url }), color: [255, 0, 0] }),
        }),
      ],
    }),
  ]) as unknown as Json[]
  assert.deepStrictEqual(lines[1], expected[1])
  const { mask, ...rest } = lines[0]!
  const { mask: _png, ...expectedRest } = expected[0]!
  assert.deepStrictEqual(rest, expectedRest)
  const rle = mask as { counts: string; size: [number, number] }
  assert.deepEqual(rle.size, [2, 2])
  const decoded = decodeRle(rle)
  assert.ok(decoded.ok)
  assert.deepEqual([...decoded.mask], [0, 0, 1, 1])
})

void test('serializer vector mask_from_2d_arr: a 32x32 square comes out as RLE of the same pixels', () => {
  const arr = new Uint8Array(32 * 32)
  for (let y = 5; y <= 10; y++) for (let x = 5; x <= 10; x++) arr[y * 32 + x] = 1
  const [line] = NDJsonConverter.serialize([
    new Label({
      data: { id: '0000000000000000000000000' },
      annotations: [
        new ObjectAnnotation({
          featureSchemaId: '1111111111111111111111111',
          value: new Mask({ mask: new MaskData({ arr, width: 32, height: 32 }), color: [1, 1, 1] }),
        }),
      ],
    }),
  ]) as unknown as Json[]
  const { mask, uuid: _u, ...rest } = line!
  const { mask: _png, ...expectedRest } = withoutUuid(
    vector('mask_from_2d_arr').expected[0] as Json,
  )
  assert.deepStrictEqual(rest, expectedRest)
  const decoded = decodeRle(mask as { counts: string; size: [number, number] })
  assert.ok(decoded.ok)
  assert.deepEqual(decoded.mask, arr)
  // and back: RLE lines deserialize to MaskData.arr
  const [label] = NDJsonConverter.deserialize([line!])
  const value = (label!.annotations[0] as ObjectAnnotation).value as Mask
  assert.deepEqual(value.mask.arr, arr)
  assert.equal(value.mask.width, 32)
})

void test('serializer vector mask_png_roundtrip_v5: {png} and {instanceURI, colorRGB} survive a round trip', () => {
  const v = vector('mask_png_roundtrip_v5')
  const lines = v.input['ndjson_in'] as Json[]
  assert.deepStrictEqual(stripKeys(roundTrip(lines), v.ignore_keys), lines)
  const [label] = NDJsonConverter.deserialize(lines)
  const png = (label!.annotations[0] as ObjectAnnotation).value as Mask
  assert.equal(png.color, undefined)
  assert.deepEqual([...png.mask.imBytes!.subarray(1, 4)], [0x50, 0x4e, 0x47]) // "PNG"
})

// ------------------------------------------------------------- the seed notebook payload

void test('seed notebook NDJSON payload round trips (placeholders filled in, imBytes elided there)', () => {
  const seed = readJson('derived/seed_image_notebook_ndjson.json') as { lines: { line: Json }[] }
  const source = '6f1c1a54-0d4e-4a3b-9a55-1f0a8e1f7d01'
  const target = '0b3c9b53-2e2f-4bb5-8f0a-7c4a5e0f6a02'
  const png = encodeBase64(
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
  )
  const text = JSON.stringify(seed.lines.map((l) => l.line))
    .replaceAll('<GLOBAL_KEY>', '2560px-Kitano_Street_Kobe01s5s4110.jpeg')
    .replaceAll('<UUID_SOURCE>', source)
    .replaceAll('<UUID_TARGET>', target)
    .replaceAll('"<BASE64 of composite_mask.png>"', JSON.stringify(png))
    .replace(/\["<R>",\s*"<G>",\s*"<B>[^"]*"\]/, '[255,255,0]')
  const lines = JSON.parse(text) as Json[]
  const labels = NDJsonConverter.deserialize(lines)
  assert.equal(labels.length, 1)
  assert.equal(labels[0]!.annotations.length, lines.length)
  const out = NDJsonConverter.serialize(labels) as unknown as Json[]
  assert.deepStrictEqual(
    out.map((l, i) => ('uuid' in lines[i]! ? l : withoutUuid(l))),
    lines.map(normalized),
  )
  // the relationship points at the uuids its bbox lines carry, and keeps its place after them
  const rel = out.findIndex((l) => 'relationship' in l)
  assert.deepEqual(out[rel]!['relationship'], { source, target, type: 'unidirectional' })
  assert.ok(out.findIndex((l) => l['uuid'] === source) < rel)
  // the nested single-object checklist answer has no ontology to say so: it reads as a Radio (documented)
  const nested = labels[0]!.annotations[2] as ClassificationAnnotation
  assert.ok(nested.value instanceof Checklist)
  assert.ok(nested.value.answer[0]!.classifications[0]!.value instanceof Radio)
  // composite mask lines: imBytes with their color
  const masks = out.filter((l) => 'mask' in l).map((l) => l['mask'])
  assert.deepStrictEqual(masks, [
    { imBytes: png, colorRGB: [73, 39, 85] },
    { imBytes: png, colorRGB: [255, 255, 0] },
  ])
})

void test('the Python-types variant of the seed builds the same lines (polygon auto-closed, relationship in list order)', () => {
  const gk = { globalKey: '2560px-Kitano_Street_Kobe01s5s4110.jpeg' }
  const sourceBox = new ObjectAnnotation({
    name: 'bounding_box',
    value: new Rectangle({
      start: new Point({ x: 2096, y: 1264 }),
      end: new Point({ x: 2240, y: 1689 }),
    }),
  })
  const targetBox = new ObjectAnnotation({
    name: 'bounding_box',
    value: new Rectangle({
      start: new Point({ x: 2272, y: 1346 }),
      end: new Point({ x: 2416, y: 1704 }),
    }),
  })
  const polygonPoints = [
    [1489.581, 183.934],
    [2278.306, 256.885],
    [2428.197, 200.437],
    [2560.0, 335.419],
    [2557.386, 503.165],
    [2320.596, 503.103],
    [2156.083, 628.943],
    [2161.111, 785.519],
    [2002.115, 894.647],
    [1838.456, 877.874],
    [1436.53, 874.636],
    [1411.403, 758.579],
    [1353.853, 751.74],
    [1345.264, 453.461],
    [1426.011, 421.129],
  ].map(([x, y]) => new Point({ x: x!, y: y! }))
  const label = new Label({
    data: gk,
    annotations: [
      new ObjectAnnotation({ name: 'polygon', value: new Polygon({ points: polygonPoints }) }),
      sourceBox,
      targetBox,
      new RelationshipAnnotation({
        name: 'relationship',
        value: new Relationship({
          source: sourceBox,
          target: targetBox,
          type: Relationship.Type.UNIDIRECTIONAL,
        }),
      }),
    ],
  })
  const out = NDJsonConverter.serialize([label]) as unknown as Json[]
  const seed = readJson('derived/seed_image_notebook_ndjson.json') as {
    lines: { var: string; line: Json }[]
  }
  const seedLine = (name: string): Json =>
    structuredClone(seed.lines.find((l) => l.var === name)!.line)
  const polygon = seedLine('polygon_annotation_ndjson')
  polygon['dataRow'] = gk
  assert.deepStrictEqual(withoutUuid(out[0]!), normalized(polygon))
  assert.equal((out[0]!['polygon'] as unknown[]).length, 16)
  assert.deepEqual(out[1]!['bbox'], { top: 1264, left: 2096, height: 425, width: 144 })
  assert.deepEqual(out[3]!['relationship'], {
    source: sourceBox.uuid,
    target: targetBox.uuid,
    type: 'unidirectional',
  })
})

// ------------------------------------------------------------- fixes over Labelbox's serializer

void test('one object in two relationships: both relationship lines reference uuids that object lines carry', () => {
  const a = new ObjectAnnotation({ name: 'cat', value: new Point({ x: 1, y: 2 }) })
  const b = new ObjectAnnotation({ name: 'dog', value: new Point({ x: 3, y: 4 }) })
  const c = new ObjectAnnotation({ name: 'toy', value: new Point({ x: 5, y: 6 }) })
  const label = new Label({
    data: { globalKey: 'k' },
    annotations: [
      a,
      b,
      c,
      new RelationshipAnnotation({
        name: 'chases',
        value: new Relationship({ source: b, target: a }),
      }),
      new RelationshipAnnotation({
        name: 'plays',
        value: new Relationship({ source: b, target: c, type: 'bidirectional' }),
      }),
    ],
  })
  const out = NDJsonConverter.serialize([label]) as unknown as Json[]
  const objectUuids = out.filter((l) => 'point' in l).map((l) => l['uuid'])
  assert.deepEqual(objectUuids, [a.uuid, b.uuid, c.uuid])
  assert.deepEqual(out[3]!['relationship'], {
    source: b.uuid,
    target: a.uuid,
    type: 'unidirectional',
  })
  assert.deepEqual(out[4]!['relationship'], {
    source: b.uuid,
    target: c.uuid,
    type: 'bidirectional',
  })
  // serializing twice gives the same uuids: nothing is regenerated
  assert.deepStrictEqual(NDJsonConverter.serialize([label]), out)
  // and the lines read back into the same structure
  const [back] = NDJsonConverter.deserialize(out)
  const rels = back!.annotations.filter((x) => x instanceof RelationshipAnnotation)
  assert.equal(rels[0]!.value.source, rels[1]!.value.source)
})

void test('confidence 0 is kept on objects, classification lines, answers and nested classifications', () => {
  const label = new Label({
    data: { id: 'ckrb1sf1i1g7i0ybcdc6oc8ct' },
    annotations: [
      new ObjectAnnotation({
        name: 'box',
        confidence: 0,
        customMetrics: [{ name: 'iou', value: 0 }],
        value: new Point({ x: 0, y: 0 }),
        classifications: [
          new ClassificationAnnotation({
            name: 'sub',
            confidence: 0,
            value: new Text({ answer: 'x' }),
          }),
        ],
      }),
      new ClassificationAnnotation({
        name: 'radio',
        confidence: 0,
        value: new Radio({ answer: new ClassificationAnswer({ name: 'a', confidence: 0 }) }),
      }),
    ],
  })
  const [object, radio] = NDJsonConverter.serialize([label]) as unknown as Json[]
  assert.equal(object!['confidence'], 0)
  assert.deepEqual(object!['customMetrics'], [{ name: 'iou', value: 0 }])
  assert.equal((object!['classifications'] as Json[])[0]!['confidence'], 0)
  assert.equal(radio!['confidence'], 0)
  assert.equal((radio!['answer'] as Json)['confidence'], 0)
  assert.equal(roundTrip([object!, radio!])[0]!['confidence'], 0)
})

function collectKeys(value: unknown, keys = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => collectKeys(v, keys))
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      keys.add(k)
      collectKeys(v, keys)
    }
  }
  return keys
}

void test('nested classifications are camelCase at depth 3 (schemaId, customMetrics)', () => {
  const metrics = [{ name: 'm', value: 0.3 }]
  const depth3 = new ClassificationAnnotation({
    featureSchemaId: 'ckrb1sfkn099c0y910wbo0p1c',
    customMetrics: metrics,
    value: new Checklist({
      answer: [
        new ClassificationAnswer({
          featureSchemaId: 'ckrb1sfl8099e0y919v260aw3',
          customMetrics: metrics,
          confidence: 0.3,
        }),
      ],
    }),
  })
  const depth2 = new ClassificationAnnotation({
    featureSchemaId: 'ckrb1sfkn099c0y910wbo0p1b',
    value: new Radio({
      answer: new ClassificationAnswer({
        featureSchemaId: 'ckrb1sfl8099e0y919v260aw2',
        customMetrics: metrics,
        classifications: [depth3],
      }),
    }),
  })
  const depth1 = new ClassificationAnnotation({
    featureSchemaId: 'ckrb1sfkn099c0y910wbo0p1a',
    value: new Radio({
      answer: new ClassificationAnswer({
        featureSchemaId: 'ckrb1sfl8099e0y919v260aw1',
        classifications: [depth2],
      }),
    }),
  })
  const lines = NDJsonConverter.serialize([
    new Label({
      data: { id: 'ckrb1sf1i1g7i0ybcdc6oc8ct' },
      annotations: [
        depth1,
        new ObjectAnnotation({
          name: 'box',
          value: new Point({ x: 1, y: 1 }),
          classifications: [depth2],
        }),
      ],
    }),
  ]) as unknown as Json[]
  const keys = collectKeys(lines)
  assert.ok(!keys.has('schema_id') && !keys.has('custom_metrics') && !keys.has('featureSchemaId'))
  const line = lines[0] as {
    answer: { classifications: { answer: { classifications: Json[] } }[] }
  }
  const nested3 = line.answer.classifications[0]!.answer.classifications[0]!
  assert.deepStrictEqual(nested3, {
    schemaId: 'ckrb1sfkn099c0y910wbo0p1c',
    customMetrics: metrics,
    answer: [{ schemaId: 'ckrb1sfl8099e0y919v260aw3', confidence: 0.3, customMetrics: metrics }],
  })
  assert.deepStrictEqual(roundTrip(lines), lines)
})

void test('name and schemaId are both written when both are set', () => {
  const [line] = NDJsonConverter.serialize([
    new Label({
      data: { id: 'cl6xnv9h61fv0085yhtoq06ht' },
      annotations: [
        new ObjectAnnotation({
          name: 'some-line',
          featureSchemaId: 'cl6xnuwt95lqq07330tbb3mfd',
          value: new Line({ points: [new Point({ x: 1, y: 2 }), new Point({ x: 3, y: 4 })] }),
        }),
      ],
    }),
  ])
  assert.equal(line!.name, 'some-line')
  assert.equal(line!.schemaId, 'cl6xnuwt95lqq07330tbb3mfd')
})

void test('masks: imBytes + color → {imBytes, colorRGB}; imBytes alone → {png}; filePath must be resolved first', () => {
  const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3])
  const make = (mask: Mask): Label =>
    new Label({
      data: { globalKey: 'k' },
      annotations: [new ObjectAnnotation({ name: 'mask', value: mask })],
    })
  const [composite] = NDJsonConverter.serialize([
    make(new Mask({ mask: new MaskData({ imBytes: bytes }), color: [73, 39, 85] })),
  ])
  assert.deepStrictEqual((composite as unknown as Json)['mask'], {
    imBytes: encodeBase64(bytes),
    colorRGB: [73, 39, 85],
  })
  const [binary] = NDJsonConverter.serialize([
    make(new Mask({ mask: new MaskData({ imBytes: bytes }) })),
  ])
  assert.deepStrictEqual((binary as unknown as Json)['mask'], { png: encodeBase64(bytes) })
  throwsCode(
    () =>
      NDJsonConverter.serialize([
        make(new Mask({ mask: new MaskData({ filePath: 'm.png' }), color: [1, 1, 1] })),
      ]),
    'field_invalid',
    [0, 'annotations', 0, 'value', 'mask', 'filePath'],
  )
  // {url} is read like instanceURI; a bad RLE is mask_rle_invalid
  const [label] = NDJsonConverter.deserialize([
    {
      dataRow: { globalKey: 'k' },
      name: 'mask',
      mask: { url: 'https://x/y.png', colorRGB: [255, 255, 255] },
    },
  ])
  const read = (label!.annotations[0] as ObjectAnnotation).value as Mask
  assert.equal(read.mask.url, 'https://x/y.png')
  assert.deepEqual(read.color, [255, 255, 255])
  const integration = readJson('derived/integration_image_label_import.json') as {
    extra_inference_lines: Record<string, Json>
  }
  const badRle = {
    ...integration.extra_inference_lines['segmentation_inference_rle']!,
    uuid: '6f1c1a54-0d4e-4a3b-9a55-1f0a8e1f7d01',
    name: 'mask',
  }
  assert.throws(
    () => NDJsonConverter.deserialize([badRle]),
    (err: unknown) => err instanceof AppError && err.code === 'mask_rle_invalid',
  )
  const rle = {
    dataRow: { id: 'ckrb1sf1i1g7i0ybcdc6oc8ct' },
    name: 'mask',
    mask: { size: [2, 3], counts: [1, 4, 1] },
  }
  const [rleLine] = roundTrip([rle])
  const decoded = decodeRle(rleLine!['mask'] as { counts: string; size: [number, number] })
  assert.ok(decoded.ok)
  assert.deepEqual([...decoded.mask], [0, 1, 1, 1, 1, 0])
})

void test('benchmark flag: on every line of the label, and read back', () => {
  const label = new Label({
    data: { globalKey: 'k' },
    isBenchmarkReference: true,
    annotations: [
      new ObjectAnnotation({ name: 'p', value: new Point({ x: 1, y: 1 }) }),
      new ClassificationAnnotation({ name: 't', value: new Text({ answer: 'x' }) }),
    ],
  })
  const lines = NDJsonConverter.serialize([label])
  assert.deepEqual(
    lines.map((l) => l.isBenchmarkReferenceLabel),
    [true, true],
  )
  assert.equal(NDJsonConverter.deserialize(lines)[0]!.isBenchmarkReference, true)
  assert.equal(
    'isBenchmarkReferenceLabel' in
      NDJsonConverter.serialize([
        new Label({ data: { globalKey: 'k' }, annotations: label.annotations }),
      ])[0]!,
    false,
  )
})

// ------------------------------------------------------------- deserialize rules and errors

void test('answers is an alias of a checklist answer; a single object under answers is a one-answer checklist', () => {
  const integration = readJson('derived/integration_image_label_import.json') as { lines: Json[] }
  const uuids = [
    '6f1c1a54-0d4e-4a3b-9a55-1f0a8e1f7d01',
    '0b3c9b53-2e2f-4bb5-8f0a-7c4a5e0f6a02',
    '1a2b3c4d-0000-4000-8000-000000000003',
    '1a2b3c4d-0000-4000-8000-000000000004',
    '1a2b3c4d-0000-4000-8000-000000000005',
  ]
  const lines = integration.lines.map((l, i) => ({
    ...l,
    uuid: uuids[i],
    dataRow: { id: 'ckrb1sf1i1g7i0ybcdc6oc8ct' },
  }))
  const [label] = NDJsonConverter.deserialize(lines)
  const checklist = label!.annotations[3] as ClassificationAnnotation
  assert.ok(checklist.value instanceof Checklist)
  assert.equal(checklist.value.answer.length, 2)
  assert.deepStrictEqual(NDJsonConverter.serialize([label!]), lines.map(normalized))
  const [one] = NDJsonConverter.deserialize([
    { dataRow: { globalKey: 'k' }, name: 'c', answers: { name: 'only' } },
  ])
  const value = (one!.annotations[0] as ClassificationAnnotation).value
  assert.ok(value instanceof Checklist && value.answer[0]!.name === 'only')
  const [radio] = NDJsonConverter.deserialize([
    { dataRow: { globalKey: 'k' }, name: 'r', answer: { name: 'only' } },
  ])
  assert.ok((radio!.annotations[0] as ClassificationAnnotation).value instanceof Radio)
})

void test('lines group into labels by data row, in first-seen order', () => {
  const labels = NDJsonConverter.deserialize([
    { dataRow: { globalKey: 'b' }, name: 't', answer: 'x' },
    { dataRow: { id: 'ckrb1sf1i1g7i0ybcdc6oc8ct' }, name: 't', answer: 'y' },
    { dataRow: { globalKey: 'b' }, name: 'p', point: { x: 1, y: 2 } },
  ])
  assert.deepEqual(
    labels.map((l) => l.data),
    [{ globalKey: 'b' }, { id: 'ckrb1sf1i1g7i0ybcdc6oc8ct' }],
  )
  assert.equal(labels[0]!.annotations.length, 2)
})

void test('deserialize errors carry codes and paths into the lines', () => {
  const u1 = '9b1e1249-36b4-4665-b60a-9060e0d18660'
  const u2 = 'd8813907-b15d-4374-bbe6-b9877fb42ccd'
  const dr = { id: 'clf98gj90000qp38ka34yhptl' }
  const box = (uuid: string, dataRow: Json = dr): Json => ({
    uuid,
    dataRow,
    name: 'cat',
    bbox: { top: 1, left: 1, height: 1, width: 1 },
  })
  throwsCode(() => NDJsonConverter.deserialize([box(u1), box(u1)]), 'uuid_duplicate', [1, 'uuid'])
  assert.equal(NDJsonConverter.deserialize([box(u1), box(u1, { id: 'other' })]).length, 2)
  const rel = {
    dataRow: dr,
    name: 'r',
    relationship: { source: u1, target: u2, type: 'unidirectional' },
  }
  throwsCode(() => NDJsonConverter.deserialize([box(u1), rel]), 'relationship_endpoint_unknown', [
    1,
    'relationship',
    'target',
  ])
  // an object of another data row does not count
  throwsCode(
    () => NDJsonConverter.deserialize([box(u1), box(u2, { id: 'other' }), rel]),
    'relationship_endpoint_unknown',
    [2, 'relationship', 'target'],
  )
  // a relationship may come before its objects
  const [ok] = NDJsonConverter.deserialize([rel, box(u1), box(u2)])
  assert.ok(ok!.annotations[0] instanceof RelationshipAnnotation)
  throwsCode(
    () =>
      NDJsonConverter.deserialize([
        { ...rel, relationship: { source: u1, target: u2, type: 'up' } },
        box(u1),
        box(u2),
      ]),
    'relationship_type_invalid',
    [0, 'relationship', 'type'],
  )
  throwsCode(() => NDJsonConverter.deserialize(['x']), 'line_not_object', [0])
  throwsCode(
    () => NDJsonConverter.deserialize([{ name: 'p', point: { x: 1, y: 1 } }]),
    'data_row_missing',
    [0, 'dataRow'],
  )
  throwsCode(
    () =>
      NDJsonConverter.deserialize([
        { dataRow: { id: 'a', globalKey: 'b' }, name: 'p', point: { x: 1, y: 1 } },
      ]),
    'data_row_ref_invalid',
    [0, 'dataRow'],
  )
  throwsCode(
    () => NDJsonConverter.deserialize([{ dataRow: dr, name: 'p' }]),
    'annotation_kind_missing',
    [0],
  )
  throwsCode(
    () =>
      NDJsonConverter.deserialize([{ dataRow: dr, name: 'p', point: { x: 1, y: 1 }, bbox: {} }]),
    'annotation_kind_conflict',
    [0, 'bbox'], // the line grammar's rule, as the server: the second kind key of the line
  )
  throwsCode(
    () => NDJsonConverter.deserialize([{ dataRow: dr, point: { x: 1, y: 1 } }]),
    'feature_missing',
    [0, 'name'],
  )
  // `featureSchemaId` is not a line key (the server fails such a line with feature_missing too)
  throwsCode(
    () =>
      NDJsonConverter.deserialize([
        { dataRow: dr, featureSchemaId: 'ckrb1sfkn099c0y910wbo0p1c', point: { x: 1, y: 1 } },
      ]),
    'feature_missing',
    [0, 'name'],
  )
  throwsCode(
    () => NDJsonConverter.deserialize([{ dataRow: { id: '' }, name: 'p', point: { x: 1, y: 1 } }]),
    'data_row_ref_invalid',
    [0, 'dataRow', 'id'],
  )
  throwsCode(
    () =>
      NDJsonConverter.deserialize([
        {
          dataRow: dr,
          name: 'p',
          polygon: [
            { x: 1, y: 1 },
            { x: 2, y: 2 },
          ],
        },
      ]),
    'polygon_too_few_points',
    [0, 'polygon', 'points'],
  )
  throwsCode(
    () => NDJsonConverter.deserialize([{ dataRow: dr, name: 'p', point: { x: 1, y: 'a' } }]),
    'coordinate_invalid',
    [0, 'point', 'y'],
  )
  throwsCode(
    () =>
      NDJsonConverter.deserialize([
        {
          dataRow: dr,
          name: 'p',
          line: [
            { x: 1, y: 1 },
            { x: 1, y: null },
          ],
        },
      ]),
    'coordinate_invalid',
    [0, 'line', 1, 'y'],
  )
  throwsCode(
    () =>
      NDJsonConverter.deserialize([
        { dataRow: dr, name: 'b', bbox: { top: 1, left: 1, height: 1 } },
      ]),
    'coordinate_invalid',
    [0, 'bbox', 'width'],
  )
  throwsCode(
    () =>
      NDJsonConverter.deserialize([
        { dataRow: dr, name: 'c', answer: [{ name: 'a', confidence: 2 }] },
      ]),
    'confidence_out_of_range',
    [0, 'answer', 0, 'confidence'],
  )
  throwsCode(
    () =>
      NDJsonConverter.deserialize([{ dataRow: dr, uuid: 'not-a-uuid', name: 'c', answer: 'x' }]),
    'uuid_invalid',
    [0, 'uuid'],
  )
  throwsCode(
    () =>
      NDJsonConverter.deserialize([
        { dataRow: dr, name: 'm', mask: { instanceURI: 'https://x', colorRGB: [0, 0, 300] } },
      ]),
    'mask_color_invalid',
    [0, 'mask', 'color', 2],
  )
})

void test('serialize errors: duplicate uuids on a data row, relationship endpoints outside the label', () => {
  const a = new ObjectAnnotation({ name: 'a', value: new Point({ x: 1, y: 1 }) })
  const b = new ObjectAnnotation({ name: 'b', value: new Point({ x: 2, y: 2 }) })
  throwsCode(
    () => NDJsonConverter.serialize([new Label({ data: { globalKey: 'k' }, annotations: [a, a] })]),
    'uuid_duplicate',
    [0, 'annotations', 1, 'uuid'],
  )
  throwsCode(
    () =>
      NDJsonConverter.serialize([
        new Label({ data: { globalKey: 'k' }, annotations: [a] }),
        new Label({ data: { globalKey: 'k' }, annotations: [a] }),
      ]),
    'uuid_duplicate',
    [1, 'annotations', 0, 'uuid'],
  )
  const rel = new RelationshipAnnotation({
    name: 'r',
    value: new Relationship({ source: a, target: b }),
  })
  throwsCode(
    () =>
      NDJsonConverter.serialize([new Label({ data: { globalKey: 'k' }, annotations: [a, rel] })]),
    'relationship_endpoint_unknown',
    [0, 'annotations', 1, 'value', 'target'],
  )
})
