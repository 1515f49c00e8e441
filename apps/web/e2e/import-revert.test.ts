/**
 * Preview, cancel and revert on the import page (issue 10), in a real browser against a real
 * server, read back through the API: a dry run says what the import would do, Revert (mouse, then
 * the confirmation by keyboard) restores the replaced pre-label to the pixel, and Cancel stops an
 * import that is still fetching its input (the test holds the source open until then).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { createServer, type ServerResponse } from 'node:http'
import { spawnSync } from 'node:child_process'
import sharp from 'sharp'
import { chromium, startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
import type { ImportJob, StoredAnnotation, Task } from '@labelport/core'
import { launchBrowser, screenshot, signIn } from './browser.ts'
import type { Browser } from './browser.ts'

const browserNeed = chromium()
const WEB_DIST = new URL('../dist/index.html', import.meta.url).pathname
const KEYS = ['revert/one.png', 'revert/two.png']
const U1 = '33333333-0000-4000-8000-000000000001'
const U2 = '33333333-0000-4000-8000-000000000002'
const U3 = '33333333-0000-4000-8000-000000000003'

void describe('import page: preview, cancel, revert', { skip: browserNeed.skip }, () => {
  let server: TestServer
  let browser: Browser
  let projectId = ''
  const rowIds: Record<string, string> = {}
  // the slow source: answers at once, ends only when the test says so
  const held: ServerResponse[] = []
  const source = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' })
    res.write('\n')
    held.push(res)
  })
  let sourceUrl = ''

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
  const prelabels = async (key: string) =>
    (
      await call<{ annotations: StoredAnnotation[] }>(
        'GET',
        `/v1/projects/${projectId}/data-rows/${rowIds[key] ?? ''}/annotations`,
      )
    ).annotations.filter((a) => a.layer === 'prelabel')
  const car = (uuid: string, key: string | undefined, left: number, name = 'car') => ({
    uuid,
    name,
    bbox: { left, top: 12, width: 30, height: 20 },
    dataRow: { globalKey: key },
  })

  before(async () => {
    if (!existsSync(WEB_DIST)) {
      const build = spawnSync(
        'npm',
        ['run', 'build', '--workspace', '@labelport/web', '--silent'],
        { stdio: 'inherit' },
      )
      assert.equal(build.status, 0, 'the web app builds')
    }
    await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve))
    const address = source.address()
    sourceUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/held.ndjson`
    server = await startServer({ env: { LABELPORT_FETCH_ALLOW_HOSTS: '127.0.0.1' } })
    const dataset = await call<{ id: string }>('POST', '/v1/datasets', { name: 'revert' })
    const items = []
    for (const globalKey of KEYS) {
      const png = await sharp({
        create: { width: 200, height: 150, channels: 3, background: '#446688' },
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
      name: 'cars',
      normalized: {
        tools: [{ tool: 'rectangle', name: 'car', color: '#ff0000', classifications: [] }],
        classifications: [],
      },
    })
    projectId = (await call<{ id: string }>('POST', '/v1/projects', { name: 'revert' })).id
    await call('PUT', `/v1/projects/${projectId}/ontology`, { ontologyId: ontology.id })
    await call('POST', `/v1/projects/${projectId}/batches`, { name: 'all', globalKeys: KEYS })
    browser = await launchBrowser(browserNeed.value)
    browser.page.on('pageerror', (error) => console.error('page error:', error))
    await signIn(browser.page, server.url, server.apiKey)
  })

  after(async () => {
    for (const res of held) res.end()
    source.closeAllConnections()
    source.close()
    await browser?.close()
    await server?.stop()
  })

  test('a dry run previews; Revert restores the replaced pre-label to the pixel', async () => {
    const page = browser.page
    const first = await runImport(`/v1/projects/${projectId}/imports`, {
      name: 'model-1',
      kind: 'mal',
      source: { lines: [car(U1, KEYS[0], 10), car(U2, KEYS[1], 20)] },
    })
    const before = await prelabels(KEYS[0] ?? '')
    const second = [car(U1, KEYS[0], 40), car(U3, KEYS[1], 60), car(U2, KEYS[1], 5, 'truck')]
    const dry = await runImport(`/v1/projects/${projectId}/imports/validate`, {
      name: 'model-2',
      kind: 'mal',
      source: { lines: second },
    })
    await page.goto(`${server.url}/#/imports/${dry.id}`)
    assert.equal(
      await page.getByTestId('import-effect').innerText(),
      'Preview: the import adds 1, replaces 1 pre-labels, fails 1.',
    )
    assert.equal(await page.getByTestId('revert-import').count(), 0, 'a dry run has no Revert')
    await screenshot(page, 'import-dry-run-preview')

    const real = await runImport(`/v1/projects/${projectId}/imports`, {
      name: 'model-2',
      kind: 'mal',
      source: { lines: second },
    })
    await page.goto(`${server.url}/#/imports/${real.id}`)
    assert.equal(
      await page.getByTestId('import-effect').innerText(),
      'It added 1, replaced 1 pre-labels, failed 1.',
    )
    await page.getByTestId('revert-import').click()
    assert.equal(
      await page.getByTestId('revert-plan').innerText(),
      'This removes its 2 pre-labels and restores the 1 pre-labels it replaced, as they were.',
    )
    await screenshot(page, 'import-revert-dialog')
    await page.getByTestId('revert-confirm').focus()
    await page.keyboard.press('Enter')
    await page.getByTestId('import-reverted').waitFor()
    assert.match(
      await page.getByTestId('import-reverted').innerText(),
      /removed 2 pre-labels, restored 1\./,
    )
    assert.equal(await page.getByTestId('revert-import').count(), 0, 'reverted once only')

    // read back: the first import's box is there again, to the pixel; the second's is gone
    const after = await prelabels(KEYS[0] ?? '')
    assert.deepEqual(after, before)
    const restored = after[0]?.record
    assert.ok(restored?.kind === 'object' && restored.geometry.type === 'bbox')
    assert.deepEqual(restored.geometry, { type: 'bbox', left: 10, top: 12, width: 30, height: 20 })
    assert.equal(after[0]?.importId, first.id)
    assert.deepEqual(
      (await prelabels(KEYS[1] ?? '')).map((a) => a.record.uuid),
      [U2],
    )
    const job = await call<ImportJob>('GET', `/v1/imports/${real.id}`)
    assert.deepEqual([job.revert?.removed, job.revert?.restored], [2, 1])
  })

  test('Cancel stops an import that is still running; nothing of it is stored', async () => {
    const page = browser.page
    const job = await call<ImportJob>('POST', `/v1/projects/${projectId}/imports`, {
      name: 'held',
      kind: 'mal',
      source: { url: sourceUrl },
    })
    await page.goto(`${server.url}/#/imports/${job.id}`)
    await page.getByTestId('cancel-import').click()
    await page.waitForFunction(
      () => document.querySelector('[data-testid="import-state"]')?.textContent === 'CANCELLED',
    )
    assert.equal(await page.getByTestId('cancel-import').count(), 0)
    await screenshot(page, 'import-cancelled')
    // the source ends now; the worker's next write finds the job cancelled
    for (const res of held.splice(0)) res.end(`${JSON.stringify(car(U3, KEYS[0], 90))}\n`)
    await new Promise((r) => setTimeout(r, 1500))
    const read = await call<ImportJob>('GET', `/v1/imports/${job.id}`)
    assert.equal(read.state, 'CANCELLED')
    assert.equal(read.counts.success, 0)
    assert.deepEqual(
      (await prelabels(KEYS[0] ?? '')).filter((a) => a.importId === job.id),
      [],
    )
  })
})
