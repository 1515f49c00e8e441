/**
 * `labelport demo`: fills a server with something to look at. A few street scenes drawn by our
 * own code (SVG rendered by sharp), the guide's ontology, a project with a batch, a MAL import
 * and a ground-truth import covering every annotation kind. The ground truth keeps the guide's
 * relationship line, which ground truth rejects, so the web app also has a failure to show.
 */
import sharp from 'sharp'
import { LabelImport, MALPredictionImport, MediaType } from '@labelport/sdk'
import type { Client } from '@labelport/sdk'
import { guideOntologyBuilder } from './guide-ontology.ts'

export const DEMO_WIDTH = 1280
export const DEMO_HEIGHT = 960
const SCENES = 3

type Rgb = [number, number, number]
interface Box {
  left: number
  top: number
  width: number
  height: number
}

/** What one scene contains, in pixels of its image; the annotations are derived from it. */
interface Scene {
  houses: [Box, Box]
  sun: { x: number; y: number; r: number }
  road: { x: number; y: number }[]
  wire: { x: number; y: number }[]
}

/** mask colors: house 1 → `mask`; house 2 and the sun → `mask_with_text_subclass` (two tools, as the guide) */
const MASK_COLORS = {
  house1: [230, 57, 70],
  house2: [73, 39, 85],
  sun: [23, 169, 254],
} as const satisfies Record<string, Rgb>

function sceneFor(index: number): Scene {
  const shift = index * 70
  return {
    houses: [
      { left: 140 + shift, top: 430, width: 260, height: 240 },
      { left: 620 + shift / 2, top: 380, width: 300, height: 290 },
    ],
    sun: { x: 1050 - shift, y: 150 + index * 20, r: 70 },
    road: [
      { x: 0, y: 960 },
      { x: 560, y: 700 },
      { x: 720, y: 700 },
      { x: 1280, y: 960 },
    ],
    wire: [
      { x: 0, y: 220 },
      { x: 320, y: 270 + index * 10 },
      { x: 640, y: 240 },
      { x: 960, y: 290 - index * 10 },
      { x: 1280, y: 250 },
    ],
  }
}

const points = (list: { x: number; y: number }[]): string =>
  list.map((p) => `${p.x},${p.y}`).join(' ')
const rect = (b: Box, fill: string): string =>
  `<rect x="${b.left}" y="${b.top}" width="${b.width}" height="${b.height}" fill="${fill}"/>`

async function renderScene(scene: Scene): Promise<Buffer> {
  const [h1, h2] = scene.houses
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${DEMO_WIDTH}" height="${DEMO_HEIGHT}">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7fb8e6"/><stop offset="1" stop-color="#dcefff"/></linearGradient></defs>
  <rect width="${DEMO_WIDTH}" height="${DEMO_HEIGHT}" fill="url(#sky)"/>
  <rect y="660" width="${DEMO_WIDTH}" height="300" fill="#6fa35a"/>
  <circle cx="${scene.sun.x}" cy="${scene.sun.y}" r="${scene.sun.r}" fill="#ffd23f"/>
  <polygon points="${points(scene.road)}" fill="#555b63"/>
  ${rect(h1, '#c0504d')}<polygon points="${h1.left - 20},${h1.top} ${h1.left + h1.width / 2},${h1.top - 110} ${h1.left + h1.width + 20},${h1.top}" fill="#7a2e2b"/>
  ${rect({ left: h1.left + 100, top: h1.top + 140, width: 60, height: 100 }, '#3b2a1a')}
  ${rect(h2, '#d9a441')}<polygon points="${h2.left - 20},${h2.top} ${h2.left + h2.width / 2},${h2.top - 120} ${h2.left + h2.width + 20},${h2.top}" fill="#8a5a12"/>
  ${rect({ left: h2.left + 40, top: h2.top + 60, width: 70, height: 70 }, '#bfe3ff')}${rect({ left: h2.left + 190, top: h2.top + 60, width: 70, height: 70 }, '#bfe3ff')}
  <polyline points="${points(scene.wire)}" fill="none" stroke="#222" stroke-width="4"/>
</svg>`
  return sharp(Buffer.from(svg)).png().toBuffer()
}

/** One PNG holding every mask instance, each in its own color, no anti-aliasing (colors stay exact). */
async function renderCompositeMask(scene: Scene): Promise<Buffer> {
  const [h1, h2] = scene.houses
  const fill = (c: Rgb): string => `rgb(${c[0]},${c[1]},${c[2]})`
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${DEMO_WIDTH}" height="${DEMO_HEIGHT}" shape-rendering="crispEdges">
  <rect width="${DEMO_WIDTH}" height="${DEMO_HEIGHT}" fill="#000"/>
  ${rect(h1, fill(MASK_COLORS.house1))}${rect(h2, fill(MASK_COLORS.house2))}
  <circle cx="${scene.sun.x}" cy="${scene.sun.y}" r="${scene.sun.r}" fill="${fill(MASK_COLORS.sun)}"/>
</svg>`
  return sharp(Buffer.from(svg)).removeAlpha().png().toBuffer()
}

type Line = Record<string, unknown>

