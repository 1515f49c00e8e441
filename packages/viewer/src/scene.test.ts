import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import type { AnnotationRecord, NormalizedOntology, ObjectRecord } from '@labelport/core'
import {
  FALLBACK_COLOR,
  boundsOf,
  buildScene,
  fitTransform,
  toImage,
  toScreen,
  zoomAround,
  type ViewerAnnotation,
} from './scene.ts'

function object(
  uuid: string,
  geometry: ObjectRecord['geometry'],
  featureSchemaId = 'f-box',
): ObjectRecord {
  const tool =
    geometry.type === 'bbox'
      ? 'rectangle'
      : geometry.type === 'mask'
        ? 'raster-segmentation'
        : geometry.type
  return {
    kind: 'object',
    uuid,
    dataRowId: 'row',
    featureSchemaId,
    name: uuid,
    tool: tool,
    geometry,
    classifications: [],
  }
}

function stored(
  id: string,
  layer: 'prelabel' | 'label',
  record: AnnotationRecord,
): ViewerAnnotation {
  return { id, layer, importId: 'imp', record }
}

const ontology = {
  tools: [{ featureSchemaId: 'f-box', color: '#ff0000' }],
  classifications: [],
} as unknown as NormalizedOntology

describe('buildScene', () => {
  it('colors objects by their tool, falls back for unknown features, and sorts big objects first', () => {
    const scene = buildScene(
      [
        stored(
          'a',
          'label',
          object('small', { type: 'bbox', left: 0, top: 0, width: 2, height: 2 }),
        ),
        stored(
          'b',
          'label',
          object('big', { type: 'bbox', left: 0, top: 0, width: 50, height: 40 }, 'f-other'),
        ),
      ],
      ontology,
    )
    assert.deepEqual(
      scene.objects.map((o) => [o.uuid, o.color]),
      [
        ['big', FALLBACK_COLOR],
        ['small', '#ff0000'],
      ],
    )
    assert.equal(scene.byId.get('a'), scene.objects[1])
  })

  it('resolves relationships within their own layer only', () => {
    const rel = (layer: 'prelabel' | 'label'): AnnotationRecord => ({
      kind: 'relationship',
      uuid: `rel-${layer}`,
      dataRowId: 'row',
      featureSchemaId: 'f-edge',
      name: 'edge',
      source: 's',
      target: 't',
      relationshipType: 'bidirectional',
    })
    const scene = buildScene(
      [
        stored('s-label', 'label', object('s', { type: 'point', x: 1, y: 2 })),
        stored('t-label', 'label', object('t', { type: 'point', x: 3, y: 4 })),
        stored('r-label', 'label', rel('label')),
        stored('r-pre', 'prelabel', rel('prelabel')),
      ],
      null,
    )
    const [label, pre] = scene.relationships
    assert.equal(label?.source?.id, 's-label')
    assert.equal(label?.target?.id, 't-label')
    assert.equal(label?.bidirectional, true)
    // the pre-label relationship has no pre-label objects to point at
    assert.equal(pre?.source, undefined)
    assert.equal(pre?.target, undefined)
  })

  it('keeps global classifications apart with their confidence', () => {
    const scene = buildScene(
      [
        stored('c', 'prelabel', {
          kind: 'classification',
          uuid: 'c',
          dataRowId: 'row',
          featureSchemaId: 'f-q',
          name: 'q',
          confidence: 0.25,
          classification: { type: 'text', featureSchemaId: 'f-q', name: 'q', text: 'hello' },
        }),
      ],
      null,
    )
    assert.equal(scene.objects.length, 0)
    assert.equal(scene.classifications[0]?.confidence, 0.25)
  })
})

describe('boundsOf', () => {
  it('bounds polylines and polygons by their extreme vertices, points as zero-size boxes', () => {
    assert.deepEqual(
      boundsOf({
        type: 'line',
        points: [
          { x: 5, y: 9 },
          { x: -1, y: 3 },
          { x: 7, y: 4 },
        ],
      }),
      { left: -1, top: 3, width: 8, height: 6 },
    )
    assert.deepEqual(boundsOf({ type: 'point', point: { x: 4, y: 6 } }), {
      left: 4,
      top: 6,
      width: 0,
      height: 0,
    })
    assert.deepEqual(boundsOf({ type: 'polygon', points: [] }), {
      left: 0,
      top: 0,
      width: 0,
      height: 0,
    })
  })
})

describe('view transforms', () => {
  it('fits an image centred inside the margin, on its limiting side', () => {
    const t = fitTransform(400, 200, 1000, 600, 16)
    // width limits: (1000 - 32) / 400 = 2.42; height would allow (600 - 32) / 200 = 2.84
    assert.equal(t.scale, 2.42)
    assert.deepEqual(toScreen(t, { x: 0, y: 0 }), { x: 16, y: (600 - 200 * 2.42) / 2 })
    assert.deepEqual(toScreen(t, { x: 400, y: 200 }), { x: 984, y: 600 - (600 - 200 * 2.42) / 2 })
  })

  it('maps screen and image points back and forth', () => {
    const t = { scale: 0.37, offsetX: -12.5, offsetY: 40 }
    const p = { x: 1234.5, y: 77.25 }
    const back = toImage(t, toScreen(t, p))
    assert.ok(Math.abs(back.x - p.x) < 1e-9 && Math.abs(back.y - p.y) < 1e-9)
  })

  it('zooms around the cursor: the image point under it stays put, and the scale is clamped', () => {
    const t = { scale: 1, offsetX: 10, offsetY: 20 }
    const anchor = { x: 300, y: 200 }
    const before = toImage(t, anchor)
    const zoomed = zoomAround(t, anchor, 2.5)
    assert.equal(zoomed.scale, 2.5)
    const after = toImage(zoomed, anchor)
    assert.ok(Math.abs(after.x - before.x) < 1e-9 && Math.abs(after.y - before.y) < 1e-9)
    assert.equal(zoomAround(t, anchor, 1000).scale, 64)
    assert.equal(zoomAround(t, anchor, 1e-6).scale, 0.01)
  })
})
