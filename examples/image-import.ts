// Over 500 lines: Labelbox's guide ported step by step, kept as one script to read beside the guide.
/**
 * Labelbox's guide "Import image annotations", ported step by step to the Labelport SDK.
 * Run it against a server: `LABELPORT_API_KEY=… npx tsx examples/image-import.ts`
 * (LABELPORT_ENDPOINT defaults to http://127.0.0.1:7440).
 *
 * The guide's image and composite mask live on the internet; this machine has none, so both are
 * drawn here (same size class as the guide's image) and uploaded from local paths.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { inspect } from 'node:util'
import sharp from 'sharp'
import * as lb from '@labelport/sdk'
import * as lbTypes from '@labelport/sdk/types'

const WIDTH = 2560
const HEIGHT = 1920

type Rgb = [number, number, number]
type NdjsonLine = Record<string, unknown>

// ---------------------------------------------------------------- images drawn locally

/** A street-ish scene with shapes where the guide's annotations are. */
async function drawImage(path: string): Promise<void> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}">
  <rect width="${WIDTH}" height="${HEIGHT}" fill="#9cc3e6"/>
  <rect y="900" width="${WIDTH}" height="1020" fill="#8a8f96"/>
  <polygon points="1489,183 2278,256 2428,200 2560,335 2557,503 2320,503 2156,628 2161,785 2002,894 1838,877 1436,874 1411,758 1353,751 1345,453 1426,421" fill="#4f7f3a"/>
  <rect x="1690" y="977" width="225" height="330" fill="#c0504d"/>
  <rect x="541" y="933" width="330" height="191" fill="#d9a441"/>
  <rect x="2096" y="1264" width="144" height="425" fill="#2f5597"/>
  <rect x="2272" y="1346" width="144" height="358" fill="#7030a0"/>
  <circle cx="1166" cy="1441" r="30" fill="#ffd23f"/>
  <polyline points="2534,249 2429,182 2294,221 2224,180 2136,204 1712,173 1703,84 1579,82 1583,167 1478,164 1418,318 1243,400 1022,319 892,379 670,364 613,288 377,238 368,185 246,167 236,285 90,326" fill="none" stroke="#222" stroke-width="6"/>
</svg>`
  await sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toFile(path)
}

/** The colors of the composite mask: three for `mask_with_text_subclass` (the guide's), two for `mask`. */
const RGB_COLORS_FOR_MASK_WITH_TEXT_SUBCLASS_TOOL: Rgb[] = [
  [73, 39, 85],
  [111, 87, 176],
  [23, 169, 254],
]
const RGB_COLORS_FOR_MASK_TOOL: Rgb[] = [
  [255, 87, 51],
  [0, 200, 83],
]

/** One PNG, the size of the image, one region per color, no anti-aliasing. */
async function drawCompositeMask(path: string): Promise<void> {
  const rgb = (c: Rgb): string => `rgb(${c.join(',')})`
  const [a, b, c] = RGB_COLORS_FOR_MASK_WITH_TEXT_SUBCLASS_TOOL as [Rgb, Rgb, Rgb]
  const [d, e] = RGB_COLORS_FOR_MASK_TOOL as [Rgb, Rgb]
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" shape-rendering="crispEdges">
  <rect width="${WIDTH}" height="${HEIGHT}" fill="#000"/>
  <rect x="1690" y="977" width="225" height="330" fill="${rgb(a)}"/>
  <rect x="541" y="933" width="330" height="191" fill="${rgb(b)}"/>
  <rect x="2096" y="1264" width="144" height="425" fill="${rgb(c)}"/>
  <rect x="2272" y="1346" width="144" height="358" fill="${rgb(d)}"/>
  <rect x="100" y="1500" width="600" height="300" fill="${rgb(e)}"/>
</svg>`
  await sharp(Buffer.from(svg)).removeAlpha().png().toFile(path)
}

