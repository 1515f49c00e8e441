// Over 500 lines: serialize and deserialize of every annotation kind, kept side by side so each kind's two directions read together.
/**
 * Converts between the SDK's `Label` objects and NDJSON import lines (reference/labelbox-sdk.md §2),
 * with Labelbox's shapes but none of its serializer bugs: camelCase at every depth, `confidence: 0`
 * kept, the user's uuids kept, relationships pointing at the uuids their object lines really carry,
 * lines in the order the annotations were given.
 *
 * Normalizations (a round trip gives the same lines up to these):
 * - bbox: `top = min(y)`, `left = min(x)`, `height = |dy|`, `width = |dx|`; read back as
 *   `start = (left, top)`, `end = (left + width, top + height)`.
 * - polygons come out closed (last point = first).
 * - a line without `uuid` gets a fresh one; `answers` comes out as `answer`; a top-level
 *   radio/checklist/text line loses an empty `classifications`; object lines always carry one.
 * - masks: `{url, colorRGB}` comes out as `{instanceURI, colorRGB}`; `{imBytes}` without a color as
 *   `{png}` (both are binary masks); RLE counts come out in the compressed string form.
 * - deserialize has no ontology, so an object `answer` is a Radio and a list is a Checklist; a single
 *   object is read as a one-answer Checklist only under the checklist-only key `answers`.
 * All coordinates are in the image frame of docs/architecture.md ("Coordinates").
 */
import { AppError } from '../errors.ts'
import type { IssuePath } from '../errors.ts'
import { decodeBase64, encodeBase64 } from '../annotation/base64.ts'
import { checkFiniteNumber, describe, isRecord, resolveUuid } from '../annotation/checks.ts'
import {
  Checklist,
  ClassificationAnnotation,
  ClassificationAnswer,
  Radio,
  Text,
} from '../annotation/classification.ts'
import type { ClassificationValue } from '../annotation/classification.ts'
import { Line, Point, Polygon, Rectangle } from '../annotation/geometry.ts'
import { Label } from '../annotation/label.ts'
import type { Annotation } from '../annotation/label.ts'
import { Mask, MaskData } from '../annotation/mask.ts'
import type { RgbColor } from '../annotation/mask.ts'
import { ObjectAnnotation } from '../annotation/object-annotation.ts'
import type { ObjectValue } from '../annotation/object-annotation.ts'
import { Relationship, RelationshipAnnotation } from '../annotation/relationship.ts'
import { decodeRle, encodeRle } from '../mask/rle.ts'
import { dataRowRefKey, requireDataRowRef, requireFeatureRef, requireKind } from './line-grammar.ts'
import type {
  CustomMetric,
  DataRowRef,
  FeatureRef,
  KindKey,
  NdAnswer,
  NdBboxLine,
  NdClassification,
  NdLine,
  NdMask,
  NdMaskLine,
  NdObjectLine,
  NdPoint,
  NdPointLine,
  NdPolygonLine,
  NdPolylineLine,
} from './line.ts'

// ---------------------------------------------------------------- serialize

interface Scored {
  confidence?: number
  customMetrics?: CustomMetric[]
}

function featureOf(feature: {
  name?: string | undefined
  featureSchemaId?: string | undefined
}): FeatureRef {
  return {
    ...(feature.name === undefined ? {} : { name: feature.name }),
    ...(feature.featureSchemaId === undefined ? {} : { schemaId: feature.featureSchemaId }),
  }
}

/** The first source that has a score wins: the annotation's own, then its value's. */
function scoresOf(...sources: Scored[]): Scored {
  const confidence = sources.find((s) => s.confidence !== undefined)?.confidence
  const customMetrics = sources.find((s) => s.customMetrics !== undefined)?.customMetrics
  return {
    ...(confidence === undefined ? {} : { confidence }),
    ...(customMetrics === undefined
      ? {}
      : { customMetrics: customMetrics.map((m) => ({ name: m.name, value: m.value })) }),
  }
}

