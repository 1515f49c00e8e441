/**
 * A COCO instances file with the statistics of COCO 2017 train (instances_train2017.json):
 * 118,287 images (640×480 typical), 860,001 annotations over 80 categories with ids 1..90 (gaps
 * as COCO's), about 0.9 % crowd annotations as compressed RLE, the others polygons (7 % with two
 * parts, about 24 points a part). Written streamed; `scale` shrinks both counts.
 */
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { compressCounts } from '@labelport/core'

export const COCO_2017 = { images: 118_287, annotations: 860_001 }
const CATEGORY_IDS = Array.from({ length: 90 }, (_, i) => i + 1).filter(
  (id) => ![12, 26, 29, 30, 45, 66, 68, 69, 71, 83].includes(id),
)

/** a deterministic pseudo-random sequence (no Math.random: the file is the same every run) */
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100
}

export async function generateCoco(
  path: string,
  scale: number,
): Promise<{ images: number; annotations: number }> {
  const images = Math.max(1, Math.round(COCO_2017.images * scale))
  const annotations = Math.max(1, Math.round(COCO_2017.annotations * scale))
  const out = createWriteStream(path)
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain')
  }
  const random = rng(2017)
  const landscape = new Uint8Array(images + 1)
  await write(
    '{"info":{"description":"generated with COCO 2017 statistics"},"licenses":[],"images":[',
  )
  for (let i = 1; i <= images; i++) {
    landscape[i] = random() < 0.7 ? 1 : 0
    const [w, h] = landscape[i] ? [640, 480] : [480, 640]
    await write(
      `${i > 1 ? ',' : ''}{"id":${i},"file_name":"${String(i).padStart(12, '0')}.jpg","width":${w},"height":${h},"license":1}`,
    )
  }
  await write('],"annotations":[')
  for (let a = 1; a <= annotations; a++) {
    const imageId = 1 + Math.floor(random() * images)
    const category = CATEGORY_IDS[Math.floor(random() * CATEGORY_IDS.length)]!
    const cx = 60 + random() * 360
    const cy = 60 + random() * 360
    const r = 10 + random() * 50
    let segmentation: string
    let bbox: number[]
    let area: number
    let crowd = 0
    if (random() < 0.009) {
      // crowd: a filled square as RLE over the whole image
      crowd = 1
      const [w, h] = landscape[imageId] ? [640, 480] : [480, 640]
      const x0 = Math.floor(cx - r)
      const y0 = Math.floor(cy - r)
      const side = Math.floor(2 * r)
      const counts: number[] = []
      let last = 0
      for (let x = x0; x < x0 + side; x++) {
        const start = x * h + y0
        counts.push(start - last, side)
        last = start + side
      }
      counts.push(w * h - last)
      segmentation = `{"size":[${h},${w}],"counts":${JSON.stringify(compressCounts(counts))}}`
      bbox = [x0, y0, side, side]
      area = side * side
    } else {
      const parts = random() < 0.07 ? 2 : 1
      const polys: string[] = []
      let x0 = Infinity
      let y0 = Infinity
      let x1 = -Infinity
      let y1 = -Infinity
      for (let p = 0; p < parts; p++) {
        const n = 12 + Math.floor(random() * 24)
        const pts: number[] = []
        for (let k = 0; k < n; k++) {
          const t = (2 * Math.PI * k) / n
          const rr = (r * (0.6 + 0.4 * random())) / parts
          const x = round2(cx + (p * r) / 2 + rr * Math.cos(t))
          const y = round2(cy + rr * Math.sin(t))
          pts.push(x, y)
          x0 = Math.min(x0, x)
          y0 = Math.min(y0, y)
          x1 = Math.max(x1, x)
          y1 = Math.max(y1, y)
        }
        polys.push(`[${pts.join(',')}]`)
      }
      segmentation = `[${polys.join(',')}]`
      bbox = [x0, y0, round2(x1 - x0), round2(y1 - y0)]
      area = round2((x1 - x0) * (y1 - y0) * 0.7)
    }
    await write(
      `${a > 1 ? ',' : ''}{"id":${a},"image_id":${imageId},"category_id":${category},"segmentation":${segmentation},"area":${area},"bbox":[${bbox.join(',')}],"iscrowd":${crowd}}`,
    )
  }
  await write('],"categories":[')
  await write(
    CATEGORY_IDS.map(
      (id, i) => `{"id":${id},"name":"class ${id}","supercategory":"s${i % 12}"}`,
    ).join(','),
  )
  await write(']}')
  out.end()
  await once(out, 'finish')
  return { images, annotations }
}
