/* eslint-disable @typescript-eslint/no-unsafe-return -- the files compared are untyped JSON */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { readCoco, readCocoResults, writeCoco, detectCoco, type CocoCatalog } from './coco.ts'
import { collect } from './model.ts'
import { fileSource, textSource } from './node/files.ts'
import { judgeAndExport, text } from './test-support.ts'

const REAL = SHARED_FIXTURES + 'real/'
const LABELBOX_COCO = REAL + 'labelbox-python/libs/labelbox/tests/data/assets/coco/instances.json'
const DATUMARO_COCO = REAL + 'datumaro/tests/assets/coco_dataset/coco_instances/annotations/'
const SEGM_RESULTS = REAL + 'cocoapi/results/instances_val2014_fakesegm100_results.json'
const BBOX_RESULTS = REAL + 'cocoapi/results/instances_val2014_fakebbox100_results.json'

type Json = any

/** import (reader → judge) then export (export v2 → writer); the file that comes back, parsed */
async function roundTrip(path: string) {
  const collected = await collect(readCoco(fileSource(path)))
  assert.deepEqual(collected.issues, [])
  const judged = judgeAndExport(collected, 'ground_truth')
  assert.deepEqual(
    judged.failed.map((f) => f.issues),
    [],
  )
  const categories = collected.features.map((f) => ({ id: f.sourceId!, name: f.name }))
  return {
    collected,
    out: JSON.parse(await text(writeCoco(judged.rows, { layer: 'labels', categories }))),
  }
}

function byId(list: Json[]): Map<number, Json> {
  return new Map(list.map((a) => [a.id, a]))
}

void test('labelbox-python COCO (polygons, several parts): import then export gives the same annotations', async () => {
  const original = JSON.parse(readFileSync(LABELBOX_COCO, 'utf8'))
  const { collected, out } = await roundTrip(LABELBOX_COCO)
  assert.ok(collected.lines.length >= original.annotations.length)
  const fileOf = (d: Json, id: number) => d.images.find((i: Json) => i.id === id).file_name
  const catOf = (d: Json, id: number) => d.categories.find((c: Json) => c.id === id).name
  const back = byId(out.annotations)
  assert.equal(back.size, original.annotations.length)
  for (const a of original.annotations) {
    const b = back.get(a.id)
    assert.ok(b, `annotation ${a.id} came back`)
    assert.deepEqual(b.segmentation, a.segmentation, `segmentation of ${a.id}`)
    assert.deepEqual(b.bbox, a.bbox)
    assert.equal(b.area, a.area)
    assert.equal(b.iscrowd, a.iscrowd)
    assert.equal(b.category_id, a.category_id, 'category ids kept')
    assert.equal(catOf(out, b.category_id), catOf(original, a.category_id))
    assert.equal(fileOf(out, b.image_id), fileOf(original, a.image_id))
  }
  // a multi-part polygon, if the file has one, became several lines and came back as one
  const multi = original.annotations.filter(
    (a: Json) => Array.isArray(a.segmentation) && a.segmentation.length > 1,
  )
  for (const a of multi) assert.equal(back.get(a.id).segmentation.length, a.segmentation.length)
})

void test('Datumaro COCO with uncompressed RLE, iscrowd and category ids 1, 2, 4: exact round trip', async () => {
  for (const file of ['instances_val.json', 'instances_train.json']) {
    const original = JSON.parse(readFileSync(DATUMARO_COCO + file, 'utf8'))
    const { out } = await roundTrip(DATUMARO_COCO + file)
    const back = byId(out.annotations)
    for (const a of original.annotations) {
      const b = back.get(a.id)
      assert.ok(b, `${file}: annotation ${a.id}`)
      assert.deepEqual(b.segmentation, a.segmentation, `${file}: segmentation of ${a.id}`)
      assert.deepEqual(b.bbox, a.bbox)
      assert.equal(b.area, a.area)
      assert.equal(b.iscrowd, a.iscrowd)
      assert.equal(b.category_id, a.category_id)
    }
    for (const c of original.categories.filter((c: Json) =>
      original.annotations.some((a: Json) => a.category_id === c.id),
    ))
      assert.ok(
        out.categories.some((d: Json) => d.id === c.id && d.name === c.name),
        c.name,
      )
  }
})

/** results files carry no images: the catalog an instances file would give, made from the RLE sizes */
function catalogFor(results: Json[]): CocoCatalog {
  const images = new Map<number, { id: number; globalKey: string; width: number; height: number }>()
  for (const r of results)
    images.set(r.image_id, {
      id: r.image_id,
      globalKey: `COCO_val2014_${r.image_id}.jpg`,
      width: r.segmentation?.size[1] ?? 5000,
      height: r.segmentation?.size[0] ?? 5000,
    })
  const categories = new Map<number, string>()
  for (const r of results) categories.set(r.category_id, `class ${r.category_id}`)
  return { images, categories }
}

void test('cocoapi segm results: pre-labels keep score as confidence and every RLE string re-encodes identically', async () => {
  const original = JSON.parse(readFileSync(SEGM_RESULTS, 'utf8'))
  const collected = await collect(readCocoResults(fileSource(SEGM_RESULTS), catalogFor(original)))
  const images = catalogFor(original).images
  collected.images = [...images.values()].map((i) => ({ ...i, source: { file: 'x' } }))
  collected.features = [...new Set(collected.lines.map((l) => l.line.name!))].map((name) => ({
    name,
    tool: 'raster-segmentation' as const,
  }))
  assert.deepEqual(collected.issues, [])
  assert.equal(collected.lines.length, original.length)
  const judged = judgeAndExport(collected, 'mal')
  assert.equal(judged.failed.length, 0)
  const out = JSON.parse(await text(writeCoco(judged.rows, { layer: 'prelabels', results: true })))
  assert.equal(out.length, original.length)
  const key = (r: Json) => r.segmentation.counts
  const back = new Map(out.map((r: Json) => [key(r), r]))
  for (const r of original) {
    const b: Json = back.get(key(r))
    assert.ok(b, 'RLE string came back identical')
    assert.equal(b.score, r.score)
    assert.deepEqual(b.segmentation.size, r.segmentation.size)
  }
})