function serializeAnswer(answer: ClassificationAnswer): NdAnswer {
  return {
    ...featureOf(answer),
    ...scoresOf(answer),
    ...(answer.classifications.length === 0
      ? {}
      : { classifications: answer.classifications.map(serializeNested) }),
  }
}

function serializeValue(value: ClassificationValue): NdAnswer | NdAnswer[] | string {
  if (value instanceof Radio) return serializeAnswer(value.answer)
  if (value instanceof Checklist) return value.answer.map(serializeAnswer)
  return value.answer
}

/** A classification nested under an object or an answer: no uuid, no dataRow. */
function serializeNested(c: ClassificationAnnotation): NdClassification {
  return { ...featureOf(c), answer: serializeValue(c.value), ...scoresOf(c, c.value) }
}

function serializeMask(mask: Mask, path: IssuePath): NdMask {
  const data = mask.mask
  const color = mask.color === undefined ? {} : { colorRGB: [...mask.color] as RgbColor }
  if (data.url !== undefined) return { instanceURI: data.url, ...color }
  if (data.imBytes !== undefined) {
    // without a color every non-black pixel is in the mask: that is exactly the `{png}` form
    return mask.color === undefined
      ? { png: encodeBase64(data.imBytes) }
      : { imBytes: encodeBase64(data.imBytes), ...color }
  }
  if (data.arr !== undefined && data.width !== undefined && data.height !== undefined) {
    const rle = encodeRle(data.arr, data.width, data.height)
    return { counts: rle.counts, size: [rle.size[0], rle.size[1]] }
  }
  throw new AppError(
    'field_invalid',
    `MaskData with only filePath (${describe(data.filePath)}) must be read into imBytes before serializing`,
    {
      path: [...path, 'mask', 'filePath'],
    },
  )
}

function toNdPoint(p: Point): NdPoint {
  return { x: p.x, y: p.y }
}

type NdGeometry =
  | Pick<NdBboxLine, 'bbox'>
  | Pick<NdPolygonLine, 'polygon'>
  | Pick<NdPolylineLine, 'line'>
  | Pick<NdPointLine, 'point'>
  | Pick<NdMaskLine, 'mask'>

function serializeGeometry(value: ObjectValue, path: IssuePath): NdGeometry {
  if (value instanceof Rectangle) {
    const { start, end } = value
    return {
      bbox: {
        top: Math.min(start.y, end.y),
        left: Math.min(start.x, end.x),
        height: Math.abs(end.y - start.y),
        width: Math.abs(end.x - start.x),
      },
    }
  }
  if (value instanceof Polygon) return { polygon: value.points.map(toNdPoint) }
  if (value instanceof Line) return { line: value.points.map(toNdPoint) }
  if (value instanceof Point) return { point: toNdPoint(value) }
  return { mask: serializeMask(value, path) }
}

function serializeAnnotation(
  annotation: Annotation,
  dataRow: DataRowRef,
  objectUuids: Set<string>,
  path: IssuePath,
): NdLine {
  const base = { uuid: annotation.uuid, dataRow: { ...dataRow }, ...featureOf(annotation) }
  if (annotation instanceof ObjectAnnotation) {
    return {
      ...base,
      classifications: annotation.classifications.map(serializeNested),
      ...serializeGeometry(annotation.value, [...path, 'value']),
      ...scoresOf(annotation),
    } satisfies NdObjectLine
  }
  if (annotation instanceof ClassificationAnnotation) {
    return {
      ...base,
      answer: serializeValue(annotation.value),
      ...scoresOf(annotation, annotation.value),
    }
  }
  const { source, target, type } = annotation.value
  for (const [key, end] of [
    ['source', source],
    ['target', target],
  ] as const) {
    if (!objectUuids.has(end.uuid)) {
      throw new AppError(
        'relationship_endpoint_unknown',
        `the relationship's ${key} (${end.uuid}) is not an object annotation of this label`,
        {
          path: [...path, 'value', key],
        },
      )
    }
  }
  return { ...base, relationship: { source: source.uuid, target: target.uuid, type } }
}

/**
 * Labels → NDJSON lines, one per annotation, in the order given. Throws `AppError`
 * (`uuid_duplicate`, `relationship_endpoint_unknown`, `field_invalid`) with a path into `labels`.
 */
