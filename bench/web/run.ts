/**
 * Web viewer benchmark: a real server, one 4096×4096 image with 5,000 objects (boxes, polygons,
 * polylines, points as MAL pre-labels), opened in Debian chromium. Prints the time to the first
 * full render of the data row view (the viewer's `labelport:viewer:first-render` mark, from
 * navigation start) and frame times while panning and zooming (requestAnimationFrame deltas and
 * the viewer's own draw times). `npx tsx bench/web/run.ts` (builds the web app if needed).
 */
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import sharp from 'sharp'
import { startServer } from '@labelport/testkit'
import { Client, MALPredictionImport, MediaType, OntologyBuilder, Tool } from '@labelport/sdk'
import { launchBrowser } from '../../apps/web/e2e/browser.ts'
import { traceMainThread } from './trace.ts'

const SIZE = 4096
const OBJECTS = 5000
const CHROMIUM = process.env['LABELPORT_TEST_CHROMIUM'] ?? '/usr/bin/chromium'

/** the part of @labelport/viewer's debug hook used here (the root tsconfig compiles no JSX) */
interface ViewerHook {
  canvasRect(): { left: number; top: number; width: number; height: number }
  stats(): { frames: number[]; firstRenderAt: number | null; objectCount: number }
}

declare global {
  interface Window {
    __labelportViewer?: ViewerHook
    __frames?: number[]
    __recording?: boolean
  }
}

if (!existsSync(new URL('../../apps/web/dist/index.html', import.meta.url).pathname)) {
  spawnSync('npm', ['run', 'build', '--workspace', '@labelport/web', '--silent'], {
    stdio: 'inherit',
  })
}

/** A deterministic pseudo-random sequence, so every run draws the same scene. */
function random(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296
    return s / 4294967296
  }
}

async function makeImage(): Promise<Buffer> {
  // a gradient with texture, so the image decode is realistic (not a flat color)
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}"><defs><linearGradient id="g" x2="1" y2="1"><stop offset="0" stop-color="#5b7c99"/><stop offset="1" stop-color="#d9c9a3"/></linearGradient><pattern id="p" width="64" height="64" patternUnits="userSpaceOnUse"><rect width="32" height="32" fill="#ffffff18"/></pattern></defs><rect width="100%" height="100%" fill="url(#g)"/><rect width="100%" height="100%" fill="url(#p)"/></svg>`
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer()
}

function lines(globalKey: string): Record<string, unknown>[] {
  const r = random(7)
  const out: Record<string, unknown>[] = []
  const tools = ['box', 'polygon', 'line', 'point'] as const
  for (let i = 0; i < OBJECTS; i++) {
    const tool = tools[i % tools.length]!
    const x = 20 + r() * (SIZE - 200)
    const y = 20 + r() * (SIZE - 200)
    const w = 10 + r() * 150
    const h = 10 + r() * 150
    const base = { name: tool, dataRow: { globalKey }, confidence: Math.round(r() * 100) / 100 }
    if (tool === 'box') out.push({ ...base, bbox: { left: x, top: y, width: w, height: h } })
    else if (tool === 'polygon')
      out.push({
        ...base,
        polygon: Array.from({ length: 6 }, (_, k) => ({
          x: x + w / 2 + (Math.cos((k / 6) * Math.PI * 2) * w) / 2,
          y: y + h / 2 + (Math.sin((k / 6) * Math.PI * 2) * h) / 2,
        })),
      })
    else if (tool === 'line')
      out.push({
        ...base,
        line: Array.from({ length: 5 }, (_, k) => ({ x: x + (k * w) / 4, y: y + (k % 2) * h })),
      })
    else out.push({ name: tool, dataRow: { globalKey }, point: { x, y } })
  }
  return out
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
  return { n: values.length, median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] ?? NaN }
}
const ms = (n: number) => `${n.toFixed(1)} ms`

