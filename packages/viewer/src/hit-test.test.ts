import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import type { ObjectRecord } from '@labelport/core'
import { buildGridIndex, hitTest, hitsObject } from './hit-test.ts'
import { buildScene, type SceneObject } from './scene.ts'

function scene(geometries: [string, ObjectRecord['geometry']][]): SceneObject[] {
  return buildScene(
    geometries.map(([uuid, geometry]) => ({
      id: uuid,
      layer: 'label',
      importId: 'imp',
      record: {
        kind: 'object',
        uuid,
        dataRowId: 'row',
        featureSchemaId: 'f',
        name: uuid,
        tool: 'rectangle',
        geometry,
        classifications: [],
      },
    })),
    null,
  ).objects
}

const noMask = () => false
const all = () => true

describe('hitsObject', () => {
  const [triangle] = scene([
    [
      'triangle',
      {
        type: 'polygon',
        points: [
          { x: 0, y: 0 },
          { x: 100, y: 0 },
          { x: 0, y: 100 },
          { x: 0, y: 0 },
        ],
      },
    ],
  ])
  it('tests polygons by their shape, not their bounds', () => {
    assert.equal(hitsObject(triangle!, { x: 10, y: 10 }, 2, noMask), true)
    // inside the bounding box but beyond the hypotenuse
    assert.equal(hitsObject(triangle!, { x: 90, y: 90 }, 2, noMask), false)
  })

  it('gives lines a tolerance on each side and nothing beyond it', () => {
    const [line] = scene([
      [
        'line',
        {
          type: 'line',
          points: [
            { x: 0, y: 50 },
            { x: 100, y: 50 },
          ],
        },
      ],
    ])
    assert.equal(hitsObject(line!, { x: 40, y: 53 }, 3, noMask), true)
    assert.equal(hitsObject(line!, { x: 40, y: 53.5 }, 3, noMask), false)
  })

  it('asks the mask for masks, at the whole pixel under the point', () => {
    const [mask] = scene([
      [
        'mask',
        {
          type: 'mask',
          compositeSha256: 'x',
          color: null,
          rle: { counts: '', size: [10, 10] },
          bbox: { left: 0, top: 0, width: 10, height: 10 },
          area: 1,
        },
      ],
    ])
    const asked: [number, number][] = []
    hitsObject(mask!, { x: 3.7, y: 4.2 }, 1, (_o, x, y) => (asked.push([x, y]), true))
    assert.deepEqual(asked, [[3, 4]])
  })
})

describe('hitTest', () => {
  it('picks the smallest object under the point, and points over the areas they sit on', () => {
    const objects = scene([
      ['big', { type: 'bbox', left: 0, top: 0, width: 1000, height: 1000 }],
      ['small', { type: 'bbox', left: 480, top: 480, width: 40, height: 40 }],
      ['dot', { type: 'point', x: 700, y: 700 }],
    ])
    const index = buildGridIndex(objects, 1000, 1000)
    assert.equal(hitTest(index, { x: 500, y: 500 }, 2, all, noMask)?.uuid, 'small')
    assert.equal(hitTest(index, { x: 100, y: 100 }, 2, all, noMask)?.uuid, 'big')
    assert.equal(hitTest(index, { x: 701, y: 701 }, 2, all, noMask)?.uuid, 'dot')
    assert.equal(hitTest(index, { x: 1500, y: 100 }, 2, all, noMask), undefined)
  })

  it('skips hidden objects', () => {
    const objects = scene([
      ['big', { type: 'bbox', left: 0, top: 0, width: 100, height: 100 }],
      ['small', { type: 'bbox', left: 40, top: 40, width: 20, height: 20 }],
    ])
    const index = buildGridIndex(objects, 100, 100)
    assert.equal(
      hitTest(index, { x: 50, y: 50 }, 1, (o) => o.uuid !== 'small', noMask)?.uuid,
      'big',
    )
  })

  it('finds every object of a dense scene exactly as a scan of all objects would', () => {
    const geometries: [string, ObjectRecord['geometry']][] = []
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let i = 0; i < 400; i++) {
      const left = random() * 4000
      const top = random() * 4000
      geometries.push([
        `b${i}`,
        { type: 'bbox', left, top, width: 5 + random() * 80, height: 5 + random() * 80 },
      ])
    }
    const objects = scene(geometries)
    const index = buildGridIndex(objects, 4096, 4096)
    for (let probe = 0; probe < 300; probe++) {
      const p = { x: random() * 4096, y: random() * 4096 }
      const hits = objects.filter((o) => hitsObject(o, p, 0, noMask))
      const smallest = hits.sort(
        (a, b) => a.bounds.width * a.bounds.height - b.bounds.width * b.bounds.height,
      )[0]
      assert.equal(hitTest(index, p, 0, all, noMask)?.uuid, smallest?.uuid)
    }
  })
})
