/* eslint-disable @typescript-eslint/no-unsafe-return -- the files compared are untyped JSON */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { collect, type CollectedImport } from './model.ts'
import { listFiles, textSource } from './node/files.ts'
import { readYoloDir } from './node/yolo-dir.ts'
import { readCoco } from './coco.ts'
import { readYoloLabels, writeYolo, type WrittenFile } from './yolo.ts'
import { judgeAndExport } from './test-support.ts'

const REAL = SHARED_FIXTURES + 'real/'
const LS_BOXES = REAL + 'label-studio-converter/tests/data/test_import_yolo_data/'
const LS_SEG = REAL + 'label-studio-converter/at-254e8e4/tests/data/test_import_yolo_seg_data/'
const ROBOFLOW = REAL + 'datumaro/tests/assets/roboflow_dataset/yolo/'
const DARKNET = REAL + 'datumaro/tests/assets/yolo_dataset/strict/'
const LABELBOX_COCO = REAL + 'labelbox-python/libs/labelbox/tests/data/assets/coco/'

async function importAndExport(collected: CollectedImport): Promise<WrittenFile[]> {
  const judged = judgeAndExport(collected, 'ground_truth')
  assert.deepEqual(
    judged.failed.map((f) => [f.line.source, f.issues]),
    [],
  )
  const names = [...collected.features]
    .sort((a, b) => a.sourceId! - b.sourceId!)
    .map((f) => f.name)
    .filter((n, i, all) => all.indexOf(n) === i)
  const out: WrittenFile[] = []
  for await (const f of writeYolo(judged.rows, { layer: 'labels', names })) out.push(f)
  return out
}

/** every number of every line within 1e-6 px (normalised values × the image side) */
function assertSameLabels(
  original: string,
  written: string,
  width: number,
  height: number,
  what: string,
) {
  const rows = (t: string) =>
    t
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.trim().split(/\s+/).map(Number))
  const a = rows(original)
  const b = rows(written)
  assert.equal(b.length, a.length, `${what}: line count`)
  a.forEach((line, i) => {
    assert.equal(b[i]!.length, line.length, `${what} line ${i + 1}: column count`)
    assert.equal(b[i]![0], line[0], `${what} line ${i + 1}: class`)
    for (let c = 1; c < line.length; c++) {
      const side = c % 2 === 1 ? width : height
      assert.ok(
        Math.abs(b[i]![c]! - line[c]!) * side <= 1e-6,
        `${what} line ${i + 1} col ${c}: ${b[i]![c]} vs ${line[c]}`,
      )
    }
  })
}

async function assertRoundTrip(root: string, labelDir: (key: string) => string) {
  const collected = await collect(readYoloDir(root))
  assert.deepEqual(collected.issues, [])
  assert.ok(collected.lines.length > 0)
  const written = await importAndExport(collected)
  const sizes = new Map(collected.images.map((i) => [i.globalKey, i]))
  let compared = 0
  for (const image of collected.images) {
    const file = written.find(
      (f) => f.path === `labels/${image.globalKey.replace(/\.[^.]*$/, '')}.txt`,
    )
    const originalPath = labelDir(image.globalKey)
    let original: string
    try {
      original = readFileSync(originalPath, 'utf8')
    } catch {
      continue
    }
    assert.ok(file, `label file for ${image.globalKey}`)
    const size = sizes.get(image.globalKey)!
    assertSameLabels(original, file.content, size.width!, size.height!, image.globalKey)
    compared++
  }
  assert.ok(compared > 0)
  return { collected, written }
}

void test('label-studio-converter YOLO boxes on 7 real images: import then export, every number within 1e-6 px', async () => {
  const { collected } = await assertRoundTrip(
    LS_BOXES,
    (k) => LS_BOXES + 'labels/' + k.replace(/\.[^.]*$/, '.txt'),
  )
  assert.equal(collected.images.length, 7)
  assert.ok(collected.images.every((i) => i.width! > 0 && i.height! > 0))
  assert.deepEqual(
    collected.features.map((f) => [f.name, f.tool, f.sourceId]),
    [
      ['closed_door', 'rectangle', 0],
      ['opened_door', 'rectangle', 1],
      ['bus', 'rectangle', 2],
      ['number', 'rectangle', 3],
    ],
  )
})

void test('label-studio-converter YOLO polygons (segmentation): import then export within 1e-6 px', async () => {
  const { collected } = await assertRoundTrip(
    LS_SEG,
    (k) => LS_SEG + 'labels/' + k.replace(/\.[^.]*$/, '.txt'),
  )
  assert.ok(collected.lines.some((l) => 'polygon' in l.line))
})

