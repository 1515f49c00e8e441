/**
 * The editor with more than one person: two labelers in two browser contexts opening the queue at
 * the same time never get the same data row; two tabs of one labeler on one row do not overwrite
 * each other (the later save is refused with a message); a reviewer's rejection reaches the
 * labeler with its comment. Screenshots: test-artifacts/screenshots/editor-queue-*.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { chromium, startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
import type { Page } from 'playwright-core'
import { launchBrowser, screenshot } from './browser.ts'
import type { Browser } from './browser.ts'
import {
  ADMIN_PASSWORD,
  buildWebIfMissing,
  canvasOf,
  labelingView,
  makeWorld,
  near,
  signInWithPassword,
} from './editor-world.ts'
import type { LabelingWorld } from './editor-world.ts'

const browserNeed = chromium()
const ANA = { email: 'ana@example.com', password: 'ana labels on mondays' }
const BEN = { email: 'ben@example.com', password: 'ben labels on tuesdays' }
const REVIEWER = { email: 'rita@example.com', password: 'rita reviews everything' }

void describe('labeling editor with several people', { skip: browserNeed.skip }, () => {
  let server: TestServer
  let ana: Browser
  let ben: Browser
  let world: LabelingWorld

  before(async () => {
    buildWebIfMissing()
    server = await startServer({ env: { LABELPORT_ADMIN_PASSWORD: ADMIN_PASSWORD } })
    world = await makeWorld(server, 4)
    for (const [person, name, role] of [
      [ANA, 'Ana', 'labeler'],
      [BEN, 'Ben', 'labeler'],
      [REVIEWER, 'Rita', 'reviewer'],
    ] as const)
      await world.client.createUser({ email: person.email, name, role, password: person.password })
    ana = await launchBrowser(browserNeed.value)
    ben = await launchBrowser(browserNeed.value)
    for (const b of [ana, ben])
      b.page.on('pageerror', (error) => console.error('page error:', error))
  })

  after(async () => {
    await ana?.close()
    await ben?.close()
    await server?.stop()
  })

  /** As a labeler does: the project page, its counts, then "Start labeling". */
  const openQueue = async (page: Page) => {
    await page.goto(`${server.url}/#/projects/${world.projectId}`)
    const counts = page.getByTestId('labeling-counts')
    await counts.waitFor()
    const total = await counts.locator('li strong').allInnerTexts()
    assert.equal(
      total.reduce((sum, n) => sum + Number(n.replace(/,/g, '')), 0),
      world.rows.length,
      'the counts cover every data row of the project once',
    )
    await page.getByRole('link', { name: 'Start labeling' }).click()
    await page.getByTestId('editor-canvas').waitFor({ timeout: 20_000 })
    await page.waitForFunction(() => window.__labelportEditor !== undefined)
    return /\/data-rows\/([^/?]+)/.exec(page.url())![1]!
  }

  test('two labelers opening the queue at once get different rows', async () => {
    await signInWithPassword(ana.page, server.url, ANA.email, ANA.password)
    await signInWithPassword(ben.page, server.url, BEN.email, BEN.password)
    const [a, b] = await Promise.all([openQueue(ana.page), openQueue(ben.page)])
    assert.notEqual(a, b)
    assert.ok(world.rows.includes(a) && world.rows.includes(b))
    await screenshot(ana.page, 'editor-queue-01-ana')
    await screenshot(ben.page, 'editor-queue-02-ben')
  })

  test("a second tab's stale save is refused with a message, never silently overwriting", async () => {
    const first = ana.page
    const row = /\/data-rows\/([^/?]+)/.exec(first.url())![1]!
    const second = await ana.context.newPage()
    await second.goto(first.url())
    await second.getByTestId('editor-canvas').waitFor()
    await second.waitForFunction(() => window.__labelportEditor !== undefined)
    // the first tab draws and saves; the second, opened on the old version, then draws too
    await first.keyboard.press('4')
    await canvasOf(first).click(100, 100)
    await canvasOf(first).saved()
    await second.keyboard.press('4')
    await canvasOf(second).click(200, 200)
    await second.getByTestId('save-conflict').waitFor({ timeout: 10_000 })
    assert.match(await second.getByTestId('save-conflict').innerText(), /another tab|another user/)
    await screenshot(second, 'editor-queue-03-conflict')
    const view = await labelingView(server, world.projectId, row)
    const points = (view.draft?.annotations ?? []).filter((a) => a['point'])
    assert.equal(points.length, 1, 'only the first tab’s point is saved')
    const saved = points[0]!['point'] as { x: number; y: number }
    near(saved.x, 100, 'saved point x')
    near(saved.y, 100, 'saved point y')
    await second.close()
  })

  test("a reviewer's rejection reaches the labeler with its comment", async () => {
    const page = ben.page
    const row = /\/data-rows\/([^/?]+)/.exec(page.url())![1]!
    await page.keyboard.press('4')
    await canvasOf(page).click(300, 300)
    await page.getByTestId('global-classifications').getByLabel('rain').check()
    await page.keyboard.press('Control+Enter')
    await page.waitForFunction((r) => !window.location.hash.includes(r), row, { timeout: 15_000 })
    // the reviewer rejects it over the API, as the review page would
    const reviewer = await fetch(`${server.url}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-labelport-csrf': '1' },
      body: JSON.stringify({ email: REVIEWER.email, password: REVIEWER.password }),
    })
    assert.equal(reviewer.status, 201, await reviewer.clone().text())
    const cookie = reviewer.headers.get('set-cookie')!.split(';')[0]!
    const review = await fetch(
      `${server.url}/v1/projects/${world.projectId}/data-rows/${row}/review`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-labelport-csrf': '1', cookie },
        body: JSON.stringify({ decision: 'reject', comment: 'The sign is a car, look again' }),
      },
    )
    assert.equal(review.status, 200, await review.clone().text())
    // Ben is on his next row; he skips it (N, a reason) and the queue gives the rejected row back
    // before anything new, with the reviewer's comment
    await page.getByTestId('editor-canvas').waitFor()
    await page.keyboard.press('n')
    await page.getByTestId('skip-reason').fill('Too blurry to label')
    await page.getByTestId('skip-confirm').click()
    await page.waitForFunction((r) => window.location.hash.includes(r), row, { timeout: 15_000 })
    await page.getByTestId('editor-canvas').waitFor()
    await page.getByTestId('rejection-comment').waitFor()
    assert.equal(
      await page.getByTestId('rejection-comment').innerText(),
      'The sign is a car, look again',
    )
    const draft = (await canvasOf(page).draft()).filter((a) => a['point'])
    assert.equal(draft.length, 1, 'the rejected label comes back as the draft')
    await screenshot(page, 'editor-queue-04-rejected')
  })
})
