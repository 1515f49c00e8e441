/**
 * The API reference page in a real browser: reached by the header link, it lists every operation
 * of the server's OpenAPI document (read back from GET /v1/openapi.json), with the roles of the
 * permission table; the filter is typed with the keyboard, and the status lines' schema opens
 * with a click.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { chromium, startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
import { PERMISSIONS, api } from '@labelport/core'
import { launchBrowser, screenshot, signIn } from './browser.ts'
import type { Browser } from './browser.ts'

const browserNeed = chromium()
const WEB_DIST = new URL('../dist/index.html', import.meta.url).pathname

void describe('API reference page', { skip: browserNeed.skip }, () => {
  let server: TestServer
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
    browser = await launchBrowser(browserNeed.value)
    browser.page.on('pageerror', (error) => console.error('page error:', error))
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  test('lists every operation of the OpenAPI document, filters by keyboard, opens a schema', async () => {
    const page = browser.page
    await signIn(page, server.url, server.apiKey)
    await page.getByRole('banner').getByRole('link', { name: 'API reference' }).click()
    await page.getByRole('heading', { name: 'API reference' }).waitFor()
    const operations = page.getByTestId('api-operation')
    await operations.first().waitFor()

    // the document as the server serves it, read back over HTTP
    const response = await fetch(`${server.url}${api.getOpenApi.path}`)
    assert.equal(response.status, 200)
    const doc = (await response.json()) as { paths: Record<string, Record<string, unknown>> }
    const served = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0)
    assert.equal(served, Object.keys(api).length)
    assert.equal(await operations.count(), served)
    const shownIds = await operations.evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-operation')),
    )
    assert.deepEqual(shownIds.toSorted(), Object.keys(api).toSorted())

    // an admin-only operation shows the roles of the permission table
    const createUser = page.locator('[data-operation="createUser"]')
    assert.equal(
      await createUser.getByTestId('api-roles').innerText(),
      (PERMISSIONS.createUser.roles as readonly string[]).join(', '),
    )
    assert.equal(
      await page.locator('[data-operation="getOpenApi"]').getByTestId('api-roles').innerText(),
      'anyone (no key)',
    )
    await screenshot(page, 'api-reference')

    // the filter, typed
    await page.getByLabel('Filter operations').click()
    await page.keyboard.type('statuses')
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="api-operation"]').length === 1,
    )
    const statuses = page.locator('[data-operation="getImportStatuses"]')
    assert.equal(
      await statuses.getByTestId('api-path').innerText(),
      '/v1/imports/{importId}/statuses',
    )
    // the status lines' schema, opened with the mouse
    const lineSchema = statuses.getByText('Each line (JSON Schema)')
    await lineSchema.click()
    const schemaText = await statuses.locator('details pre').last().innerText()
    const schema = JSON.parse(schemaText) as { properties: Record<string, { enum?: string[] }> }
    assert.deepEqual(schema.properties['status']?.enum, ['SUCCESS', 'FAILURE'])

    // cleared with the keyboard: every operation again
    await page.getByLabel('Filter operations').click()
    await page.keyboard.press('Control+A')
    await page.keyboard.press('Backspace')
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="api-operation"]').length === n,
      served,
    )
  })
})
