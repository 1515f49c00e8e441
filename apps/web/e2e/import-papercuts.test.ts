/**
 * What tripped a new user on the import pages (issue 11, item 7), in a real browser against a real
 * server: the import page's texts follow the job's real state (a real import held running by a
 * stalled mask URL, with failures so far, does not say "Every line was imported." nor "No
 * failures so far."), failed lines are searched by
 * any substring and downloaded whole as NDJSON and CSV, and the data-row view marks the failures
 * of dry runs. Then deletes (item 6) by mouse: an import's pre-labels, and the dataset, each after
 * a dialog naming what goes (the dataset's name typed to confirm). Screenshots go to
 * test-artifacts/screenshots/.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import sharp from 'sharp'
import { chromium, startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
import type { ImportJob, StatusLine, Task } from '@labelport/core'
import { launchBrowser, screenshot, signIn } from './browser.ts'
import type { Browser } from './browser.ts'

const browserNeed = chromium()
const WEB_DIST = new URL('../dist/index.html', import.meta.url).pathname
const KEYS = ['street/north-01.png', 'street/south-02.png', 'park/east-03.png']
const FAILING_LINES = 1500

/** An HTTP server that answers nothing until released, then 404: a source that stalls. */
async function stallingServer() {
  const held: ServerResponse[] = []
  let released = false
  let requested!: () => void
  const firstRequest = new Promise<void>((resolve) => (requested = resolve))
  const server = createServer((_req, res) => {
    requested()
    if (released) res.writeHead(404).end()
    else held.push(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requested: firstRequest,
    release() {
      released = true
      for (const res of held.splice(0)) res.writeHead(404).end()
    },
    async close() {
      this.release()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

void describe('import pages tell the truth', { skip: browserNeed.skip }, () => {
  let server: TestServer
  let browser: Browser
  let projectId = ''
  let importJob: ImportJob
  let dryJob: ImportJob
  let stall: Awaited<ReturnType<typeof stallingServer>>
  const rowIds: Record<string, string> = {}

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
  const runImport = async (path: string, body: unknown): Promise<ImportJob> => {
    let job = await call<ImportJob>('POST', path, body)
    while (job.state === 'RUNNING') {
      await new Promise((r) => setTimeout(r, 50))
      job = await call<ImportJob>('GET', `/v1/imports/${job.id}`)
    }
    return job
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
    stall = await stallingServer()
    server = await startServer({
      env: {
        // the running-state test's stalled mask URL is on this machine; small chunks commit early
        LABELPORT_FETCH_ALLOW_HOSTS: '127.0.0.1',
        LABELPORT_IMPORT_CHUNK_LINES: '500',
      },
    })
    const dataset = await call<{ id: string }>('POST', '/v1/datasets', { name: 'papercuts' })
    const items = []
    for (const globalKey of KEYS) {
      const png = await sharp({
        create: { width: 200, height: 150, channels: 3, background: '#336699' },
      })
        .png()
        .toBuffer()
      const upload = await fetch(`${server.url}/v1/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'image/png' },
        body: png,
      })
      items.push({ rowData: ((await upload.json()) as { uri: string }).uri, globalKey })
    }
    let task = await call<Task>('POST', `/v1/datasets/${dataset.id}/data-rows`, { items })
    while (task.status === 'IN_PROGRESS') {
      await new Promise((r) => setTimeout(r, 50))
      task = await call<Task>('GET', `/v1/tasks/${task.id}`)
    }
    for (const row of task.createdDataRows) rowIds[row.globalKey ?? ''] = row.id
    const ontology = await call<{ id: string }>('POST', '/v1/ontologies', {
      name: 'boxes',
      normalized: {
        tools: [{ tool: 'rectangle', name: 'car', color: '#ff0000', classifications: [] }],
        classifications: [],
      },
    })
    projectId = (await call<{ id: string }>('POST', '/v1/projects', { name: 'papercuts' })).id
    await call('PUT', `/v1/projects/${projectId}/ontology`, { ontologyId: ontology.id })
    await call('POST', `/v1/projects/${projectId}/batches`, { name: 'all', globalKeys: KEYS })
    const box = { left: 10, top: 10, width: 20, height: 20 }
    const lines = [
      { name: 'car', bbox: box, dataRow: { globalKey: KEYS[0] } },
      { name: 'truck', bbox: box, dataRow: { globalKey: KEYS[0] } },
      { name: 'car', bbox: box, dataRow: { globalKey: KEYS[1] } },
      { name: 'car', bbox: { ...box, left: 5000 }, dataRow: { globalKey: KEYS[1] } },
      { name: 'car', bbox: box, dataRow: { globalKey: 'park/missing.png' } },
      { name: 'bus', bbox: box, dataRow: { globalKey: KEYS[2] } },
    ]
    importJob = await runImport(`/v1/projects/${projectId}/imports`, {
      name: 'model-1',
      kind: 'mal',
      source: { lines },
    })
    assert.equal(importJob.counts.failure, 4)
    dryJob = await runImport(`/v1/projects/${projectId}/imports/validate`, {
      name: 'model-1',
      kind: 'mal',
      source: { lines: [{ name: 'van', bbox: box, dataRow: { globalKey: KEYS[0] } }] },
    })
    assert.equal(dryJob.dryRun, true)
    browser = await launchBrowser(browserNeed.value)
    browser.page.on('pageerror', (error) => console.error('page error:', error))
    await signIn(browser.page, server.url, server.apiKey)
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
    await stall?.close()
  })

  test('a running job with failures so far says so, not "Every line was imported."', async () => {
    const page = browser.page
    // a real import held running: 1,500 lines fail in the first chunks, then a mask line waits
    // on a URL this test's own HTTP server answers only when told to. A dataset and project of
    // its own, so the other tests' counts stay theirs.
    const heldKey = 'held/row.png'
    const dataset = await call<{ id: string }>('POST', '/v1/datasets', { name: 'held running' })
    const png = await sharp({
      create: { width: 64, height: 48, channels: 3, background: '#224466' },
    })
      .png()
      .toBuffer()
    const upload = await fetch(`${server.url}/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'image/png' },
      body: png,
    })
    let task = await call<Task>('POST', `/v1/datasets/${dataset.id}/data-rows`, {
      items: [{ rowData: ((await upload.json()) as { uri: string }).uri, globalKey: heldKey }],
    })
    while (task.status === 'IN_PROGRESS') {
      await new Promise((r) => setTimeout(r, 50))
      task = await call<Task>('GET', `/v1/tasks/${task.id}`)
    }
    const ontology = await call<{ id: string }>('POST', '/v1/ontologies', {
      name: 'boxes and masks',
      normalized: {
        tools: [
          { tool: 'rectangle', name: 'car', color: '#ff0000', classifications: [] },
          { tool: 'raster-segmentation', name: 'paint', color: '#00ff00', classifications: [] },
        ],
        classifications: [],
      },
    })
    const heldProject = (await call<{ id: string }>('POST', '/v1/projects', { name: 'held' })).id
    await call('PUT', `/v1/projects/${heldProject}/ontology`, { ontologyId: ontology.id })
    await call('POST', `/v1/projects/${heldProject}/batches`, {
      name: 'all',
      globalKeys: [heldKey],
    })
    const box = { left: 10, top: 10, width: 20, height: 20 }
    const lines: unknown[] = Array.from({ length: FAILING_LINES }, () => ({
      name: 'truck',
      bbox: box,
      dataRow: { globalKey: heldKey },
    }))
    lines.push({
      name: 'paint',
      mask: { instanceURI: `${stall.url}/mask.png`, colorRGB: [255, 0, 0] },
      dataRow: { globalKey: heldKey },
    })
    let job = await call<ImportJob>('POST', `/v1/projects/${heldProject}/imports`, {
      name: 'held-running',
      kind: 'mal',
      source: { lines },
    })
    try {
      await stall.requested
      for (let waited = 0; job.counts.failure < FAILING_LINES; waited += 50) {
        assert.ok(waited < 120_000, `the failing chunks commit: ${JSON.stringify(job.counts)}`)
        await new Promise((r) => setTimeout(r, 50))
        job = await call<ImportJob>('GET', `/v1/imports/${job.id}`)
      }
      assert.equal(job.state, 'RUNNING', 'held by the stalled mask URL')
      await page.goto(`${server.url}/#/imports/${job.id}`)
      // status lines stream: the failures of the chunks written so far are listed while it runs
      await page.getByTestId('failures-table').waitFor()
      const body = await page.locator('body').innerText()
      assert.doesNotMatch(body, /Every line was imported/)
      assert.doesNotMatch(body, /No failures so far/)
      // the counts committed so far, read from the running job
      assert.equal(await page.getByTestId('count-failure').innerText(), '1,500')
      const codeRow = page.getByTestId('error-code-row')
      assert.equal(await codeRow.count(), 1)
      assert.equal(await codeRow.getAttribute('data-code'), 'feature_unknown')
      assert.match(await codeRow.innerText(), /1,500/)
      assert.equal(
        await page.getByTestId('failure-row').first().getAttribute('data-code'),
        'feature_unknown',
      )
      assert.equal(await page.getByTestId('download-failed-csv').isDisabled(), true)
      await screenshot(page, 'import-running-with-failures')
      // still running: nothing above was read from a finished job
      job = await call<ImportJob>('GET', `/v1/imports/${job.id}`)
      assert.equal(job.state, 'RUNNING')
    } finally {
      stall.release()
    }
    while (job.state !== 'FINISHED' && job.state !== 'FAILED') {
      await new Promise((r) => setTimeout(r, 50))
      job = await call<ImportJob>('GET', `/v1/imports/${job.id}`)
    }
    // released with a 404: the mask line fails too, and the page now lists the failures
    assert.equal(job.counts.failure, FAILING_LINES + 1)
    await page.reload()
    await page.getByTestId('failures-table').waitFor()
    assert.doesNotMatch(await page.locator('body').innerText(), /failed so far/)
  })

  test('failed lines: substring search, and every failed line downloaded as NDJSON and CSV', async () => {
    const page = browser.page
    await page.goto(`${server.url}/#/projects`)
    await page.goto(`${server.url}/#/imports/${importJob.id}`)
    await page.getByTestId('failures-table').waitFor()
    const shownLines = () =>
      page
        .getByTestId('failure-row')
        .evaluateAll((rows) => rows.map((r) => r.querySelector('td')?.textContent?.trim()))
    assert.deepEqual(await shownLines(), ['2', '4', '5', '6'])
    // part of a global key, in another case
    await page.getByTestId('data-row-search').fill('SOUTH')
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="failure-row"]').length === 1,
    )
    assert.deepEqual(await shownLines(), ['4'])
    // part of a message
    await page.getByTestId('data-row-search').fill('missing.png')
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="failure-row"] td')?.textContent?.trim() === '5' &&
        document.querySelectorAll('[data-testid="failure-row"]').length === 1,
    )
    await screenshot(page, 'import-failed-lines-search')
    await page.getByTestId('data-row-search').fill('')
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="failure-row"]').length === 4,
    )

    const [ndjsonDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-failed-ndjson').click(),
    ])
    const ndjson = readFileSync(await ndjsonDownload.path(), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as StatusLine)
    assert.equal(ndjsonDownload.suggestedFilename(), 'model-1-failed-lines.ndjson')
    assert.deepEqual(
      ndjson.map((s) => [s.line, s.errors?.[0]?.code]),
      [
        [2, 'feature_unknown'],
        [4, 'geometry_out_of_bounds'],
        [5, 'data_row_unknown'],
        [6, 'feature_unknown'],
      ],
    )
    const [csvDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-failed-csv').click(),
    ])
    const csv = readFileSync(await csvDownload.path(), 'utf8')
      .trimEnd()
      .split('\r\n')
    assert.equal(csv[0], 'line,data_row_id,global_key,uuid,code,message,path')
    assert.equal(csv.length, 5)
    assert.match(csv[2]!, new RegExp(`^4,${rowIds[KEYS[1]!]},street/south-02.png,`))
    assert.match(csv[2]!, /,geometry_out_of_bounds,/)
  })

  test('the data-row view marks the failures of dry runs', async () => {
    const page = browser.page
    // the read-only view holds the import failures (admins otherwise open the editor)
    await page.goto(`${server.url}/#/projects/${projectId}/data-rows/${rowIds[KEYS[0]!]}?view=1`)
    await page.getByTestId('row-failures').waitFor()
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="row-failure"]').length === 2,
    )
    const failures = await page
      .getByTestId('row-failure')
      .evaluateAll((items) =>
        items.map((li) => [
          li.getAttribute('data-dry-run'),
          li.querySelector('[data-testid="dry-run-marker"]') !== null,
          li.querySelector('.lp-code-badge')?.textContent,
        ]),
      )
    assert.deepEqual(
      failures.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [
        ['false', false, 'feature_unknown'],
        ['true', true, 'feature_unknown'],
      ],
    )
    assert.match(await page.getByTestId('dry-run-count').innerText(), /1 from dry runs/i)
    await screenshot(page, 'data-row-dry-run-marker')
  })

  test("deletes an import's pre-labels after a dialog that counts them", async () => {
    const page = browser.page
    await page.goto(`${server.url}/#/imports/${importJob.id}`)
    await page.getByRole('button', { name: 'Delete its pre-labels…' }).click()
    const dialog = page.getByTestId('delete-dialog')
    await dialog.getByTestId('delete-impact').waitFor()
    assert.match(await dialog.innerText(), /2 pre-labels and 0 labels/)
    assert.match(await dialog.innerText(), /on 2 data rows/)
    await dialog.getByTestId('delete-confirm').click()
    await dialog.waitFor({ state: 'detached' })
    const annotations = await call<{ annotations: unknown[] }>(
      'GET',
      `/v1/projects/${projectId}/data-rows/${rowIds[KEYS[0]!]}/annotations`,
    )
    assert.equal(annotations.annotations.length, 0)
  })

  test('deletes the dataset: the dialog names the counts and wants the name typed', async () => {
    const page = browser.page
    const datasets = await call<{ items: { id: string; name: string }[] }>('GET', '/v1/datasets')
    const dataset = datasets.items.find((d) => d.name === 'papercuts')!
    await page.goto(`${server.url}/#/datasets/${dataset.id}`)
    await page.getByRole('button', { name: 'Delete dataset…' }).click()
    const dialog = page.getByTestId('delete-dialog')
    await dialog.getByTestId('delete-impact').waitFor()
    const impact = await dialog
      .locator('[data-impact]')
      .evaluateAll((items) => items.map((li) => [li.getAttribute('data-impact'), li.textContent]))
    assert.deepEqual(impact, [
      ['dataRows', '3 data rows'],
      ['projects', 'used by 1 project: papercuts'],
      ['batches', 'in 1 batch'],
      ['annotations', '0 pre-labels and 0 labels'],
    ])
    const confirm = dialog.getByTestId('delete-confirm')
    assert.equal(await confirm.isDisabled(), true)
    await dialog.getByLabel('Type the dataset name to confirm').fill('paper')
    assert.equal(await confirm.isDisabled(), true)
    await dialog.getByLabel('Type the dataset name to confirm').fill('papercuts')
    await screenshot(page, 'delete-dataset-dialog')
    assert.equal(await confirm.isDisabled(), false)
    await confirm.click()
    await page.waitForURL(/#\/datasets$/)
    const left = await call<{ items: { id: string }[] }>('GET', '/v1/datasets')
    assert.ok(!left.items.some((d) => d.id === dataset.id))
    const project = await call<{ dataRowCount: number }>('GET', `/v1/projects/${projectId}`)
    assert.equal(project.dataRowCount, 0)
  })
})
