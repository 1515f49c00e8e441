/**
 * Geometry values of object annotations, mirroring Labelbox's `Point`, `Rectangle`, `Line` and `Polygon`.
 * All coordinates are in the image frame of docs/architecture.md ("Coordinates").
 */
import { AppError } from '../errors.ts'
import type { IssuePath } from '../errors.ts'
import { checkFiniteNumber, checkList, checkOptionsObject, describe } from './checks.ts'

export interface PointOptions {
  x: number
  y: number
}

export class Point {
  readonly x: number
  readonly y: number

  constructor(options: PointOptions) {
    checkOptionsObject(options, 'Point')
    this.x = checkFiniteNumber(options.x, ['x'])
    this.y = checkFiniteNumber(options.y, ['y'])
  }

  equals(other: Point): boolean {
    return this.x === other.x && this.y === other.y
  }
}

function checkPoint(value: unknown, path: IssuePath): Point {
  if (!(value instanceof Point))
    throw new AppError('field_invalid', `expected a Point, got ${describe(value)}`, { path })
  return value
}

function checkPoints(value: unknown, path: IssuePath): Point[] {
  return checkList(value, path).map((p, i) => checkPoint(p, [...path, i]))
}

export interface RectangleOptions {
  /** one corner; corners may be given in any order, the serializer normalizes with min/abs */
  start: Point
  /** the opposite corner */
  end: Point
}

export class Rectangle {
  readonly start: Point
  readonly end: Point

  constructor(options: RectangleOptions) {
    checkOptionsObject(options, 'Rectangle')
    this.start = checkPoint(options.start, ['start'])
    this.end = checkPoint(options.end, ['end'])
  }

  /** From the top-left corner `(x, y)` and a size going right and down. */
  static fromXYWH(options: { x: number; y: number; width: number; height: number }): Rectangle {
    checkOptionsObject(options, 'Rectangle.fromXYWH')
    const x = checkFiniteNumber(options.x, ['x'])
    const y = checkFiniteNumber(options.y, ['y'])
    const width = checkFiniteNumber(options.width, ['width'])
    const height = checkFiniteNumber(options.height, ['height'])
    return new Rectangle({
      start: new Point({ x, y }),
      end: new Point({ x: x + width, y: y + height }),
    })
  }
}

export interface LineOptions {
  points: Point[]
}

/** An open polyline of at least 2 points. */
export class Line {
  readonly points: readonly Point[]

  constructor(options: LineOptions) {
    checkOptionsObject(options, 'Line')
    const points = checkPoints(options.points, ['points'])
    if (points.length < 2) {
      throw new AppError(
        'line_too_few_points',
        `a line needs at least 2 points, found ${points.length}`,
        { path: ['points'] },
      )
    }
    this.points = points
  }
}

export interface PolygonOptions {
  points: Point[]
}

/** A closed polygon: when the last point differs from the first, the first is appended (as Labelbox does). */
export class Polygon {
  readonly points: readonly Point[]

  constructor(options: PolygonOptions) {
    checkOptionsObject(options, 'Polygon')
    const points = checkPoints(options.points, ['points'])
    if (points.length < 3) {
      throw new AppError(
        'polygon_too_few_points',
        `a polygon needs at least 3 points, found ${points.length}`,
        { path: ['points'] },
      )
    }
    const first = points[0] as Point
    const last = points[points.length - 1] as Point
    this.points = first.equals(last) ? points : [...points, first]
  }
}
