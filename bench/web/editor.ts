/**
 * Editor benchmark: a real server and the labeling editor in Debian chromium (GPU off), on
 * 4096×4096 images. Three scenes: 5,000 pre-labels (boxes, 6-gon polygons, polylines, points;
 * suggestions are drawn dashed), 2,000 polygons of 50 vertices, and brush strokes on a mask.
 * For each it pans (Space+drag), zooms (wheel) and drags a vertex (or brushes), and prints the
 * editor's own frame work (its draw call plus a forced raster: `measureRaster` makes Chrome
 * rasterize inside the measured frame, the cost that otherwise lands in the frame's commit) and
 * the requestAnimationFrame intervals. `npx tsx bench/web/editor.ts` (builds the web app if needed).
 */
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import sharp from 'sharp'
import type { Page } from 'playwright-core'
import { startServer } from '@labelport/testkit'
import { Client, MALPredictionImport, MediaType, OntologyBuilder, Tool } from '@labelport/sdk'
import { launchBrowser } from '../../apps/web/e2e/browser.ts'

const SIZE = 4096
const CHROMIUM = process.env['LABELPORT_TEST_CHROMIUM'] ?? '/usr/bin/chromium'

interface EditorHook {
  canvasRect(): { left: number; top: number; width: number; height: number }
  transform(): { scale: number; offsetX: number; offsetY: number }
  stats(): { frames: number[]; bulk: number[]; bulkRenders: number; objectCount: number }
  measureRaster(on: boolean): void
  levelOfDetail(step: number): void
  /** every record, suggestions included, in the draft format */
  items(): Record<string, unknown>[]
}
declare global {
  interface Window {
    __labelportEditor?: EditorHook
    __frames?: number[]
    __recording?: boolean
  }
}

if (!existsSync(new URL('../../apps/web/dist/index.html', import.meta.url).pathname))
  spawnSync('npm', ['run', 'build', '--workspace', '@labelport/web', '--silent'], {
    stdio: 'inherit',
  })

function random(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296
    return s / 4294967296
  }
}

async function makeImage(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}"><defs><linearGradient id="g" x2="1" y2="1"><stop offset="0" stop-color="#5b7c99"/><stop offset="1" stop-color="#d9c9a3"/></linearGradient><pattern id="p" width="64" height="64" patternUnits="userSpaceOnUse"><rect width="32" height="32" fill="#ffffff18"/></pattern></defs><rect width="100%" height="100%" fill="url(#g)"/><rect width="100%" height="100%" fill="url(#p)"/></svg>`
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer()
}

function mixedLines(globalKey: string, count: number): Record<string, unknown>[] {
  const r = random(7)
  const tools = ['box', 'polygon', 'line', 'point'] as const
  return Array.from({ length: count }, (_, i) => {
    const tool = tools[i % 4]!
    const x = 20 + r() * (SIZE - 200)
    const y = 20 + r() * (SIZE - 200)
    const w = 10 + r() * 150
    const h = 10 + r() * 150
    const base = { name: tool, dataRow: { globalKey }, confidence: Math.round(r() * 100) / 100 }
    if (tool === 'box') return { ...base, bbox: { left: x, top: y, width: w, height: h } }
    if (tool === 'polygon') return { ...base, polygon: ring(x, y, w, h, 6) }
    if (tool === 'line')
      return {
        ...base,
        line: Array.from({ length: 5 }, (_, k) => ({ x: x + (k * w) / 4, y: y + (k % 2) * h })),
      }
    return { ...base, point: { x, y } }
  })
}

function ring(x: number, y: number, w: number, h: number, n: number) {
  return Array.from({ length: n }, (_, k) => ({
    x: Math.round((x + w / 2 + (Math.cos((k / n) * Math.PI * 2) * w) / 2) * 10) / 10,
    y: Math.round((y + h / 2 + (Math.sin((k / n) * Math.PI * 2) * h) / 2) * 10) / 10,
  }))
}

function polygonLines(globalKey: string, count: number): Record<string, unknown>[] {
  const r = random(11)
  return Array.from({ length: count }, () => {
    const x = 20 + r() * (SIZE - 300)
    const y = 20 + r() * (SIZE - 300)
    return {
      name: 'polygon',
      dataRow: { globalKey },
      confidence: 0.9,
      polygon: ring(x, y, 40 + r() * 200, 40 + r() * 200, 50),
    }
  })
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
  return { n: values.length, median: at(0.5), p95: at(0.95) }
}
const ms = (n: number) => `${n.toFixed(1)} ms`

