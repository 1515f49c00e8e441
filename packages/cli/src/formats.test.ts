/* eslint-disable @typescript-eslint/no-unsafe-return -- the files compared are untyped JSON */
/**
 * `labelport import --format …` and `labelport export --format …` against a real server process:
 * real files made by other tools in, the normal import job's verdicts, and the same geometry out.
 */
import assert from 'node:assert/strict'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Client } from '@labelport/sdk'
import { SHARED_FIXTURES, startServer, type TestServer } from '@labelport/testkit'
import { EXIT } from './output.ts'
import { run } from './program.ts'

const COCO_DIR = SHARED_FIXTURES + 'real/labelbox-python/libs/labelbox/tests/data/assets/coco/'
const YOLO_DIR = SHARED_FIXTURES + 'real/label-studio-converter/tests/data/test_import_yolo_data/'

const cocoFile = () => JSON.parse(readFileSync(COCO_DIR + 'instances.json', 'utf8'))

function capture() {
  let out = ''
  let err = ''
  return {
    io: {
      stdout: { write: (t: string) => ((out += t), true) },
      stderr: { write: (t: string) => ((err += t), true) },
    },
    out: () => out,
    err: () => err,
  }
}

void describe('labelport import/export --format against a real server', () => {
  let server: TestServer
  let client: Client
  let work: string
  const globals = (): string[] => ['--endpoint', server.url, '--api-key', server.apiKey]

  before(async () => {
    server = await startServer()
    client = new Client(server.apiKey, { endpoint: server.url })
    work = mkdtempSync(join(tmpdir(), 'labelport-formats-cli-'))
  })
  after(async () => {
    await server?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  void it('validate finds a COCO file is COCO (not 31 broken NDJSON lines) and judges its objects', async () => {
    const project = await client.createProject({ name: 'coco-validate' })
    const c = capture()
    const code = await run(
      [
        ...globals(),
        '--json',
        'validate',
        COCO_DIR + 'instances.json',
        '--project',
        project.id,
        '--kind',
        'ground-truth',
      ],
      c.io,
    )
    assert.ok(c.out().startsWith('{'), c.err())
    const result = JSON.parse(c.out())
    assert.equal(result.format, 'coco', c.err())
    assert.deepEqual(result.unmapped, [])
    // no ontology yet: the plan (tools to create), no job
    assert.equal(result.job, null)
    assert.equal(result.wouldCreateTools.length, cocoFile().categories.length)
    assert.equal(code, EXIT.ok)
  })

  void it('COCO in with --images (data rows, ontology, batch created), then COCO out: the same annotations', async () => {
    const project = await client.createProject({ name: 'coco-in-out' })
    const c = capture()
    const code = await run(
      [
        ...globals(),
        'import',
        '--format',
        'coco',
        COCO_DIR + 'instances.json',
        '--images',
        COCO_DIR + 'images',
        '--project',
        project.id,
        '--kind',
        'ground-truth',
      ],
      c.io,
    )
    assert.equal(code, EXIT.ok, c.err() + c.out())
    // validate now judges every object as the import did: all accepted
    const v = capture()
    assert.equal(
      await run(
        [
          ...globals(),
          '--json',
          'validate',
          COCO_DIR + 'instances.json',
          '--project',
          project.id,
          '--kind',
          'ground-truth',
        ],
        v.io,
      ),
      EXIT.ok,
      v.err(),
    )
    const judged = JSON.parse(v.out())
    assert.equal(judged.job.dryRun, true)
    assert.equal(judged.job.counts.failure, 0)
    assert.ok(judged.job.counts.success >= cocoFile().annotations.length)
    const out = join(work, 'coco-out')
    const e = capture()
    assert.equal(
      await run(
        [
          ...globals(),
          'export',
          '--project',
          project.id,
          '--format',
          'coco',
          '--out',
          out,
          '--images',
        ],
        e.io,
      ),
      EXIT.ok,
      e.err(),
    )
    const original = JSON.parse(readFileSync(COCO_DIR + 'instances.json', 'utf8'))
    const back = JSON.parse(readFileSync(join(out, 'annotations.json'), 'utf8'))
    const byId = new Map(back.annotations.map((a: any) => [a.id, a]))
    assert.equal(byId.size, original.annotations.length)
    for (const a of original.annotations) {
      const b: any = byId.get(a.id)
      assert.deepEqual(b.segmentation, a.segmentation)
      assert.deepEqual(b.bbox, a.bbox)
      assert.equal(b.category_id, a.category_id)
    }
    // export v2's row_data is a URL that works with the caller's key (not upload://)
    const [row] = await (await client.getProject(project.id)).export()
    assert.match(row!.data_row.row_data, /^http:\/\/.*\/v1\/data-rows\/.*\/image$/)
    const fetched = await fetch(row!.data_row.row_data, {
      headers: { authorization: `Bearer ${server.apiKey}` },
    })
    assert.equal(fetched.status, 200)
    assert.deepEqual(
      new Uint8Array(await fetched.arrayBuffer()),
      new Uint8Array(readFileSync(COCO_DIR + 'images/' + row!.data_row.global_key)),
    )
    // COCO results (detections with score) as pre-labels: confidence kept in export v2 and back to score
    const results = cocoFile().annotations.map((a: any, i: number) => ({
      image_id: a.image_id,
      category_id: a.category_id,
      bbox: a.bbox,
      score: (i % 10) / 10,
    }))
    const resultsFile = join(work, 'results.json')
    writeFileSync(resultsFile, JSON.stringify(results))
    const r = capture()
    const rcode = await run(
      [
        ...globals(),
        'import',
        '--format',
        'coco-results',
        resultsFile,
        '--instances',
        COCO_DIR + 'instances.json',
        '--project',
        project.id,
        '--kind',
        'mal',
      ],
      r.io,
    )
    // the ontology has the categories as polygon tools: detections that are boxes do not map
    assert.equal(rcode, EXIT.error)
    assert.match(r.err(), /unmapped: .* \(rectangle\): the ontology's .* is a polygon tool/)
    // the images came along, byte for byte
    const first = original.images[0].file_name
    assert.deepEqual(
      readFileSync(join(out, 'images', first)),
      readFileSync(COCO_DIR + 'images/' + first),
    )
  })

  void it('COCO results in as pre-labels: score kept as confidence in export v2 and written back as score', async () => {
    const project = await client.createProject({ name: 'coco-results' })
    const results = cocoFile().annotations.map((a: any, i: number) => ({
      image_id: a.image_id,
      category_id: a.category_id,
      bbox: a.bbox,
      score: (i % 10) / 10,
    }))
    const resultsFile = join(work, 'results-2.json')
    writeFileSync(resultsFile, JSON.stringify(results))
    const c = capture()
    const code = await run(
      [
        ...globals(),
        'import',
        resultsFile,
        '--instances',
        COCO_DIR + 'instances.json',
        '--images',
        COCO_DIR + 'images',
        '--project',
        project.id,
        '--kind',
        'mal',
      ],
      c.io,
    )
    assert.equal(code, EXIT.ok, c.err() + c.out())
    const rows = await (await client.getProject(project.id)).export()
    const objects: any[] = rows.flatMap((r) =>
      Object.values(r.projects).flatMap((p) => p.prelabels.flatMap((l) => l.annotations.objects)),
    )
    assert.equal(objects.length, results.length)
    assert.deepEqual(
      objects.map((o) => o.confidence).sort(),
      results.map((r: any) => r.score).sort(),
    )
    const out = join(work, 'results-out')
    const e = capture()
    assert.equal(
      await run(
        [
          ...globals(),
          'export',
          '--project',
          project.id,
          '--format',
          'coco-results',
          '--layer',
          'prelabels',
          '--out',
          out,
        ],
        e.io,
      ),
      EXIT.ok,
      e.err(),
    )
    const back = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))
    const key = (r: any) => `${r.category_id} ${r.bbox.join(',')} ${r.score}`
    assert.deepEqual(back.map(key).sort(), results.map(key).sort())
  })

  void it('YOLO with an existing ontology: what does not map is reported before anything is written; --map renames', async () => {
    const project = await client.createProject({ name: 'yolo-map' })
    const ontology = await client.createOntology('doors', {
      tools: ['door_closed', 'door_open', 'bus', 'number'].map((name) => ({
        tool: 'rectangle',
        name,
        required: false,
        color: '',
        classifications: [],
        schemaNodeId: null,
        featureSchemaId: null,
      })),
      classifications: [],
    })
    await project.connectOntology(ontology)
    const args = [
      ...globals(),
      'import',
      YOLO_DIR,
      '--images',
      YOLO_DIR + 'images',
      '--project',
      project.id,
      '--kind',
      'mal',
    ]
    const c = capture()
    assert.equal(await run(args, c.io), EXIT.error)
    assert.match(c.err(), /unmapped: closed_door/)
    assert.match(c.err(), /unmapped: opened_door/)
    assert.deepEqual(await (await client.getProject(project.id)).batches(), [], 'nothing written')
    const map = join(work, 'map.json')
    writeFileSync(map, JSON.stringify({ closed_door: 'door_closed', opened_door: 'door_open' }))
    const m = capture()
    assert.equal(await run([...args, '--map', map], m.io), EXIT.ok, m.err() + m.out())
    const rows = await (await client.getProject(project.id)).export()
    const objects = rows.flatMap((r) =>
      Object.values(r.projects).flatMap((p) => p.prelabels.flatMap((l) => l.annotations.objects)),
    )
    const inFiles = readdirSync(YOLO_DIR + 'labels')
      .flatMap((f) => readFileSync(YOLO_DIR + 'labels/' + f, 'utf8').split('\n'))
      .filter((l) => l.trim() !== '').length
    assert.equal(objects.length, inFiles)
    assert.ok(objects.some((o) => o.name === 'door_closed'))
  })

  void it('a box overshooting its image: without --clip it fails at its source line; with --clip it is clipped and reported', async () => {
    const dir = join(work, 'yolo-overshoot')
    mkdirSync(join(dir, 'images'), { recursive: true })
    mkdirSync(join(dir, 'labels'))
    copyFileSync(YOLO_DIR + 'images/img_1.jpg', join(dir, 'images', 'over.jpg'))
    writeFileSync(join(dir, 'classes.txt'), 'thing\n')
    writeFileSync(join(dir, 'labels', 'over.txt'), '0 0.5 0.5 0.2 0.2\n0 0.95 0.5 0.2 0.2\n')
    const project = await client.createProject({ name: 'yolo-clip' })
    const base = [
      ...globals(),
      'import',
      dir,
      '--images',
      join(dir, 'images'),
      '--project',
      project.id,
      '--kind',
      'mal',
    ]
    const c = capture()
    assert.equal(await run([...base, '--name', 'no-clip'], c.io), EXIT.someFailed, c.err())
    assert.match(c.err(), /FAILURE geometry_out_of_bounds: labels\/over\.txt line 2/)
    const k = capture()
    assert.equal(await run([...base, '--name', 'clip', '--clip'], k.io), EXIT.ok, k.err())
    assert.match(
      k.err(),
      /warning geometry_clipped: labels\/over\.txt line 2: box \(left [\d.]+, top [\d.]+, width [\d.]+, height [\d.]+\) clipped to the image/,
    )
    const rows = await (await client.getProject(project.id)).export()
    const boxes = rows.flatMap((r) =>
      Object.values(r.projects).flatMap((p) => p.prelabels.flatMap((l) => l.annotations.objects)),
    )
    const width = (rows[0]!.media_attributes as { width: number }).width
    assert.ok(
      boxes.some((b: any) => Math.abs(b.bounding_box.left + b.bounding_box.width - width) < 1e-9),
    )
  })
  void it('CVAT for images in (found from the file, attributes as classifications), then CVAT out: the same shapes', async () => {
    const dir =
      SHARED_FIXTURES + 'real/datumaro/tests/assets/cvat_dataset/for_images/export_project/'
    const project = await client.createProject({ name: 'cvat-in-out' })
    const c = capture()
    const code = await run(
      [
        ...globals(),
        '--json',
        'import',
        dir + 'annotations.xml',
        '--images',
        dir + 'images',
        '--project',
        project.id,
        '--kind',
        'ground-truth',
      ],
      c.io,
    )
    assert.equal(code, EXIT.ok, c.err() + c.out())
    const result = JSON.parse(c.out())
    assert.equal(result.format, 'cvat')
    assert.equal(result.job.counts.failure, 0)
    // 6 images × (box + polyline) or (polygon + 3 points)
    assert.equal(result.job.counts.success, 3 * 2 + 3 * 4)
    const out = join(work, 'cvat-out')
    const e = capture()
    assert.equal(
      await run(
        [...globals(), 'export', '--project', project.id, '--format', 'cvat', '--out', out],
        e.io,
      ),
      EXIT.ok,
      e.err(),
    )
    const xml = readFileSync(join(out, 'annotations.xml'), 'utf8')
    assert.equal(xml.match(/<image /g)?.length, 6)
    assert.equal(xml.match(/<box label="label1"[^>]* xtl="0" ytl="2" xbr="4" ybr="4"/g)?.length, 3)
    assert.equal(xml.match(/<points label="label2"[^>]* points="1,2;3,4;5,6"/g)?.length, 3)
    assert.equal(xml.match(/<attribute name="a2">v3<\/attribute>/g)?.length, 3)
  })
})