void test('cocoapi bbox results: boxes and scores within 1e-6', async () => {
  const original = JSON.parse(readFileSync(BBOX_RESULTS, 'utf8'))
  const catalog = catalogFor(original)
  const collected = await collect(readCocoResults(fileSource(BBOX_RESULTS), catalog))
  assert.deepEqual(collected.issues, [])
  const sample = collected.lines[0]!.line as Json
  assert.equal(sample.confidence, original[0].score)
  assert.deepEqual(
    [sample.bbox.left, sample.bbox.top, sample.bbox.width, sample.bbox.height],
    original[0].bbox,
  )
})

void test('a damaged COCO file: coded issues with locations, the rest imports', async () => {
  const doc = {
    images: [
      { id: 1, file_name: 'a.jpg', width: 10, height: 10 },
      { id: 1, file_name: 'dup.jpg', width: 10, height: 10 },
      { file_name: 'noid.jpg' },
    ],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 2, 2], segmentation: [], iscrowd: 0 },
      { id: 2, image_id: 99, category_id: 1, bbox: [1, 1, 2, 2] },
      { id: 3, image_id: 1, category_id: 42, bbox: [1, 1, 2, 2] },
      { id: 4, image_id: 1, category_id: 1, segmentation: [[1, 1, 2]] },
      { id: 5, image_id: 1, category_id: 1, segmentation: { size: [5, 5], counts: [25] } },
      'not an object',
    ],
    categories: [{ id: 1, name: 'cat' }],
  }
  const { issues, lines } = await collect(readCoco(textSource('bad.json', JSON.stringify(doc))))
  assert.equal(lines.length, 1)
  assert.deepEqual(
    issues.map((i) => [i.code, i.source.element, i.source.annotationId]),
    [
      ['format_element_invalid', 'images[1]', undefined],
      ['format_element_invalid', 'images[2]', undefined],
      ['format_image_unknown', 'annotations[1]', 2],
      ['format_category_unknown', 'annotations[2]', 3],
      ['format_element_invalid', 'annotations[3]', 4],
      ['mask_size_mismatch', 'annotations[4]', 5],
      ['format_element_invalid', 'annotations[5]', undefined],
    ],
  )
  const cut = JSON.stringify(doc).slice(0, 150)
  const broken = await collect(readCoco(textSource('cut.json', cut)))
  assert.ok(
    broken.issues.some((i) => i.code === 'format_syntax_invalid' && i.source.file === 'cut.json'),
  )
  assert.equal(broken.lines.length, 0, 'nothing half-read')
})

void test('detects a COCO instances file and a results file from their first bytes', () => {
  assert.equal(detectCoco(readFileSync(LABELBOX_COCO, 'utf8').slice(0, 4096)), 'coco')
  assert.equal(detectCoco(readFileSync(SEGM_RESULTS, 'utf8').slice(0, 4096)), 'coco-results')
  assert.equal(detectCoco('{"uuid":"x","dataRow":{"globalKey":"a"}}'), null)
})

void test('a COCO file damaged inside an annotation (the first pass only skims annotations): a syntax issue naming it, the annotations before it import', async () => {
  const doc =
    '{"images":[{"id":1,"file_name":"a.jpg","width":10,"height":10}],"categories":[{"id":1,"name":"a"}],' +
    '"annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[1,2,3,4]},' +
    '{"id":2,"image_id":1,"category_id":1,"segmentation":[[1,2,,3,4,5]]}]}'
  const got = await collect(readCoco(textSource('d.json', doc)))
  assert.equal(got.lines.length, 1)
  assert.deepEqual(
    got.issues.map((i) => [i.code, i.source.file]),
    [['format_syntax_invalid', 'd.json']],
  )
  assert.match(got.issues[0]!.message, /annotations\[1\]/)
})

void test('a damaged COCO results file: each bad detection gets a coded issue with its index, the good ones import', async () => {
  const catalog: CocoCatalog = {
    images: new Map([[1, { id: 1, globalKey: 'a.jpg', width: 10, height: 10 }]]),
    categories: new Map([[1, 'cat']]),
  }
  const doc = [
    { image_id: 1, category_id: 1, bbox: [1, 1, 2, 2], score: 0.5 },
    { image_id: 7, category_id: 1, bbox: [1, 1, 2, 2], score: 0.5 },
    { image_id: 1, category_id: 9, bbox: [1, 1, 2, 2], score: 0.5 },
    { image_id: 1, category_id: 1, bbox: [1, 1, 2, 2] },
  ]
  const got = await collect(readCocoResults(textSource('r.json', JSON.stringify(doc)), catalog))
  assert.equal(got.lines.length, 1)
  assert.deepEqual(
    got.issues.map((i) => [i.code, i.source.element]),
    [
      ['format_image_unknown', '[1]'],
      ['format_category_unknown', '[2]'],
      ['format_element_invalid', '[3]'],
    ],
  )
  const cut = await collect(
    readCocoResults(textSource('r.json', JSON.stringify(doc).slice(0, 60)), catalog),
  )
  assert.deepEqual(
    cut.issues.map((i) => i.code),
    ['format_syntax_invalid'],
  )
})
