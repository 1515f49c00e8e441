import { test } from 'node:test'
import assert from 'node:assert/strict'
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
  decodeBase64,
  encodeBase64,
} from './index.ts'

function throwsCode(fn: () => unknown, code: string, path: (string | number)[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AppError, `expected AppError, got ${String(err)}`)
    assert.equal(err.code, code)
    assert.deepEqual(err.path, path)
    return true
  })
}

const p = (x: number, y: number): Point => new Point({ x, y })
const box = (): Rectangle => new Rectangle({ start: p(0, 0), end: p(1, 1) })

void test('Polygon closes itself: 15 points in, 16 out, last equals first', () => {
  const points = Array.from({ length: 15 }, (_, i) => p(i, i * i))
  const polygon = new Polygon({ points })
  assert.equal(polygon.points.length, 16)
  assert.deepEqual(polygon.points[15], points[0])
  const closed = new Polygon({ points: [p(0, 0), p(1, 0), p(1, 1), p(0, 0)] })
  assert.equal(closed.points.length, 4)
})

void test('geometry validation: polygon >= 3 points, line >= 2, finite coordinates', () => {
  throwsCode(() => new Polygon({ points: [p(0, 0), p(1, 1)] }), 'polygon_too_few_points', [
    'points',
  ])
  throwsCode(() => new Line({ points: [p(0, 0)] }), 'line_too_few_points', ['points'])
  throwsCode(() => new Point({ x: Number.NaN, y: 0 }), 'coordinate_not_finite', ['x'])
  throwsCode(() => new Point({ x: 0, y: '3' as unknown as number }), 'coordinate_invalid', ['y'])
  throwsCode(() => new Line({ points: [p(0, 0), { x: 1, y: 1 } as Point] }), 'field_invalid', [
    'points',
    1,
  ])
})

void test('Rectangle.fromXYWH takes the top-left corner and a size', () => {
  const r = Rectangle.fromXYWH({ x: 1690, y: 977, width: 225, height: 330 })
  assert.deepEqual([r.start.x, r.start.y, r.end.x, r.end.y], [1690, 977, 1915, 1307])
})

void test('every annotation needs a name or a featureSchemaId', () => {
  throwsCode(() => new ObjectAnnotation({ value: box() }), 'feature_missing', ['name'])
  throwsCode(() => new ClassificationAnswer({}), 'feature_missing', ['name'])
  throwsCode(
    () => new ClassificationAnnotation({ name: '', value: new Text({ answer: 'a' }) }),
    'field_invalid',
    ['name'],
  )
  const both = new ObjectAnnotation({
    name: 'n',
    featureSchemaId: 'ckrazcueb16og0z6609jj7y3y',
    value: box(),
  })
  assert.equal(both.name, 'n')
  assert.equal(both.featureSchemaId, 'ckrazcueb16og0z6609jj7y3y')
})

void test('confidence must be in [0,1]; 0 is kept', () => {
  throwsCode(
    () => new ObjectAnnotation({ name: 'b', value: box(), confidence: 1.5 }),
    'confidence_out_of_range',
    ['confidence'],
  )
  throwsCode(
    () => new ClassificationAnswer({ name: 'a', confidence: -0.1 }),
    'confidence_out_of_range',
    ['confidence'],
  )
  assert.equal(new ObjectAnnotation({ name: 'b', value: box(), confidence: 0 }).confidence, 0)
  throwsCode(
    () =>
      new ObjectAnnotation({
        name: 'b',
        value: box(),
        customMetrics: [{ name: 'm', value: Number.NaN }],
      }),
    'custom_metrics_invalid',
    ['customMetrics', 0],
  )
})