/** The guide's `extract_rgb_colors_from_url`, on a local PNG: every non-black color. */
async function extractRgbColors(path: string): Promise<Rgb[]> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const seen = new Map<number, Rgb>()
  for (let i = 0; i < data.length; i += info.channels) {
    const r = data[i] as number
    const g = data[i + 1] as number
    const b = data[i + 2] as number
    if (r !== 0 || g !== 0 || b !== 0) seen.set((r << 16) | (g << 8) | b, [r, g, b])
  }
  return [...seen.values()]
}

const sameColor = (x: Rgb, y: Rgb): boolean => x[0] === y[0] && x[1] === y[1] && x[2] === y[2]

// ---------------------------------------------------------------- the result a test checks

export interface ExampleResult {
  globalKey: string
  datasetId: string
  ontologyId: string
  projectId: string
  /** Step 1 again with the same global key, as the guide's duplicate check */
  duplicate: { errors: lb.TaskErrorEntry[] | null; rowCount: number; datasetDeleted: boolean }
  /** both payload forms of Step 5 */
  payloads: {
    objects: lbTypes.Label[]
    ndjson: NdjsonLine[]
    objectsSerialized: Record<string, unknown>[]
  }
  mal: { job: lb.ImportJob; statuses: lb.StatusLine[]; errors: lb.StatusLine[] }
  groundTruth: { job: lb.ImportJob; statuses: lb.StatusLine[]; errors: lb.StatusLine[] }
  /** dry runs of the other form: MAL from NDJSON dicts, ground truth from Label objects */
  dryRuns: {
    mal: { job: lb.ImportJob; statuses: lb.StatusLine[] }
    groundTruth: { job: lb.ImportJob; statuses: lb.StatusLine[] }
  }
  exportRows: lb.ExportRow[]
}

export interface RunOptions {
  client: lb.Client
  log?: (...values: unknown[]) => void
}

