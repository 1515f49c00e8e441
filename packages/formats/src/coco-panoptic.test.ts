/* eslint-disable @typescript-eslint/no-unsafe-return -- the files compared are untyped JSON */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { decodeRle } from '@labelport/core'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { panopticRles, writeCocoPanoptic, readCocoPanoptic } from './coco-panoptic.ts'
import { collect, metric } from './model.ts'
import { decodePanopticPng, encodeRgbPng, readCocoPanopticFile } from './node/coco-panoptic-dir.ts'
import { textSource } from './node/files.ts'
import { detectFile } from './detect.ts'
import { judgeAndExport } from './test-support.ts'

type Json = any

const PANOPTIC =
  SHARED_FIXTURES + 'real/datumaro/tests/assets/coco_dataset/coco_panoptic/annotations/'

async function writeAll(rows: Parameters<typeof writeCocoPanoptic>[0], categories: Json[]) {
  const dir = mkdtempSync(join(tmpdir(), 'panoptic-'))
  const files: string[] = []
  for await (const f of writeCocoPanoptic(rows, {
    layer: 'labels',
    categories,
    jsonPath: 'annotations/panoptic_out.json',
    encodePng: encodeRgbPng,
  })) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true })
    writeFileSync(join(dir, f.path), f.content)
    files.push(f.path)
  }
  return { dir, files, json: join(dir, 'annotations/panoptic_out.json') }
}

void test("Datumaro's COCO panoptic (train): its PNG is 5×5 for a 10×5 image, a coded issue naming the annotation", async () => {
  const collected = await collect(readCocoPanopticFile(`${PANOPTIC}panoptic_train.json`))
  assert.equal(collected.lines.length, 0)
  assert.deepEqual(
    collected.issues.map((i) => [i.code, i.source.file, i.source.element]),
    [['mask_size_mismatch', 'panoptic_train.json', 'annotations[0]']],
  )
  assert.equal(collected.images.length, 1, 'the image still becomes a data row')
})

for (const split of ['val'])
  void test(`Datumaro's COCO panoptic (${split}): segments read from the PNG, written back to the same ids, pixels and segments_info`, async () => {
    const jsonPath = `${PANOPTIC}panoptic_${split}.json`
    const original = JSON.parse(readFileSync(jsonPath, 'utf8'))
    const collected = await collect(readCocoPanopticFile(jsonPath))
    assert.deepEqual(collected.issues, [])
    const segments = original.annotations.flatMap((a: Json) => a.segments_info)
    assert.equal(collected.lines.length, segments.length)
    assert.deepEqual(
      collected.features.map((f) => [f.name, f.tool, f.sourceId]),
      original.categories.map((c: Json) => [c.name, 'raster-segmentation', c.id]),
    )
    // every line's mask is exactly the pixels of its id in the PNG
    const ann = original.annotations[0]
    const png = await decodePanopticPng(
      readFileSync(`${PANOPTIC}panoptic_${split}/${ann.file_name}`),
    )
    for (const l of collected.lines) {
      const id = metric(l.line.customMetrics, 'coco_id')!
      const decoded = decodeRle((l.line as Json).mask)
      assert.ok(decoded.ok)
      let set = 0
      for (let p = 0; p < png.ids.length; p++) {
        assert.equal(decoded.mask[p], png.ids[p] === id ? 1 : 0, `pixel ${p} of segment ${id}`)
        set += decoded.mask[p]!
      }
      assert.ok(set > 0)
    }
    const judged = judgeAndExport(collected, 'ground_truth')
    assert.deepEqual(judged.failed, [])
    const out = await writeAll(
      judged.rows,
      original.categories.map((c: Json) => ({ id: c.id, name: c.name, isthing: c.isthing === 1 })),
    )
    const back = JSON.parse(readFileSync(out.json, 'utf8'))
    assert.deepEqual(
      back.categories.map((c: Json) => [c.id, c.name, c.isthing]),
      original.categories.map((c: Json) => [c.id, c.name, c.isthing]),
    )
    assert.deepEqual(
      back.images.map((i: Json) => [i.file_name, i.width, i.height]),
      original.images.map((i: Json) => [i.file_name, i.width, i.height]),
    )
    const norm = (s: Json) => ({ ...s, iscrowd: s.iscrowd ?? 0 })
    assert.deepEqual(back.annotations[0].segments_info.map(norm), ann.segments_info.map(norm))
    const again = await decodePanopticPng(
      readFileSync(join(out.dir, 'annotations/panoptic_out', back.annotations[0].file_name)),
    )
    assert.deepEqual(again.ids, png.ids, 'the same segment id on every pixel')
    // and the written pair reads back to the same lines
    const reread = await collect(readCocoPanopticFile(out.json))
    assert.deepEqual(reread.issues, [])
    assert.deepEqual(
      reread.lines.map((l) => l.line),
      collected.lines.map((l) => l.line),
    )
  })

