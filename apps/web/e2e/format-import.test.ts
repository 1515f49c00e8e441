/**
 * The project page's import of another tool's file (issue 13), in Chromium against a real server:
 * the labelbox-python COCO file (real val2017 photos and polygons) picked by mouse with "Another
 * tool's format (detect it)", a dry run that shows COCO and its features (the project has no
 * ontology yet), then Import; read back through the API: the job's verdicts, the ontology made
 * from the file, and the polygons exported to COCO exactly as in the file.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { SHARED_FIXTURES, chromium, startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
import type { ImportJob, Project, Task } from '@labelport/core'
import { launchBrowser, screenshot, signIn } from './browser.ts'
import type { Browser } from './browser.ts'

const browserNeed = chromium()
const WEB_DIST = new URL('../dist/index.html', import.meta.url).pathname
const COCO_DIR = `${SHARED_FIXTURES}real/labelbox-python/libs/labelbox/tests/data/assets/coco/`
const COCO = JSON.parse(readFileSync(`${COCO_DIR}instances.json`, 'utf8')) as {
  images: { file_name: string }[]
  annotations: { id: number; category_id: number; segmentation: number[][] }[]
  categories: { id: number; name: string }[]
}

void describe(
  'import another tool’s file from the project page',
  { skip: browserNeed.skip },
  () => {
    let server: TestServer
    let browser: Browser
    let projectId = ''

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
      const dataset = await call<{ id: string }>('POST', '/v1/datasets', { name: 'coco photos' })
      const items = []
      for (const image of COCO.images) {
        const upload = await fetch(`${server.url}/v1/uploads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'image/jpeg' },
          body: readFileSync(`${COCO_DIR}images/${image.file_name}`),
        })
        items.push({
          rowData: ((await upload.json()) as { uri: string }).uri,
          globalKey: image.file_name,
        })
      }
      let task = await call<Task>('POST', `/v1/datasets/${dataset.id}/data-rows`, { items })
      while (task.status === 'IN_PROGRESS') {
        await new Promise((r) => setTimeout(r, 50))
        task = await call<Task>('GET', `/v1/tasks/${task.id}`)
      }
      assert.equal(task.createdDataRows.length, COCO.images.length)
      projectId = (await call<{ id: string }>('POST', '/v1/projects', { name: 'coco by mouse' })).id
      browser = await launchBrowser(browserNeed.value)
      browser.page.on('pageerror', (error) => console.error('page error:', error))
      await signIn(browser.page, server.url, server.apiKey)
    })

    after(async () => {
      await browser?.close()
      await server?.stop()
    })

    test('COCO: detect, dry run with its features, import; the API reads back the same polygons', async () => {
      const page = browser.page
      await page.goto(`${server.url}/#/projects/${projectId}`)
      await page.getByTestId('tab-imports').click()
      const starter = page.getByTestId('import-starter')
      await starter.waitFor()
      await starter.getByLabel('File format').selectOption('auto')
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        starter.getByLabel('Annotation file').click(),
      ])
      await chooser.setFiles(`${COCO_DIR}instances.json`)
      await starter.getByLabel('Import name').click()
      await page.keyboard.type('coco from the browser')
      await starter.getByLabel('Ground truth').click()
      await starter.getByRole('button', { name: 'Dry run first' }).click()

      const summary = page.getByTestId('format-summary')
      await summary.waitFor()
      assert.equal(await page.getByTestId('format-detected').innerText(), 'coco')
      const used = new Set(COCO.annotations.map((a) => a.category_id))
      // every category of the file becomes a tool; the dry run says how many objects use each
      const features = page.getByTestId('format-features').locator('li')
      assert.equal(await features.count(), COCO.categories.length)
      const withObjects = await page
        .getByTestId('format-features')
        .locator('li:not([data-objects="0"])')
        .allInnerTexts()
      assert.equal(withObjects.length, used.size)
      // one object per polygon part
      const persons = COCO.annotations
        .filter((a) => a.category_id === 1)
        .reduce((n, a) => n + a.segmentation.length, 0)
      assert.ok(
        withObjects.some((f) => f.startsWith('person') && f.endsWith(`${persons} objects`)),
        withObjects.join(' | '),
      )
      assert.match(await summary.innerText(), /no ontology yet/)
      // a dry run writes nothing: still no ontology, no batch, no import
      assert.equal((await call<Project>('GET', `/v1/projects/${projectId}`)).ontologyId, null)
      await screenshot(page, 'format-import-dry-run')

      await starter.getByRole('button', { name: 'Import', exact: true }).click()
      await page.waitForURL(/#\/imports\//)
      const importId = decodeURIComponent(page.url().split('#/imports/')[1]!)
      let job = await call<ImportJob>('GET', `/v1/imports/${importId}`)
      while (job.state === 'RUNNING') {
        await new Promise((r) => setTimeout(r, 100))
        job = await call<ImportJob>('GET', `/v1/imports/${importId}`)
      }
      const parts = COCO.annotations.reduce((n, a) => n + a.segmentation.length, 0)
      assert.equal(job.state, 'FINISHED')
      assert.equal(job.kind, 'ground_truth')
      assert.equal(job.counts.success, parts, JSON.stringify(job.errorExamples))
      const project = await call<Project>('GET', `/v1/projects/${projectId}`)
      assert.notEqual(project.ontologyId, null)
      assert.equal(project.dataRowCount, COCO.images.length)
      const res = await fetch(`${server.url}/v1/projects/${projectId}/export?format=coco`, {
        headers: { authorization: `Bearer ${server.apiKey}` },
      })
      const out = (await res.json()) as typeof COCO
      const byId = new Map(out.annotations.map((a) => [a.id, a.segmentation]))
      for (const a of COCO.annotations) assert.deepEqual(byId.get(a.id), a.segmentation)
      await screenshot(page, 'format-import-job')
    })
  },
)
