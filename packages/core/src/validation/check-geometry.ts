/**
 * Geometry of object lines, in the image frame of docs/architecture.md ("Coordinates"). Bounds
 * are checked only when the image size is known: [0, width] × [0, height].
 */
import type { Issue, IssuePath } from '../errors.ts'
import type { GeometryRecord, PointRecord } from '../model/annotation-record.ts'
import type { NdMask } from '../ndjson/line.ts'
import { add, at, isAbsent, isObject, show, wrongType, type Json } from './check-values.ts'

/** The image size (as displayed); `null` where it is unknown: no bounds check. */
export interface Bounds {
  width: number
  height: number
}

/**
 * Sub-pixel overshoot is accepted as it is (not clipped): tools that round or print with a fixed
 * number of decimals write boxes that pass the border by a fraction of a pixel (Datumaro's
 * `%.6f` YOLO gives left = -0.0000075). An overshoot of a whole pixel or more is
 * `geometry_out_of_bounds` (docs/import-errors.md).
 */
export const SUBPIXEL_OVERSHOOT = 1

function coordinate(
  value: unknown,
  path: IssuePath,
  key: string,
  issues: Issue[],
): number | undefined {
  if (typeof value !== 'number') {
    add(issues, 'coordinate_invalid', `${key} must be a number, got ${show(value)}`, at(path, key))
    return undefined
  }
  if (!Number.isFinite(value)) {
    add(
      issues,
      'coordinate_not_finite',
      `${key} is ${show(value)}, not a finite number`,
      at(path, key),
    )
    return undefined
  }
  return value
}

function outside(x: number, y: number, bounds: Bounds | null): boolean {
  return (
    bounds !== null &&
    (x <= -SUBPIXEL_OVERSHOOT ||
      y <= -SUBPIXEL_OVERSHOOT ||
      x >= bounds.width + SUBPIXEL_OVERSHOOT ||
      y >= bounds.height + SUBPIXEL_OVERSHOOT)
  )
}

function outOfBounds(issues: Issue[], what: string, bounds: Bounds | null, path: IssuePath): void {
  add(
    issues,
    'geometry_out_of_bounds',
    `${what} lies outside the image (${bounds?.width ?? '?'}×${bounds?.height ?? '?'})`,
    path,
  )
}

export function checkBbox(
  value: unknown,
  bounds: Bounds | null,
  issues: Issue[],
): GeometryRecord | undefined {
  const path = ['bbox']
  if (!isObject(value)) {
    wrongType(issues, path, 'an object {top, left, height, width}', value)
    return undefined
  }
  const before = issues.length
  const top = coordinate(value.top, path, 'top', issues)
  const left = coordinate(value.left, path, 'left', issues)
  const height = coordinate(value.height, path, 'height', issues)
  const width = coordinate(value.width, path, 'width', issues)
  if (top === undefined || left === undefined || height === undefined || width === undefined)
    return undefined
  if (width <= 0)
    add(issues, 'bbox_degenerate', `bbox width ${width} must be greater than 0`, at(path, 'width'))
  if (height <= 0)
    add(
      issues,
      'bbox_degenerate',
      `bbox height ${height} must be greater than 0`,
      at(path, 'height'),
    )
  if (issues.length > before) return undefined
  if (outside(left, top, bounds) || outside(left + width, top + height, bounds)) {
    outOfBounds(
      issues,
      `bbox left ${left}, top ${top}, width ${width}, height ${height}`,
      bounds,
      path,
    )
    return undefined
  }
  return { type: 'bbox', top, left, height, width }
}

export function checkPoint(
  value: unknown,
  bounds: Bounds | null,
  issues: Issue[],
): GeometryRecord | undefined {
  const path = ['point']
  const point = readPoint(value, path, bounds, issues)
  return point === undefined ? undefined : { type: 'point', x: point.x, y: point.y }
}

function readPoint(
  value: unknown,
  path: IssuePath,
  bounds: Bounds | null,
  issues: Issue[],
): PointRecord | undefined {
  if (!isObject(value)) {
    add(issues, 'coordinate_invalid', `a point must be an object {x, y}, got ${show(value)}`, path)
    return undefined
  }
  const x = coordinate(value.x, path, 'x', issues)
  const y = coordinate(value.y, path, 'y', issues)
  if (x === undefined || y === undefined) return undefined
  if (outside(x, y, bounds)) {
    outOfBounds(issues, `point (${x}, ${y})`, bounds, path)
    return undefined
  }
  return { x, y }
}

