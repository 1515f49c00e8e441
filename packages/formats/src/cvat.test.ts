/* eslint-disable @typescript-eslint/no-unsafe-return -- parsed XML is untyped */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { XMLParser } from 'fast-xml-parser'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { compressCounts, countsFromMask } from '@labelport/core'
import { collect, type CollectedImport } from './model.ts'
import { readCvat, readCvatXml, writeCvat } from './cvat.ts'
import { fileSource } from './node/files.ts'
import { judgeAndExport, text } from './test-support.ts'

const CVAT = SHARED_FIXTURES + 'real/datumaro/tests/assets/cvat_dataset/for_images/'
const SHAPES = ['box', 'polygon', 'polyline', 'points', 'mask']
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  isArray: (n) => ['image', 'attribute', 'tag', ...SHAPES].includes(n),
})

/** per image (key = subset/name or name): every shape as comparable data, sorted */
function shapesOf(content: string): Record<string, unknown[]> {
  const doc = xml.parse(content)
  const out: Record<string, unknown[]> = {}
  for (const image of doc.annotations.image ?? []) {
    const key = image.subset ? `${image.subset}/${image.name}` : image.name
    const shapes: unknown[] = []
    for (const kind of SHAPES)
      for (const s of image[kind] ?? [])
        shapes.push({
          kind,
          label: s.label,
          occluded: s.occluded ?? '0',
          z_order: s.z_order,
          rotation: s.rotation,
          geometry:
            kind === 'box'
              ? ['xtl', 'ytl', 'xbr', 'ybr'].map((k) => Number(s[k]))
              : kind === 'mask'
                ? [s.rle, s.left, s.top, s.width, s.height].map((v) => String(v).replace(/\s/g, ''))
                : String(s.points)
                    .split(';')
                    .map((p) => p.split(',').map(Number)),
          attributes: Object.fromEntries(
            (s.attribute ?? []).map((a: any) => [a.name, String(a['#text'] ?? '')]),
          ),
        })
    for (const t of image.tag ?? []) shapes.push({ kind: 'tag', label: t.label })
    out[key] = shapes.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
  }
  return out
}

async function exportCvat(collected: CollectedImport): Promise<string> {
  const judged = judgeAndExport(collected, 'ground_truth')
  assert.deepEqual(
    judged.failed.map((f) => [f.line.source, f.issues]),
    [],
  )
  return text(writeCvat(judged.rows, { layer: 'labels' }))
}

void test('Datumaro CVAT project export: import then export gives the same shapes, labels and attributes', async () => {
  const file = CVAT + 'export_project/annotations.xml'
  const collected = await collect(readCvat(fileSource(file, 'annotations.xml')))
  assert.deepEqual(collected.issues, [])
  // the same file names in three subsets: the subset is part of the global key
  assert.deepEqual(
    collected.images.map((i) => i.globalKey),
    [
      'Test/img0.jpg',
      'Test/img1.jpg',
      'Train/img0.jpg',
      'Train/img1.jpg',
      'Validation/img0.jpg',
      'Validation/img1.jpg',
    ],
  )
  // label1 is drawn as boxes and polygons: one tool per feature
  assert.deepEqual(
    collected.features.map((f) => [f.name, f.tool]),
    [
      ['label1', 'polygon'],
      ['label1 (box)', 'rectangle'],
      ['label2', 'line'],
      ['label2 (point)', 'point'],
    ],
  )
  const box = collected.lines.find((l) => 'bbox' in l.line)!.line as any
  assert.deepEqual(box.bbox, { left: 0, top: 2, width: 4, height: 2 })
  assert.deepEqual(box.classifications, [
    { name: 'a1', answer: { name: 'true' } },
    { name: 'a2', answer: { name: 'v3' } },
    { name: 'a3', answer: '0003' },
    { name: 'a4', answer: '2.4' },
  ])
  const out = await exportCvat(collected)
  assert.deepEqual(shapesOf(out), shapesOf(readFileSync(file, 'utf8')))
})