const server = await startServer()
const browser = await launchBrowser(CHROMIUM, { width: 1600, height: 1000 })
try {
  const client = new Client(server.apiKey, { endpoint: server.url })
  const upload = await client.upload(
    new Blob([new Uint8Array(await makeImage())], { type: 'image/jpeg' }),
  )
  const dataset = await client.createDataset({ name: 'bench-web' })
  const task = await dataset.createDataRows([{ rowData: upload.uri, globalKey: 'bench-4096' }])
  await task.waitTillDone()
  const builder = new OntologyBuilder({
    tools: [
      new Tool({ tool: Tool.Type.BBOX, name: 'box' }),
      new Tool({ tool: Tool.Type.POLYGON, name: 'polygon' }),
      new Tool({ tool: Tool.Type.LINE, name: 'line' }),
      new Tool({ tool: Tool.Type.POINT, name: 'point' }),
    ],
  })
  const ontology = await client.createOntology('bench-web', builder.asDict(), MediaType.Image)
  const project = await client.createProject({ name: 'bench-web', mediaType: MediaType.Image })
  await project.connectOntology(ontology)
  await project.createBatch('bench', { globalKeys: ['bench-4096'] })
  const started = performance.now()
  const job = await MALPredictionImport.createFromObjects({
    client,
    projectId: project.uid,
    name: 'bench-mal',
    predictions: lines('bench-4096'),
  })
  await job.waitUntilDone()
  console.log(`import of ${OBJECTS} objects: ${job.state} in ${ms(performance.now() - started)}`)
  const dataRowId = task.result[0]!.id

  const { page } = browser
  await page.addInitScript(
    (apiKey) => sessionStorage.setItem('labelport.apiKey', apiKey),
    server.apiKey,
  )
  // the read-only data row view (the editor has its own benchmark, editor.ts)
  const url = `${server.url}/#/projects/${project.uid}/data-rows/${dataRowId}?view=1`
  const firstRenders: number[] = []
  for (let run = 0; run < 3; run++) {
    await page.goto('about:blank')
    await page.goto(url)
    await page.waitForFunction(
      () => window.__labelportViewer?.stats().firstRenderAt != null,
      undefined,
      { timeout: 60_000 },
    )
    firstRenders.push(
      await page.evaluate(
        () => performance.getEntriesByName('labelport:viewer:first-render')[0]!.startTime,
      ),
    )
  }
  const objectCount = await page.evaluate(() => window.__labelportViewer!.stats().objectCount)

  const record = async (action: () => Promise<void>) => {
    // a string, not a function: tsx would wrap named inner functions in a helper the page lacks
    await page.evaluate(`(() => {
      window.__frames = []
      window.__recording = true
      let last = performance.now()
      const tick = (now) => {
        window.__frames.push(now - last)
        last = now
        if (window.__recording) requestAnimationFrame(tick)
      }
      requestAnimationFrame(tick)
    })()`)
    const drawsBefore: number = await page.evaluate(
      () => window.__labelportViewer!.stats().frames.length,
    )
    await action()
    await page.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
    )
    return page.evaluate((from) => {
      window.__recording = false
      return {
        frames: window.__frames!.slice(1),
        draws: window.__labelportViewer!.stats().frames.slice(from),
      }
    }, drawsBefore)
  }

  const rect = await page.evaluate(() => window.__labelportViewer!.canvasRect())
  const cx = rect.left + rect.width / 2
  const cy = rect.top + rect.height / 2
  // pan at fit (all 5,000 objects on screen)
  const panFit = await record(async () => {
    await page.mouse.move(cx, cy)
    await page.mouse.down()
    for (let i = 1; i <= 120; i++)
      await page.mouse.move(cx + Math.sin(i / 10) * 300, cy + Math.cos(i / 13) * 200)
    await page.mouse.up()
  })
  // zoom in with the wheel, then pan at 4× (most objects off screen)
  const zoom = await record(async () => {
    await page.mouse.move(cx, cy)
    for (let i = 0; i < 20; i++) await page.mouse.wheel(0, -120)
  })
  const panZoomed = await record(async () => {
    await page.mouse.move(cx, cy)
    await page.mouse.down()
    for (let i = 1; i <= 120; i++)
      await page.mouse.move(cx + Math.sin(i / 10) * 300, cy + Math.cos(i / 13) * 200)
    await page.mouse.up()
  })

  if (process.env['LABELPORT_BENCH_TRACE']) {
    // where the time of a wheel zoom goes, on the renderer's main thread
    const trace = await traceMainThread(page, async () => {
      await page.mouse.move(cx, cy)
      for (let i = 0; i < 10; i++) await page.mouse.wheel(0, i % 2 ? 120 : -120)
      await page.evaluate(
        () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
      )
    })
    console.log(`\ntrace of 10 wheel zooms: main thread tasks ${ms(trace.totalMs)}`)
    for (const [name, total, count] of trace.events)
      console.log(`  ${name.padEnd(48)} ${ms(total).padStart(10)}  ×${count}`)
  }

  const first = stats(firstRenders)
  console.log(
    `\nweb viewer: ${SIZE}×${SIZE} image, ${objectCount} objects drawn (chromium headless, --disable-gpu, software raster)`,
  )
  console.log(
    `first full render of the data row view (navigation → first frame with image and annotations): median ${ms(first.median)}, max ${ms(first.max)} over ${first.n} loads`,
  )
  for (const [name, r] of [
    ['pan at fit', panFit],
    ['wheel zoom', zoom],
    ['pan at ~4× zoom', panZoomed],
  ] as const) {
    const f = stats(r.frames)
    const d = stats(r.draws)
    console.log(
      `${name.padEnd(16)} rAF delta median ${ms(f.median)}, p95 ${ms(f.p95)}, max ${ms(f.max)} (${f.n} frames); viewer draw median ${ms(d.median)}, p95 ${ms(d.p95)} (${d.n} draws)`,
    )
  }
} finally {
  await browser.close()
  await server.stop()
}