/** Every annotation kind of the guide, as NDJSON lines for one data row. */
function sceneLines(scene: Scene, globalKey: string, maskBase64: string): Line[] {
  const [h1, h2] = scene.houses
  const bbox = (b: Box): Line => ({ top: b.top, left: b.left, height: b.height, width: b.width })
  const source = crypto.randomUUID()
  const target = crypto.randomUUID()
  const lines: Line[] = [
    { name: 'radio_question', answer: { name: 'first_radio_answer' } },
    {
      name: 'checklist_question',
      answer: [{ name: 'first_checklist_answer' }, { name: 'second_checklist_answer' }],
    },
    { name: 'free_text', answer: 'a quiet street with two houses' },
    {
      name: 'nested_radio_question',
      answer: {
        name: 'first_radio_answer',
        classifications: [
          { name: 'sub_radio_question', answer: { name: 'first_sub_radio_answer' } },
        ],
      },
    },
    {
      name: 'nested_checklist_question',
      answer: [
        {
          name: 'first_checklist_answer',
          classifications: [
            { name: 'sub_checklist_question', answer: [{ name: 'first_sub_checklist_answer' }] },
          ],
        },
      ],
    },
    { uuid: source, name: 'bounding_box', bbox: bbox(h1) },
    {
      uuid: target,
      name: 'bbox_with_radio_subclass',
      classifications: [{ name: 'sub_radio_question', answer: { name: 'first_sub_radio_answer' } }],
      bbox: bbox(h2),
    },
    { name: 'polygon', polygon: [...scene.road, scene.road[0]] },
    {
      name: 'mask',
      classifications: [],
      mask: { imBytes: maskBase64, colorRGB: MASK_COLORS.house1 },
    },
    ...[MASK_COLORS.house2, MASK_COLORS.sun].map((color) => ({
      name: 'mask_with_text_subclass',
      classifications: [{ name: 'sub_free_text', answer: 'free text answer' }],
      mask: { imBytes: maskBase64, colorRGB: color },
    })),
    { name: 'point', classifications: [], point: { x: scene.sun.x, y: scene.sun.y } },
    { name: 'polyline', classifications: [], line: scene.wire },
    { name: 'relationship', relationship: { source, target, type: 'unidirectional' } },
  ]
  return lines.map((line) => ({ ...line, dataRow: { globalKey } }))
}

export interface DemoResult {
  projectId: string
  projectUrl: string
  datasetId: string
  ontologyId: string
  globalKeys: string[]
  malImportId: string
  groundTruthImportId: string
  /** annotation lines per import and how many succeeded */
  mal: { total: number; success: number; failure: number }
  groundTruth: { total: number; success: number; failure: number }
}

export interface LoadDemoOptions {
  client: Client
  /** progress messages (none when absent) */
  log?: (text: string) => void
}

/** Loads the demo into the server behind `client`; global keys carry a run id so it can run again. */
export async function loadDemo({ client, log = () => {} }: LoadDemoOptions): Promise<DemoResult> {
  const run = Date.now().toString(36)
  const scenes = Array.from({ length: SCENES }, (_, i) => sceneFor(i))

  log('drawing and uploading the demo images…')
  const rows = await Promise.all(
    scenes.map(async (scene, i) => {
      const upload = await client.upload(
        new Blob([new Uint8Array(await renderScene(scene))], { type: 'image/png' }),
      )
      return { rowData: upload.uri, globalKey: `labelport-demo-${run}-street-${i + 1}.png` }
    }),
  )
  const dataset = await client.createDataset({ name: `Labelport demo ${run}` })
  const task = await dataset.createDataRows(rows)
  await task.waitTillDone()
  if (task.errors)
    throw new Error(`demo data rows failed: ${task.errors.map((e) => e.message).join('; ')}`)

  log('creating the guide ontology, a project and a batch…')
  const ontology = await client.createOntology(
    'Image Annotation Import Demo Ontology',
    guideOntologyBuilder().asDict(),
    MediaType.Image,
  )
  const project = await client.createProject({
    name: `Labelport demo ${run}`,
    mediaType: MediaType.Image,
  })
  await project.connectOntology(ontology)
  const globalKeys = rows.map((r) => r.globalKey)
  await project.createBatch('demo-batch', { globalKeys, priority: 1 })

  const lines: Line[][] = await Promise.all(
    scenes.map(async (scene, i) => {
      const mask = (await renderCompositeMask(scene)).toString('base64')
      return sceneLines(scene, globalKeys[i] as string, mask)
    }),
  )

  log('importing pre-labels (MAL) on every image…')
  const mal = await MALPredictionImport.createFromObjects({
    client,
    projectId: project.uid,
    name: `demo-mal-${run}`,
    predictions: lines.flat(),
  })
  await mal.waitUntilDone()

  log('importing ground truth on the first two images…')
  const groundTruth = await LabelImport.createFromObjects({
    client,
    projectId: project.uid,
    name: `demo-ground-truth-${run}`,
    labels: lines.slice(0, 2).flat(),
  })
  await groundTruth.waitUntilDone()

  return {
    projectId: project.uid,
    projectUrl: `${client.endpoint}/#/projects/${project.uid}`,
    datasetId: dataset.uid,
    ontologyId: ontology.uid,
    globalKeys,
    malImportId: mal.uid,
    groundTruthImportId: groundTruth.uid,
    mal: mal.counts,
    groundTruth: groundTruth.counts,
  }
}
