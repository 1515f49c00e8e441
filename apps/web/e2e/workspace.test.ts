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
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
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