export async function runImageImportExample({
  client,
  log = console.log,
}: RunOptions): Promise<ExampleResult> {
  const work = await mkdtemp(join(tmpdir(), 'labelport-image-import-'))
  try {
    return await runSteps(client, log, work)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

async function runSteps(
  client: lb.Client,
  log: (...values: unknown[]) => void,
  work: string,
): Promise<ExampleResult> {
  const run = Date.now().toString(36)

  // ------------------------------------------------------------ Step 1: import data rows
  const imagePath = join(work, '2560px-Kitano_Street_Kobe01s5s4110.jpeg')
  await drawImage(imagePath)
  // global keys are unique per organization; the run id lets the example run again on the same server
  const globalKey = `2560px-Kitano_Street_Kobe01s5s4110-${run}.jpeg`
  const testImgUrl = { rowData: imagePath, globalKey } // a local path is uploaded first (Node)

  const dataset = await client.createDataset({ name: 'image-demo-dataset' })
  const task = await dataset.createDataRows([testImgUrl])
  await task.waitTillDone()
  log('Failed data rows:', task.failedDataRows)
  log('Errors:', task.errors)

  // the same global key once more: the task completes with an error naming the key
  const duplicateDataset = await client.createDataset({ name: 'image-demo-dataset-duplicate' })
  const duplicateTask = await duplicateDataset.createDataRows([testImgUrl])
  await duplicateTask.waitTillDone()
  log('Errors (duplicate global key):', duplicateTask.errors)
  let datasetDeleted = false
  const duplicateRowCount = duplicateDataset.rowCount
  if (duplicateTask.errors) {
    for (const error of duplicateTask.errors) {
      if (error.message.includes('Duplicate global key') && duplicateDataset.rowCount === 0) {
        // the key already exists in the workspace, so the dataset was created empty: delete it
        log(`Deleting empty dataset: ${duplicateDataset.name}`)
        await duplicateDataset.delete()
        datasetDeleted = true
      }
    }
  }

  // ------------------------------------------------------------ Step 2: set up the ontology
  const ontologyBuilder = new lb.OntologyBuilder({
    classifications: [
      new lb.Classification({
        classType: lb.Classification.Type.RADIO,
        name: 'radio_question',
        options: [
          new lb.Option({ value: 'first_radio_answer' }),
          new lb.Option({ value: 'second_radio_answer' }),
        ],
      }),
      new lb.Classification({
        classType: lb.Classification.Type.CHECKLIST,
        name: 'checklist_question',
        options: [
          new lb.Option({ value: 'first_checklist_answer' }),
          new lb.Option({ value: 'second_checklist_answer' }),
        ],
      }),
      new lb.Classification({ classType: lb.Classification.Type.TEXT, name: 'free_text' }),
      new lb.Classification({
        classType: lb.Classification.Type.RADIO,
        name: 'nested_radio_question',
        options: [
          new lb.Option({
            value: 'first_radio_answer',
            options: [
              new lb.Classification({
                classType: lb.Classification.Type.RADIO,
                name: 'sub_radio_question',
                options: [new lb.Option({ value: 'first_sub_radio_answer' })],
              }),
            ],
          }),
        ],
      }),
      new lb.Classification({
        classType: lb.Classification.Type.CHECKLIST,
        name: 'nested_checklist_question',
        options: [
          new lb.Option({
            value: 'first_checklist_answer',
            options: [
              new lb.Classification({
                classType: lb.Classification.Type.CHECKLIST,
                name: 'sub_checklist_question',
                options: [new lb.Option({ value: 'first_sub_checklist_answer' })],
              }),
            ],
          }),
        ],
      }),
    ],
    tools: [
      new lb.Tool({ tool: lb.Tool.Type.BBOX, name: 'bounding_box' }),
      new lb.Tool({
        tool: lb.Tool.Type.BBOX,
        name: 'bbox_with_radio_subclass',
        classifications: [
          new lb.Classification({
            classType: lb.Classification.Type.RADIO,
            name: 'sub_radio_question',
            options: [new lb.Option({ value: 'first_sub_radio_answer' })],
          }),
        ],
      }),
      new lb.Tool({ tool: lb.Tool.Type.POLYGON, name: 'polygon' }),
      new lb.Tool({ tool: lb.Tool.Type.RASTER_SEGMENTATION, name: 'mask' }),
      new lb.Tool({
        tool: lb.Tool.Type.RASTER_SEGMENTATION,
        name: 'mask_with_text_subclass',
        classifications: [
          new lb.Classification({ classType: lb.Classification.Type.TEXT, name: 'sub_free_text' }),
        ],
      }),
      new lb.Tool({ tool: lb.Tool.Type.POINT, name: 'point' }),
      new lb.Tool({ tool: lb.Tool.Type.LINE, name: 'polyline' }),
      new lb.Tool({ tool: lb.Tool.Type.RELATIONSHIP, name: 'relationship' }),
    ],
  })
  const ontology = await client.createOntology(
    'Image Annotation Import Demo Ontology',
    ontologyBuilder.asDict(),
    lb.MediaType.Image,
  )

  // ------------------------------------------------------------ Step 3: set up a labeling project
  const project = await client.createProject({
    name: 'Image Annotation Import Demo',
    mediaType: lb.MediaType.Image,
  })
  await project.connectOntology(ontology)

  // ------------------------------------------------------------ Step 4: send data rows to the project
  const batch = await project.createBatch(
    'image-demo-batch', // each batch in a project must have a unique name
    { globalKeys: [globalKey], priority: 1 }, // priority between 1 (highest) and 5 (lowest)
  )
  log('Batch:', batch)

  // ------------------------------------------------------------ Step 5: annotation payloads, both forms
  // Classifications
  const radioAnnotation = new lbTypes.ClassificationAnnotation({
    name: 'radio_question',
    value: new lbTypes.Radio({
      answer: new lbTypes.ClassificationAnswer({ name: 'first_radio_answer' }),
    }),
  })
  const radioAnnotationNdjson = { name: 'radio_question', answer: { name: 'first_radio_answer' } }

  const checklistAnnotation = new lbTypes.ClassificationAnnotation({
    name: 'checklist_question',
    value: new lbTypes.Checklist({
      answer: [
        new lbTypes.ClassificationAnswer({ name: 'first_checklist_answer' }),
        new lbTypes.ClassificationAnswer({ name: 'second_checklist_answer' }),
      ],
    }),
  })
  const checklistAnnotationNdjson = {
    name: 'checklist_question',
    answer: [{ name: 'first_checklist_answer' }, { name: 'second_checklist_answer' }],
  }

  const textAnnotation = new lbTypes.ClassificationAnnotation({
    name: 'free_text',
    value: new lbTypes.Text({ answer: 'sample text' }),
  })
  const textAnnotationNdjson = { name: 'free_text', answer: 'sample text' }

  const nestedRadioAnnotation = new lbTypes.ClassificationAnnotation({
    name: 'nested_radio_question',
    value: new lbTypes.Radio({
      answer: new lbTypes.ClassificationAnswer({
        name: 'first_radio_answer',
        classifications: [
          new lbTypes.ClassificationAnnotation({
            name: 'sub_radio_question',
            value: new lbTypes.Radio({
              answer: new lbTypes.ClassificationAnswer({ name: 'first_sub_radio_answer' }),
            }),
          }),
        ],
      }),
    }),
  })
  const nestedRadioAnnotationNdjson = {
    name: 'nested_radio_question',
    answer: {
      name: 'first_radio_answer',
      classifications: [{ name: 'sub_radio_question', answer: { name: 'first_sub_radio_answer' } }],
    },
  }

  const nestedChecklistAnnotation = new lbTypes.ClassificationAnnotation({
    name: 'nested_checklist_question',
    value: new lbTypes.Checklist({
      answer: [
        new lbTypes.ClassificationAnswer({
          name: 'first_checklist_answer',
          classifications: [
            new lbTypes.ClassificationAnnotation({
              name: 'sub_checklist_question',
              value: new lbTypes.Checklist({
                answer: [new lbTypes.ClassificationAnswer({ name: 'first_sub_checklist_answer' })],
              }),
            }),
          ],
        }),
      ],
    }),
  })
  // as in the guide, the nested checklist answer is a single object (the server accepts it)
  const nestedChecklistAnnotationNdjson = {
    name: 'nested_checklist_question',
    answer: [
      {
        name: 'first_checklist_answer',
        classifications: [
          { name: 'sub_checklist_question', answer: { name: 'first_sub_checklist_answer' } },
        ],
      },
    ],
  }

  // Tools: bounding box
  const bboxAnnotation = new lbTypes.ObjectAnnotation({
    name: 'bounding_box', // must match your ontology feature's name
    value: new lbTypes.Rectangle({
      start: new lbTypes.Point({ x: 1690, y: 977 }), // x = left, y = top
      end: new lbTypes.Point({ x: 1915, y: 1307 }), // x = left + width, y = top + height
    }),
  })
  const bboxAnnotationNdjson = {
    name: 'bounding_box',
    bbox: { top: 977, left: 1690, height: 330, width: 225 },
  }

  // Segmentation masks: a composite mask, one annotation per color, two tools
  const cpMaskPath = join(work, 'composite_mask.png')
  await drawCompositeMask(cpMaskPath)
  const colors = await extractRgbColors(cpMaskPath)
  const maskData = new lbTypes.MaskData({ filePath: cpMaskPath }) // read by the SDK when it serializes (Node)
  const cpMask: lbTypes.ObjectAnnotation[] = []
  for (const color of colors) {
    if (RGB_COLORS_FOR_MASK_WITH_TEXT_SUBCLASS_TOOL.some((c) => sameColor(c, color))) {
      cpMask.push(
        new lbTypes.ObjectAnnotation({
          name: 'mask_with_text_subclass', // must match your ontology feature's name
          value: new lbTypes.Mask({ mask: maskData, color }),
          classifications: [
            new lbTypes.ClassificationAnnotation({
              name: 'sub_free_text',
              value: new lbTypes.Text({ answer: 'free text answer sample' }),
            }),
          ],
        }),
      )
    } else {
      cpMask.push(
        new lbTypes.ObjectAnnotation({
          name: 'mask',
          value: new lbTypes.Mask({ mask: maskData, color }),
        }),
      )
    }
  }
  const imBytes = lbTypes.encodeBase64(new Uint8Array(await sharp(cpMaskPath).png().toBuffer()))
  const cpMaskNdjson: NdjsonLine[] = colors.map((color) =>
    RGB_COLORS_FOR_MASK_WITH_TEXT_SUBCLASS_TOOL.some((c) => sameColor(c, color))
      ? {
          name: 'mask_with_text_subclass',
          mask: { imBytes, colorRGB: color },
          classifications: [{ name: 'sub_free_text', answer: 'free text answer' }],
        }
      : { name: 'mask', classifications: [], mask: { imBytes, colorRGB: color } },
  )

  // Point
  const pointAnnotation = new lbTypes.ObjectAnnotation({
    name: 'point',
    value: new lbTypes.Point({ x: 1166.606, y: 1441.768 }),
  })
  const pointAnnotationNdjson = {
    name: 'point',
    classifications: [],
    point: { x: 1166.606, y: 1441.768 },
  }

  // Polyline
  const polylinePoints = [
    [2534.353, 249.471],
    [2429.492, 182.092],
    [2294.322, 221.962],
    [2224.491, 180.463],
    [2136.123, 204.716],
    [1712.247, 173.949],
    [1703.838, 84.438],
    [1579.772, 82.61],
    [1583.442, 167.552],
    [1478.869, 164.903],
    [1418.941, 318.149],
    [1243.128, 400.815],
    [1022.067, 319.007],
    [892.367, 379.216],
    [670.273, 364.408],
    [613.114, 288.16],
    [377.559, 238.251],
    [368.087, 185.064],
    [246.557, 167.286],
    [236.648, 285.61],
    [90.929, 326.412],
  ] as const
  const polylineAnnotation = new lbTypes.ObjectAnnotation({
    name: 'polyline', // must match your ontology feature's name
    value: new lbTypes.Line({
      points: polylinePoints.map(([x, y]) => new lbTypes.Point({ x, y })),
    }),
  })
  const polylineAnnotationNdjson = {
    name: 'polyline',
    classifications: [],
    line: polylinePoints.map(([x, y]) => ({ x, y })),
  }

  // Polygon
  const polygonPoints = [
    [1489.581, 183.934],
    [2278.306, 256.885],
    [2428.197, 200.437],
    [2560.0, 335.419],
    [2557.386, 503.165],
    [2320.596, 503.103],
    [2156.083, 628.943],
    [2161.111, 785.519],
    [2002.115, 894.647],
    [1838.456, 877.874],
    [1436.53, 874.636],
    [1411.403, 758.579],
    [1353.853, 751.74],
    [1345.264, 453.461],
    [1426.011, 421.129],
  ] as const
  const polygonAnnotation = new lbTypes.ObjectAnnotation({
    name: 'polygon', // must match your ontology feature's name
    value: new lbTypes.Polygon({
      points: polygonPoints.map(([x, y]) => new lbTypes.Point({ x, y })),
    }),
  })
  const polygonAnnotationNdjson = {
    name: 'polygon',
    polygon: [...polygonPoints, polygonPoints[0]].map(([x, y]) => ({ x, y })),
  }

  // Tool with a nested classification
  const bboxWithRadioSubclassAnnotation = new lbTypes.ObjectAnnotation({
    name: 'bbox_with_radio_subclass',
    value: new lbTypes.Rectangle({
      start: new lbTypes.Point({ x: 541, y: 933 }),
      end: new lbTypes.Point({ x: 871, y: 1124 }),
    }),
    classifications: [
      new lbTypes.ClassificationAnnotation({
        name: 'sub_radio_question',
        value: new lbTypes.Radio({
          answer: new lbTypes.ClassificationAnswer({ name: 'first_sub_radio_answer' }),
        }),
      }),
    ],
  })
  const bboxWithRadioSubclassNdjson = {
    name: 'bbox_with_radio_subclass',
    classifications: [{ name: 'sub_radio_question', answer: { name: 'first_sub_radio_answer' } }],
    bbox: { top: 933, left: 541, height: 191, width: 330 },
  }

  // Relationships
  const bboxSource = new lbTypes.ObjectAnnotation({
    name: 'bounding_box',
    value: new lbTypes.Rectangle({
      start: new lbTypes.Point({ x: 2096, y: 1264 }),
      end: new lbTypes.Point({ x: 2240, y: 1689 }),
    }),
  })
  const bboxTarget = new lbTypes.ObjectAnnotation({
    name: 'bounding_box',
    value: new lbTypes.Rectangle({
      start: new lbTypes.Point({ x: 2272, y: 1346 }),
      end: new lbTypes.Point({ x: 2416, y: 1704 }),
    }),
  })
  const relationship = new lbTypes.RelationshipAnnotation({
    name: 'relationship',
    value: new lbTypes.Relationship({
      source: bboxSource, // typed annotations need no uuid reference
      target: bboxTarget,
      type: lbTypes.Relationship.Type.UNIDIRECTIONAL,
    }),
  })
  const uuidSource = crypto.randomUUID()
  const uuidTarget = crypto.randomUUID()
  const bboxSourceNdjson = {
    uuid: uuidSource,
    name: 'bounding_box',
    bbox: { top: 1264.0, left: 2096.0, height: 425.0, width: 144.0 },
  }
  const bboxTargetNdjson = {
    uuid: uuidTarget,
    name: 'bounding_box',
    bbox: { top: 1346.0, left: 2272.0, height: 358.0, width: 144.0 },
  }
  const relationshipNdjson = {
    name: 'relationship',
    relationship: { source: uuidSource, target: uuidTarget, type: 'unidirectional' },
  }

  // The Label (typed form). isBenchmarkReference: true is for ground truth only, so it stays false here.
  const label: lbTypes.Label[] = [
    new lbTypes.Label({
      data: { globalKey },
      annotations: [
        radioAnnotation,
        nestedRadioAnnotation,
        checklistAnnotation,
        nestedChecklistAnnotation,
        textAnnotation,
        bboxAnnotation,
        bboxWithRadioSubclassAnnotation,
        polygonAnnotation,
        pointAnnotation,
        polylineAnnotation,
        bboxSource,
        bboxTarget,
        relationship,
        ...cpMask,
      ],
      isBenchmarkReference: false,
    }),
  ]

  // The NDJSON form: every line names its data row
  const labelNdjson: NdjsonLine[] = [
    radioAnnotationNdjson,
    nestedRadioAnnotationNdjson,
    nestedChecklistAnnotationNdjson,
    checklistAnnotationNdjson,
    textAnnotationNdjson,
    bboxAnnotationNdjson,
    bboxWithRadioSubclassNdjson,
    polygonAnnotationNdjson,
    pointAnnotationNdjson,
    polylineAnnotationNdjson,
    bboxSourceNdjson,
    bboxTargetNdjson,
    relationshipNdjson, // only supported for MAL imports
    ...cpMaskNdjson,
  ].map((annotation) => ({ ...annotation, dataRow: { globalKey } }))

  // ------------------------------------------------------------ Step 6: import the payload
  // Option A: pre-labels (model-assisted labeling), from the typed Labels
  const malJob = await lb.MALPredictionImport.createFromObjects({
    client,
    projectId: project.uid,
    name: `mal_job${crypto.randomUUID()}`,
    predictions: label,
  })
  await malJob.waitUntilDone()
  const malErrors = await malJob.errors()
  const malStatuses = await malJob.statuses()
  log('Errors:', malErrors)
  log('Status of uploads:', malStatuses)

  // Option B: ground truth, from the NDJSON dicts (the relationship line is rejected: ground truth has none)
  const gtJob = await lb.LabelImport.createFromObjects({
    client,
    projectId: project.uid,
    name: `label_import_job${crypto.randomUUID()}`,
    labels: labelNdjson,
  })
  await gtJob.waitUntilDone()
  const gtErrors = await gtJob.errors()
  const gtStatuses = await gtJob.statuses()
  log('Errors:', gtErrors)
  log('Status of uploads:', gtStatuses)

  // Dry runs with the forms swapped: judged line by line, nothing written
  const malDry = await lb.MALPredictionImport.validate({
    client,
    projectId: project.uid,
    name: `mal_dry_run${run}`,
    predictions: labelNdjson,
  })
  const gtDry = await lb.LabelImport.validate({
    client,
    projectId: project.uid,
    name: `gt_dry_run${run}`,
    labels: label,
  })

  const exportRows = await project.export()
  log(`Exported ${exportRows.length} data row(s)`)

  return {
    globalKey,
    datasetId: dataset.uid,
    ontologyId: ontology.uid,
    projectId: project.uid,
    duplicate: { errors: duplicateTask.errors, rowCount: duplicateRowCount, datasetDeleted },
    payloads: {
      objects: label,
      ndjson: labelNdjson,
      objectsSerialized: await lb.serializeLabels(label),
    },
    mal: { job: malJob.job, statuses: malStatuses, errors: malErrors },
    groundTruth: { job: gtJob.job, statuses: gtStatuses, errors: gtErrors },
    dryRuns: {
      mal: { job: (await malDry.waitUntilDone()).job, statuses: await malDry.statuses() },
      groundTruth: { job: (await gtDry.waitUntilDone()).job, statuses: await gtDry.statuses() },
    },
    exportRows,
  }
}

/**
 * What a person running the example reads: one line per step, and the expected failures (the
 * duplicate global key of Step 1, the ground-truth relationship of Step 6) in full, never `[Object]`.
 * Pass `--verbose` to see every intermediate value the guide prints as well.
 */
export function formatExampleSummary(result: ExampleResult): string {
  const job = (j: lb.ImportJob): string =>
    `${j.state}, ${j.counts.total} lines: ${j.counts.success} succeeded, ${j.counts.failure} failed`
  const full = (value: unknown): string => JSON.stringify(value, null, 2).replace(/^/gm, '    ')
  const failures = (statuses: lb.StatusLine[]): string[] =>
    statuses.map((s) => `  expected failure, line ${s.line}:\n${full(s.errors)}`)
  return [
    `Step 1  data row ${result.globalKey} in dataset ${result.datasetId}`,
    `        the same global key again is refused, as expected (${result.duplicate.rowCount} rows created, empty dataset deleted):`,
    full(result.duplicate.errors),
    `Step 2  ontology ${result.ontologyId}`,
    `Step 3  project ${result.projectId} with a batch of 1 data row`,
    `Step 5  payloads: ${result.payloads.ndjson.length} NDJSON lines, ${result.payloads.objects.length} Label object(s)`,
    `Step 6  MAL import: ${job(result.mal.job)}`,
    ...failures(result.mal.errors),
    `        ground-truth import: ${job(result.groundTruth.job)}`,
    ...failures(result.groundTruth.errors),
    `        dry runs: MAL ${job(result.dryRuns.mal.job)}; ground truth ${job(result.dryRuns.groundTruth.job)}`,
    `Export  ${result.exportRows.length} data row(s)`,
    '',
  ].join('\n')
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const verbose = process.argv.includes('--verbose')
  const result = await runImageImportExample({
    client: new lb.Client(),
    log: verbose
      ? (...values: unknown[]) =>
          console.log(
            ...values.map((v) => (typeof v === 'string' ? v : inspect(v, { depth: null }))),
          )
      : () => {},
  })
  process.stdout.write(formatExampleSummary(result))
}
