/**
 * One measured step in a fresh process (so peak RSS is its own): `read` converts a COCO file to
 * NDJSON lines (two streamed passes) and judges every line with the ImportJudge as the import job
 * would; `write` streams N annotations of export v2 rows through the COCO writer to /dev/null.
 * Prints one JSON line of figures.
 */
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import {
  ImportJudge,
  NormalizedOntologySchema,
  buildOntologyIndex,
  completeOntology,
} from '@labelport/core'
import { readCocoCatalog, readCoco, writeCoco, type ExportRowLike } from '@labelport/formats'
import { fileSource } from '@labelport/formats/node'

const [mode, path, count] = process.argv.slice(2)
let peak = 0
const cpu = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}
const cpuStart = cpu()
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)

if (mode === 'read') {
  const started = performance.now()
  const source = fileSource(path!)
  const { catalog } = await readCocoCatalog(source)
  const rows = new Map(
    [...catalog.images.values()].map((image, i) => [
      image.globalKey,
      { id: `row${i}`, globalKey: image.globalKey, width: image.width, height: image.height },
    ]),
  )
  let judge: ImportJudge | undefined
  const tools: unknown[] = []
  const out = createWriteStream(path + '.ndjson')
  let lines = 0
  let accepted = 0
  let issues = 0
  let pending = ''
  for await (const e of readCoco(source)) {
    if (e.type === 'feature')
      tools.push({
        tool: e.feature.tool,
        name: e.feature.name,
        required: false,
        color: '',
        classifications: [],
        schemaNodeId: null,
        featureSchemaId: null,
      })
    else if (e.type === 'issue') issues++
    else if (e.type === 'line') {
      judge ??= new ImportJudge({
        ontology: buildOntologyIndex(
          completeOntology(NormalizedOntologySchema.parse({ tools, classifications: [] })),
        ),
        kind: 'ground_truth',
        maxAnnotationsPerFeature: Number.MAX_SAFE_INTEGER,
      })
      const text = JSON.stringify(e.line.line)
      pending += text + '\n'
      if (pending.length >= 1 << 20) {
        if (!out.write(pending)) await once(out, 'drain')
        pending = ''
      }
      lines++
      const parsed = judge.parse(text, lines)
      if (parsed.ok) {
        const ref = parsed.dataRowRef
        const verdict = judge.check(
          parsed,
          ('globalKey' in ref && rows.get(ref.globalKey)) || 'unknown',
        )
        if (verdict.ok === true) accepted++
      }
    }
  }
  out.end(pending)
  await once(out, 'finish')
  const seconds = (performance.now() - started) / 1000
  clearInterval(sample)
  console.log(
    JSON.stringify({
      mode,
      lines,
      accepted,
      issues,
      seconds,
      cpuSeconds: cpu() - cpuStart,
      peakRssMb: Math.round(peak / 2 ** 20),
    }),
  )
} else {
  const n = Number(count)
  const perRow = 8
  const started = performance.now()
  const rows = function* (): Generator<ExportRowLike> {
    for (let r = 0; r * perRow < n; r++) {
      const objects = Array.from({ length: Math.min(perRow, n - r * perRow) }, (_, k) => ({
        feature_id: `f${r}-${k}`,
        name: `class ${k}`,
        polygon: Array.from({ length: 16 }, (_, p) => ({
          x: 100 + 50 * Math.cos(p / 2.5) + k,
          y: 100 + 50 * Math.sin(p / 2.5) + (r % 100),
        })),
        custom_metrics: [
          { name: 'coco_id', value: r * perRow + k + 1 },
          { name: 'coco_category_id', value: k + 1 },
          { name: 'coco_iscrowd', value: 0 },
        ],
      }))
      yield {
        data_row: { id: `row${r}`, global_key: `${r}.jpg` },
        media_attributes: { width: 640, height: 480 },
        projects: { p: { labels: [{ annotations: { objects } }] } },
      }
    }
  }
  const out = createWriteStream('/dev/null')
  const stats = { annotations: 0, skipped: 0, images: 0 }
  let bytes = 0
  for await (const chunk of writeCoco(rows(), { layer: 'labels' }, stats)) {
    bytes += chunk.length
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  const seconds = (performance.now() - started) / 1000
  clearInterval(sample)
  console.log(
    JSON.stringify({
      mode,
      annotations: stats.annotations,
      megabytes: Math.round(bytes / 2 ** 20),
      seconds,
      cpuSeconds: cpu() - cpuStart,
      peakRssMb: Math.round(peak / 2 ** 20),
    }),
  )
}
