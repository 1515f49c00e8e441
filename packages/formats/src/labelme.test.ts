/* eslint-disable @typescript-eslint/no-unsafe-return -- parsed JSON is untyped */
/**
 * LabelMe (wkentaro/labelme JSON). The shared fixtures hold no labelme JSON (Datumaro's
 * `labelme_dataset` is the CSAIL XML), so the files here are written as labelme 5 writes them.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { countsToMask, checkRle } from '@labelport/core'
import { collect } from './model.ts'
import { readLabelmeJson, labelmeEvents, writeLabelme } from './labelme.ts'
import { decodePngMask, encodePngMask, readLabelmeDir } from './node/labelme-dir.ts'
import { judgeAndExport } from './test-support.ts'

async function maskPng(): Promise<string> {
  // a 3×2 patch: rows "011", "110"
  const bytes = await encodePngMask(new Uint8Array([0, 1, 1, 1, 1, 0]), 3, 2)
  return Buffer.from(bytes).toString('base64')
}

async function dataset(): Promise<{ root: string; files: Record<string, any> }> {
  const root = mkdtempSync(join(tmpdir(), 'labelme-'))
  mkdirSync(join(root, 'a'))
  const files: Record<string, any> = {
    'a/one.json': {
      version: '5.5.0',
      flags: { night: true, blurry: false },
      shapes: [
        {
          label: 'car',
          points: [
            [30.5, 40.25],
            [10, 20],
          ],
          group_id: null,
          description: '',
          shape_type: 'rectangle',
          flags: {},
          mask: null,
        },
        {
          label: 'car',
          points: [
            [1, 1],
            [5, 1.5],
            [4, 6],
          ],
          group_id: 3,
          description: 'left door',
          shape_type: 'polygon',
          flags: { occluded: true },
          mask: null,
        },
        {
          label: 'wheel',
          points: [
            [20, 20],
            [23, 24],
          ],
          group_id: 3,
          description: '',
          shape_type: 'circle',
          flags: {},
          mask: null,
        },
        {
          label: 'lane',
          points: [
            [0, 0],
            [10, 10],
          ],
          group_id: null,
          description: '',
          shape_type: 'line',
          flags: {},
          mask: null,
        },
        {
          label: 'lane',
          points: [
            [0, 5],
            [10, 15],
            [20, 5],
          ],
          group_id: null,
          description: '',
          shape_type: 'linestrip',
          flags: {},
          mask: null,
        },
        {
          label: 'eye',
          points: [[7.5, 8.5]],
          group_id: null,
          description: '',
          shape_type: 'point',
          flags: {},
          mask: null,
        },
        {
          label: 'stain',
          points: [
            [2, 1],
            [4, 2],
          ],
          group_id: null,
          description: '',
          shape_type: 'mask',
          flags: {},
          mask: await maskPng(),
        },
      ],
      imagePath: '../images/one.jpg',
      imageData: null,
      imageHeight: 48,
      imageWidth: 64,
    },
  }
  for (const [path, doc] of Object.entries(files))
    writeFileSync(join(root, path), JSON.stringify(doc))
  return { root, files }
}

const comparable = (doc: any) =>
  doc.shapes.map((s: any) => ({
    label: s.label,
    shape_type: s.shape_type,
    points:
      s.shape_type === 'rectangle'
        ? [
            [Math.min(s.points[0][0], s.points[1][0]), Math.min(s.points[0][1], s.points[1][1])],
            [Math.max(s.points[0][0], s.points[1][0]), Math.max(s.points[0][1], s.points[1][1])],
          ]
        : s.points,
    group_id: s.group_id ?? null,
    description: s.description ?? '',
    flags: Object.fromEntries(Object.entries(s.flags ?? {}).filter(([, v]) => v === true)),
  }))

void test('LabelMe JSON: every shape type read in pixels, written back the same (rectangle corners ordered, circles as circles, masks identical)', async () => {
  const { root, files } = await dataset()
  const collected = await collect(readLabelmeDir(root))
  assert.deepEqual(
    collected.issues.map((i) => [i.code, i.source.element, i.warning]),
    [['format_geometry_lossy', 'shapes[2]', true]], // the circle as a 64-gon
  )
  assert.deepEqual(
    collected.images.map((i) => [i.globalKey, i.width, i.height]),
    [['images/one.jpg', 64, 48]],
  )
  assert.deepEqual(
    collected.features.map((f) => [f.name, f.tool]),
    [
      ['car', 'polygon'],
      ['car (box)', 'rectangle'],
      ['wheel', 'polygon'],
      ['lane', 'line'],
      ['eye', 'point'],
      ['stain', 'raster-segmentation'],
    ],
  )
  const box = collected.lines[0]!.line as any
  assert.deepEqual(box.bbox, { left: 10, top: 20, width: 20.5, height: 20.25 })
  const mask = collected.lines.find((l) => 'mask' in l.line)!.line as any
  const checked = checkRle(mask.mask)
  assert.ok(checked.ok)
  const full = countsToMask(checked.counts, 64, 48)
  assert.deepEqual(
    [...full.keys()].filter((p) => full[p]).map((p) => [p % 64, Math.floor(p / 64)]),
    [
      [3, 1],
      [4, 1],
      [2, 2],
      [3, 2],
    ],
  )
  const judged = judgeAndExport(collected, 'ground_truth')
  assert.deepEqual(
    judged.failed.map((f) => [f.line.source, f.issues]),
    [],
  )
  const out: { path: string; content: string }[] = []
  for await (const f of writeLabelme(judged.rows, { layer: 'labels', encodePng: encodePngMask }))
    out.push(f)
  assert.deepEqual(
    out.map((f) => f.path),
    ['images/one.json'],
  )
  const written = JSON.parse(out[0]!.content)
  assert.deepEqual(comparable(written), comparable(files['a/one.json']))
  assert.deepEqual(written.flags, { night: true })
  const patch = await decodePngMask(Buffer.from(written.shapes[6].mask, 'base64'))
  assert.deepEqual([...patch.data], [0, 1, 1, 1, 1, 0])
})

void test('damaged LabelMe files: coded errors with the file and shape, the rest imports', async () => {
  const files = [
    await readLabelmeJson('{"shapes": [', 'x.json'),
    await readLabelmeJson('{"shapes": []}', 'noimage.json'),
    await readLabelmeJson(
      JSON.stringify({
        imagePath: 'b.png',
        imageWidth: 10,
        imageHeight: 10,
        shapes: [
          {
            label: 'ok',
            points: [
              [1, 1],
              [2, 2],
            ],
            shape_type: 'rectangle',
          },
          { label: '', points: [[1, 1]], shape_type: 'point' },
          {
            label: 'tri',
            points: [
              [1, 1],
              [2, 2],
            ],
            shape_type: 'polygon',
          },
          {
            label: 'odd',
            points: [
              [1, 1],
              [2, 2],
              [3, 3],
            ],
            shape_type: 'rectangle',
          },
          { label: 'nan', points: [[1, 'a']], shape_type: 'point' },
          {
            label: 'box',
            points: [
              [1, 1],
              [2, 2],
            ],
            shape_type: 'oriented_rectangle',
          },
          {
            label: 'm',
            points: [
              [1, 1],
              [2, 2],
            ],
            shape_type: 'mask',
            mask: 'bm90IGEgcG5n',
          },
        ],
      }),
      'b.json',
      decodePngMask,
    ),
  ]
  const collected = await collect(labelmeEvents(files))
  assert.deepEqual(
    collected.issues.map((i) => [i.code, i.source.file, i.source.element]),
    [
      ['format_syntax_invalid', 'x.json', undefined],
      ['format_element_invalid', 'noimage.json', undefined],
      ['format_element_invalid', 'b.json', 'shapes[1]'],
      ['format_element_invalid', 'b.json', 'shapes[2]'],
      ['format_element_invalid', 'b.json', 'shapes[3]'],
      ['format_element_invalid', 'b.json', 'shapes[4]'],
      ['format_element_invalid', 'b.json', 'shapes[5]'],
      ['mask_rle_invalid', 'b.json', 'shapes[6]'],
    ],
  )
  assert.equal(collected.lines.length, 1)
})
