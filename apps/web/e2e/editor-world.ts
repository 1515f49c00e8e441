/**
 * Shared by the editor's browser tests: a real server with a project to label (an ontology with
 * every tool and nested classifications, data rows with generated images, MAL pre-labels), users,
 * and helpers that act on the editor canvas in image pixels (screen points are computed from the
 * editor's view transform, so a test says "drag from image (100, 80) to (300, 240)").
 */
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import assert from 'node:assert/strict'
import sharp from 'sharp'
import type { Page } from 'playwright-core'
import {
  Classification,
  Client,
  MALPredictionImport,
  MediaType,
  OntologyBuilder,
  Option,
  Tool,
} from '@labelport/sdk'
import type { TestServer } from '@labelport/testkit'

export const WEB_DIST = new URL('../dist/index.html', import.meta.url).pathname
export const ADMIN_PASSWORD = 'admin password for the editor test'

export function buildWebIfMissing(): void {
  if (existsSync(WEB_DIST)) return
  const build = spawnSync('npm', ['run', 'build', '--workspace', '@labelport/web', '--silent'], {
    stdio: 'inherit',
  })
  assert.equal(build.status, 0, 'the web app builds')
}

export const IMAGE = { width: 800, height: 600 }

/** A textured image so screenshots show where things are. */
export async function makeImage(seed: number): Promise<Buffer> {
  const hue = (seed * 67) % 360
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${IMAGE.width}" height="${IMAGE.height}"><defs><linearGradient id="g" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},35%,45%)"/><stop offset="1" stop-color="hsl(${(hue + 90) % 360},30%,75%)"/></linearGradient><pattern id="p" width="50" height="50" patternUnits="userSpaceOnUse"><rect width="25" height="25" fill="#ffffff22"/></pattern></defs><rect width="100%" height="100%" fill="url(#g)"/><rect width="100%" height="100%" fill="url(#p)"/></svg>`
  return sharp(Buffer.from(svg)).png().toBuffer()
}

export function editorOntology(): OntologyBuilder {
  return new OntologyBuilder({
    tools: [
      new Tool({
        tool: Tool.Type.BBOX,
        name: 'car',
        classifications: [
          new Classification({
            classType: Classification.Type.RADIO,
            name: 'occluded',
            required: true,
            options: [
              new Option({
                value: 'yes',
                options: [
                  new Classification({
                    classType: Classification.Type.CHECKLIST,
                    name: 'by what',
                    options: [new Option({ value: 'tree' }), new Option({ value: 'sign' })],
                  }),
                ],
              }),
              new Option({ value: 'no' }),
            ],
          }),
        ],
      }),
      new Tool({ tool: Tool.Type.POLYGON, name: 'road' }),
      new Tool({ tool: Tool.Type.LINE, name: 'lane' }),
      new Tool({ tool: Tool.Type.POINT, name: 'sign' }),
      new Tool({ tool: Tool.Type.RASTER_SEGMENTATION, name: 'sky' }),
      new Tool({ tool: Tool.Type.RELATIONSHIP, name: 'follows' }),
      new Tool({ tool: Tool.Type.BBOX, name: 'truck' }),
    ],
    classifications: [
      new Classification({
        classType: Classification.Type.RADIO,
        name: 'weather',
        required: true,
        options: [new Option({ value: 'sunny' }), new Option({ value: 'rain' })],
      }),
      new Classification({ classType: Classification.Type.TEXT, name: 'notes' }),
    ],
  })
}

export interface LabelingWorld {
  client: Client
  projectId: string
  /** data row ids in queue order */
  rows: string[]
  /** the MAL import id */
  malImportId: string
}

/** A project with `rowCount` rows in one batch, and three MAL boxes on the first row (confidence 0.9, 0.3, 0.7). */
export async function makeWorld(server: TestServer, rowCount: number): Promise<LabelingWorld> {
  const client = new Client(server.apiKey, { endpoint: server.url })
  const dataset = await client.createDataset({ name: 'editor-e2e' })
  const items = []
  for (let i = 0; i < rowCount; i++) {
    const upload = await client.upload(
      new Blob([new Uint8Array(await makeImage(i))], { type: 'image/png' }),
    )
    items.push({ rowData: upload.uri, globalKey: `street-${i}` })
  }
  const task = await dataset.createDataRows(items)
  await task.waitTillDone()
  const byKey = new Map(task.result.map((r) => [r.globalKey, r.id]))
  const rows = items.map((i) => byKey.get(i.globalKey)!)
  const ontology = await client.createOntology(
    'editor-e2e',
    editorOntology().asDict(),
    MediaType.Image,
  )
  const project = await client.createProject({
    name: 'Street labeling',
    mediaType: MediaType.Image,
  })
  await project.connectOntology(ontology)
  await project.createBatch('first', { globalKeys: items.map((i) => i.globalKey) })
  const job = await MALPredictionImport.createFromObjects({
    client,
    projectId: project.uid,
    name: 'model-v1',
    predictions: [
      {
        uuid: '0b3c1c9e-64a4-4f3e-9c57-3f2f6a1d0001',
        name: 'car',
        dataRow: { globalKey: 'street-0' },
        confidence: 0.9,
        bbox: { left: 500, top: 300, width: 120, height: 80 },
        classifications: [{ name: 'occluded', answer: { name: 'no' } }],
      },
      {
        uuid: '0b3c1c9e-64a4-4f3e-9c57-3f2f6a1d0002',
        name: 'car',
        dataRow: { globalKey: 'street-0' },
        confidence: 0.3,
        bbox: { left: 650, top: 60, width: 100, height: 70 },
      },
      {
        uuid: '0b3c1c9e-64a4-4f3e-9c57-3f2f6a1d0003',
        name: 'car',
        dataRow: { globalKey: 'street-0' },
        confidence: 0.7,
        bbox: { left: 650, top: 200, width: 100, height: 60 },
        classifications: [{ name: 'occluded', answer: { name: 'no' } }],
      },
    ],
  })
  await job.waitUntilDone()
  assert.equal(job.state, 'FINISHED')
  return { client, projectId: project.uid, rows, malImportId: job.uid }
}

declare global {
  interface Window {
    __labelportEditor?: {
      transform(): { scale: number; offsetX: number; offsetY: number }
      canvasRect(): { left: number; top: number; width: number; height: number }
      imageSize(): { width: number; height: number }
      draft(): Record<string, unknown>[]
      items(): Record<string, unknown>[]
      saveStatus(): string
      version(): number
      selection(): string[]
    }
  }
}

/** Acting on the editor canvas in image pixels. */
export function canvasOf(page: Page) {
  const toClient = async (x: number, y: number) => {
    const { t, r } = await page.evaluate(() => ({
      t: window.__labelportEditor!.transform(),
      r: window.__labelportEditor!.canvasRect(),
    }))
    return { x: r.left + t.offsetX + x * t.scale, y: r.top + t.offsetY + y * t.scale }
  }
  return {
    toClient,
    async click(x: number, y: number, modifiers: ('Alt' | 'Shift')[] = []) {
      const p = await toClient(x, y)
      for (const m of modifiers) await page.keyboard.down(m)
      await page.mouse.click(p.x, p.y)
      for (const m of modifiers) await page.keyboard.up(m)
    },
    async drag(from: [number, number], to: [number, number], steps = 12) {
      const a = await toClient(from[0], from[1])
      const b = await toClient(to[0], to[1])
      await page.mouse.move(a.x, a.y)
      await page.mouse.down()
      await page.mouse.move(b.x, b.y, { steps })
      await page.mouse.up()
    },
    /** the draft as the editor would save it now */
    draft: () => page.evaluate(() => window.__labelportEditor!.draft()),
    /** waits until autosave has written everything */
    async saved() {
      await page.waitForFunction(
        () => window.__labelportEditor?.saveStatus() === 'saved',
        undefined,
        {
          timeout: 10_000,
        },
      )
    },
  }
}

/** The row's labeling view read back through the SDK (`project.labeling`) with the admin key. */
export async function labelingView(
  server: TestServer,
  projectId: string,
  dataRowId: string,
): Promise<{
  version: number
  label: {
    state: string
    annotations: Record<string, unknown>[]
    reviews: { comment: string; decision: string }[]
  } | null
  draft: { annotations: Record<string, unknown>[]; rejectedSuggestions: string[] } | null
}> {
  const client = new Client(server.apiKey, { endpoint: server.url })
  const project = await client.getProject(projectId)
  const view = await project.labeling.dataRow(dataRowId).get()
  assert.equal(view.dataRow.id, dataRowId)
  return view
}

export async function signInWithPassword(page: Page, url: string, email: string, password: string) {
  await page.goto(`${url}/#/projects`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByTestId('password-sign-in-submit').click()
  await page.getByTestId('signed-in-as').waitFor()
}

/** Asserts two numbers differ by at most `tolerance` (image pixels). */
export function near(actual: number, expected: number, what: string, tolerance = 1): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} px of ${expected}`,
  )
}
