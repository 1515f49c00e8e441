/**
 * The team workspace in a real browser against the real server, as people use it: the admin signs
 * in with email and password, adds a labeler, makes an API key, creates a dataset and drops 20 real
 * photos on it (plus one file that is not an image, which fails with its reason while the rest go
 * on); the labeler then signs in and sees no admin control, and the server refuses their admin
 * calls with 403. Every result is read back through the API. Screenshots go to
 * test-artifacts/screenshots/.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { SHARED_FIXTURES, chromium, startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
import { launchBrowser, screenshot } from './browser.ts'
import type { Browser } from './browser.ts'

const browserNeed = chromium()
const WEB_DIST = new URL('../dist/index.html', import.meta.url).pathname
const ADMIN_PASSWORD = 'admin password for the browser test'
const LABELER = { email: 'lena@example.com', password: 'lena labels all day' }
const PHOTO_SOURCES = [
  'real/debian-packages/opencv-doc/examples/data/',
  'real/debian-packages/python3-skimage/data/',
]

/** 20 real photos, copied to a temp folder (the fixtures are never touched). */
function copyPhotos(dir: string): string[] {
  const found: string[] = []
  for (const source of PHOTO_SOURCES) {
    const folder = join(SHARED_FIXTURES, source)
    for (const name of readdirSync(folder).sort())
      if (/\.(jpe?g|png)$/i.test(name) && readFileSync(join(folder, name)).length < 400_000)
        found.push(join(folder, name))
  }
  assert.ok(found.length >= 20, `need 20 photos, found ${found.length}`)
  return found.slice(0, 20).map((path) => {
    const target = join(dir, basename(path))
    copyFileSync(path, target)
    return target
  })
}