void test('panopticRles: one column-major walk gives every segment its COCO counts; unlisted ids are counted apart', () => {
  // 3 wide, 2 high; row-major ids
  const ids = Uint32Array.from([5, 5, 0, 9, 5, 7])
  const { counts, stray } = panopticRles({ width: 3, height: 2, ids }, new Set([5, 9]))
  // column-major order: (0,0)=5 (0,1)=9 (1,0)=5 (1,1)=5 (2,0)=0 (2,1)=7
  assert.deepEqual(counts.get(5), [0, 1, 1, 2, 2])
  assert.deepEqual(counts.get(9), [1, 1, 4])
  assert.deepEqual([...stray], [[7, 1]])
})

void test('a damaged panoptic file: each bad segment, image, PNG and pixel id gets a coded issue with its location; the rest imports', async () => {
  const doc = {
    images: [
      { id: 1, file_name: 'a.jpg', width: 3, height: 2 },
      { id: 2, file_name: 'b.jpg', width: 3, height: 2 },
    ],
    categories: [{ id: 1, name: 'road', isthing: 0 }],
    annotations: [
      {
        image_id: 1,
        file_name: 'a.png',
        segments_info: [
          { id: 5, category_id: 1 },
          { id: 9, category_id: 4 },
          { id: 11, category_id: 1 },
          { id: 5, category_id: 1 },
          { category_id: 1 },
        ],
      },
      { image_id: 3, file_name: 'c.png', segments_info: [] },
      { image_id: 2, file_name: 'missing.png', segments_info: [{ id: 5, category_id: 1 }] },
      { image_id: 2, file_name: 'small.png', segments_info: [{ id: 5, category_id: 1 }] },
    ],
  }
  const pngs: Record<string, { width: number; height: number; ids: Uint32Array }> = {
    'a.png': { width: 3, height: 2, ids: Uint32Array.from([5, 5, 0, 9, 5, 7]) },
    'small.png': { width: 2, height: 2, ids: Uint32Array.from([5, 5, 5, 5]) },
  }
  const got = await collect(
    readCocoPanoptic(textSource('p.json', JSON.stringify(doc)), {
      loadIds: async (name) => {
        const png = pngs[name]
        if (!png) throw new Error('no such file')
        return png
      },
    }),
  )
  assert.equal(got.lines.length, 1, 'segment 5 of a.png imports')
  assert.deepEqual(
    got.issues.map((i) => [i.code, i.source.element, i.warning ?? false]),
    [
      ['format_category_unknown', 'annotations[0].segments_info[1]', false],
      ['format_element_invalid', 'annotations[0].segments_info[3]', false],
      ['format_element_invalid', 'annotations[0].segments_info[4]', false],
      ['format_element_invalid', 'annotations[0]', true],
      ['format_element_invalid', 'annotations[0].segments_info[2]', false],
      ['format_image_unknown', 'annotations[1]', false],
      ['format_element_invalid', 'annotations[2]', false],
      ['mask_size_mismatch', 'annotations[3]', false],
    ],
  )
  assert.ok(got.issues.every((i) => i.source.file === 'p.json'))
  const cut = await collect(
    readCocoPanoptic(textSource('p.json', JSON.stringify(doc).slice(0, -20)), {
      loadIds: () => Promise.reject(new Error('unused')),
    }),
  )
  assert.deepEqual(
    cut.issues.map((i) => i.code),
    ['format_syntax_invalid'],
  )
})

void test('a panoptic JSON is detected as coco-panoptic, by its segments_info or its name', () => {
  assert.equal(
    detectFile('x.json', '{"images":[],"annotations":[{"image_id":1,"segments_info":[]}]}'),
    'coco-panoptic',
  )
  assert.equal(
    detectFile('panoptic_val2017.json', '{"info":{},"images":[{"id":1}'),
    'coco-panoptic',
  )
  assert.equal(detectFile('instances_val2017.json', '{"info":{},"images":[{"id":1}'), 'coco')
})
