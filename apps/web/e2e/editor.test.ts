/**
 * The labeling editor in a real browser, as a labeler works: open the queue, accept and reject
 * pre-label suggestions, draw every tool by mouse, edit polygon vertices, brush a mask, link two
 * objects (delete the link with the Delete key, undo brings it back), answer nested and global
 * classifications, undo/redo, reload mid-edit (the draft comes back, a rejected suggestion stays
 * rejected), submit (refused first for a missing required answer, shown on the page), and go on to
 * the next row. The label is then read back through the SDK: geometry within 1 image pixel of what
 * was drawn, provenance of the accepted suggestions. Screenshots: test-artifacts/screenshots/editor-*.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeRle } from '@labelport/core'
import { chromium, startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
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
const LABELER = { email: 'lena@example.com', password: 'lena labels every day' }
const S1 = '0b3c1c9e-64a4-4f3e-9c57-3f2f6a1d0001'
const S2 = '0b3c1c9e-64a4-4f3e-9c57-3f2f6a1d0002'
const S3 = '0b3c1c9e-64a4-4f3e-9c57-3f2f6a1d0003'

type Annotation = Record<string, unknown> & { uuid: string; schemaId?: string; name?: string }

void describe('labeling editor', { skip: browserNeed.skip }, () => {
  let server: TestServer
  let browser: Browser
  let world: LabelingWorld
  const features = new Map<string, string>()
  let treeOption = ''

  before(async () => {
    buildWebIfMissing()
    server = await startServer({ env: { LABELPORT_ADMIN_PASSWORD: ADMIN_PASSWORD } })
    world = await makeWorld(server, 2)
    await world.client.createUser({
      email: LABELER.email,
      name: 'Lena',
      role: 'labeler',
      password: LABELER.password,
    })
    const project = await world.client.getProject(world.projectId)
    const ontology = await world.client.getOntology(project.ontologyId!)
    for (const t of ontology.normalized.tools) features.set(t.featureSchemaId ?? '', t.name)
    const occluded = ontology.normalized.tools.find((t) => t.name === 'car')!.classifications[0]!
    const byWhat = occluded.options.find((o) => o.value === 'yes')!.options[0]!
    treeOption = byWhat.options.find((o) => o.value === 'tree')!.featureSchemaId!
    for (const c of ontology.normalized.classifications)
      features.set(c.featureSchemaId ?? '', c.name)
    browser = await launchBrowser(browserNeed.value)
    browser.page.on('pageerror', (error) => console.error('page error:', error))
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  const nameOf = (a: Annotation) => a.name ?? features.get(a.schemaId ?? '') ?? '?'

  test('a labeler labels a row by mouse and keyboard, reloads, submits and gets the next row', async () => {
    const page = browser.page
    const canvas = canvasOf(page)
    await signInWithPassword(page, server.url, LABELER.email, LABELER.password)
    await page.goto(`${server.url}/#/projects/${world.projectId}/label`)
    await page.getByTestId('editor-canvas').waitFor()
    await page.waitForFunction(() => window.__labelportEditor !== undefined)
    assert.match(page.url(), new RegExp(`/data-rows/${world.rows[0]}`))

    // the image opens fit to the canvas and centred
    const { t, r } = await page.evaluate(() => ({
      t: window.__labelportEditor!.transform(),
      r: window.__labelportEditor!.canvasRect(),
    }))
    near(t.offsetX + 400 * t.scale, r.width / 2, 'centre x')
    near(t.offsetY + 300 * t.scale, r.height / 2, 'centre y')
    assert.ok(
      Math.abs(t.scale - Math.min((r.width - 32) / 800, (r.height - 32) / 600)) < 1e-6,
      'fit',
    )
    await screenshot(page, 'editor-01-open-with-suggestions')

    // suggestions: the threshold hides the 0.3 one; accept the 0.9 one with A, reject the other with X
    assert.equal(await page.getByTestId('suggestion').count(), 3)
    await page.getByTestId('suggestion-threshold').fill('0.8')
    await page.getByText('Accept all shown (1)').waitFor()
    await page.keyboard.press('v')
    await canvas.click(560, 340)
    await page.keyboard.press('a')
    await page.getByTestId('suggestion-threshold').fill('0')
    await page.locator(`[data-testid="suggestion"][data-uuid="${S2}"] button`).first().click()
    await page.keyboard.press('x')
    // editing a suggestion accepts it as modified: drag the 0.7 one down by 30 px
    await canvas.drag([700, 230], [700, 260])
    assert.equal(await page.getByTestId('suggestion').count(), 0)
    await screenshot(page, 'editor-02-suggestions-decided')

    // 1: box by drag, with nested answers (occluded: yes → by what: tree)
    await page.keyboard.press('1')
    await canvas.drag([100, 100], [260, 220])
    await page.getByTestId('selected').getByLabel('yes').check()
    await page.getByTestId('selected').getByLabel('tree').check()
    // 2: polygon by clicks, closed on its first vertex
    await page.keyboard.press('2')
    for (const [x, y] of [
      [300, 100],
      [420, 120],
      [400, 220],
      [310, 200],
      [301, 101],
    ] as const)
      await canvas.click(x, y)
    // edit it: drag a vertex, insert one on an edge and drag it, Alt+click deletes one
    await page.keyboard.press('v')
    await canvas.click(350, 150)
    await canvas.drag([420, 120], [440, 110])
    await canvas.drag([355, 210], [355, 250]) // on the edge (400,220)-(310,200)
    await canvas.click(310, 200, ['Alt'])
    await screenshot(page, 'editor-03-box-and-polygon')
    // 3: polyline ended with Enter; 4: a point
    await page.keyboard.press('3')
    for (const [x, y] of [
      [100, 400],
      [200, 450],
      [300, 420],
    ] as const)
      await canvas.click(x, y)
    await page.keyboard.press('Enter')
    await page.keyboard.press('4')
    await canvas.click(600, 500)
    // 5: a brush stroke of radius 10 on a new mask
    await page.keyboard.press('5')
    await page.getByTestId('brush-size').fill('10')
    await canvas.drag([100, 540], [300, 540], 25)
    // 6: a relationship from the box to the polygon
    await page.keyboard.press('6')
    await canvas.click(180, 160)
    await canvas.click(370, 160)
    let draft = (await canvas.draft()) as Annotation[]
    assert.equal(draft.filter((a) => a.relationship).length, 1)
    // undo removes the link, redo brings it back
    await page.keyboard.press('Control+z')
    draft = (await canvas.draft()) as Annotation[]
    assert.equal(draft.filter((a) => a.relationship).length, 0)
    await page.keyboard.press('Control+Shift+z')
    draft = (await canvas.draft()) as Annotation[]
    assert.equal(draft.filter((a) => a.relationship).length, 1)
    await screenshot(page, 'editor-04-every-tool')

    // select the link in the objects list and delete it with the Delete key; undo brings it back
    // (a label keeps relationships: the submit checks both ends, docs/labeling.md)
    await page.keyboard.press('v')
    await page.getByTestId('objects').getByText('follows · relationship').click()
    await page.keyboard.press('Delete')
    draft = (await canvas.draft()) as Annotation[]
    assert.equal(draft.filter((a) => a.relationship).length, 0)
    await page.keyboard.press('Control+z')
    draft = (await canvas.draft()) as Annotation[]
    assert.equal(draft.filter((a) => a.relationship).length, 1)

    // a submit without the required global answer is refused, with the code on the page
    await page.keyboard.press('Escape')
    await page.keyboard.press('Control+Enter')
    await page.getByTestId('submit-issues').waitFor()
    assert.match(await page.getByTestId('submit-issues').innerText(), /classification_required/)
    await screenshot(page, 'editor-05-submit-refused')
    await page.getByTestId('global-classifications').getByLabel('sunny').check()
    await page.getByTestId('global-classifications').getByLabel('notes').fill('wet road')

    // reload mid-edit: the autosaved draft comes back as it was
    await canvas.saved()
    const before = (await canvas.draft()) as Annotation[]
    await page.reload()
    await page.getByTestId('editor-canvas').waitFor()
    await page.waitForFunction(() => window.__labelportEditor !== undefined)
    const restored = (await canvas.draft()) as Annotation[]
    const byUuid = (list: Annotation[]) =>
      Object.fromEntries(list.map((a) => [a.uuid, JSON.stringify({ ...a, name: undefined })]))
    assert.deepEqual(byUuid(restored), byUuid(before))
    // the rejected suggestion stays rejected: recorded with the draft, not offered again
    const items = (await page.evaluate(() => window.__labelportEditor!.items())) as Annotation[]
    assert.ok(!items.some((a) => a.uuid === S2), 'the rejected suggestion is not offered again')
    assert.equal(await page.getByTestId('suggestion').count(), 0)
    const draftView = await labelingView(server, world.projectId, world.rows[0]!)
    assert.deepEqual(draftView.draft?.rejectedSuggestions, [S2])
    await screenshot(page, 'editor-06-after-reload')

    await page.keyboard.press('Control+Enter')
    await page.waitForFunction(
      (row) => window.location.hash.includes(`/data-rows/${row}`),
      world.rows[1],
      { timeout: 15_000 },
    )
    await page.getByTestId('editor-canvas').waitFor()
    await screenshot(page, 'editor-07-next-row')

    // the label, read back through the SDK: geometry within 1 image pixel, provenance of the
    // accepted suggestion
    const view = await labelingView(server, world.projectId, world.rows[0]!)
    assert.equal(view.label?.state, 'submitted')
    const label = view.label.annotations as Annotation[]
    const find = (name: string) => label.filter((a) => nameOf(a) === name)
    const [box] = find('car').filter((a) => a.uuid !== S1 && a.uuid !== S3)
    const bbox = box!.bbox as { left: number; top: number; width: number; height: number }
    near(bbox.left, 100, 'box left')
    near(bbox.top, 100, 'box top')
    near(bbox.width, 160, 'box width')
    near(bbox.height, 120, 'box height')
    const nested = JSON.stringify(box!.classifications)
    assert.ok(
      nested.includes(treeOption) || nested.includes('"tree"'),
      `nested answer kept: ${nested}`,
    )
    const accepted = label.find((a) => a.uuid === S1)!
    assert.deepEqual(accepted.provenance, {
      source: 'prelabel',
      importId: world.malImportId,
      originalUuid: S1,
      modified: false,
    })
    assert.ok(!label.some((a) => a.uuid === S2), 'the rejected suggestion is not in the label')
    const modified = label.find((a) => a.uuid === S3)!
    assert.deepEqual(modified.provenance, {
      source: 'prelabel',
      importId: world.malImportId,
      originalUuid: S3,
      modified: true,
    })
    near((modified.bbox as { top: number }).top, 230, 'moved suggestion top')
    const polygon = (find('road')[0]!.polygon as { x: number; y: number }[]).filter(
      (p, i, all) => i < all.length - 1 || p.x !== all[0]!.x || p.y !== all[0]!.y,
    )
    const expected = [
      [300, 100],
      [440, 110],
      [400, 220],
      [355, 250],
    ]
    assert.equal(polygon.length, expected.length, JSON.stringify(polygon))
    polygon.forEach((p, i) => {
      near(p.x, expected[i]![0]!, `polygon ${i} x`)
      near(p.y, expected[i]![1]!, `polygon ${i} y`)
    })
    const line = find('lane')[0]!.line as { x: number; y: number }[]
    assert.equal(line.length, 3)
    near(line[1]!.x, 200, 'line x')
    near(line[1]!.y, 450, 'line y')
    const point = find('sign')[0]!.point as { x: number; y: number }
    near(point.x, 600, 'point x')
    near(point.y, 500, 'point y')
    // the link drawn from the box to the polygon is in the label, between those two objects
    const links = label.filter((a) => a.relationship)
    assert.equal(links.length, 1, JSON.stringify(links))
    const link = links[0]!.relationship as { source: string; target: string }
    assert.deepEqual([link.source, link.target], [box!.uuid, find('road')[0]!.uuid])
    const mask = decodeRle(find('sky')[0]!.mask as { counts: string; size: [number, number] })
    assert.ok(mask.ok)
    let minX = Infinity
    let maxX = -1
    let minY = Infinity
    let maxY = -1
    for (let y = 0; y < mask.height; y++)
      for (let x = 0; x < mask.width; x++)
        if (mask.mask[y * mask.width + x]) {
          minX = Math.min(minX, x)
          maxX = Math.max(maxX, x)
          minY = Math.min(minY, y)
          maxY = Math.max(maxY, y)
        }
    near(minX, 90, 'mask left', 1.5)
    near(maxX + 1, 310, 'mask right', 1.5)
    near(minY, 530, 'mask top', 1.5)
    near(maxY + 1, 550, 'mask bottom', 1.5)
    const weather = label.find((a) => nameOf(a) === 'weather')
    assert.ok(weather && JSON.stringify(weather.answer).length > 2)
    for (const a of label)
      if (a.uuid !== S1 && a.uuid !== S3)
        assert.deepEqual(a.provenance, { source: 'drawn' }, nameOf(a))
  })
})
