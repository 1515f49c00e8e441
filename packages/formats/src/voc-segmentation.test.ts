import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { decodeRle } from '@labelport/core'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { collect, type CollectedImport } from './model.ts'
import { encodeRgbPng } from './node/coco-panoptic-dir.ts'
import { decodeVocPng, readVocDir } from './node/voc-dir.ts'
import { judgeAndExport } from './test-support.ts'
import { vocColor, writeVocSegmentation, type VocPng } from './voc-segmentation.ts'
import { writeVoc } from './voc.ts'

const VOC1 = SHARED_FIXTURES + 'real/datumaro/tests/assets/voc_dataset/voc_dataset1/'

async function exportTo(collected: CollectedImport) {
  const judged = judgeAndExport(collected, 'ground_truth')
  assert.deepEqual(
    judged.failed.map((f) => f.issues),
    [],
  )
  const dir = mkdtempSync(join(tmpdir(), 'voc-seg-'))
  const put = (path: string, content: string | Uint8Array) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  for await (const f of writeVoc(judged.rows, { layer: 'labels' })) put(f.path, f.content)
  for await (const f of writeVocSegmentation(judged.rows, {
    layer: 'labels',
    encodePng: encodeRgbPng,
  }))
    put(f.path, f.content)
  return dir
}

function rgbAt(png: VocPng, p: number): number[] {
  return [...png.data.subarray(p * png.channels, p * png.channels + 3)]
}

void test("Datumaro voc_dataset1's SegmentationObject PNG: instance 1 is object 1 (cat), a mask over its pixels; written back pixel for pixel", async () => {
  const collected = await collect(readVocDir(VOC1))
  const masks = collected.lines.filter((l) => 'mask' in l.line)
  assert.equal(masks.length, 1)
  assert.equal(masks[0]!.line.name, 'cat (mask)')
  assert.equal(masks[0]!.source.file, 'SegmentationObject/2007_000001.png')
  assert.ok(
    collected.features.some((f) => f.name === 'cat (mask)' && f.tool === 'raster-segmentation'),
  )
  const original = await decodeVocPng(readFileSync(VOC1 + 'SegmentationObject/2007_000001.png'))
  const decoded = decodeRle(
    (masks[0]!.line as { mask: { counts: string; size: [number, number] } }).mask,
  )
  assert.ok(decoded.ok)
  for (let p = 0; p < original.width * original.height; p++)
    assert.equal(decoded.mask[p], rgbAt(original, p).join() === vocColor(1).join() ? 1 : 0)
  const dir = await exportTo(collected)
  const back = await decodeVocPng(readFileSync(join(dir, 'SegmentationObject/2007_000001.png')))
  assert.deepEqual([back.width, back.height], [original.width, original.height])
  for (let p = 0; p < original.width * original.height; p++)
    assert.deepEqual(rgbAt(back, p), rgbAt(original, p), `pixel ${p}`)
  // the mask belongs to the cat's box: the XML still has the two objects, not a third
  const xml = readFileSync(join(dir, 'Annotations/2007_000001.xml'), 'utf8')
  assert.equal(xml.match(/<object>/g)?.length, 2)
  const classPng = await decodeVocPng(readFileSync(join(dir, 'SegmentationClass/2007_000001.png')))
  assert.deepEqual(rgbAt(classPng, 0), vocColor(8), 'cat is VOC class 8')
})

/** A self-made class-only VOC folder (as the devkit's semantic split has). */
async function classOnlyFolder(pixels: number[][], width: number, height: number, objects = '') {
  const dir = mkdtempSync(join(tmpdir(), 'voc-class-'))
  mkdirSync(join(dir, 'Annotations'))
  mkdirSync(join(dir, 'SegmentationClass'))
  writeFileSync(
    join(dir, 'Annotations/img.xml'),
    `<annotation><filename>img.jpg</filename><size><width>${width}</width><height>${height}</height></size>${objects}</annotation>`,
  )
  const rgb = new Uint8Array(width * height * 3)
  pixels.forEach((c, p) => rgb.set(c, 3 * p))
  writeFileSync(join(dir, 'SegmentationClass/img.png'), await encodeRgbPng(rgb, width, height))
  return { dir, rgb }
}

void test('SegmentationClass only: one mask per class present (void border and background left out), written back to the same colors', async () => {
  const W = 4
  const H = 3
  const void_ = vocColor(255)
  const px = [
    vocColor(15),
    vocColor(15),
    void_,
    vocColor(0),
    vocColor(15),
    void_,
    vocColor(12),
    vocColor(12),
    vocColor(0),
    vocColor(0),
    vocColor(12),
    void_,
  ]
  const { dir, rgb } = await classOnlyFolder(px, W, H)
  const collected = await collect(readVocDir(dir))
  assert.deepEqual(collected.issues, [])
  assert.deepEqual(collected.lines.map((l) => l.line.name).sort(), ['dog', 'person'])
  const out = await exportTo(collected)
  const back = await decodeVocPng(readFileSync(join(out, 'SegmentationClass/img.png')))
  for (let p = 0; p < W * H; p++) {
    const want = [...rgb.subarray(3 * p, 3 * p + 3)]
    // the void border is not a mask: it comes back as background
    assert.deepEqual(rgbAt(back, p), want.join() === void_.join() ? [0, 0, 0] : want, `pixel ${p}`)
  }
})

void test('damaged VOC segmentation: an instance without its object, a color not in the map, a PNG of another size, an unreadable PNG: coded issues naming the PNG; the rest imports', async () => {
  const obj =
    '<object><name>dog</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>'
  const { dir } = await classOnlyFolder([], 2, 2, obj)
  mkdirSync(join(dir, 'SegmentationObject'))
  const inst = new Uint8Array(2 * 2 * 3)
  inst.set(vocColor(1), 0)
  inst.set(vocColor(2), 3)
  inst.set([1, 2, 3], 6)
  writeFileSync(join(dir, 'SegmentationObject/img.png'), await encodeRgbPng(inst, 2, 2))
  // a second image: its PNG has the wrong size; a third: its PNG is not a PNG
  for (const [name, png] of [
    ['small', await encodeRgbPng(new Uint8Array(3), 1, 1)],
    ['broken', new TextEncoder().encode('not a png')],
  ] as const) {
    writeFileSync(
      join(dir, `Annotations/${name}.xml`),
      `<annotation><filename>${name}.jpg</filename><size><width>2</width><height>2</height></size>${obj}</annotation>`,
    )
    writeFileSync(join(dir, `SegmentationObject/${name}.png`), png)
  }
  const got = await collect(readVocDir(dir))
  assert.deepEqual(
    got.issues.map((i) => [i.code, i.source.file, i.warning ?? false]),
    [
      ['format_element_invalid', 'SegmentationObject/broken.png', false],
      ['format_element_invalid', 'SegmentationObject/img.png', true],
      ['format_element_invalid', 'SegmentationObject/img.png', false],
      ['mask_size_mismatch', 'SegmentationObject/small.png', false],
    ],
  )
  assert.match(got.issues[2]!.message, /instance 2 has no <object> 2/)
  // the three boxes and the dog's instance mask import
  assert.equal(got.lines.length, 4)
  assert.equal(got.lines.filter((l) => 'mask' in l.line).length, 1)
})
