/**
 * Evaluation benchmark: `npm run bench:eval [-- --images 5000 --objects 50]`.
 *
 * Issue 14: 5,000 images with 50 objects each on both sides (250,000 ground truths and 250,000
 * predictions, 10 classes), boxes and masks. Prints, for each, the time to prepare the input
 * (masks: rasterize every polygon as pycocotools does), run COCOeval (evaluate + accumulate +
 * summarize), and the per-object matching at IoU 0.5; with peak RSS. The data is generated with a
 * fixed seed: predictions are jittered copies of the truth, with misses and spurious boxes.
 */
import {
  defaultCocoParams,
  evaluatePrepared,
  matchPrepared,
  prepareCocoSet,
} from '../../packages/evaluation/src/index.ts'
import type { CocoDataset, CocoDetection } from '../../packages/evaluation/src/index.ts'

const args = process.argv.slice(2)
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`)
  return at >= 0 ? Number(args[at + 1]) : fallback
}
const IMAGES = option('images', 5000)
const OBJECTS = option('objects', 50)
const CLASSES = 10
const WIDTH = 640
const HEIGHT = 480

let seed = 14
const random = () => {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** An octagon inscribed in the box, so masks are not just rectangles. */
function octagon(x: number, y: number, w: number, h: number): number[] {
  const cx = x + w / 2
  const cy = y + h / 2
  const points: number[] = []
  for (let i = 0; i < 8; i++) {
    const angle = (i * Math.PI) / 4
    points.push(cx + (Math.cos(angle) * w) / 2, cy + (Math.sin(angle) * h) / 2)
  }
  return points
}

function generate(): { dataset: CocoDataset; detections: CocoDetection[] } {
  const dataset: CocoDataset = {
    images: [],
    categories: Array.from({ length: CLASSES }, (_, i) => ({ id: i + 1 })),
    annotations: [],
  }
  const detections: CocoDetection[] = []
  for (let image = 1; image <= IMAGES; image++) {
    dataset.images.push({ id: image, width: WIDTH, height: HEIGHT })
    for (let o = 0; o < OBJECTS; o++) {
      const w = 8 + random() * 150
      const h = 8 + random() * 150
      const x = random() * (WIDTH - w)
      const y = random() * (HEIGHT - h)
      const category = 1 + Math.floor(random() * CLASSES)
      const polygon = octagon(x, y, w, h)
      dataset.annotations.push({
        id: dataset.annotations.length + 1,
        image_id: image,
        category_id: category,
        bbox: [x, y, w, h],
        area: w * h * 0.7,
        iscrowd: 0,
        segmentation: [polygon],
      })
      // 85% found (jittered), the rest replaced by a spurious box somewhere else
      const found = random() < 0.85
      const jitter = () => (random() - 0.5) * 0.3
      const px = found ? x + w * jitter() : random() * (WIDTH - w)
      const py = found ? y + h * jitter() : random() * (HEIGHT - h)
      const pw = found ? w * (1 + jitter()) : w
      const ph = found ? h * (1 + jitter()) : h
      detections.push({
        image_id: image,
        category_id: found || random() < 0.5 ? category : 1 + Math.floor(random() * CLASSES),
        score: Math.round(random() * 1000) / 1000,
        bbox: [px, py, pw, ph],
        segmentation: [octagon(px, py, pw, ph)],
      })
    }
  }
  return { dataset, detections }
}

/** CPU seconds of this process (user + system): fairer than wall time on a shared machine */
let cpuStart = process.cpuUsage()
const cpu = () => {
  const used = process.cpuUsage(cpuStart)
  cpuStart = process.cpuUsage()
  return ((used.user + used.system) / 1e6).toFixed(1)
}
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9
const megabytes = () => Math.round(process.memoryUsage().rss / 1e6)

const { dataset, detections } = generate()
console.log(
  `${IMAGES} images × ${OBJECTS} objects each side: ${dataset.annotations.length} ground truths, ${detections.length} predictions, ${CLASSES} classes, ${WIDTH}×${HEIGHT}`,
)
for (const iouType of ['bbox', 'segm'] as const) {
  // boxes are evaluated from bbox; masks from the polygons alone
  const side = iouType === 'bbox' ? detections : detections.map(({ bbox: _bbox, ...rest }) => rest)
  cpu()
  let start = process.hrtime.bigint()
  const prepared = prepareCocoSet(dataset, side, iouType)
  const prepareSeconds = `${seconds(start).toFixed(1)} s (cpu ${cpu()} s)`
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.issues.slice(0, 3)))
  start = process.hrtime.bigint()
  const result = evaluatePrepared(prepared.set, defaultCocoParams(iouType))
  const cocoSeconds = `${seconds(start).toFixed(1)} s (cpu ${cpu()} s)`
  start = process.hrtime.bigint()
  const matched = matchPrepared(prepared.set, { iouType, iouThreshold: 0.5 })
  const matchSeconds = `${seconds(start).toFixed(1)} s (cpu ${cpu()} s)`
  const tp = matched.predictions.filter((p) => p.status === 'tp').length
  console.log(
    `${iouType}: prepare ${prepareSeconds}; COCOeval ${cocoSeconds} (AP ${result.stats[0]!.toFixed(4)}, AP50 ${result.stats[1]!.toFixed(4)}); ` +
      `per-object matching at IoU 0.5 ${matchSeconds} (${tp} TP); RSS ${megabytes()} MB`,
  )
}