void test('Roboflow YOLO (data.yaml, train/ and val/) and darknet strict layout', async () => {
  const roboflow = await assertRoundTrip(ROBOFLOW, (k) => {
    const [split, name] = k.split('/')
    return `${ROBOFLOW}${split}/labels/${name!.replace(/\.[^.]*$/, '.txt')}`
  })
  assert.deepEqual(roboflow.collected.images.map((i) => i.globalKey).sort(), [
    'train/train_001.jpg',
    'train/train_002.jpg',
    'val/val_001.jpg',
  ])
  const darknet = await assertRoundTrip(DARKNET, (k) => DARKNET + k.replace(/\.[^.]*$/, '.txt'))
  assert.equal(darknet.collected.images[0]!.globalKey, 'obj_train_data/1.jpg')
})

void test('COCO → Labelport → YOLO → Labelport keeps every box and polygon within 1e-6 px', async () => {
  // the real labelbox-python COCO file, once with its polygons and once with its boxes only
  const doc = JSON.parse(readFileSync(LABELBOX_COCO + 'instances.json', 'utf8'))
  const boxesOnly = {
    ...doc,
    annotations: doc.annotations.map((a: any) => ({ ...a, segmentation: [] })),
  }
  for (const [what, json] of [
    ['polygons', doc],
    ['boxes', boxesOnly],
  ] as const) {
    const fromCoco = await collect(readCoco(textSource('instances.json', JSON.stringify(json))))
    assert.deepEqual(fromCoco.issues, [])
    const written = await importAndExport(fromCoco)
    const dir = mkdtempSync(join(tmpdir(), 'yolo-rt-'))
    for (const f of written) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true })
      writeFileSync(join(dir, f.path), f.content)
    }
    mkdirSync(join(dir, 'images'))
    for (const image of fromCoco.images)
      symlinkSync(LABELBOX_COCO + 'images/' + image.globalKey, join(dir, 'images', image.globalKey))
    const back = await collect(readYoloDir(dir))
    assert.deepEqual(back.issues, [])
    assert.equal(back.lines.length, fromCoco.lines.length, `${what}: every object came back`)
    const key = (l: any) => `${l.dataRow.globalKey} ${l.name.replace(/ \(box\)$/, '')}`
    const remaining = [...fromCoco.lines.map((l) => l.line as any)]
    for (const { line } of back.lines as any[]) {
      const i = remaining.findIndex((o) => key(o) === key(line) && near(o, line))
      assert.ok(
        i >= 0,
        `${what}: ${JSON.stringify(line).slice(0, 200)} matches an original within 1e-6 px`,
      )
      remaining.splice(i, 1)
    }
    assert.equal((await listFiles(dir)).filter((f) => f.startsWith('labels/')).length, 10)
  }
})

function near(a: any, b: any): boolean {
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-6
  if (a.bbox && b.bbox)
    return (['left', 'top', 'width', 'height'] as const).every((k) => close(a.bbox[k], b.bbox[k]))
  if (a.polygon && b.polygon)
    return (
      a.polygon.length === b.polygon.length &&
      a.polygon.every(
        (p: any, i: number) => close(p.x, b.polygon[i].x) && close(p.y, b.polygon[i].y),
      )
    )
  return false
}

void test('a damaged YOLO label file: coded issues with line numbers, the good lines import', () => {
  const events = readYoloLabels(
    [
      '0 0.5 0.5 0.2 0.2',
      '1 0.5 zero 0.2 0.2',
      '0 0.5 0.5 0.2',
      '7 0.5 0.5 0.2 0.2',
      '',
      '0 0.5 0.5 0.2 0.2 0',
    ].join('\n'),
    {
      file: 'labels/a.txt',
      globalKey: 'a.jpg',
      width: 100,
      height: 50,
      names: ['cat', 'dog'],
      both: new Set(),
    },
  )
  const issues = events.flatMap((e) =>
    e.type === 'issue' ? [[e.issue.code, e.issue.source.line]] : [],
  )
  assert.deepEqual(issues, [
    ['format_element_invalid', 2],
    ['format_element_invalid', 3],
    ['format_category_unknown', 4],
  ])
  const lines = events.flatMap((e) => (e.type === 'line' ? [e.line.line as any] : []))
  assert.equal(lines.length, 2)
  assert.deepEqual(lines[0].bbox, { left: 40, top: 20, width: 20, height: 10 })
  assert.equal(lines[1].confidence, 0, 'a score of 0 is kept, not dropped')
})

void test('a label file without an image and a folder without names are reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'yolo-bad-'))
  const empty = await collect(readYoloDir(dir))
  assert.equal(empty.issues[0]?.code, 'format_unrecognized')
  writeFileSync(join(dir, 'classes.txt'), 'cat\n')
  mkdirSync(join(dir, 'labels'))
  writeFileSync(join(dir, 'labels', 'ghost.txt'), '0 0.5 0.5 0.1 0.1\n')
  const ghost = await collect(readYoloDir(dir))
  assert.deepEqual(
    ghost.issues.map((i) => [i.code, i.source.file]),
    [['format_image_unknown', 'labels/ghost.txt']],
  )
})