/** Polygons (closed on the way in: last point = first) and polylines. */
export function checkPath(
  key: 'polygon' | 'line',
  value: unknown,
  bounds: Bounds | null,
  issues: Issue[],
): GeometryRecord | undefined {
  if (!Array.isArray(value)) {
    wrongType(issues, [key], 'a list of points {x, y}', value)
    return undefined
  }
  const points: PointRecord[] = new Array<PointRecord>(value.length)
  // distinct points, counted only as far as needed: the first two distinct ones and whether a third exists
  let first: PointRecord | undefined
  let second: PointRecord | undefined
  let distinct = 0
  for (let i = 0; i < value.length; i++) {
    const point = readPoint(value[i], [key, i], bounds, issues)
    if (point === undefined) return undefined
    points[i] = point
    if (distinct === 0) {
      first = point
      distinct = 1
    } else if (distinct === 1) {
      if (!samePoint(point, first!)) {
        second = point
        distinct = 2
      }
    } else if (distinct === 2 && !samePoint(point, first!) && !samePoint(point, second!))
      distinct = 3
  }
  if (key === 'polygon') {
    if (distinct < 3) {
      add(
        issues,
        'polygon_too_few_points',
        `a polygon needs at least 3 distinct points, got ${distinct}`,
        [key],
      )
      return undefined
    }
    if (!samePoint(points[0]!, points[points.length - 1]!))
      points.push({ x: points[0]!.x, y: points[0]!.y })
    return { type: 'polygon', points }
  }
  if (distinct < 2) {
    add(issues, 'line_too_few_points', `a line needs at least 2 distinct points, got ${distinct}`, [
      key,
    ])
    return undefined
  }
  return { type: 'line', points }
}

function samePoint(a: PointRecord, b: PointRecord): boolean {
  return a.x === b.x && a.y === b.y
}

const MASK_FORMS = ['instanceURI', 'url', 'imBytes', 'png'] as const

/**
 * Mask syntax only: exactly one of instanceURI / url / imBytes / png / {counts, size}, and a
 * valid colorRGB when given. Pixels (decoding, color present, size) are the server's job.
 */
export function checkMask(value: unknown, issues: Issue[]): NdMask | undefined {
  const path = ['mask']
  if (!isObject(value)) {
    add(
      issues,
      'mask_invalid',
      `mask must be an object with one of instanceURI, url, imBytes, png or {counts, size}, got ${show(value)}`,
      path,
    )
    return undefined
  }
  let form: (typeof MASK_FORMS)[number] | 'rle' | undefined
  let forms = 0
  for (const key of MASK_FORMS) {
    if (!isAbsent(value[key])) {
      form = key
      forms++
    }
  }
  if (!isAbsent(value.counts) || !isAbsent(value.size)) {
    form = 'rle'
    forms++
  }
  if (forms !== 1 || form === undefined) {
    const found = Object.keys(value).filter(
      (k) => (MASK_FORMS as readonly string[]).includes(k) || k === 'counts' || k === 'size',
    )
    add(
      issues,
      'mask_invalid',
      `mask must have exactly one of instanceURI, url, imBytes, png or {counts, size}; found ${found.length === 0 ? 'none' : found.join(', ')}`,
      path,
    )
    return undefined
  }
  if (form === 'rle') return checkRle(value, issues)
  const source = value[form]
  if (typeof source !== 'string' || source === '') {
    add(
      issues,
      'mask_invalid',
      `mask.${form} must be a non-empty string, got ${show(source)}`,
      at(path, form),
    )
    return undefined
  }
  if (form === 'png') return { png: source }
  const color = value.colorRGB
  if (isAbsent(color)) {
    // no color: a binary mask, every non-black pixel belongs to it
    return form === 'instanceURI'
      ? { instanceURI: source }
      : form === 'url'
        ? { url: source }
        : { imBytes: source }
  }
  if (!isColor(color)) {
    add(
      issues,
      'mask_color_invalid',
      `colorRGB must be 3 integers in 0..255, got ${show(color)}`,
      at(path, 'colorRGB'),
    )
    return undefined
  }
  const colorRGB: [number, number, number] = [color[0], color[1], color[2]]
  return form === 'instanceURI'
    ? { instanceURI: source, colorRGB }
    : form === 'url'
      ? { url: source, colorRGB }
      : { imBytes: source, colorRGB }
}

function isColor(value: unknown): value is [number, number, number] {
  if (!Array.isArray(value) || value.length !== 3) return false
  for (const c of value)
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 255) return false
  return true
}

function checkRle(value: Json, issues: Issue[]): NdMask | undefined {
  const { counts, size } = value
  const sizeOk =
    Array.isArray(size) &&
    size.length === 2 &&
    size.every((n) => typeof n === 'number' && Number.isInteger(n) && n > 0)
  if (!sizeOk) {
    add(
      issues,
      'mask_rle_invalid',
      `mask.size must be [height, width] of positive integers, got ${show(size)}`,
      ['mask', 'size'],
    )
    return undefined
  }
  if (typeof counts === 'string') {
    if (counts === '') {
      add(issues, 'mask_rle_invalid', 'mask.counts must not be empty', ['mask', 'counts'])
      return undefined
    }
    return { counts, size: [size[0] as number, size[1] as number] }
  }
  if (!Array.isArray(counts) || counts.length === 0) {
    add(
      issues,
      'mask_rle_invalid',
      `mask.counts must be a COCO RLE string or a list of run lengths, got ${show(counts)}`,
      ['mask', 'counts'],
    )
    return undefined
  }
  for (let i = 0; i < counts.length; i++) {
    const run: unknown = counts[i]
    if (typeof run !== 'number' || !Number.isInteger(run) || run < 0) {
      add(
        issues,
        'mask_rle_invalid',
        `mask.counts[${i}] must be a non-negative integer, got ${show(run)}`,
        ['mask', 'counts', i],
      )
      return undefined
    }
  }
  return { counts: counts as number[], size: [size[0] as number, size[1] as number] }
}