function serialize(labels: readonly Label[]): NdLine[] {
  const lines: NdLine[] = []
  const uuidsByDataRow = new Map<string, Set<string>>()
  labels.forEach((label, l) => {
    if (!(label instanceof Label))
      throw new AppError('field_invalid', `expected a Label, got ${describe(label)}`, { path: [l] })
    const key = dataRowRefKey(label.data)
    const seen = uuidsByDataRow.get(key) ?? new Set<string>()
    uuidsByDataRow.set(key, seen)
    const objectUuids = new Set(
      label.annotations.filter((a) => a instanceof ObjectAnnotation).map((a) => a.uuid),
    )
    label.annotations.forEach((annotation, a) => {
      const path = [l, 'annotations', a]
      if (seen.has(annotation.uuid)) {
        throw new AppError(
          'uuid_duplicate',
          `uuid ${annotation.uuid} is used twice on data row ${key}`,
          { path: [...path, 'uuid'] },
        )
      }
      seen.add(annotation.uuid)
      const line = serializeAnnotation(annotation, label.data, objectUuids, path)
      lines.push(label.isBenchmarkReference ? { ...line, isBenchmarkReferenceLabel: true } : line)
    })
  })
  return lines
}

// -------------------------------------------------------------- deserialize

function fail(code: 'field_invalid', message: string, path: IssuePath): never {
  throw new AppError(code, message, { path })
}

/** Runs a constructor and re-roots any `AppError` path at `path` (constructor paths are relative to their options). */
function build<T>(path: IssuePath, make: () => T): T {
  try {
    return make()
  } catch (err) {
    if (err instanceof AppError)
      throw new AppError(err.code, err.message, { path: [...path, ...err.path], cause: err })
    throw err
  }
}

/** The line grammar's feature reference (`name`, `schemaId`) as the constructors' options. */
function readFeature(
  raw: Record<string, unknown>,
  path: IssuePath,
): { name?: string; featureSchemaId?: string } {
  const { name, schemaId } = requireFeatureRef(raw, path)
  return {
    ...(name === undefined ? {} : { name }),
    ...(schemaId === undefined ? {} : { featureSchemaId: schemaId }),
  }
}

function readScores(raw: Record<string, unknown>): Scored {
  return {
    ...(raw['confidence'] === undefined ? {} : { confidence: raw['confidence'] as number }),
    ...(raw['customMetrics'] === undefined
      ? {}
      : { customMetrics: raw['customMetrics'] as CustomMetric[] }),
  }
}

function readRecord(value: unknown, what: string, path: IssuePath): Record<string, unknown> {
  if (!isRecord(value))
    fail('field_invalid', `${what} must be an object, got ${describe(value)}`, path)
  return value
}

function readAnswer(raw: unknown, path: IssuePath): ClassificationAnswer {
  const answer = readRecord(raw, 'an answer', path)
  const classifications = readNestedList(answer['classifications'], [...path, 'classifications'])
  return build(
    path,
    () =>
      new ClassificationAnswer({
        ...readFeature(answer, []),
        ...readScores(answer),
        classifications,
      }),
  )
}

/** The answer of a line or nested classification: object = Radio, list = Checklist, string = Text. */
function readValue(raw: Record<string, unknown>, path: IssuePath): ClassificationValue {
  const hasAnswer = raw['answer'] !== undefined
  const key = hasAnswer ? 'answer' : 'answers'
  const answer = raw[key]
  if (typeof answer === 'string') return new Text({ answer })
  if (Array.isArray(answer))
    return new Checklist({ answer: answer.map((a, i) => readAnswer(a, [...path, key, i])) })
  if (isRecord(answer)) {
    const one = readAnswer(answer, [...path, key])
    // `answers` only ever names a checklist, so a single object there is a one-answer checklist
    return hasAnswer ? new Radio({ answer: one }) : new Checklist({ answer: [one] })
  }
  throw new AppError(
    'field_invalid',
    `answer must be an object, a list or a string, got ${describe(answer)}`,
    { path: [...path, key] },
  )
}

