/**
 * The web app in a real browser against a real server with the demo loaded: every annotation
 * kind is drawn where its geometry says (checked through the viewer's debug hook under the
 * current zoom), layers toggle, and the import view lists the ground-truth relationship failures.
 * Screenshots of each page go to test-artifacts/screenshots/.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { chromium, startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
import { Client } from '@labelport/sdk'
import { loadDemo } from '@labelport/cli/demo'
import type { DemoResult } from '@labelport/cli/demo'
import type { DataRowAnnotations, ObjectRecord } from '@labelport/core'
import type { DrawnAnnotation, ViewerDebugApi } from '@labelport/viewer'
import { launchBrowser, screenshot, signIn } from './browser.ts'
import type { Browser } from './browser.ts'

const browserNeed = chromium()
const WEB_DIST = new URL('../dist/index.html', import.meta.url).pathname
const TOLERANCE = 0.75 // CSS px

declare global {
  interface Window {
    __labelportViewer?: ViewerDebugApi
  }
}

void describe('web app', { skip: browserNeed.skip }, () => {
  let server: TestServer
  let demo: DemoResult
  let browser: Browser

  before(async () => {
    if (!existsSync(WEB_DIST)) {
      const build = spawnSync(
        'npm',
        ['run', 'build', '--workspace', '@labelport/web', '--silent'],
        { stdio: 'inherit' },
      )
      assert.equal(build.status, 0, 'the web app builds')
    }
    server = await startServer()
    demo = await loadDemo({ client: new Client(server.apiKey, { endpoint: server.url }) })
    browser = await launchBrowser(browserNeed.value)
    browser.page.on('pageerror', (error) => console.error('page error:', error))
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  async function annotationsOf(dataRowId: string): Promise<DataRowAnnotations> {
    const response = await fetch(
      `${server.url}/v1/projects/${demo.projectId}/data-rows/${dataRowId}/annotations`,
      { headers: { Authorization: `Bearer ${server.apiKey}` } },
    )
    assert.equal(response.status, 200)
    return (await response.json()) as DataRowAnnotations
  }

  const viewer = {
    drawn: () => browser.page.evaluate(() => window.__labelportViewer!.drawn()),
    transform: () => browser.page.evaluate(() => window.__labelportViewer!.transform()),
    canvas: () => browser.page.evaluate(() => window.__labelportViewer!.canvasRect()),
  }

  /** Where the record's geometry must be on screen under the viewer's current transform. */
  async function assertDrawnWhereRecordsSay(
    stored: DataRowAnnotations['annotations'],
  ): Promise<Set<string>> {
    const t = await viewer.transform()
    const canvas = await viewer.canvas()
    const sx = (x: number) => x * t.scale + t.offsetX + canvas.left
    const sy = (y: number) => y * t.scale + t.offsetY + canvas.top
    const near = (actual: number, expected: number, what: string) =>
      assert.ok(
        Math.abs(actual - expected) <= TOLERANCE,
        `${what}: drawn at ${actual}, expected ${expected}`,
      )
    const drawn = new Map((await viewer.drawn()).map((d) => [d.id, d]))
    const kinds = new Set<string>()
    const objects = new Map<string, ObjectRecord>()
    for (const a of stored) {
      const r = a.record
      if (r.kind === 'object') objects.set(`${a.layer}:${r.uuid}`, r)
    }
    for (const a of stored) {
      const r = a.record
      if (r.kind === 'classification') continue
      const d: DrawnAnnotation | undefined = drawn.get(a.id)
      assert.ok(d, `${r.name} (${a.layer}) is drawn`)
      kinds.add(d.kind)
      if (r.kind === 'relationship') {
        const source = objects.get(`${a.layer}:${r.source}`)
        const target = objects.get(`${a.layer}:${r.target}`)
        assert.ok(source && target && d.points)
        const centre = (o: ObjectRecord) => {
          const b = drawn.get(
            stored.find((s) => s.record.uuid === o.uuid && s.layer === a.layer)!.id,
          )!.box
          return { x: b.left + b.width / 2, y: b.top + b.height / 2 }
        }
        near(d.points[0]!.x, centre(source).x, 'relationship source x')
        near(d.points[1]!.y, centre(target).y, 'relationship target y')
        continue
      }
      const g = r.geometry
      switch (g.type) {
        case 'bbox':
          assert.equal(d.kind, 'bbox')
          near(d.box.left, sx(g.left), `${r.name} left`)
          near(d.box.top, sy(g.top), `${r.name} top`)
          near(d.box.width, g.width * t.scale, `${r.name} width`)
          near(d.box.height, g.height * t.scale, `${r.name} height`)
          break
        case 'polygon':
        case 'line':
          assert.equal(d.kind, g.type)
          assert.equal(d.points?.length, g.points.length)
          g.points.forEach((p, i) => {
            near(d.points![i]!.x, sx(p.x), `${r.name} point ${i} x`)
            near(d.points![i]!.y, sy(p.y), `${r.name} point ${i} y`)
          })
          break
        case 'point':
          assert.equal(d.kind, 'point')
          near(d.points![0]!.x, sx(g.x), `${r.name} x`)
          near(d.points![0]!.y, sy(g.y), `${r.name} y`)
          break
        case 'mask':
          assert.equal(d.kind, 'mask')
          near(d.box.left, sx(g.bbox.left), `${r.name} mask left`)
          near(d.box.top, sy(g.bbox.top), `${r.name} mask top`)
          near(d.box.width, g.bbox.width * t.scale, `${r.name} mask width`)
          break
      }
    }
    return kinds
  }

  void test('sign in with an API key and see the organization', async () => {
    const { page } = browser
    await page.goto(`${server.url}/#/projects`)
    await page.getByTestId('sign-in').waitFor()
    await screenshot(page, '01-sign-in')
    await signIn(page, server.url, server.apiKey)
    assert.equal(
      await page.evaluate(() => Object.keys(localStorage).length),
      0,
      'nothing in localStorage',
    )
    assert.ok(await page.evaluate(() => sessionStorage.getItem('labelport.apiKey')))
    await page.getByTestId('project-link').first().waitFor()
    await screenshot(page, '02-projects')
  })

  void test('project page: data rows with thumbnails and counts, imports, ontology', async () => {
    const { page } = browser
    await page.goto(`${server.url}/#/projects/${demo.projectId}`)
    const tiles = page.getByTestId('data-row-tile')
    await tiles.first().waitFor()
    assert.equal(await tiles.count(), demo.globalKeys.length)
    await page.getByTestId('thumbnail').first().waitFor()
    await page.waitForFunction(() =>
      [...document.querySelectorAll('img.lp-thumb')].every((i) => (i as HTMLImageElement).complete),
    )
    const prelabels = await page.getByTestId('prelabel-count').allTextContents()
    assert.ok(
      prelabels.some((t) => /^[1-9]/.test(t)),
      'pre-label counts shown',
    )
    await screenshot(page, '03-project-data-rows')
    await page.getByTestId('tab-imports').click()
    await page.getByTestId('imports-table').waitFor()
    assert.equal(await page.getByTestId('import-link').count(), 2)
    await screenshot(page, '04-project-imports')
    await page.getByTestId('tab-ontology').click()
    await page.getByTestId('ontology-tree').waitFor()
    assert.ok((await page.getByTestId('ontology-tool').count()) >= 6)
    await screenshot(page, '05-project-ontology')
  })

  void test('import view lists the ground-truth relationship failures and links to the data row', async () => {
    const { page } = browser
    await page.goto(`${server.url}/#/imports/${demo.groundTruthImportId}`)
    await page.getByTestId('import-view').waitFor()
    await page.getByTestId('failures-table').waitFor()
    assert.equal(await page.getByTestId('import-state').textContent(), 'FINISHED')
    assert.equal(
      await page.getByTestId('count-failure').textContent(),
      String(demo.groundTruth.failure),
    )
    const rows = page.getByTestId('failure-row')
    assert.equal(await rows.count(), demo.groundTruth.failure)
    for (const code of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-code'))))
      assert.equal(code, 'relationship_not_allowed')
    assert.equal(
      await page.getByTestId('error-code-row').getAttribute('data-code'),
      'relationship_not_allowed',
    )
    await screenshot(page, '06-import-failures')

    // filter by a code with no lines, then back
    await page.getByTestId('data-row-search').fill('no-such-row')
    await page.getByText('No failed line matches.').waitFor()
    await page.getByTestId('data-row-search').fill('')
    await rows.first().waitFor()

    const message = await page.getByTestId('failure-row-message').first().textContent()
    await page.getByTestId('failure-link').first().click()
    await page.getByTestId('data-row-view').waitFor()
    const focused = page.getByTestId('focused-failure')
    await focused.waitFor()
    assert.equal(await focused.getByTestId('failure-message').textContent(), message)
    assert.equal(await focused.getByTestId('failure-path').textContent(), 'relationship')
    await page.waitForFunction(() => window.__labelportViewer?.stats().firstRenderAt != null)
    await screenshot(page, '07-data-row-failure')
  })

  void test('data row view draws every annotation kind where its geometry says, through zoom and pan', async () => {
    const { page } = browser
    const rows = await annotationsOf((await firstLabelledRow())!)
    await page.goto(`${server.url}/#/projects/${demo.projectId}/data-rows/${rows.dataRow.id}`)
    await page.waitForFunction(() => window.__labelportViewer?.stats().firstRenderAt != null)
    const kinds = await assertDrawnWhereRecordsSay(rows.annotations)
    for (const kind of ['bbox', 'polygon', 'line', 'point', 'mask', 'relationship'])
      assert.ok(kinds.has(kind), `${kind} drawn`)
    await screenshot(page, '08-data-row')

    // the canvas really has the point's color where the ground-truth point is
    const point = rows.annotations.find(
      (a) =>
        a.layer === 'label' && a.record.kind === 'object' && a.record.geometry.type === 'point',
    )
    if (point) {
      const drawnPoint = (await viewer.drawn()).find((d) => d.id === point.id)!
      const pixel = await page.evaluate(({ x, y }) => {
        const canvas = document.querySelector<HTMLCanvasElement>(
          '[data-testid="annotation-canvas"]',
        )!
        const rect = canvas.getBoundingClientRect()
        const dpr = canvas.width / rect.width
        return [
          ...canvas
            .getContext('2d')!
            .getImageData(Math.round((x - rect.left) * dpr), Math.round((y - rect.top) * dpr), 1, 1)
            .data,
        ]
      }, drawnPoint.points![0]!)
      const hex = drawnPoint.color
      const expected = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))
      expected.forEach((c, i) =>
        assert.ok(Math.abs(c - pixel[i]!) <= 8, `point pixel ${pixel.join(',')} is ${hex}`),
      )
    }

    // zoom around the cursor: the image point under it stays put
    const canvas = await viewer.canvas()
    const cursor = { x: canvas.left + canvas.width * 0.3, y: canvas.top + canvas.height * 0.6 }
    const before = await viewer.transform()
    const imageAt = (t: typeof before) => ({
      x: (cursor.x - canvas.left - t.offsetX) / t.scale,
      y: (cursor.y - canvas.top - t.offsetY) / t.scale,
    })
    await page.mouse.move(cursor.x, cursor.y)
    await page.mouse.wheel(0, -400)
    await page.waitForFunction(
      (scale) => window.__labelportViewer!.transform().scale > scale * 1.2,
      before.scale,
    )
    const zoomed = await viewer.transform()
    assert.ok(
      Math.abs(imageAt(zoomed).x - imageAt(before).x) < 0.5 &&
        Math.abs(imageAt(zoomed).y - imageAt(before).y) < 0.5,
      'zoom keeps the point under the cursor',
    )
    await assertDrawnWhereRecordsSay(rows.annotations)

    // pan by dragging
    await page.mouse.down()
    await page.mouse.move(cursor.x - 120, cursor.y - 80, { steps: 6 })
    await page.mouse.up()
    const panned = await viewer.transform()
    assert.ok(
      Math.abs(panned.offsetX - (zoomed.offsetX - 120)) < 0.5 &&
        Math.abs(panned.offsetY - (zoomed.offsetY - 80)) < 0.5,
      'drag pans by the mouse delta',
    )
    await assertDrawnWhereRecordsSay(rows.annotations)
    await screenshot(page, '09-data-row-zoomed')
    await page.getByTitle('Fit to view (double-click)').click()
  })

  void test('pre-labels and ground truth toggle as layers; hover shows details', async () => {
    const { page } = browser
    const rowId = (await firstLabelledRow())!
    const rows = await annotationsOf(rowId)
    await page.goto(`${server.url}/#/projects/${demo.projectId}/data-rows/${rowId}`)
    await page.waitForFunction(() => window.__labelportViewer?.stats().firstRenderAt != null)
    const layersDrawn = async () => new Set((await viewer.drawn()).map((d) => d.layer))
    assert.deepEqual([...(await layersDrawn())].sort(), ['label', 'prelabel'])
    await page.getByTestId('layer-toggle-prelabel').locator('input').click()
    assert.deepEqual([...(await layersDrawn())], ['label'])
    await screenshot(page, '10-data-row-ground-truth-only')
    await page.getByTestId('layer-toggle-label').locator('input').click()
    assert.equal((await viewer.drawn()).length, 0)
    await page.getByTestId('layer-toggle-prelabel').locator('input').click()
    assert.deepEqual([...(await layersDrawn())], ['prelabel'])
    await page.getByTestId('layer-toggle-label').locator('input').click()

    // hover a ground-truth box: the tooltip names it
    const box = rows.annotations.find(
      (a) => a.layer === 'label' && a.record.kind === 'object' && a.record.geometry.type === 'bbox',
    )!
    const drawnBox = (await viewer.drawn()).find((d) => d.id === box.id)!
    await page.mouse.move(drawnBox.box.left + 3, drawnBox.box.top + drawnBox.box.height / 2)
    const tooltip = page.getByTestId('viewer-tooltip')
    await tooltip.waitFor()
    const text = (await tooltip.textContent()) ?? ''
    assert.ok(text.includes((box.record as ObjectRecord).uuid), 'tooltip shows the uuid')
    await page.mouse.click(drawnBox.box.left + 3, drawnBox.box.top + drawnBox.box.height / 2)
    await page.getByTestId('selection').waitFor()
    await screenshot(page, '11-data-row-selected')
  })

  void test('dataset view: data rows with global keys, media attributes and where they are used', async () => {
    const { page } = browser
    await page.goto(`${server.url}/#/datasets/${demo.datasetId}`)
    await page.getByTestId('dataset-rows').waitFor()
    assert.equal(await page.getByTestId('dataset-row').count(), demo.globalKeys.length)
    const text = (await page.getByTestId('dataset-rows').textContent()) ?? ''
    for (const key of demo.globalKeys) assert.ok(text.includes(key), `${key} listed`)
    await page.getByTestId('row-usage').first().locator('a').waitFor()
    await page.getByTestId('thumbnail').first().waitFor()
    await page.waitForFunction(() =>
      [...document.querySelectorAll('img.lp-thumb')].every((i) => (i as HTMLImageElement).complete),
    )
    await screenshot(page, '12-dataset')
  })

  async function firstLabelledRow(): Promise<string | undefined> {
    const response = await fetch(
      `${server.url}/v1/projects/${demo.projectId}/data-rows?limit=100`,
      { headers: { Authorization: `Bearer ${server.apiKey}` } },
    )
    const page = (await response.json()) as {
      items: { id: string; labelCount: number; prelabelCount: number }[]
    }
    return page.items.find((r) => r.labelCount > 0 && r.prelabelCount > 0)?.id
  }
})