void test('Datumaro CVAT task export: shapes with an empty label get coded errors with their element, the rest imports and round-trips', async () => {
  const file = CVAT + 'export_task/train.xml'
  const collected = await collect(readCvat(fileSource(file, 'train.xml')))
  assert.deepEqual(
    collected.issues.map((i) => [i.code, i.source.element]),
    [
      ['format_element_invalid', 'image[0]/polyline[0]'],
      ['format_element_invalid', 'image[1]/polygon[0]'],
    ],
  )
  const out = await exportCvat(collected)
  const original = shapesOf(readFileSync(file, 'utf8'))
  for (const key of Object.keys(original))
    original[key] = original[key]!.filter((s: any) => s.label !== '')
  assert.deepEqual(shapesOf(out), original)
})

void test('CVAT masks (row-major RLE over their crop) and tags: read as COCO RLE over the image, written back identically', async () => {
  // a 6×5 image; the mask crop is 3 wide, 2 high at (2, 1): rows "011", "110"
  const file = `<?xml version="1.0" encoding="utf-8"?>
<annotations><version>1.1</version>
  <image id="0" name="a.png" width="6" height="5">
    <mask label="cat" source="manual" occluded="0" rle="1, 4, 1" left="2" top="1" width="3" height="2" z_order="0"/>
    <tag label="day" source="manual"/>
    <tag label="outdoor" source="manual"/>
    <box label="car" occluded="0" xtl="0.5" ytl="1.25" xbr="3.125" ybr="4" rotation="15"/>
  </image>
</annotations>`
  const events = readCvatXml(file, 'annotations.xml')
  const collected = await collect(events)
  assert.deepEqual(
    collected.issues.map((i) => [i.code, i.warning]),
    [['format_geometry_lossy', true]], // the rotation is kept but not shown
  )
  const mask = collected.lines.find((l) => 'mask' in l.line)!.line as any
  const expected = new Uint8Array(30)
  for (const [x, y] of [
    [3, 1],
    [4, 1],
    [2, 2],
    [3, 2],
  ])
    expected[y! * 6 + x!] = 1
  assert.deepEqual(mask.mask, {
    counts: compressCounts(countsFromMask(expected, 6, 5)),
    size: [5, 6],
  })
  assert.deepEqual(collected.classifications, [
    { type: 'checklist', name: 'tags', options: ['day', 'outdoor'] },
  ])
  const out = await exportCvat(collected)
  assert.deepEqual(shapesOf(out), shapesOf(file))
})

void test('damaged CVAT files: coded errors with the element, the good shapes import', async () => {
  assert.deepEqual(
    readCvatXml('<annotations><image name="a"', 'x.xml').map((e) =>
      e.type === 'issue' ? e.issue.code : e.type,
    ),
    ['format_syntax_invalid'],
  )
  const collected = await collect(
    readCvatXml(
      `<annotations><version>1.1</version>
      <image id="0" name="a.png" width="10" height="10">
        <box label="ok" xtl="1" ytl="1" xbr="2" ybr="2"/>
        <box label="nan" xtl="a" ytl="1" xbr="2" ybr="2"/>
        <polygon label="short" points="1,2;3,4"/>
        <polyline label="bad" points="1,2;x"/>
        <mask label="m" rle="1, 2" left="0" top="0" width="2" height="2"/>
        <mask label="m" rle="1, 3" left="9" top="9" width="2" height="2"/>
        <cuboid label="c"/>
      </image>
      <image id="1" name="a.png" width="10" height="10"/>
      <track id="0" label="t"/>
    </annotations>`,
      'annotations.xml',
    ),
  )
  assert.deepEqual(
    collected.issues.map((i) => [i.code, i.source.element]),
    [
      ['format_element_invalid', 'track[0]'],
      ['format_element_invalid', 'image[0]/cuboid[0]'],
      ['format_element_invalid', 'image[0]/box[1]'],
      ['format_element_invalid', 'image[0]/polygon[0]'],
      ['format_element_invalid', 'image[0]/polyline[0]'],
      ['format_element_invalid', 'image[0]/mask[0]'],
      ['mask_size_mismatch', 'image[0]/mask[1]'],
      ['format_element_invalid', 'image[1]'],
    ],
  )
  assert.equal(collected.lines.length, 1)
})
