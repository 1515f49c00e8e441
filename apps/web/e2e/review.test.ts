/**
 * Review in the web app, as people do it: a labeler submits two rows in the editor; a reviewer
 * opens the project, "Review", sees each label read-only on the canvas with its labeler and
 * version, rejects the first with a comment by keyboard (R, type, Ctrl+Enter; an empty comment is
 * refused first) and approves the second by mouse; the counts update, a click on a count opens the
 * data rows of that state, and the labeler finds the rejected row back with the comment. Read back
 * through the SDK. Screenshots: test-artifacts/screenshots/review-*.
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

declare global {
  interface Window {
    __labelportReview?: { transform(): { scale: number; offsetX: number; offsetY: number } }
  }
}

const browserNeed = chromium()
const ANA = { email: 'ana.review@example.com', password: 'ana labels on fridays' }
const RITA = { email: 'rita.review@example.com', password: 'rita reviews on fridays' }
const COMMENT = 'The sign is on the left pole, not the right one'

void describe('review in the web app', { skip: browserNeed.skip }, () => {
  let server: TestServer
  let ana: Browser
  let rita: Browser
  let world: LabelingWorld
  let anaId = ''
  /** the rows Ana submitted, in submit order, and where she put her point on each */
  const submitted: { row: string; point: [number, number] }[] = []

  before(async () => {
    buildWebIfMissing()
    server = await startServer({ env: { LABELPORT_ADMIN_PASSWORD: ADMIN_PASSWORD } })
    world = await makeWorld(server, 3)
    anaId = (
      await world.client.createUser({
        email: ANA.email,
        name: 'Ana',
        role: 'labeler',
        password: ANA.password,
      })
    ).id
    await world.client.createUser({
      email: RITA.email,
      name: 'Rita',
      role: 'reviewer',
      password: RITA.password,
    })
    ana = await launchBrowser(browserNeed.value)
    rita = await launchBrowser(browserNeed.value)
    for (const b of [ana, rita])
      b.page.on('pageerror', (error) => console.error('page error:', error))
  })

  after(async () => {
    await ana?.close()
    await rita?.close()
    await server?.stop()
  })

  const rowOf = (page: Page) => /\/data-rows\/([^/?]+)/.exec(page.url())![1]!
  const countOf = async (page: Page, status: string) =>
    Number(
      (await page.getByTestId(`count-${status}`).locator('strong').innerText()).replace(/,/g, ''),
    )

  test('a labeler submits two rows; the Review button is for reviewers only', async () => {
    const page = ana.page
    await signInWithPassword(page, server.url, ANA.email, ANA.password)
    await page.goto(`${server.url}/#/projects/${world.projectId}`)
    await page.getByTestId('labeling-counts').waitFor()
    assert.equal(await page.getByTestId('start-review').count(), 0, 'no Review for a labeler')
    await page.getByRole('link', { name: 'Start labeling' }).click()
    for (const point of [
      [200, 150],
      [620, 420],
    ] as [number, number][]) {
      await page.getByTestId('editor-canvas').waitFor({ timeout: 20_000 })
      await page.waitForFunction(() => window.__labelportEditor !== undefined)
      const row = rowOf(page)
      await page.keyboard.press('4')
      await canvasOf(page).click(point[0], point[1])
      await page.getByTestId('global-classifications').getByLabel('rain').check()
      await page.keyboard.press('Control+Enter')
      await page.waitForFunction((r) => !window.location.hash.includes(r), row, {
        timeout: 15_000,
      })
      submitted.push({ row, point })
    }
    const counts = await world.client.getProject(world.projectId)
    assert.equal((await counts.labeling.counts()).submitted, 2)
  })

  test('the reviewer rejects one with a comment by keyboard and approves the other by mouse', async () => {
    const page = rita.page
    await signInWithPassword(page, server.url, RITA.email, RITA.password)
    await page.goto(`${server.url}/#/projects/${world.projectId}`)
    await page.getByTestId('labeling-counts').waitFor()
    assert.equal(await countOf(page, 'submitted'), 2)
    await page.getByTestId('start-review').click()

    // the oldest submitted label first, read-only, with its labeler and version
    const title = page.getByTestId('review-title')
    await title.waitFor({ timeout: 20_000 })
    await page.waitForFunction(() => window.__labelportReview !== undefined)
    const first = submitted[0]!
    assert.equal(await title.getAttribute('data-data-row-id'), first.row)
    assert.equal(await page.getByTestId('review-labeler').innerText(), anaId)
    const before = await labelingView(server, world.projectId, first.row)
    assert.equal(await page.getByTestId('review-version').innerText(), String(before.version))
    assert.match(await page.getByTestId('review-objects').innerText(), /sign: 1/)
    // read-only: a drag on Ana's point moves nothing (read back below)
    const { x, y } = await page.evaluate((p) => {
      const t = window.__labelportReview!.transform()
      return { x: t.offsetX + p[0] * t.scale, y: t.offsetY + p[1] * t.scale }
    }, first.point)
    const canvas = page.getByTestId('editor-canvas')
    const box = (await canvas.boundingBox())!
    await page.mouse.move(box.x + x, box.y + y)
    await page.mouse.down()
    await page.mouse.move(box.x + x + 80, box.y + y + 60, { steps: 8 })
    await page.mouse.up()
    await screenshot(page, 'review-01-first-label')

    // R then Ctrl+Enter with no comment: refused on the page, nothing sent
    await page.keyboard.press('r')
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'review-comment')
    await page.keyboard.press('Control+Enter')
    await page.getByText('(required to reject)').waitFor()
    assert.equal((await labelingView(server, world.projectId, first.row)).label?.state, 'submitted')
    await page.keyboard.type(COMMENT)
    await screenshot(page, 'review-02-reject-comment')
    await page.keyboard.press('Control+Enter')

    // the next one opens; approve it by mouse
    const second = submitted[1]!
    await page.waitForFunction(
      (r) =>
        document.querySelector('[data-testid="review-title"]')?.getAttribute('data-data-row-id') ===
        r,
      second.row,
      { timeout: 15_000 },
    )
    await page.waitForFunction(() => window.__labelportReview !== undefined)
    // the help lists the review keys
    await page.keyboard.press('?')
    await page.getByTestId('keyboard-help').waitFor()
    assert.match(await page.getByTestId('keyboard-help').innerText(), /Approve the label/)
    await screenshot(page, 'review-03-help')
    await page.keyboard.press('Escape')
    await page.getByTestId('keyboard-help').waitFor({ state: 'detached' })
    await page.getByTestId('review-approve').click()
    await page.getByTestId('review-empty').waitFor({ timeout: 15_000 })
    await screenshot(page, 'review-04-nothing-left')

    // read back through the SDK: the geometry is untouched, the decisions recorded
    const rejected = await labelingView(server, world.projectId, first.row)
    assert.equal(rejected.label?.state, 'rejected')
    assert.equal(rejected.label?.reviews.at(-1)?.comment, COMMENT)
    assert.equal(rejected.label?.reviews.at(-1)?.decision, 'reject')
    const point = rejected.label.annotations.find((a) => a['point'])!['point'] as {
      x: number
      y: number
    }
    near(point.x, first.point[0], 'point x unchanged by the drag')
    near(point.y, first.point[1], 'point y unchanged by the drag')
    const approved = await labelingView(server, world.projectId, second.row)
    assert.equal(approved.label?.state, 'approved')
    const project = await world.client.getProject(world.projectId)
    const counts = await project.labeling.counts()
    assert.equal(counts.done, 1)
    assert.equal(counts.rejected, 1)
    assert.equal(counts.submitted, 0)

    // the project page's counts, and a click on one opens the rows of that state
    await page.goto(`${server.url}/#/projects/${world.projectId}`)
    await page.getByTestId('labeling-counts').waitFor()
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="count-done"] strong')?.textContent === '1' &&
        document.querySelector('[data-testid="count-rejected"] strong')?.textContent === '1',
    )
    assert.equal(await countOf(page, 'submitted'), 0)
    await page.getByTestId('count-rejected').click()
    const grid = page.locator('[data-testid="data-row-grid"][data-status="rejected"]')
    await grid.waitFor()
    await grid.getByTestId('data-row-tile').first().waitFor()
    const rejectedTiles = await grid
      .getByTestId('data-row-tile')
      .evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-data-row-id')))
    assert.deepEqual(rejectedTiles, [first.row])
    assert.equal(await grid.getByTestId('tile-review-comment').innerText(), `“${COMMENT}”`)
    await screenshot(page, 'review-05-rejected-rows')
    // the filter by label state, by keyboard: done
    await page.getByLabel('Label state').selectOption('done')
    const done = page.locator('[data-testid="data-row-grid"][data-status="done"]')
    await done.getByTestId('data-row-tile').first().waitFor()
    assert.deepEqual(
      await done
        .getByTestId('data-row-tile')
        .evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-data-row-id'))),
      [second.row],
    )
    // Ana's editor is open on the third row: in progress
    await page.getByLabel('Label state').selectOption('in_progress')
    const inProgress = page.locator('[data-testid="data-row-grid"][data-status="in_progress"]')
    await inProgress.getByTestId('data-row-tile').first().waitFor()
    const left = await inProgress
      .getByTestId('data-row-tile')
      .evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-data-row-id')))
    assert.deepEqual(
      left,
      world.rows.filter((r) => r !== first.row && r !== second.row),
    )
    await page.getByLabel('Label state').selectOption('')
    await page.locator('[data-testid="data-row-grid"]:not([data-status])').waitFor()
    assert.equal(await page.getByTestId('data-row-tile').count(), world.rows.length)
  })

  test('the labeler gets the rejected row back first, with the comment', async () => {
    const page = ana.page
    await page.goto(`${server.url}/#/projects/${world.projectId}`)
    await page.getByRole('link', { name: 'Start labeling' }).click()
    await page.getByTestId('editor-canvas').waitFor({ timeout: 20_000 })
    await page.waitForFunction(() => window.__labelportEditor !== undefined)
    // she still holds the third row (the queue resumes it); she skips it (N, a reason) and the
    // queue gives the rejected row back before anything else
    const third = rowOf(page)
    assert.ok(!submitted.some((s) => s.row === third))
    await page.keyboard.press('n')
    await page.getByTestId('skip-reason').fill('Too dark')
    await page.getByTestId('skip-confirm').click()
    await page.waitForFunction((r) => !window.location.hash.includes(r), third, {
      timeout: 15_000,
    })
    await page.getByTestId('editor-canvas').waitFor({ timeout: 20_000 })
    await page.waitForFunction(() => window.__labelportEditor !== undefined)
    assert.equal(rowOf(page), submitted[0]!.row)
    await page.getByTestId('rejection-comment').waitFor()
    assert.equal(await page.getByTestId('rejection-comment').innerText(), COMMENT)
    await screenshot(page, 'review-06-labeler-sees-comment')
  })
})