function readNested(raw: unknown, path: IssuePath): ClassificationAnnotation {
  const c = readRecord(raw, 'a classification', path)
  const value = readValue(c, path)
  return build(
    path,
    () => new ClassificationAnnotation({ ...readFeature(c, []), ...readScores(c), value }),
  )
}

function readNestedList(raw: unknown, path: IssuePath): ClassificationAnnotation[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw))
    fail('field_invalid', `classifications must be a list, got ${describe(raw)}`, path)
  return raw.map((c, i) => readNested(c, [...path, i]))
}

function readPoint(raw: unknown, path: IssuePath): Point {
  const p = readRecord(raw, 'a point', path)
  return build(path, () => new Point({ x: p['x'] as number, y: p['y'] as number }))
}

function readPoints(raw: unknown, path: IssuePath): Point[] {
  if (!Array.isArray(raw))
    fail('field_invalid', `expected a list of points, got ${describe(raw)}`, path)
  return raw.map((p, i) => readPoint(p, [...path, i]))
}

function readColor(raw: Record<string, unknown>): { color?: RgbColor } {
  const color = raw['colorRGB']
  return color === undefined || color === null ? {} : { color: color as RgbColor }
}

function readMask(raw: unknown, path: IssuePath): Mask {
  const m = readRecord(raw, 'mask', path)
  const uri = m['instanceURI'] ?? m['url']
  if (uri !== undefined) {
    const key = m['instanceURI'] === undefined ? 'url' : 'instanceURI'
    const data = build([...path, key], () => new MaskData({ url: uri as string }))
    return build(path, () => new Mask({ mask: data, ...readColor(m) }))
  }
  for (const key of ['imBytes', 'png'] as const) {
    const text = m[key]
    if (text === undefined) continue
    if (typeof text !== 'string')
      fail('field_invalid', `${key} must be base64 text, got ${describe(text)}`, [...path, key])
    const data = new MaskData({ imBytes: decodeBase64(text, [...path, key]) })
    // `png` is a binary mask: no color, every non-black pixel is in it
    return build(path, () => new Mask({ mask: data, ...(key === 'imBytes' ? readColor(m) : {}) }))
  }
  if (m['counts'] !== undefined || m['size'] !== undefined) {
    const decoded = decodeRle(
      { counts: m['counts'] as string, size: m['size'] as [number, number] },
      path,
    )
    if (!decoded.ok) throw AppError.fromIssue(decoded.issue)
    const data = new MaskData({ arr: decoded.mask, width: decoded.width, height: decoded.height })
    return new Mask({ mask: data })
  }
  throw new AppError(
    'mask_invalid',
    'mask needs one of instanceURI, url, imBytes, png or RLE {counts, size}',
    { path },
  )
}

function readObjectValue(
  line: Record<string, unknown>,
  kind: KindKey,
  path: IssuePath,
): ObjectValue {
  const raw = line[kind]
  const at = [...path, kind]
  switch (kind) {
    case 'bbox': {
      const b = readRecord(raw, 'bbox', at)
      // fromXYWH reports its own keys (x, y); name the line's keys instead
      for (const key of ['top', 'left', 'height', 'width'] as const)
        build([...at, key], () => checkFiniteNumber(b[key], []))
      return Rectangle.fromXYWH({
        x: b['left'] as number,
        y: b['top'] as number,
        width: b['width'] as number,
        height: b['height'] as number,
      })
    }
    case 'polygon': {
      const points = readPoints(raw, at)
      return build(at, () => new Polygon({ points }))
    }
    case 'line': {
      const points = readPoints(raw, at)
      return build(at, () => new Line({ points }))
    }
    case 'point':
      return readPoint(raw, at)
    case 'mask':
      return readMask(raw, at)
    case 'relationship':
    case 'answer':
      throw new Error(`not an object kind: ${kind}`)
  }
}

interface PendingRelationship {
  line: Record<string, unknown>
  index: number
  uuid: string
}

interface Group {
  data: DataRowRef
  benchmark: boolean
  /** in line order; relationships are filled in once every object of the data row is known */
  annotations: (Annotation | PendingRelationship)[]
  objects: Map<string, ObjectAnnotation>
  uuids: Set<string>
}

