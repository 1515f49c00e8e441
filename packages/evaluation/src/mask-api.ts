/**
 * The run-length mask operations COCOeval needs, computed exactly as pycocotools' `maskApi.c` does:
 * polygon rasterization (`rleFrPoly`), box masks (`rleFrBbox`), union (`rleMerge`), area, the
 * bounding box (`rleToBbox`) and IoU (`rleIou`, with the crowd rule). Runs are column-major and
 * alternate unset, set, unset…; coordinates are pixels of the image, origin top-left, x right, y down.
 */
import { parseCompressedCounts } from '@labelport/core'

/** A binary mask as runs (column-major, starting with an unset run). */
export interface Rle {
  height: number
  width: number
  counts: Uint32Array
}

/** A box as COCO writes it: `[x, y, width, height]` in pixels. */
export type Xywh = readonly [x: number, y: number, width: number, height: number]

/**
 * `rleFrPoly`: rasterizes one polygon `[x0, y0, x1, y1, …]` the way pycocotools does: the outline
 * is upsampled 5× and walked, and a pixel is inside when its centre is, with its own rounding.
 * Any other rasterizer moves segm AP in the third decimal, hence the line-by-line port.
 */
export function rleFromPolygon(xy: readonly number[], height: number, width: number): Rle {
  const scale = 5
  const k = Math.floor(xy.length / 2)
  const x = new Int32Array(k + 1)
  const y = new Int32Array(k + 1)
  // C's (int) cast truncates toward zero
  for (let j = 0; j < k; j++) x[j] = Math.trunc(scale * xy[j * 2]! + 0.5)
  x[k] = x[0]!
  for (let j = 0; j < k; j++) y[j] = Math.trunc(scale * xy[j * 2 + 1]! + 0.5)
  y[k] = y[0]!
  let total = 0
  for (let j = 0; j < k; j++)
    total += Math.max(Math.abs(x[j]! - x[j + 1]!), Math.abs(y[j]! - y[j + 1]!)) + 1
  // The C code first stores every upsampled outline point (u, v), then keeps those where u changes;
  // here each point is compared with the previous one as it is made (same points, same order).
  const a = new Uint32Array(total + 1)
  let m = 0
  let pu = 0
  let pv = 0
  let started = false
  for (let j = 0; j < k; j++) {
    let xs = x[j]!
    let xe = x[j + 1]!
    let ys = y[j]!
    let ye = y[j + 1]!
    const dx = Math.abs(xe - xs)
    const dy = Math.abs(ys - ye)
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye)
    if (flip) {
      let t = xs
      xs = xe
      xe = t
      t = ys
      ys = ye
      ye = t
    }
    // a 0/0 step (a repeated vertex) gives NaN as in C, where that v is never read
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy
    const along = dx >= dy
    const n = along ? dx : dy
    for (let d = 0; d <= n; d++) {
      const t = flip ? n - d : d
      const cu = along ? t + xs : Math.trunc(xs + s * t + 0.5)
      const cv = along ? Math.trunc(ys + s * t + 0.5) : t + ys
      // keep the points where the column changes (the C code's second pass, done in step)
      if (started && cu !== pu) {
        let xd = cu < pu ? cu : cu - 1
        xd = (xd + 0.5) / scale - 0.5
        if (Math.floor(xd) === xd && xd >= 0 && xd <= width - 1) {
          let yd = cv < pv ? cv : pv
          yd = (yd + 0.5) / scale - 0.5
          if (yd < 0) yd = 0
          else if (yd > height) yd = height
          a[m++] = xd * height + Math.ceil(yd)
        }
      }
      started = true
      pu = cu
      pv = cv
    }
  }
  // run lengths from the boundary points
  a[m] = height * width
  const runs = a.subarray(0, m + 1)
  runs.sort()
  let previous = 0
  for (let j = 0; j <= m; j++) {
    const t = a[j]!
    a[j] = t - previous
    previous = t
  }
  const b = new Uint32Array(m + 1)
  let j = 0
  let count = 0
  b[count++] = a[j++]!
  while (j <= m) {
    if (a[j]! > 0) b[count++] = a[j++]!
    else {
      j++
      if (j <= m) b[count - 1] = b[count - 1]! + a[j++]!
    }
  }
  return { height, width, counts: b.slice(0, count) }
}

/** `rleFrBbox`: a box as the polygon of its four corners. */
export function rleFromBox(box: Xywh, height: number, width: number): Rle {
  const [xs, ys, w, h] = box
  const xe = xs + w
  const ye = ys + h
  return rleFromPolygon([xs, ys, xs, ye, xe, ye, xe, ys], height, width)
}

/** A compressed or uncompressed COCO RLE; `undefined` when its counts do not fit its size. */
export function rleFromCoco(
  counts: string | readonly number[],
  height: number,
  width: number,
): Rle | undefined {
  let runs: readonly number[]
  if (typeof counts === 'string') {
    const parsed = parseCompressedCounts(counts)
    if (!parsed.ok) return undefined
    runs = parsed.counts
  } else runs = counts
  let total = 0
  for (const run of runs) {
    if (!Number.isSafeInteger(run) || run < 0) return undefined
    total += run
  }
  if (total !== height * width) return undefined
  return { height, width, counts: Uint32Array.from(runs) }
}

