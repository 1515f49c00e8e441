/* eslint-disable @typescript-eslint/no-unsafe-return -- parsed XML is untyped */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { XMLParser } from 'fast-xml-parser'
import { SHARED_FIXTURES } from '@labelport/testkit'
import { collect, type CollectedImport } from './model.ts'
import { readVocDir } from './node/voc-dir.ts'
import { readVocXml, writeVoc } from './voc.ts'
import { judgeAndExport } from './test-support.ts'

const VOC = SHARED_FIXTURES + 'real/datumaro/tests/assets/voc_dataset/'
const xml = new XMLParser({ parseTagValue: false, isArray: (n) => n === 'object' })

async function exportVoc(collected: CollectedImport) {
  const judged = judgeAndExport(collected, 'ground_truth')
  assert.deepEqual(
    judged.failed.map((f) => [f.line.source, f.issues]),
    [],
  )
  const files: { path: string; content: string }[] = []
  for await (const f of writeVoc(judged.rows, { layer: 'labels' })) files.push(f)
  return files
}

/** name, flags, pose and the four coordinates as numbers, per object */
function objectsOf(text: string): unknown[] {
  const doc = xml.parse(text)
  return (doc.annotation.object ?? []).map((o: any) => ({
    name: o.name,
    pose: o.pose,
    difficult: o.difficult,
    truncated: o.truncated,
    occluded: o.occluded,
    box: ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => Number(o.bndbox[k])),
  }))
}

for (const set of ['voc_dataset1', 'voc_dataset2']) {
  void test(`Datumaro ${set}: import then export gives the same boxes, flags and pose`, async () => {
    const collected = await collect(readVocDir(VOC + set))
    assert.deepEqual(
      collected.issues.filter((i) => !i.warning),
      [],
    )
    assert.ok(collected.lines.length > 0)
    const files = await exportVoc(collected)
    for (const f of files) {
      const original = readFileSync(VOC + set + '/' + f.path, 'utf8')
      assert.deepEqual(objectsOf(f.content), objectsOf(original), f.path)
    }
    assert.equal(files.length, collected.images.length)
  })
}

void test('voc_dataset1: its <part> and <actions> are reported, not dropped silently; the flags are classifications', async () => {
  const collected = await collect(readVocDir(VOC + 'voc_dataset1'))
  assert.deepEqual(
    collected.issues.map((i) => [i.code, i.source.element, i.warning]),
    [['format_geometry_lossy', 'object[1]', true]],
  )
  const cat = collected.lines.find((l) => l.line.name === 'cat')!.line as any
  assert.deepEqual(cat.classifications, [
    { name: 'flags', answer: [{ name: 'truncated' }] },
    { name: 'pose', answer: 'Unspecified' },
  ])
  // integers, no 0: read as the devkit writes (1-based, inclusive) unless told otherwise
  assert.deepEqual(cat.bbox, { left: 0, top: 1, width: 3, height: 3 })
  const zero = await collect(readVocDir(VOC + 'voc_dataset1', { indexing: 'zero' }))
  const cat0 = zero.lines.find((l) => l.line.name === 'cat')!.line as any
  assert.deepEqual(cat0.bbox, { left: 1, top: 2, width: 2, height: 2 })
  // voc_dataset2 is written with decimal points (1.0): tool-written, xmin is the left edge
  const two = await collect(readVocDir(VOC + 'voc_dataset2'))
  const bg = two.lines.find((l) => l.line.name === 'background')!.line as any
  assert.deepEqual(bg.bbox, { left: 1, top: 2, width: 3, height: 4 })
})

const DEVKIT = `<annotation><filename>000005.jpg</filename>
<size><width>500</width><height>375</height><depth>3</depth></size>
<object><name>chair</name><pose>Rear</pose><truncated>0</truncated><difficult>1</difficult>
<bndbox><xmin>1</xmin><ymin>211</ymin><xmax>500</xmax><ymax>375</ymax></bndbox></object>
</annotation>`

void test('a devkit (1-based, inclusive) file: xmin 1 is the left edge 0, xmax 500 the right edge, and it goes back unchanged', async () => {
  const read = readVocXml(DEVKIT, 'Annotations/000005.xml')
  assert.ok(!('error' in read))
  const collected: CollectedImport = {
    images: [
      { globalKey: read.globalKey, width: read.width, height: read.height, source: { file: 'x' } },
    ],
    features: [
      {
        name: 'chair',
        tool: 'rectangle',
        classifications: [
          { type: 'checklist', name: 'flags', options: ['difficult', 'truncated', 'occluded'] },
          { type: 'text', name: 'pose', options: [] },
        ],
      },
    ],
    classifications: [],
    lines: read.events.flatMap((e) => (e.type === 'line' ? [e.line] : [])),
    issues: [],
  }
  assert.deepEqual((collected.lines[0]!.line as any).bbox, {
    left: 0,
    top: 210,
    width: 500,
    height: 165,
  })
  const [file] = await exportVoc(collected)
  assert.deepEqual(objectsOf(file!.content), objectsOf(DEVKIT))
})

void test('damaged VOC files: coded issues with the file and element, the good objects import', () => {
  const broken = readVocXml('<annotation><filename>a.jpg</filename><object>', 'Annotations/a.xml')
  assert.ok('error' in broken)
  assert.equal(broken.error.code, 'format_syntax_invalid')
  const noName = readVocXml('<annotation><object><name>x</name></object></annotation>', 'b.xml')
  assert.ok('error' in noName && noName.error.code === 'format_element_invalid')
  const mixed = readVocXml(
    `<annotation><filename>c.jpg</filename>
      <object><name>ok</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object>
      <object><name>nobox</name></object>
      <object><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object>
      <object><name>nan</name><bndbox><xmin>a</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object>
    </annotation>`,
    'Annotations/c.xml',
  )
  assert.ok(!('error' in mixed))
  assert.deepEqual(
    mixed.events.map((e) => (e.type === 'issue' ? [e.issue.code, e.issue.source.element] : e.type)),
    [
      'line',
      ['format_element_invalid', 'object[1]'],
      ['format_element_invalid', 'object[2]'],
      ['format_element_invalid', 'object[3]'],
    ],
  )
})
