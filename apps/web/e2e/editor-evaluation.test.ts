/**
 * The editor's TP / FP / FN overlay (issue 14, item 3) in a real browser: a row with a ground-truth
 * label (one box the model found exactly, one it missed) and three pre-labels (one exact, two
 * spurious), evaluated through the SDK; the admin opens the row in the editor, toggles
 * "TP / FP / FN" and each object is drawn in its status at its pixels on the editor canvas, the
 * match joined, and it follows a zoom; the confidence slider recomputes the metrics.
 * Screenshots: test-artifacts/screenshots/editor-evaluation-*.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { chromium, startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
import { LabelImport } from '@labelport/sdk'
import { launchBrowser, screenshot, signIn } from './browser.ts'
import type { Browser } from './browser.ts'
import { buildWebIfMissing, makeWorld } from './editor-world.ts'
import type { LabelingWorld } from './editor-world.ts'

const browserNeed = chromium()
const TOLERANCE = 1.5 // CSS px (stroke and rounding)

// the pre-labels of makeWorld on street-0: 0.9 at (500,300), 0.3 at (650,60), 0.7 at (650,200)
const FOUND = { left: 500, top: 300, width: 120, height: 80 }
const MISSED = { left: 100, top: 120, width: 150, height: 100 }
const SPURIOUS_LOW = { left: 650, top: 60, width: 100, height: 70 }
const SPURIOUS = { left: 650, top: 200, width: 100, height: 60 }

void describe('editor evaluation overlay', { skip: browserNeed.skip }, () => {
  let server: TestServer
  let browser: Browser
  let world: LabelingWorld

  before(async () => {
    buildWebIfMissing()
    server = await startServer()
    world = await makeWorld(server, 1)
    const truth = await LabelImport.createFromObjects({
      client: world.client,
      projectId: world.projectId,
      name: 'truth',
      labels: [FOUND, MISSED].map((bbox) => ({
        name: 'car',
        dataRow: { globalKey: 'street-0' },
        bbox,
        classifications: [{ name: 'occluded', answer: { name: 'no' } }],
      })),
    })
    await truth.waitUntilDone()
    assert.equal(truth.state, 'FINISHED')
    const project = await world.client.getProject(world.projectId)
    const evaluation = await project.createEvaluation({ iouType: 'bbox', iouThreshold: 0.5 })
    await evaluation.waitUntilDone()
    assert.equal(evaluation.state, 'FINISHED')
    const car = evaluation.summary!.classes.find((c) => c.name === 'car')!
    assert.deepEqual([car.tp, car.fp, car.fn], [1, 2, 1])
    browser = await launchBrowser(browserNeed.value)
    browser.page.on('pageerror', (error) => console.error('page error:', error))
    await signIn(browser.page, server.url, server.apiKey)
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  test('TP, FP and FN drawn at their pixels over the editor canvas; the slider recomputes', async () => {
    const page = browser.page
    await page.goto(`${server.url}/#/projects/${world.projectId}/data-rows/${world.rows[0]}?edit=1`)
    await page.getByTestId('editor-canvas').waitFor({ timeout: 20_000 })
    await page.waitForFunction(() => window.__labelportEditor !== undefined)
    await page.getByTestId('editor-evaluation-toggle').check()
    await page.getByTestId('editor-evaluation-metrics').waitFor({ timeout: 15_000 })
    await page.getByTestId('editor-evaluation-shape').first().waitFor()

    const shapes = () =>
      page.getByTestId('editor-evaluation-shape').evaluateAll((els) =>
        els.map((el) => {
          const r = el.getBoundingClientRect()
          return {
            status: el.getAttribute('data-status'),
            layer: el.getAttribute('data-layer'),
            box: { x: r.left, y: r.top, width: r.width, height: r.height },
          }
        }),
      )
    /** one shape of that status and layer exactly over the image box, at the editor's transform */
    const at = async (
      status: string,
      layer: string,
      box: { left: number; top: number; width: number; height: number },
    ) => {
      const { t, r } = await page.evaluate(() => ({
        t: window.__labelportEditor!.transform(),
        r: window.__labelportEditor!.canvasRect(),
      }))
      const all = await shapes()
      const found = all.filter(
        (s) =>
          s.status === status &&
          s.layer === layer &&
          Math.abs(s.box.x - (r.left + t.offsetX + box.left * t.scale)) <= TOLERANCE &&
          Math.abs(s.box.y - (r.top + t.offsetY + box.top * t.scale)) <= TOLERANCE &&
          Math.abs(s.box.width - box.width * t.scale) <= TOLERANCE &&
          Math.abs(s.box.height - box.height * t.scale) <= TOLERANCE,
      )
      assert.equal(
        found.length,
        1,
        `${layer} ${status} at ${JSON.stringify(box)} (scale ${t.scale}): ${JSON.stringify(all)}`,
      )
    }
    const expectAll = async () => {
      assert.equal((await shapes()).length, 5)
      await at('tp', 'label', FOUND)
      await at('tp', 'prelabel', FOUND)
      await at('fn', 'label', MISSED)
      await at('fp', 'prelabel', SPURIOUS_LOW)
      await at('fp', 'prelabel', SPURIOUS)
    }
    await expectAll()
    assert.equal(await page.getByTestId('editor-evaluation-match').count(), 1)
    const styles = await page
      .getByTestId('editor-evaluation-shape')
      .evaluateAll((els) =>
        els.map((el) => [
          el.getAttribute('data-status'),
          el.getAttribute('stroke'),
          el.getAttribute('stroke-dasharray') !== null,
          el.getAttribute('data-layer'),
        ]),
      )
    for (const [status, stroke, dashed, layer] of styles) {
      assert.equal(stroke, { tp: '#1a9850', fp: '#d73027', fn: '#f28e2b' }[status as 'tp'])
      assert.equal(dashed, layer === 'prelabel')
    }
    const metric = (name: string) =>
      page.locator(`[data-testid="editor-evaluation-metrics"] [data-metric="${name}"]`).innerText()
    assert.deepEqual(
      [await metric('tp'), await metric('fp'), await metric('fn'), await metric('precision')],
      ['1', '2', '1', '0.333'],
    )
    await screenshot(page, 'editor-evaluation-01-overlay')

    // zoom in with the wheel over the found box: the overlay follows the canvas
    const before = await page.evaluate(() => window.__labelportEditor!.transform())
    const { t, r } = await page.evaluate(() => ({
      t: window.__labelportEditor!.transform(),
      r: window.__labelportEditor!.canvasRect(),
    }))
    await page.mouse.move(r.left + t.offsetX + 560 * t.scale, r.top + t.offsetY + 340 * t.scale)
    await page.mouse.wheel(0, -300)
    await page.waitForFunction(
      (scale) => window.__labelportEditor!.transform().scale > scale * 1.2,
      before.scale,
    )
    // one more frame so the overlay has the last transform
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(null))))
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(null))))
    await at('tp', 'label', FOUND)
    await at('tp', 'prelabel', FOUND)
    await screenshot(page, 'editor-evaluation-02-zoomed')

    // past 0.5: the 0.3 spurious box goes; past 0.95 the found box too, its label becomes a FN
    const slider = page.getByTestId('editor-evaluation-confidence')
    await slider.fill('0.5')
    assert.deepEqual(
      [await metric('tp'), await metric('fp'), await metric('fn'), await metric('precision')],
      ['1', '1', '1', '0.500'],
    )
    assert.equal((await shapes()).length, 4)
    await slider.fill('0.95')
    assert.deepEqual(
      [await metric('tp'), await metric('fp'), await metric('fn'), await metric('recall')],
      ['0', '0', '2', '0.000'],
    )
    await at('fn', 'label', FOUND)
    await screenshot(page, 'editor-evaluation-03-slider')
    // toggled off: gone
    await page.getByTestId('editor-evaluation-toggle').uncheck()
    assert.equal(await page.getByTestId('editor-evaluation-shape').count(), 0)
  })
})