void test("uuid: the user's is kept in canonical form, a missing one is generated, a bad one is refused", () => {
  const given = new ObjectAnnotation({
    name: 'b',
    value: box(),
    uuid: '{B862C586-8614-483C-B5E6-82810F70CAC0}',
  })
  assert.equal(given.uuid, 'b862c586-8614-483c-b5e6-82810f70cac0')
  const a = new ObjectAnnotation({ name: 'b', value: box() })
  const b = new ObjectAnnotation({ name: 'b', value: box() })
  assert.match(a.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  assert.notEqual(a.uuid, b.uuid)
  assert.equal(a.uuid, a.uuid) // stable: never regenerated on access
  throwsCode(
    () =>
      new ClassificationAnnotation({ name: 'c', value: new Text({ answer: 'x' }), uuid: 'nope' }),
    'uuid_invalid',
    ['uuid'],
  )
})

void test('mask colors: an (r,g,b) triple or one grayscale value of integers 0..255', () => {
  const data = new MaskData({ url: 'https://example.com/m.png' })
  assert.deepEqual(new Mask({ mask: data, color: [73, 39, 85] }).color, [73, 39, 85])
  assert.deepEqual(new Mask({ mask: data, color: 7 }).color, [7, 7, 7])
  assert.equal(new Mask({ mask: data }).color, undefined)
  throwsCode(() => new Mask({ mask: data, color: [256, 0, 0] }), 'mask_color_invalid', ['color', 0])
  throwsCode(() => new Mask({ mask: data, color: [1, 2.5, 0] }), 'mask_color_invalid', ['color', 1])
  throwsCode(
    () => new Mask({ mask: data, color: [1, 2] as unknown as [number, number, number] }),
    'mask_color_invalid',
    ['color'],
  )
})

void test('MaskData needs a source; arr must be width*height bytes', () => {
  throwsCode(() => new MaskData({} as { url: string }), 'mask_invalid', [])
  throwsCode(
    () => new MaskData({ arr: new Uint8Array(5), width: 2, height: 2 }),
    'mask_size_mismatch',
    ['arr'],
  )
  throwsCode(() => new MaskData({ arr: new Uint8Array(4), width: 0, height: 2 }), 'field_invalid', [
    'width',
  ])
  assert.equal(new MaskData({ filePath: '/tmp/x.png' }).filePath, '/tmp/x.png')
})

void test('Label data needs exactly one of globalKey and id', () => {
  throwsCode(
    () => new Label({ data: {} as { id: string }, annotations: [] }),
    'data_row_ref_invalid',
    ['data'],
  )
  const both = { id: 'a', globalKey: 'b' } // TypeScript lets this through; the constructor does not
  throwsCode(() => new Label({ data: both, annotations: [] }), 'data_row_ref_invalid', ['data'])
  throwsCode(
    () => new Label({ data: { globalKey: '' }, annotations: [] }),
    'data_row_ref_invalid',
    ['data', 'globalKey'],
  )
  throwsCode(
    () => new Label({ data: { globalKey: 'k' }, annotations: [{} as ObjectAnnotation] }),
    'field_invalid',
    ['annotations', 0],
  )
  const label = new Label({ data: { globalKey: 'k' }, annotations: [] })
  assert.equal(label.isBenchmarkReference, false)
})

void test('nested classifications go to any depth', () => {
  let inner = new ClassificationAnnotation({ name: 'leaf', value: new Text({ answer: 'deep' }) })
  for (let depth = 0; depth < 6; depth++) {
    inner = new ClassificationAnnotation({
      name: `q${depth}`,
      value: new Radio({
        answer: new ClassificationAnswer({ name: `a${depth}`, classifications: [inner] }),
      }),
    })
  }
  let node: ClassificationAnnotation | undefined = inner
  let levels = 0
  while (node !== undefined && node.value instanceof Radio) {
    node = node.value.answer.classifications[0]
    levels++
  }
  assert.equal(levels, 6)
  assert.ok(node?.value instanceof Text)
  throwsCode(
    () => new Checklist({ answer: [{ name: 'x' } as ClassificationAnswer] }),
    'field_invalid',
    ['answer', 0],
  )
  throwsCode(() => new Text({ answer: 3 as unknown as string }), 'text_answer_invalid', ['answer'])
})

void test('Relationship: two distinct objects, a known type, unidirectional by default', () => {
  const a = new ObjectAnnotation({ name: 'a', value: box() })
  const b = new ObjectAnnotation({ name: 'b', value: box() })
  assert.equal(new Relationship({ source: a, target: b }).type, 'unidirectional')
  assert.equal(Relationship.Type.BIDIRECTIONAL, 'bidirectional')
  throwsCode(() => new Relationship({ source: a, target: a }), 'relationship_self_reference', [
    'target',
  ])
  throwsCode(
    () => new Relationship({ source: a, target: b, type: 'sideways' as 'unidirectional' }),
    'relationship_type_invalid',
    ['type'],
  )
  const rel = new RelationshipAnnotation({
    name: 'r',
    value: new Relationship({ source: a, target: b }),
  })
  assert.equal(rel.value.source, a)
})

void test("base64 matches RFC 4648 vectors and Node's encoder", () => {
  const vectors: [string, string][] = [
    ['', ''],
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='],
    ['foobar', 'Zm9vYmFy'],
  ]
  for (const [plain, encoded] of vectors) {
    const bytes = new TextEncoder().encode(plain)
    assert.equal(encodeBase64(bytes), encoded)
    assert.deepEqual(decodeBase64(encoded), bytes)
  }
  const random = new Uint8Array(1001)
  for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 256
  const encoded = encodeBase64(random)
  assert.equal(encoded, Buffer.from(random).toString('base64'))
  assert.deepEqual(decodeBase64(encoded), random)
  assert.deepEqual(decodeBase64('Zm9vYg'), new TextEncoder().encode('foob')) // missing padding tolerated
  throwsCode(() => decodeBase64('Zm9*', ['mask', 'png']), 'field_invalid', ['mask', 'png'])
})
