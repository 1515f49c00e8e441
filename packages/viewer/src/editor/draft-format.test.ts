import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { decodeRle, encodeRle } from '@labelport/core'
import type { ObjectRecord } from '@labelport/core'
import { fromAnnotationRecord, fromDraftAnnotation, toDraftAnnotation } from './draft-format.ts'
import { EditorDocument } from './editor-document.ts'
import {
  emptyMask,
  fillPolygon,
  maskArea,
  maskFromRle,
  maskToRle,
  paintSegment,
  tightenMask,
} from './mask-edit.ts'
import type { EditorItem, ObjectItem } from './model.ts'
import { SpatialIndex } from './spatial-index.ts'

describe('draft format', () => {
  it('round-trips every kind through the NDJSON grammar with provenance', () => {
    const mask = tightenMask(
      fillPolygon(
        emptyMask(),
        [
          { x: 10, y: 10 },
          { x: 30, y: 10 },
          { x: 30, y: 25 },
        ],
        1,
        64,
        48,
      ),
    )
    const items: EditorItem[] = [
      {
        kind: 'object',
        uuid: 'a',
        featureSchemaId: 'f-box',
        name: 'box',
        provenance: { source: 'prelabel', importId: 'i', originalUuid: 'a', modified: true },
        geometry: { type: 'bbox', box: { left: 1.234, top: 2, width: 3, height: 4 } },
        answers: {
          q1: { type: 'radio', option: 'o1', nested: { q2: { type: 'text', text: 'deep' } } },
          q3: { type: 'checklist', options: { o2: {}, o3: { q4: { type: 'text', text: 'x' } } } },
        },
      },
      {
        kind: 'object',
        uuid: 'b',
        featureSchemaId: 'f-poly',
        name: 'poly',
        provenance: { source: 'drawn' },
        geometry: {
          type: 'polygon',
          points: [
            { x: 1, y: 1 },
            { x: 5, y: 1 },
            { x: 5, y: 5 },
          ],
        },
        answers: {},
      },
      {
        kind: 'object',
        uuid: 'c',
        featureSchemaId: 'f-mask',
        name: 'mask',
        provenance: { source: 'drawn' },
        geometry: { type: 'mask', mask },
        answers: {},
      },
      {
        kind: 'relationship',
        uuid: 'r',
        featureSchemaId: 'f-rel',
        name: 'rel',
        provenance: { source: 'drawn' },
        source: 'a',
        target: 'b',
        bidirectional: true,
      },
      {
        kind: 'classification',
        uuid: 'g',
        featureSchemaId: 'q-global',
        name: 'global',
        provenance: { source: 'drawn' },
        answer: { type: 'radio', option: 'o9', nested: {} },
      },
    ]
    const draft = items.map((i) => toDraftAnnotation(i, 64, 48))
    assert.deepEqual(draft[0]!.bbox, { left: 1.23, top: 2, width: 3, height: 4 })
    assert.deepEqual(draft[0]!.classifications, [
      {
        schemaId: 'q1',
        answer: { schemaId: 'o1', classifications: [{ schemaId: 'q2', answer: 'deep' }] },
      },
      {
        schemaId: 'q3',
        answer: [
          { schemaId: 'o2' },
          { schemaId: 'o3', classifications: [{ schemaId: 'q4', answer: 'x' }] },
        ],
      },
    ])
    assert.deepEqual(draft[3]!.relationship, { source: 'a', target: 'b', type: 'bidirectional' })
    assert.deepEqual(draft[4]!.answer, { schemaId: 'o9' })
    const names = new Map(items.map((i) => [i.featureSchemaId, i.name]))
    const back = draft.map((d) => fromDraftAnnotation(JSON.parse(JSON.stringify(d)), names))
    assert.deepEqual(
      (back[0] as ObjectItem).answers,
      items[0]!.kind === 'object' && items[0]!.answers,
    )
    assert.deepEqual(back[0]!.provenance, items[0]!.provenance)
    assert.deepEqual(back[1], items[1])
    const m = (back[2] as ObjectItem).geometry
    assert.equal(m.type, 'mask')
    assert.deepEqual(m.type === 'mask' && { ...m.mask, data: [...m.mask.data] }, {
      ...mask,
      data: [...mask.data],
    })
    assert.deepEqual(back[3], items[3])
    assert.deepEqual(back[4], items[4])
  })

  it('reads stored records: closed polygons open, masks cropped, suggestions marked', () => {
    const full = new Uint8Array(20 * 10)
    full[3 * 20 + 4] = 1
    full[4 * 20 + 4] = 1
    const record: ObjectRecord = {
      kind: 'object',
      uuid: 'm',
      dataRowId: 'row',
      featureSchemaId: 'f-mask',
      name: 'mask',
      tool: 'raster-segmentation',
      geometry: {
        type: 'mask',
        compositeSha256: 'x',
        color: null,
        rle: encodeRle(full, 20, 10),
        bbox: { left: 4, top: 3, width: 1, height: 2 },
        area: 2,
      },
      classifications: [],
    }
    const item = fromAnnotationRecord(
      record,
      { source: 'drawn' },
      { importId: 'i', confidence: 0.5 },
    )
    assert.ok(item?.kind === 'object' && item.geometry.type === 'mask')
    assert.deepEqual(
      { ...item.geometry.mask, data: [...item.geometry.mask.data] },
      {
        left: 4,
        top: 3,
        width: 1,
        height: 2,
        data: [1, 1],
      },
    )
    assert.deepEqual(item.suggestion, { importId: 'i', confidence: 0.5 })
    const polygon = fromAnnotationRecord(
      {
        ...record,
        tool: 'polygon',
        geometry: {
          type: 'polygon',
          points: [
            { x: 0, y: 0 },
            { x: 1, y: 0 },
            { x: 1, y: 1 },
            { x: 0, y: 0 },
          ],
        },
      },
      { source: 'imported', importId: 'i' },
    )
    assert.ok(polygon?.kind === 'object' && polygon.geometry.type === 'polygon')
    assert.equal(polygon.geometry.points.length, 3)
  })
})

