/**
 * Data-row metadata in a real browser against the real server: rows created through the SDK with
 * metadata fields show them in the dataset grid; filtering by a field and value (typed, Enter)
 * leaves exactly the matching rows, the same ones the API returns for that filter; a field alone
 * matches every row that has it; clearing the filter (a click) shows every row again.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import sharp from 'sharp'
import { Client } from '@labelport/sdk'
import { chromium, startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
import { launchBrowser, screenshot, signIn } from './browser.ts'
import type { Browser } from './browser.ts'

const browserNeed = chromium()
const WEB_DIST = new URL('../dist/index.html', import.meta.url).pathname

const ROWS: { key: string; camera?: string; weather?: string }[] = [
  { key: 'street-1.png', camera: 'front', weather: 'rain' },
  { key: 'street-2.png', camera: 'rear', weather: 'sun' },
  { key: 'street-3.png', camera: 'front', weather: 'sun' },
  { key: 'street-4.png' },
]

void describe('data-row metadata in the browser', { skip: browserNeed.skip }, () => {
  let server: TestServer
  let browser: Browser
  let client: Client
  let datasetId = ''

  const shownKeys = async (): Promise<string[]> => {
    const rows = browser.page.getByTestId('dataset-row')
    const keys: string[] = []
    for (let i = 0; i < (await rows.count()); i++)
      keys.push((await rows.nth(i).locator('.lp-strong').innerText()).trim())
    return keys.sort()
  }
  const apiKeys = async (name: string, value?: string): Promise<string[]> => {
    const keys: string[] = []
    const dataset = await client.getDataset(datasetId)
    for await (const row of dataset.dataRows({
      metadata: value === undefined ? { name } : { name, value },
    }))
      keys.push(row.globalKey ?? '')
    return keys.sort()
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
    client = new Client(server.apiKey, { endpoint: server.url })
    const dataset = await client.createDataset({ name: 'Street metadata' })
    datasetId = dataset.uid
    const items = []
    for (const [i, row] of ROWS.entries()) {
      const png = await sharp({
        create: { width: 40 + i, height: 30, channels: 3, background: '#3a6ea5' },
      })
        .png()
        .toBuffer()
      const upload = await client.upload(new Uint8Array(png), { contentType: 'image/png' })
      const metadataFields = [
        ...(row.camera ? [{ name: 'camera', value: row.camera }] : []),
        ...(row.weather ? [{ name: 'weather', value: row.weather }] : []),
      ]
      items.push({ rowData: upload.uri, globalKey: row.key, metadataFields })
    }
    const task = await dataset.createDataRows(items)
    await task.waitTillDone()
    assert.equal(task.errors, null)
    browser = await launchBrowser(browserNeed.value)
    browser.page.on('pageerror', (error) => console.error('page error:', error))
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  test('the grid shows each row’s metadata', async () => {
    const page = browser.page
    await signIn(page, server.url, server.apiKey)
    await page.goto(`${server.url}/#/datasets/${datasetId}`)
    await page.getByTestId('dataset-row').first().waitFor()
    assert.deepEqual(await shownKeys(), ROWS.map((r) => r.key).sort())
    const first = page.getByTestId('dataset-row').filter({ hasText: 'street-1.png' })
    assert.deepEqual(
      (await first.getByTestId('row-metadata').locator('li').allInnerTexts()).map((t) =>
        t.replace(/\s+/g, ' ').trim(),
      ),
      ['camera front', 'weather rain'],
    )
    const last = page.getByTestId('dataset-row').filter({ hasText: 'street-4.png' })
    assert.equal((await last.getByTestId('row-metadata').innerText()).trim(), 'none')
  })

  test('filtering by field and value (keyboard) shows the rows the API returns', async () => {
    const page = browser.page
    await page.getByLabel('Metadata field').click()
    await page.keyboard.type('camera')
    await page.keyboard.press('Tab')
    await page.keyboard.type('front')
    await page.keyboard.press('Enter')
    await page.getByTestId('metadata-filter-applied').waitFor()
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="dataset-row"]').length === 2,
    )
    const expected = await apiKeys('camera', 'front')
    assert.deepEqual(expected, ['street-1.png', 'street-3.png'])
    assert.deepEqual(await shownKeys(), expected)
    await screenshot(page, 'dataset-metadata-filter')

    // another value of the field
    await page.getByLabel('Metadata value').fill('rear')
    await page.getByLabel('Metadata value').press('Enter')
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="dataset-row"]').length === 1,
    )
    assert.deepEqual(await shownKeys(), await apiKeys('camera', 'rear'))
    assert.deepEqual(await shownKeys(), ['street-2.png'])
  })

  test('a field alone matches every row that has it; a click clears the filter', async () => {
    const page = browser.page
    await page.getByLabel('Metadata field').fill('weather')
    await page.getByLabel('Metadata value').fill('')
    await page.getByRole('button', { name: 'Filter by metadata' }).click()
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="dataset-row"]').length === 3,
    )
    assert.deepEqual(await shownKeys(), await apiKeys('weather'))
    await page.getByRole('button', { name: 'Clear metadata filter' }).click()
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="dataset-row"]').length === 4,
    )
    assert.deepEqual(await shownKeys(), ROWS.map((r) => r.key).sort())
    assert.equal(await page.getByTestId('metadata-filter-applied').count(), 0)
  })
})