function resolveRelationship(
  pending: PendingRelationship,
  objects: Map<string, ObjectAnnotation>,
): RelationshipAnnotation {
  const path = [pending.index]
  const rel = readRecord(pending.line['relationship'], 'relationship', [...path, 'relationship'])
  const ends = (['source', 'target'] as const).map((key) => {
    const raw = rel[key]
    const uuid =
      typeof raw === 'string' ? resolveUuid(raw, [...path, 'relationship', key]) : undefined
    const object = uuid === undefined ? undefined : objects.get(uuid)
    if (object === undefined) {
      throw new AppError(
        'relationship_endpoint_unknown',
        `relationship ${key} ${describe(raw)} is no object annotation of this data row`,
        {
          path: [...path, 'relationship', key],
        },
      )
    }
    return object
  })
  const value = build(
    [...path, 'relationship'],
    () =>
      new Relationship({
        source: ends[0] as ObjectAnnotation,
        target: ends[1] as ObjectAnnotation,
        ...(rel['type'] === undefined ? {} : { type: rel['type'] as 'unidirectional' }),
      }),
  )
  return build(
    path,
    () =>
      new RelationshipAnnotation({
        ...readFeature(pending.line, []),
        value,
        uuid: pending.uuid,
      }),
  )
}

/**
 * NDJSON lines (parsed JSON values) → Labels, one per data row in first-seen order. Throws `AppError`
 * with a path `[lineIndex, …]`: `uuid_duplicate` within a data row, `relationship_endpoint_unknown`
 * when a relationship names no object of its data row, and the constructors' validation codes.
 */
function deserialize(lines: readonly unknown[]): Label[] {
  const groups = new Map<string, Group>()
  lines.forEach((raw, index) => {
    const path = [index]
    if (!isRecord(raw))
      throw new AppError(
        'line_not_object',
        `line ${index} is not a JSON object: ${describe(raw)}`,
        { path },
      )
    const data = requireDataRowRef(raw['dataRow'], [...path, 'dataRow'])
    const key = dataRowRefKey(data)
    const group: Group = groups.get(key) ?? {
      data,
      benchmark: false,
      annotations: [],
      objects: new Map(),
      uuids: new Set(),
    }
    groups.set(key, group)
    if (raw['isBenchmarkReferenceLabel'] === true) group.benchmark = true

    const uuid = resolveUuid(raw['uuid'] ?? undefined, [...path, 'uuid'])
    if (group.uuids.has(uuid))
      throw new AppError('uuid_duplicate', `uuid ${uuid} is not unique on data row ${key}`, {
        path: [...path, 'uuid'],
      })
    group.uuids.add(uuid)

    const kind = requireKind(raw, path)
    const feature = readFeature(raw, path)
    const scores = readScores(raw)
    if (kind === 'relationship') {
      group.annotations.push({ line: raw, index, uuid })
    } else if (kind === 'answer') {
      const nested = raw['classifications']
      if (Array.isArray(nested) && nested.length > 0) {
        fail(
          'field_invalid',
          'a top-level classification line carries its nested classifications under its answers',
          [...path, 'classifications'],
        )
      }
      const value = readValue(raw, path)
      group.annotations.push(
        build(path, () => new ClassificationAnnotation({ ...feature, ...scores, value, uuid })),
      )
    } else {
      const value = readObjectValue(raw, kind, path)
      const classifications = readNestedList(raw['classifications'], [...path, 'classifications'])
      const object = build(
        path,
        () => new ObjectAnnotation({ ...feature, ...scores, value, classifications, uuid }),
      )
      group.objects.set(uuid, object)
      group.annotations.push(object)
    }
  })
  return [...groups.values()].map(
    (group) =>
      new Label({
        data: group.data,
        annotations: group.annotations.map((a) =>
          'line' in a ? resolveRelationship(a, group.objects) : a,
        ),
        isBenchmarkReference: group.benchmark,
      }),
  )
}

export const NDJsonConverter = { serialize, deserialize } as const
