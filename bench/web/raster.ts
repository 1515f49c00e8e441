/**
 * Where the viewer's frame time goes, measured apart from the app: in Debian chromium (GPU off, as
 * in run.ts) a 1600×1000 canvas draws 5,000 objects the way the viewer does, and each variant is
 * timed twice: the JavaScript calls alone (what the viewer's stats report), and calls + a forced
 * raster (`getImageData` of one pixel makes Chrome rasterize the recorded frame at once, the work
 * that otherwise happens later, in the frame's commit). `npx tsx bench/web/raster.ts`.
 */
import { launchBrowser } from '../../apps/web/e2e/browser.ts'

const CHROMIUM = process.env['LABELPORT_TEST_CHROMIUM'] ?? '/usr/bin/chromium'

const PAGE_SCRIPT = String.raw`
(() => {
  const W = 1600, H = 1000, SIZE = 4096, N = 5000
  let seed = 7
  const r = () => (seed = (seed * 1664525 + 1013904223) % 4294967296) / 4294967296
  const objects = []
  for (let i = 0; i < N; i++) {
    const x = 20 + r() * (SIZE - 200), y = 20 + r() * (SIZE - 200), w = 10 + r() * 150, h = 10 + r() * 150
    const kind = ['box', 'polygon', 'line', 'point'][i % 4]
    const color = ['#e6194b', '#3cb44b', '#4363d8', '#f58231'][i % 4]
    const points = kind === 'polygon'
      ? Array.from({ length: 6 }, (_, k) => ({ x: x + w / 2 + Math.cos(k / 6 * Math.PI * 2) * w / 2, y: y + h / 2 + Math.sin(k / 6 * Math.PI * 2) * h / 2 }))
      : kind === 'line' ? Array.from({ length: 5 }, (_, k) => ({ x: x + k * w / 4, y: y + (k % 2) * h })) : []
    objects.push({ kind, color, x, y, w, h, points })
  }
  const image = document.createElement('canvas')
  image.width = SIZE; image.height = SIZE
  const ic = image.getContext('2d')
  const gradient = ic.createLinearGradient(0, 0, SIZE, SIZE)
  gradient.addColorStop(0, '#5b7c99'); gradient.addColorStop(1, '#d9c9a3')
  ic.fillStyle = gradient; ic.fillRect(0, 0, SIZE, SIZE)
  const canvas = document.createElement('canvas')
  canvas.width = W; canvas.height = H
  document.body.appendChild(canvas)
  const ctx = canvas.getContext('2d')
  const draw = (t, o) => {
    ctx.setTransform(1, 0, 0, 1, 0, 0)
    ctx.clearRect(0, 0, W, H)
    ctx.setTransform(t.scale, 0, 0, t.scale, t.offsetX, t.offsetY)
    if (o.image) ctx.drawImage(image, 0, 0)
    const view = { left: -t.offsetX / t.scale, top: -t.offsetY / t.scale, right: (W - t.offsetX) / t.scale, bottom: (H - t.offsetY) / t.scale }
    const batches = new Map()
    for (const ob of objects) {
      if (o.cull && (ob.x > view.right || ob.y > view.bottom || ob.x + ob.w < view.left || ob.y + ob.h < view.top)) continue
      let b = batches.get(ob.color)
      if (!b) batches.set(ob.color, (b = { areas: new Path2D(), lines: new Path2D() }))
      if (ob.kind === 'box') b.areas.rect(ob.x, ob.y, ob.w, ob.h)
      else if (ob.kind === 'polygon') { b.areas.moveTo(ob.points[0].x, ob.points[0].y); for (const p of ob.points) b.areas.lineTo(p.x, p.y); b.areas.closePath() }
      else if (ob.kind === 'line') { b.lines.moveTo(ob.points[0].x, ob.points[0].y); for (const p of ob.points) b.lines.lineTo(p.x, p.y) }
    }
    for (const [color, b] of batches) {
      ctx.setLineDash(o.dashed ? [6 / t.scale, 4 / t.scale] : [])
      ctx.lineWidth = 2 / t.scale
      ctx.strokeStyle = color
      if (o.fill) { ctx.fillStyle = color + '22'; ctx.fill(b.areas, 'evenodd') }
      ctx.stroke(b.areas)
      ctx.stroke(b.lines)
    }
  }
  window.measure = (name, o, scale) => {
    const fit = Math.min(W / SIZE, H / SIZE) * scale
    const results = { js: [], raster: [] }
    for (let i = 0; i < 12; i++) {
      const t = { scale: fit * (1 + (i % 3) * 0.01), offsetX: (W - SIZE * fit) / 2 - i * 7, offsetY: (H - SIZE * fit) / 2 }
      const a = performance.now()
      draw(t, o)
      const b = performance.now()
      ctx.getImageData(0, 0, 1, 1)
      const c = performance.now()
      results.js.push(b - a); results.raster.push(c - a)
    }
    const median = (v) => v.sort((m, n) => m - n)[Math.floor(v.length / 2)]
    return { name, js: median(results.js), total: median(results.raster) }
  }
})()
`

const browser = await launchBrowser(CHROMIUM, { width: 1600, height: 1000 })
try {
  const { page } = browser
  await page.goto('about:blank')
  await page.evaluate(PAGE_SCRIPT)
  const variants: [string, Record<string, boolean>][] = [
    ['as the viewer draws (image, fill, dashed)', { image: true, fill: true, dashed: true }],
    ['no image', { fill: true, dashed: true }],
    ['solid lines (no dash)', { image: true, fill: true }],
    ['no fill', { image: true, dashed: true }],
    ['solid, no fill, image', { image: true }],
    ['culled to the view', { image: true, fill: true, dashed: true, cull: true }],
    ['culled, solid', { image: true, fill: true, cull: true }],
  ]
  for (const scale of [1, 4]) {
    console.log(`\nat ${scale === 1 ? 'fit' : `${scale}× fit`} (median of 12 frames; ms)`)
    console.log(`${'variant'.padEnd(44)} ${'JS calls'.padStart(9)} ${'+ raster'.padStart(9)}`)
    for (const [name, options] of variants) {
      const r = await page.evaluate(
        ([n, o, s]) =>
          (
            window as unknown as { measure: (...a: unknown[]) => { js: number; total: number } }
          ).measure(n, o, s),
        [name, options, scale] as const,
      )
      console.log(
        `${name.padEnd(44)} ${r.js.toFixed(1).padStart(9)} ${r.total.toFixed(1).padStart(9)}`,
      )
    }
  }
} finally {
  await browser.close()
}