void describe('team workspace in the browser', { skip: browserNeed.skip }, () => {
  let server: TestServer
  let browser: Browser
  let photosDir = ''

  const api = async <T>(path: string, key = server.apiKey): Promise<T> => {
    const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } })
    assert.equal(res.status, 200, `${path}: ${res.status}`)
    return (await res.json()) as T
  }

  async function signInWithPassword(email: string, password: string) {
    const page = browser.page
    await page.goto(`${server.url}/#/projects`)
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(password)
    await page.getByTestId('password-sign-in-submit').click()
    await page.getByTestId('signed-in-as').waitFor()
  }

  before(async () => {
    if (!existsSync(WEB_DIST)) {
      const build = spawnSync(
        'npm',
        ['run', 'build', '--workspace', '@labelport/web', '--silent'],
        {
          stdio: 'inherit',
        },
      )
      assert.equal(build.status, 0, 'the web app builds')
    }
    server = await startServer({ env: { LABELPORT_ADMIN_PASSWORD: ADMIN_PASSWORD } })
    browser = await launchBrowser(browserNeed.value)
    browser.page.on('pageerror', (error) => console.error('page error:', error))
    photosDir = mkdtempSync(join(tmpdir(), 'labelport-photos-'))
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
    rmSync(photosDir, { recursive: true, force: true })
  })

  test('the admin signs in with email and password and adds a labeler', async () => {
    const page = browser.page
    await signInWithPassword('admin@labelport.local', ADMIN_PASSWORD)
    assert.match(await page.getByTestId('signed-in-as').innerText(), /admin/)
    await page.getByTestId('nav-users').click()
    const form = page.getByTestId('add-user')
    await form.getByLabel('Email').fill(LABELER.email)
    await form.getByLabel('Name').fill('Lena')
    await form.getByLabel('Role').selectOption('labeler')
    await form.getByLabel('Initial password').fill(LABELER.password)
    await form.getByRole('button', { name: 'Add user' }).click()
    await page.getByTestId('users-table').getByText(LABELER.email).waitFor()
    await screenshot(page, 'workspace-users')
    const users = await api<{ items: { email: string; role: string }[] }>('/v1/users')
    assert.ok(users.items.some((u) => u.email === LABELER.email && u.role === 'labeler'))
  })

  test('the admin creates an API key, shown once, that works against the API', async () => {
    const page = browser.page
    await page.getByRole('banner').getByRole('link', { name: 'API keys' }).click()
    await page.getByLabel('Key name').fill('ci')
    await page.getByRole('button', { name: 'Create key' }).click()
    const key = await page.getByTestId('new-key-value').innerText()
    assert.match(key, /^lp_/)
    await screenshot(page, 'workspace-api-keys')
    const me = await api<{ role: string; apiKey: { name: string } }>('/v1/me', key)
    assert.deepEqual({ role: me.role, name: me.apiKey.name }, { role: 'admin', name: 'ci' })
  })

  test('the admin creates a dataset and drops 20 real photos; a file that is not an image fails alone', async () => {
    const page = browser.page
    const photos = copyPhotos(photosDir)
    await page.getByRole('banner').getByRole('link', { name: 'Datasets' }).click()
    await page.getByLabel('New dataset name').fill('Street photos')
    await page.getByRole('button', { name: 'Create dataset' }).click()
    await page.getByTestId('dropzone').waitFor()
    const files = [
      ...photos.map((path) => ({
        name: basename(path),
        type: path.endsWith('.png') ? 'image/png' : 'image/jpeg',
        base64: readFileSync(path).toString('base64'),
      })),
      {
        name: 'notes.jpg',
        type: 'image/jpeg',
        base64: Buffer.from('not an image').toString('base64'),
      },
    ]
    // a drop as the browser makes it: a DataTransfer holding the files, dropped on the zone
    const transfer = await page.evaluateHandle((list) => {
      const data = new DataTransfer()
      for (const f of list) {
        const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))
        data.items.add(new File([bytes], f.name, { type: f.type }))
      }
      return data
    }, files)
    await page.getByTestId('dropzone').dispatchEvent('dragover', { dataTransfer: transfer })
    await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: transfer })
    await page.getByTestId('upload-summary').waitFor()
    await screenshot(page, 'workspace-upload-progress')
    await page
      .getByTestId('upload-summary')
      .getByText('20 of 21 added, 1 failed')
      .waitFor({ timeout: 120_000 })
    const failed = page.locator('[data-state="failed"]')
    assert.equal(await failed.count(), 1)
    assert.match(await failed.innerText(), /notes\.jpg[\s\S]*image_decode_failed/)
    assert.equal(await failed.getByRole('button', { name: 'Retry' }).count(), 1)
    await screenshot(page, 'workspace-upload-done')

    const datasets = await api<{ items: { id: string; name: string; rowCount: number }[] }>(
      '/v1/datasets',
    )
    const dataset = datasets.items.find((d) => d.name === 'Street photos')
    assert.equal(dataset?.rowCount, 20)
    const rows = await api<{ items: { globalKey: string; mediaAttributes: { width: number } }[] }>(
      `/v1/datasets/${dataset?.id ?? ''}/data-rows?limit=100`,
    )
    assert.deepEqual(
      rows.items.map((r) => r.globalKey).sort(),
      photos.map((p) => basename(p)).sort(),
      'each global key is the file name (its relative path)',
    )
    assert.ok(rows.items.every((r) => r.mediaAttributes.width > 0))
  })

  test('the admin builds a nested ontology by clicks', async () => {
    const page = browser.page
    const click = (name: string) => page.getByRole('button', { name, exact: true }).click()
    await page.getByRole('banner').getByRole('link', { name: 'Ontologies' }).click()
    await page.getByRole('link', { name: 'New ontology' }).click()
    await page.getByLabel('Ontology name').fill('Street objects')
    await page.getByLabel('Kind of the new tool').selectOption('rectangle')
    await page.getByLabel('Name of the new tool').fill('car')
    await click('Add tool')
    await page.getByLabel('Kind of the new tool').selectOption('polygon')
    await page.getByLabel('Name of the new tool').fill('road')
    await click('Add tool')
    await page.getByLabel('Kind of the new classification under car').selectOption('radio')
    await page.getByLabel('Name of the new classification to car').fill('color')
    await click('Add classification to car')
    await page.getByLabel('Name of the new option to color').fill('red')
    await click('Add option to color')
    await page.getByLabel('Name of the new option to color').fill('blue')
    await click('Add option to color')
    await page.getByLabel('Kind of the new classification under red').selectOption('checklist')
    await page.getByLabel('Name of the new classification under red').fill('shade')
    await click('Add classification under red')
    await page.getByLabel('Name of the new option to shade').fill('dark')
    await click('Add option to shade')
    await page.getByLabel('Kind of the new classification under dark').selectOption('text')
    await page.getByLabel('Name of the new classification under dark').fill('remark')
    await click('Add classification under dark')
    await page.getByLabel('required (color)').check()
    await page.getByLabel('Color of car').fill('#ff0000')
    await page.getByLabel('Kind of the new classification under the image').selectOption('text')
    await page.getByLabel('Name of the new global classification').fill('notes')
    await click('Add global classification')
    await screenshot(page, 'workspace-ontology-editor')
    await click('Save ontology')
    await page.getByTestId('ontologies-table').getByText('Street objects').waitFor()

    type Node = {
      name?: string
      value?: string
      type?: string
      required?: boolean
      options: Node[]
    }
    const list = await api<{
      items: {
        name: string
        normalized: {
          tools: { tool: string; name: string; color: string; classifications: Node[] }[]
          classifications: Node[]
        }
      }[]
    }>('/v1/ontologies')
    const stored = list.items.find((o) => o.name === 'Street objects')?.normalized
    assert.deepEqual(
      stored?.tools.map((t) => [t.tool, t.name]),
      [
        ['rectangle', 'car'],
        ['polygon', 'road'],
      ],
    )
    assert.equal(stored?.tools[0]?.color, '#ff0000')
    const color = stored?.tools[0]?.classifications[0]
    assert.deepEqual([color?.type, color?.name, color?.required], ['radio', 'color', true])
    const shade = color?.options[0]?.options[0]
    assert.deepEqual([shade?.type, shade?.name], ['checklist', 'shade'])
    const remark = shade?.options[0]?.options[0]
    assert.deepEqual([remark?.type, remark?.name], ['text', 'remark'])
    assert.deepEqual(
      stored?.classifications.map((c) => [c.type, c.name]),
      [['text', 'notes']],
    )
  })

  test('the admin creates a project, connects the ontology, adds a batch, and imports after a dry run', async () => {
    const page = browser.page
    await page.getByRole('banner').getByRole('link', { name: 'Projects' }).click()
    await page.getByLabel('New project name').fill('Street labeling')
    await page.getByRole('button', { name: 'Create project' }).click()
    await page.getByLabel('Ontology to connect').selectOption({ label: 'Street objects' })
    await page.getByRole('button', { name: 'Connect ontology' }).click()
    await page.getByTestId('tab-batches').click()
    const batch = page.getByTestId('batch-creator')
    await batch.getByLabel('Batch name').fill('first ten')
    await batch.getByLabel('Dataset').selectOption({ label: 'Street photos (20)' })
    await batch.getByLabel('Only global keys containing').fill('.jpg')
    await batch.getByLabel('Priority (1 highest)').fill('2')
    const addButton = batch.getByRole('button', { name: /^Add \d+ data rows as a batch$/ })
    await addButton.getByText(/Add (1[0-9]|[2-9]) data rows/).waitFor()
    const picked = Number(/Add (\d+)/.exec(await addButton.innerText())?.[1])
    await addButton.click()
    await page.getByText('first ten').first().waitFor()
    await screenshot(page, 'workspace-batch')

    const projects = await api<{
      items: { id: string; name: string; dataRowCount: number; ontologyId: string | null }[]
    }>('/v1/projects')
    const project = projects.items.find((p) => p.name === 'Street labeling')
    assert.ok(project?.ontologyId, 'the ontology is connected')
    assert.equal(project.dataRowCount, picked)
    const batches = await api<{
      items: { name: string; priority: number; dataRowCount?: number }[]
    }>(`/v1/projects/${project.id}/batches`)
    assert.deepEqual(
      batches.items.map((b) => [b.name, b.priority]),
      [['first ten', 2]],
    )

    // an NDJSON file with one good box per picked row and one line naming an unknown tool
    const rows = await api<{ items: { id: string; globalKey: string }[] }>(
      `/v1/projects/${project.id}/data-rows?limit=100`,
    )
    const lines = rows.items.map((r) =>
      JSON.stringify({
        name: 'car',
        bbox: { top: 2, left: 2, height: 10, width: 10 },
        dataRow: { globalKey: r.globalKey },
      }),
    )
    lines.push(
      JSON.stringify({
        name: 'bicycle',
        point: { x: 1, y: 1 },
        dataRow: { id: rows.items[0]?.id },
      }),
    )
    const file = join(photosDir, 'predictions.ndjson')
    writeFileSync(file, `${lines.join('\n')}\n`)

    await page.getByTestId('tab-imports').click()
    const starter = page.getByTestId('import-starter')
    await starter.getByLabel('NDJSON file').setInputFiles(file)
    await starter.getByLabel('Import name').fill('model v1')
    await starter.getByLabel('Pre-labels (MAL)').check()
    await starter.getByRole('button', { name: 'Dry run first' }).click()
    await page.waitForURL(/#\/imports\//)
    await page.getByTestId('import-state').getByText('FINISHED').waitFor({ timeout: 60_000 })
    await screenshot(page, 'workspace-dry-run')
    const dry = await api<{
      items: {
        name: string
        dryRun: boolean
        counts: { success: number; failure: number }
        errorCounts: Record<string, number>
      }[]
    }>(`/v1/projects/${project.id}/imports`)
    assert.deepEqual(
      dry.items.map((j) => [j.name, j.dryRun, j.counts.success, j.counts.failure]),
      [['model v1', true, picked, 1]],
    )
    assert.deepEqual(Object.keys(dry.items[0]?.errorCounts ?? {}), ['feature_unknown'])

    await page.goto(`${server.url}/#/projects/${project.id}?tab=imports`)
    await starter.getByLabel('NDJSON file').setInputFiles(file)
    await starter.getByLabel('Import name').fill('model v1')
    await starter.getByRole('button', { name: 'Import', exact: true }).click()
    await page.waitForURL(/#\/imports\//)
    await page.getByTestId('import-state').getByText('FINISHED').waitFor({ timeout: 60_000 })
    const jobs = await api<{ items: { dryRun: boolean; counts: { success: number } }[] }>(
      `/v1/projects/${project.id}/imports`,
    )
    const real = jobs.items.find((j) => !j.dryRun)
    assert.equal(real?.counts.success, picked)
    const withPrelabels = await api<{ items: { prelabelCount: number }[] }>(
      `/v1/projects/${project.id}/data-rows?limit=100`,
    )
    assert.ok(withPrelabels.items.every((r) => r.prelabelCount === 1))
    // the ontology is in use now: removing the annotated tool is refused with the count
    await page.getByRole('banner').getByRole('link', { name: 'Ontologies' }).click()
    await page.getByRole('link', { name: 'Street objects' }).click()
    await page.getByRole('button', { name: 'Remove car', exact: true }).click()
    await page.getByRole('button', { name: 'Save changes' }).click()
    const notice = page.getByTestId('error-notice')
    await notice.waitFor()
    assert.match(
      await notice.innerText(),
      new RegExp(`feature_in_use[\\s\\S]*${picked} annotations`),
    )
    await screenshot(page, 'workspace-ontology-in-use')
    await page.getByRole('banner').getByRole('link', { name: 'Projects' }).click()
    await page.getByTestId('project-progress').first().waitFor()
    await screenshot(page, 'workspace-projects')
  })

  test('the labeler signs in, sees no admin control, and the server refuses admin calls with 403', async () => {
    const page = browser.page
    await page.getByTestId('sign-out').click()
    await page.getByTestId('password-sign-in-submit').waitFor()
    await signInWithPassword(LABELER.email, LABELER.password)
    assert.match(await page.getByTestId('signed-in-as').innerText(), /labeler/)
    assert.equal(await page.getByTestId('nav-users').count(), 0)
    await page.getByRole('banner').getByRole('link', { name: 'Datasets' }).click()
    await page.getByTestId('dataset-link').first().click()
    await page.getByTestId('dataset-view').waitFor()
    assert.equal(await page.getByTestId('dropzone').count(), 0)
    await page.getByRole('banner').getByRole('link', { name: 'Datasets' }).click()
    assert.equal(await page.getByLabel('New dataset name').count(), 0)
    await screenshot(page, 'workspace-labeler')
    // the session cookie of the page, used as the page would: the server says no
    const refused = await page.evaluate(async () => {
      const res = await fetch('/v1/datasets', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-labelport-csrf': '1' },
        body: JSON.stringify({ name: 'not mine' }),
      })
      return { status: res.status, body: (await res.json()) as { error: { code: string } } }
    })
    assert.deepEqual(refused, {
      status: 403,
      body: { error: { ...refused.body.error, code: 'forbidden' } },
    })
    const users = await page.evaluate(async () => (await fetch('/v1/users')).status)
    assert.equal(users, 403)
  })
})
