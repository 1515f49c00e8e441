/**
 * Model evaluation in a real browser against a real server: a project with known boxes (one exact
 * prediction, one spurious, one missed), evaluated from the Metrics tab by mouse; the per-class
 * table, the confidence slider (by keyboard), the confusion matrix leading to its example, the data
 * rows sorted by FN and FP, and the data row drawn with TP / FP / FN at the boxes' pixels. Results
 * are read back through the API. Screenshots go to test-artifacts/screenshots/.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import sharp from 'sharp'
import { chromium, startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
import type { Evaluation, EvaluationObject, Task } from '@labelport/core'
import { launchBrowser, screenshot, signIn } from './browser.ts'
import type { Browser } from './browser.ts'

const browserNeed = chromium()
const WEB_DIST = new URL('../dist/index.html', import.meta.url).pathname
const SIZE = { width: 400, height: 300 }
const TOLERANCE = 1.5 // CSS px (stroke and rounding)

// image 1: A found exactly (TP), B missed (FN), a spurious box C (FP, low confidence)
// image 2: two boxes missed (FN), nothing predicted
const TRUTH = {
  first: [
    { left: 40, top: 30, width: 120, height: 90 },
    { left: 240, top: 150, width: 120, height: 110 },
  ],
  second: [
    { left: 20, top: 20, width: 80, height: 80 },
    { left: 200, top: 100, width: 80, height: 80 },
  ],
}
const PREDICTIONS = [
  { box: { left: 40, top: 30, width: 120, height: 90 }, confidence: 0.9 },
  { box: { left: 20, top: 200, width: 70, height: 60 }, confidence: 0.4 },
]

void describe('evaluation pages', { skip: browserNeed.skip }, () => {
  let server: TestServer
  let browser: Browser
  let projectId = ''
  const rows: Record<'first' | 'second', string> = { first: '', second: '' }

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${server.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${await res.clone().text()}`)
    return (await res.json()) as T
  }

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
    const dataset = await call<{ id: string }>('POST', '/v1/datasets', { name: 'eval-web' })
    const items = []
    for (const key of ['first', 'second'] as const) {
      const png = await sharp({
        create: { ...SIZE, channels: 3, background: key === 'first' ? '#2a4d69' : '#4b86b4' },
      })
        .png()
        .toBuffer()
      const upload = await fetch(`${server.url}/v1/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'image/png' },
        body: png,
      })
      items.push({ rowData: ((await upload.json()) as { uri: string }).uri, globalKey: key })
    }
    let task = await call<Task>('POST', `/v1/datasets/${dataset.id}/data-rows`, { items })
    while (task.status === 'IN_PROGRESS') {
      await new Promise((r) => setTimeout(r, 50))
      task = await call<Task>('GET', `/v1/tasks/${task.id}`)
    }
    for (const row of task.createdDataRows) rows[row.globalKey as 'first' | 'second'] = row.id
    const ontology = await call<{ id: string }>('POST', '/v1/ontologies', {
      name: 'cars',
      mediaType: 'IMAGE',
      normalized: {
        tools: [
          {
            tool: 'rectangle',
            name: 'car',
            required: false,
            color: '#ff0000',
            classifications: [],
            schemaNodeId: null,
            featureSchemaId: null,
          },
        ],
        classifications: [],
      },
    })
    projectId = (
      await call<{ id: string }>('POST', '/v1/projects', { name: 'eval', mediaType: 'IMAGE' })
    ).id
    await call('PUT', `/v1/projects/${projectId}/ontology`, { ontologyId: ontology.id })
    await call('POST', `/v1/projects/${projectId}/batches`, {
      name: 'b',
      globalKeys: ['first', 'second'],
    })
    const importLines = async (name: string, kind: string, lines: unknown[]) => {
      let job = await call<{ id: string; state: string; counts: { failure: number } }>(
        'POST',
        `/v1/projects/${projectId}/imports`,
        { name, kind, source: { lines } },
      )
      while (job.state === 'RUNNING') {
        await new Promise((r) => setTimeout(r, 50))
        job = await call('GET', `/v1/imports/${job.id}`)
      }
      assert.equal(job.counts.failure, 0)
    }
    await importLines(
      'truth',
      'ground_truth',
      (['first', 'second'] as const).flatMap((key) =>
        TRUTH[key].map((bbox) => ({ name: 'car', bbox, dataRow: { globalKey: key } })),
      ),
    )
    await importLines(
      'model',
      'mal',
      PREDICTIONS.map((p) => ({
        name: 'car',
        bbox: p.box,
        confidence: p.confidence,
        dataRow: { globalKey: 'first' },
      })),
    )
    browser = await launchBrowser(browserNeed.value)
    browser.page.on('pageerror', (error) => console.error('page error:', error))
    await signIn(browser.page, server.url, server.apiKey)
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  const cellText = (metric: string) =>
    browser.page
      .locator(`[data-testid="class-metrics"] tr[data-class="car"] td[data-metric="${metric}"]`)
      .innerText()

  test('runs an evaluation from the Metrics tab and shows per-class metrics that follow the slider', async () => {
    const page = browser.page
    await page.goto(`${server.url}/#/projects/${projectId}`)
    await page.getByTestId('tab-metrics').click()
    await page.getByLabel('Compare').selectOption('bbox')
    await page.getByLabel('IoU threshold').fill('0.5')
    await page.getByRole('button', { name: 'Run evaluation' }).click()
    await page.getByTestId('coco-stats').waitFor()

    const list = await call<{ items: Evaluation[] }>('GET', `/v1/projects/${projectId}/evaluations`)
    assert.equal(list.items.length, 1)
    const evaluation = list.items[0]!
    assert.equal(evaluation.state, 'FINISHED')
    const car = evaluation.summary!.classes[0]!
    assert.deepEqual([car.tp, car.fp, car.fn], [1, 1, 3])
    assert.deepEqual(
      [await cellText('tp'), await cellText('fp'), await cellText('fn')],
      ['1', '1', '3'],
    )
    assert.equal(await cellText('precision'), car.precision.toFixed(3))
    await screenshot(page, 'evaluation-metrics')

    // keyboard: the slider to 0.50 drops the spurious box (confidence 0.4)
    const slider = page.getByLabel('Confidence threshold')
    await slider.focus()
    for (let i = 0; i < 50; i++) await page.keyboard.press('ArrowRight')
    assert.equal(await slider.inputValue(), '0.5')
    assert.deepEqual(
      [await cellText('tp'), await cellText('fp'), await cellText('fn')],
      ['1', '0', '3'],
    )
    assert.equal(await cellText('precision'), '1.000')
    assert.equal(await cellText('recall'), (1 / 4).toFixed(3))
    // past the exact box's 0.9 nothing is left
    for (let i = 0; i < 45; i++) await page.keyboard.press('ArrowRight')
    assert.deepEqual([await cellText('tp'), await cellText('fn')], ['0', '4'])
    await screenshot(page, 'evaluation-metrics-slider')
  })

  test('the confusion matrix leads to its examples, data rows sort by FN and FP', async () => {
    const page = browser.page
    // background row, car column: the unmatched prediction
    await page.getByRole('link', { name: '1 with label background predicted as car' }).click()
    await page.getByTestId('cell-examples').getByRole('link').first().waitFor()
    const examples = page.getByTestId('cell-examples').getByRole('listitem')
    assert.equal(await examples.count(), 1)
    assert.match(await examples.first().innerText(), /FP/)
    await screenshot(page, 'evaluation-confusion-cell')

    const order = async () =>
      page
        .getByTestId('evaluation-rows')
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-data-row-id')))
    await page.getByLabel('Sort by').selectOption('fn')
    await page.waitForFunction(
      (id) =>
        document
          .querySelector('[data-testid="evaluation-rows"] tbody tr')
          ?.getAttribute('data-data-row-id') === id,
      rows.second,
    )
    assert.deepEqual(await order(), [rows.second, rows.first])
    await page.getByLabel('Sort by').selectOption('fp')
    await page.waitForFunction(
      (id) =>
        document
          .querySelector('[data-testid="evaluation-rows"] tbody tr')
          ?.getAttribute('data-data-row-id') === id,
      rows.first,
    )
    assert.deepEqual(await order(), [rows.first, rows.second])
    await page.getByLabel('Only rows with').selectOption('fp')
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="evaluation-rows"] tbody tr').length === 1,
    )
  })

  test('the data row shows TP, FP and FN at the boxes’ pixels with the match joined', async () => {
    const page = browser.page
    await page.getByTestId('evaluation-rows').getByRole('link', { name: 'first' }).click()
    await page.getByTestId('evaluation-shape').first().waitFor()
    await page
      .locator('[data-testid="evaluation-canvas"] img')
      .evaluate((img: HTMLImageElement) =>
        img.complete ? undefined : new Promise((r) => img.addEventListener('load', r)),
      )
    const evaluation = (
      await call<{ items: Evaluation[] }>('GET', `/v1/projects/${projectId}/evaluations`)
    ).items[0]!
    const objects = (
      await call<{ items: EvaluationObject[] }>(
        'GET',
        `/v1/evaluations/${evaluation.id}/objects?dataRowId=${rows.first}`,
      )
    ).items
    const image = await page.locator('[data-testid="evaluation-canvas"] img').boundingBox()
    assert.ok(image)
    const scale = image.width / SIZE.width
    const shapes = await page.getByTestId('evaluation-shape').evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect()
        return {
          id: el.getAttribute('data-annotation-id'),
          status: el.getAttribute('data-status'),
          layer: el.getAttribute('data-layer'),
          box: { x: r.left, y: r.top, width: r.width, height: r.height },
        }
      }),
    )
    assert.equal(shapes.length, 4)
    const expectBox = (
      status: string,
      layer: string,
      box: { left: number; top: number; width: number; height: number },
    ) => {
      const found = shapes.filter(
        (s) =>
          s.status === status &&
          s.layer === layer &&
          Math.abs(s.box.x - (image.x + box.left * scale)) <= TOLERANCE &&
          Math.abs(s.box.y - (image.y + box.top * scale)) <= TOLERANCE &&
          Math.abs(s.box.width - box.width * scale) <= TOLERANCE &&
          Math.abs(s.box.height - box.height * scale) <= TOLERANCE,
      )
      assert.equal(
        found.length,
        1,
        `${layer} ${status} at ${JSON.stringify(box)}: ${JSON.stringify(shapes)}`,
      )
      // what is drawn is what the API says about that object
      assert.equal(objects.find((o) => o.annotationId === found[0]!.id)?.status, status)
    }
    expectBox('tp', 'label', TRUTH.first[0]!)
    expectBox('tp', 'prelabel', PREDICTIONS[0]!.box)
    expectBox('fn', 'label', TRUTH.first[1]!)
    expectBox('fp', 'prelabel', PREDICTIONS[1]!.box)
    assert.equal(await page.getByTestId('evaluation-match').count(), 1)
    await screenshot(page, 'evaluation-data-row')
  })

  test('the data-row view draws TP, FP and FN at their pixels; its slider recomputes P/R/F1', async () => {
    const page = browser.page
    await page.goto(`${server.url}/#/projects/${projectId}/data-rows/${rows.first}`)
    await page.getByTestId('evaluation-toggle').click()
    await page.getByTestId('row-evaluation-shape').first().waitFor()
    const img = page.locator('[data-testid="row-evaluation-canvas"] img')
    await img.evaluate((el: HTMLImageElement) =>
      el.complete ? undefined : new Promise((r) => el.addEventListener('load', r)),
    )
    // where the image is drawn: contained in the element's box, centred
    const drawn = await img.evaluate((el: HTMLImageElement) => {
      const r = el.getBoundingClientRect()
      const scale = Math.min(r.width / el.naturalWidth, r.height / el.naturalHeight)
      return {
        x: r.left + (r.width - el.naturalWidth * scale) / 2,
        y: r.top + (r.height - el.naturalHeight * scale) / 2,
        scale,
        natural: [el.naturalWidth, el.naturalHeight],
      }
    })
    assert.deepEqual(drawn.natural, [SIZE.width, SIZE.height])
    const shapes = () =>
      page.getByTestId('row-evaluation-shape').evaluateAll((els) =>
        els.map((el) => {
          const r = el.getBoundingClientRect()
          return {
            status: el.getAttribute('data-status'),
            layer: el.getAttribute('data-layer'),
            box: { x: r.left, y: r.top, width: r.width, height: r.height },
          }
        }),
      )
    const at = async (
      status: string,
      layer: string,
      box: { left: number; top: number; width: number; height: number },
    ) => {
      const all = await shapes()
      const found = all.filter(
        (s) =>
          s.status === status &&
          s.layer === layer &&
          Math.abs(s.box.x - (drawn.x + box.left * drawn.scale)) <= TOLERANCE &&
          Math.abs(s.box.y - (drawn.y + box.top * drawn.scale)) <= TOLERANCE &&
          Math.abs(s.box.width - box.width * drawn.scale) <= TOLERANCE &&
          Math.abs(s.box.height - box.height * drawn.scale) <= TOLERANCE,
      )
      assert.equal(
        found.length,
        1,
        `${layer} ${status} at ${JSON.stringify(box)}: ${JSON.stringify(all)}`,
      )
    }
    assert.equal((await shapes()).length, 4)
    await at('tp', 'label', TRUTH.first[0]!)
    await at('tp', 'prelabel', PREDICTIONS[0]!.box)
    await at('fn', 'label', TRUTH.first[1]!)
    await at('fp', 'prelabel', PREDICTIONS[1]!.box)
    assert.equal(await page.getByTestId('row-evaluation-match').count(), 1)
    // the distinct styles: TP green, FP red, FN orange; pre-labels dashed
    const styles = await page
      .getByTestId('row-evaluation-shape')
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
      page.locator(`[data-testid="row-evaluation-metrics"] [data-metric="${name}"]`).innerText()
    assert.deepEqual(
      [await metric('tp'), await metric('fp'), await metric('fn'), await metric('precision')],
      ['1', '1', '1', '0.500'],
    )
    await screenshot(page, 'data-row-evaluation')
    // past the spurious box's 0.4: it goes, precision 1
    const slider = page.getByTestId('row-evaluation-confidence')
    await slider.fill('0.5')
    assert.deepEqual(
      [await metric('tp'), await metric('fp'), await metric('fn'), await metric('precision')],
      ['1', '0', '1', '1.000'],
    )
    assert.equal((await shapes()).length, 3)
    // past the exact box's 0.9: its label becomes a FN
    await slider.fill('0.95')
    assert.deepEqual(
      [await metric('tp'), await metric('fn'), await metric('recall')],
      ['0', '2', '0.000'],
    )
    await at('fn', 'label', TRUTH.first[0]!)
    await screenshot(page, 'data-row-evaluation-slider')
  })
})