async function record(page: Page, action: () => Promise<void>) {
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
  const before = await page.evaluate(() => {
    const s = window.__labelportEditor!.stats()
    return { frames: s.frames.length, bulk: s.bulk.length }
  })
  await action()
  // the sharp redraw after the view settles belongs to the action
  await page.waitForTimeout(400)
  return page.evaluate((from) => {
    window.__recording = false
    const s = window.__labelportEditor!.stats()
    return {
      frames: window.__frames!.slice(1),
      work: s.frames.slice(from.frames),
      bulk: s.bulk.slice(from.bulk),
    }
  }, before)
}

const server = await startServer()
const browser = await launchBrowser(CHROMIUM, { width: 1600, height: 1000 })
try {
  const client = new Client(server.apiKey, { endpoint: server.url })
  const upload = await client.upload(
    new Blob([new Uint8Array(await makeImage())], { type: 'image/jpeg' }),
  )
  const dataset = await client.createDataset({ name: 'bench-editor' })
  const keys = ['mixed', 'polygons', 'mask']
  const task = await dataset.createDataRows(
    keys.map((globalKey) => ({ rowData: upload.uri, globalKey })),
  )
  await task.waitTillDone()
  const rowOf = new Map(task.result.map((r) => [r.globalKey, r.id]))
  const builder = new OntologyBuilder({
    tools: [
      new Tool({ tool: Tool.Type.BBOX, name: 'box' }),
      new Tool({ tool: Tool.Type.POLYGON, name: 'polygon' }),
      new Tool({ tool: Tool.Type.LINE, name: 'line' }),
      new Tool({ tool: Tool.Type.POINT, name: 'point' }),
      new Tool({ tool: Tool.Type.RASTER_SEGMENTATION, name: 'mask' }),
    ],
  })
  const ontology = await client.createOntology('bench-editor', builder.asDict(), MediaType.Image)
  const project = await client.createProject({ name: 'bench-editor', mediaType: MediaType.Image })
  await project.connectOntology(ontology)
  await project.createBatch('bench', { globalKeys: keys })
  const job = await MALPredictionImport.createFromObjects({
    client,
    projectId: project.uid,
    name: 'bench-mal',
    predictions: [...mixedLines('mixed', 5000), ...polygonLines('polygons', 2000)],
  })
  await job.waitUntilDone()
  console.log(`import: ${job.state}`)

  const { page } = browser
  await page.addInitScript(
    (apiKey) => sessionStorage.setItem('labelport.apiKey', apiKey),
    server.apiKey,
  )
  const results: [string, { frames: number[]; work: number[]; bulk: number[] }][] = []
  const opening: [string, number[]][] = []
  const detail: [string, { every: number[]; lod: number[] }][] = []
  for (const key of keys) {
    await page.goto('about:blank')
    await page.goto(`${server.url}/#/projects/${project.uid}/data-rows/${rowOf.get(key)!}`)
    await page.waitForFunction(() => window.__labelportEditor !== undefined, undefined, {
      timeout: 120_000,
    })
    await page.waitForTimeout(1500) // image levels built
    await page.evaluate(() => window.__labelportEditor!.measureRaster(true))
    const rect = await page.evaluate(() => window.__labelportEditor!.canvasRect())
    const cx = rect.left + rect.width / 2
    const cy = rect.top + rect.height / 2
    const objects = await page.evaluate(() => window.__labelportEditor!.stats().objectCount)
    // the bulk drawn at open, at fit: every object in view
    opening.push([key, await page.evaluate(() => window.__labelportEditor!.stats().bulk)])
    // the bulk at fit redrawn with every vertex and at the level of detail, alternately (so the
    // machine's load weighs on both alike)
    const runs = { every: [] as number[], lod: [] as number[] }
    for (let i = 0; i < 8; i++) {
      const step = i % 2 === 0 ? 0 : 1.5
      const renders = await page.evaluate(() => window.__labelportEditor!.stats().bulkRenders)
      await page.evaluate((s) => window.__labelportEditor!.levelOfDetail(s), step)
      await page.waitForFunction(
        (n) => window.__labelportEditor!.stats().bulkRenders > n,
        renders,
        { timeout: 60_000 },
      )
      const bulk = await page.evaluate(() => window.__labelportEditor!.stats().bulk.at(-1)!)
      runs[step === 0 ? 'every' : 'lod'].push(bulk)
    }
    detail.push([key, runs])
    const label = `${key} (${objects} objects)`
    const pan = async () => {
      await page.keyboard.down('Space')
      await page.mouse.move(cx, cy)
      await page.mouse.down()
      for (let i = 1; i <= 120; i++)
        await page.mouse.move(cx + Math.sin(i / 10) * 300, cy + Math.cos(i / 13) * 200)
      await page.mouse.up()
      await page.keyboard.up('Space')
    }
    results.push([`${label}: pan at fit`, await record(page, pan)])
    results.push([
      `${label}: wheel zoom`,
      await record(page, async () => {
        await page.mouse.move(cx, cy)
        for (let i = 0; i < 20; i++) await page.mouse.wheel(0, -120)
      }),
    ])
    await page.waitForTimeout(300)
    results.push([`${label}: pan at ~4×`, await record(page, pan)])
    if (key === 'mask') {
      await page.keyboard.press('5')
      await page.getByTestId('brush-size').fill('40')
      results.push([
        `${label}: brush strokes`,
        await record(page, async () => {
          for (let s = 0; s < 3; s++) {
            await page.mouse.move(cx - 300, cy - 150 + s * 120)
            await page.mouse.down()
            for (let i = 1; i <= 60; i++)
              await page.mouse.move(cx - 300 + i * 10, cy - 150 + s * 120 + Math.sin(i / 5) * 40)
            await page.mouse.up()
          }
        }),
      ])
      const mask = await page.evaluate(() =>
        window.__labelportEditor!.items().find((i) => i['mask'] !== undefined),
      )
      console.log(`brush strokes painted a mask: ${mask ? 'yes' : 'NO'}`)
    } else {
      // select the polygon nearest the centre of the view, then drag one of its vertices
      await page.keyboard.press('v')
      const target = await page.evaluate(() => ({
        t: window.__labelportEditor!.transform(),
        r: window.__labelportEditor!.canvasRect(),
      }))
      const centre = {
        x: (target.r.width / 2 - target.t.offsetX) / target.t.scale,
        y: (target.r.height / 2 - target.t.offsetY) / target.t.scale,
      }
      const polygon = await page.evaluate((c) => {
        let best: { x: number; y: number }[] | null = null
        let bestDistance = Infinity
        for (const item of window.__labelportEditor!.items()) {
          const points = item['polygon'] as { x: number; y: number }[] | undefined
          if (!points) continue
          const d = Math.hypot(points[0]!.x - c.x, points[0]!.y - c.y)
          if (d < bestDistance) {
            best = points
            bestDistance = d
          }
        }
        return best
      }, centre)
      if (polygon) {
        const p = polygon[0]!
        const sx = target.r.left + target.t.offsetX + p.x * target.t.scale
        const sy = target.r.top + target.t.offsetY + p.y * target.t.scale
        const c = polygon.reduce(
          (a, q) => ({ x: a.x + q.x / polygon.length, y: a.y + q.y / polygon.length }),
          { x: 0, y: 0 },
        )
        await page.mouse.click(
          target.r.left + target.t.offsetX + c.x * target.t.scale,
          target.r.top + target.t.offsetY + c.y * target.t.scale,
        )
        results.push([
          `${label}: drag a vertex`,
          await record(page, async () => {
            await page.mouse.move(sx, sy)
            await page.mouse.down()
            for (let i = 1; i <= 60; i++)
              await page.mouse.move(sx + i * 2, sy + Math.sin(i / 6) * 30)
            await page.mouse.up()
          }),
        ])
      }
    }
  }
  console.log(`\neditor: ${SIZE}×${SIZE} image, chromium headless --disable-gpu (software raster)`)
  for (const [key, runs] of detail) {
    const line = (v: number[]) => {
      const sorted = [...v].sort((a, b) => a - b)
      return `min ${ms(sorted[0]!)}, median ${ms(sorted[Math.floor(sorted.length / 2)]!)}`
    }
    console.log(
      `${key.padEnd(10)} bulk redrawn at fit: every vertex ${line(runs.every)}; level of detail 1.5 px ${line(runs.lod)}`,
    )
  }
  for (const [key, bulk] of opening)
    console.log(
      `${key.padEnd(10)} bulk drawn at open (fit, everything in view): ${bulk.map(ms).join(', ')}`,
    )
  for (const [name, r] of results) {
    const f = stats(r.frames)
    const w = stats(r.work)
    const b = stats(r.bulk)
    console.log(
      `${name.padEnd(44)} editor frame (draw + raster) median ${ms(w.median)}, p95 ${ms(w.p95)} (${w.n}); of which bulk redraws ${b.n}, median ${ms(b.median)}; rAF interval median ${ms(f.median)}, p95 ${ms(f.p95)}`,
    )
  }
} finally {
  await browser.close()
  await server.stop()
}