/** `rleMerge` with `intersect = 0`: the union of masks of one size. */
export function rleUnion(masks: readonly Rle[]): Rle {
  const first = masks[0]
  if (first === undefined) return { height: 0, width: 0, counts: new Uint32Array(0) }
  let merged = first
  for (let i = 1; i < masks.length; i++) merged = unionOfTwo(merged, masks[i]!)
  return merged
}

function unionOfTwo(a: Rle, b: Rle): Rle {
  if (a.height !== b.height || a.width !== b.width)
    return { height: 0, width: 0, counts: new Uint32Array(0) }
  const out: number[] = []
  let ca = a.counts[0] ?? 0
  let cb = b.counts[0] ?? 0
  let ia = 1
  let ib = 1
  let va = false
  let vb = false
  let v = false
  let run = 0
  let more = true
  while (more) {
    const c = Math.min(ca, cb)
    run += c
    ca -= c
    if (ca === 0 && ia < a.counts.length) {
      ca = a.counts[ia++]!
      va = !va
    }
    cb -= c
    if (cb === 0 && ib < b.counts.length) {
      cb = b.counts[ib++]!
      vb = !vb
    }
    more = ca + cb > 0
    const previous: boolean = v
    v = va || vb
    if (v !== previous || !more) {
      out.push(run)
      run = 0
    }
  }
  return { height: a.height, width: a.width, counts: Uint32Array.from(out) }
}

/** Number of set pixels. */
export function rleArea(mask: Rle): number {
  let area = 0
  for (let i = 1; i < mask.counts.length; i += 2) area += mask.counts[i]!
  return area
}

/** `rleToBbox`: the tight `[x, y, w, h]` around the set pixels, zeros when none. */
export function rleToBox(mask: Rle): [number, number, number, number] {
  const h = mask.height
  const m = Math.floor(mask.counts.length / 2) * 2
  if (m === 0 || h === 0) return [0, 0, 0, 0]
  let xs = mask.width
  let ys = h
  let xe = 0
  let ye = 0
  let cc = 0
  let xp = 0
  for (let j = 0; j < m; j++) {
    cc += mask.counts[j]!
    const t = cc - (j % 2)
    const y = t % h
    const x = (t - y) / h
    if (j % 2 === 0) xp = x
    else if (xp < x) {
      ys = 0
      ye = h - 1
    }
    xs = Math.min(xs, x)
    xe = Math.max(xe, x)
    ys = Math.min(ys, y)
    ye = Math.max(ye, y)
  }
  return [xs, ys, xe - xs + 1, ye - ys + 1]
}

/**
 * `bbIou` for one pair, in its floating-point order. For a crowd ground truth the union is the
 * detection's area alone (how much of the detection lies inside the crowd region).
 */
export function boxIou(dt: Xywh, gt: Xywh, crowd: boolean): number {
  const w = Math.min(dt[2] + dt[0], gt[2] + gt[0]) - Math.max(dt[0], gt[0])
  if (w <= 0) return 0
  const h = Math.min(dt[3] + dt[1], gt[3] + gt[1]) - Math.max(dt[1], gt[1])
  if (h <= 0) return 0
  const i = w * h
  const da = dt[2] * dt[3]
  const u = crowd ? da : da + gt[2] * gt[3] - i
  return i / u
}

/**
 * `rleIou` for one pair: intersection over union of the pixels (over the detection's pixels for a
 * crowd ground truth); −1 when the sizes differ, as pycocotools answers. The boxes are passed in
 * (computed once per mask) for the same early exit pycocotools takes.
 */
export function maskIou(
  dt: Rle,
  gt: Rle,
  crowd: boolean,
  dtBox: Xywh = rleToBox(dt),
  gtBox: Xywh = rleToBox(gt),
): number {
  if (!(boxIou(dtBox, gtBox, crowd) > 0)) return 0
  if (dt.height !== gt.height || dt.width !== gt.width) return -1
  const a = dt.counts
  const b = gt.counts
  let ca = a[0] ?? 0
  let cb = b[0] ?? 0
  let ia = 1
  let ib = 1
  let va = false
  let vb = false
  let intersection = 0
  let union = 0
  let more = true
  while (more) {
    const c = Math.min(ca, cb)
    if (va || vb) {
      union += c
      if (va && vb) intersection += c
    }
    ca -= c
    if (ca === 0 && ia < a.length) {
      ca = a[ia++]!
      va = !va
    }
    cb -= c
    if (cb === 0 && ib < b.length) {
      cb = b[ib++]!
      vb = !vb
    }
    more = ca + cb > 0
  }
  if (intersection === 0) union = 1
  else if (crowd) union = rleArea(dt)
  return intersection / union
}