describe('masks', () => {
  it('encode as COCO RLE of the whole image, pixel for pixel', () => {
    const mask = paintSegment(emptyMask(), { x: 20, y: 20 }, { x: 60, y: 30 }, 6, 1, 100, 80)
    const rle = maskToRle(mask, 100, 80)
    const decoded = decodeRle(rle)
    assert.ok(decoded.ok)
    let area = 0
    for (let y = 0; y < 80; y++)
      for (let x = 0; x < 100; x++) {
        const inCrop =
          x >= mask.left &&
          y >= mask.top &&
          x < mask.left + mask.width &&
          y < mask.top + mask.height
        const expected = inCrop ? mask.data[(y - mask.top) * mask.width + (x - mask.left)]! : 0
        assert.equal(decoded.mask[y * 100 + x], expected, `pixel ${x},${y}`)
        area += expected
      }
    assert.equal(area, maskArea(mask))
    const back = maskFromRle(rle)!
    assert.equal(maskArea(back), area)
  })

  it('clip brush strokes at the image border', () => {
    const mask = paintSegment(emptyMask(), { x: 2, y: 2 }, { x: 2, y: 2 }, 10, 1, 50, 50)
    assert.equal(mask.left, 0)
    assert.equal(mask.top, 0)
    assert.ok(mask.width <= 13)
  })
})

describe('EditorDocument and SpatialIndex', () => {
  it('a gesture is one undo step; a cancelled gesture leaves nothing', () => {
    const item = (x: number): ObjectItem => ({
      kind: 'object',
      uuid: 'p',
      featureSchemaId: 'f',
      name: 'p',
      provenance: { source: 'drawn' },
      geometry: { type: 'point', point: { x, y: 1 } },
      answers: {},
    })
    const doc = new EditorDocument(100, 100, [item(0)])
    doc.beginGesture()
    for (let x = 1; x <= 10; x++) doc.change([item(x)])
    doc.endGesture()
    assert.equal(doc.undo(), true)
    assert.deepEqual((doc.get('p') as ObjectItem).geometry, item(0).geometry)
    assert.equal(doc.canUndo, false)
    doc.beginGesture()
    doc.change([item(50)])
    doc.cancelGesture()
    assert.deepEqual((doc.get('p') as ObjectItem).geometry, item(0).geometry)
    assert.equal(doc.canUndo, false)
    assert.equal(doc.canRedo, true)
    assert.deepEqual([...doc.index.query({ left: 0, top: 0, width: 2, height: 2 })], ['p'])
  })

  it('finds what meets a rectangle after moves, large objects included', () => {
    const index = new SpatialIndex(4096, 4096)
    index.set('small', { left: 100, top: 100, width: 10, height: 10 })
    index.set('large', { left: 0, top: 0, width: 4000, height: 4000 })
    assert.deepEqual([...index.query({ left: 105, top: 105, width: 1, height: 1 })].sort(), [
      'large',
      'small',
    ])
    index.set('small', { left: 3000, top: 3000, width: 10, height: 10 })
    assert.deepEqual([...index.query({ left: 105, top: 105, width: 1, height: 1 })], ['large'])
    assert.deepEqual([...index.query({ left: 2990, top: 2990, width: 5, height: 5 }, 6)].sort(), [
      'large',
      'small',
    ])
    index.delete('large')
    assert.equal(index.size, 1)
  })
})
