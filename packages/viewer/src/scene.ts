/**
 * The drawable scene of one data row: stored annotations turned into shapes with colors and
 * bounding boxes, plus a grid index for hit testing. Pure: no DOM, so it is cheap to test.
 * Coordinates are in the image frame of docs/architecture.md ("Coordinates").
 */
import type {
  AnnotationLayer,
  AnnotationRecord,
  BoxRecord,
  ClassificationRecord,
  NormalizedOntology,
  ObjectRecord,
  PointRecord,
  RelationshipRecord,
  RleRecord,
} from '@labelport/core'

/** What the viewer is given: one stored annotation (the API's `StoredAnnotation` with a typed record). */
export interface ViewerAnnotation {
  id: string
  layer: AnnotationLayer
  importId: string
  record: AnnotationRecord
}

export type ShapeGeometry =
  | { type: 'bbox'; box: BoxRecord }
  | { type: 'polygon'; points: PointRecord[] }
  | { type: 'line'; points: PointRecord[] }
  | { type: 'point'; point: PointRecord }
  | { type: 'mask'; rle: RleRecord; box: BoxRecord; area: number }

/** One drawable object. */
export interface SceneObject {
  /** the stored annotation's id */
  id: string
  uuid: string
  layer: AnnotationLayer
  name: string
  tool: ObjectRecord['tool']
  color: string
  geometry: ShapeGeometry
  /** axis-aligned bounds in image pixels */
  bounds: BoxRecord
  confidence: number | undefined
  classifications: ClassificationRecord[]
  record: ObjectRecord
}

export interface SceneRelationship {
  id: string
  uuid: string
  layer: AnnotationLayer
  name: string
  color: string
  source: SceneObject | undefined
  target: SceneObject | undefined
  bidirectional: boolean
  record: RelationshipRecord
}

export interface Scene {
  objects: SceneObject[]
  relationships: SceneRelationship[]
  /** global classifications, by layer */
  classifications: {
    id: string
    layer: AnnotationLayer
    record: ClassificationRecord
    confidence: number | undefined
  }[]
  byId: Map<string, SceneObject | SceneRelationship>
}

export const FALLBACK_COLOR = '#4f6bed'

/** featureSchemaId → tool color, for every tool of the ontology. */
export function toolColors(ontology: NormalizedOntology | null): Map<string, string> {
  const colors = new Map<string, string>()
  for (const tool of ontology?.tools ?? [])
    if (tool.featureSchemaId && tool.color) colors.set(tool.featureSchemaId, tool.color)
  return colors
}

export function boundsOf(geometry: ShapeGeometry): BoxRecord {
  switch (geometry.type) {
    case 'bbox':
    case 'mask':
      return geometry.box
    case 'point':
      return { left: geometry.point.x, top: geometry.point.y, width: 0, height: 0 }
    case 'polygon':
    case 'line': {
      let minX = Infinity
      let minY = Infinity
      let maxX = -Infinity
      let maxY = -Infinity
      for (const p of geometry.points) {
        if (p.x < minX) minX = p.x
        if (p.y < minY) minY = p.y
        if (p.x > maxX) maxX = p.x
        if (p.y > maxY) maxY = p.y
      }
      if (minX === Infinity) return { left: 0, top: 0, width: 0, height: 0 }
      return { left: minX, top: minY, width: maxX - minX, height: maxY - minY }
    }
  }
}

function toShape(record: ObjectRecord): ShapeGeometry {
  const g = record.geometry
  switch (g.type) {
    case 'bbox':
      return { type: 'bbox', box: { left: g.left, top: g.top, width: g.width, height: g.height } }
    case 'polygon':
      return { type: 'polygon', points: g.points }
    case 'line':
      return { type: 'line', points: g.points }
    case 'point':
      return { type: 'point', point: { x: g.x, y: g.y } }
    case 'mask':
      return { type: 'mask', rle: g.rle, box: g.bbox, area: g.area }
  }
}

/** Builds the scene; relationships are resolved against objects of the same layer by uuid. */
export function buildScene(
  annotations: readonly ViewerAnnotation[],
  ontology: NormalizedOntology | null,
): Scene {
  const colors = toolColors(ontology)
  const objects: SceneObject[] = []
  const relationships: SceneRelationship[] = []
  const classifications: Scene['classifications'] = []
  const byId = new Map<string, SceneObject | SceneRelationship>()
  const byLayerUuid = new Map<string, SceneObject>()
  for (const a of annotations) {
    const r = a.record
    if (r.kind !== 'object') continue
    const geometry = toShape(r)
    const object: SceneObject = {
      id: a.id,
      uuid: r.uuid,
      layer: a.layer,
      name: r.name,
      tool: r.tool,
      color: colors.get(r.featureSchemaId) ?? FALLBACK_COLOR,
      geometry,
      bounds: boundsOf(geometry),
      confidence: r.confidence,
      classifications: r.classifications,
      record: r,
    }
    objects.push(object)
    byId.set(a.id, object)
    byLayerUuid.set(`${a.layer}:${r.uuid}`, object)
  }
  for (const a of annotations) {
    const r = a.record
    if (r.kind === 'classification') {
      classifications.push({
        id: a.id,
        layer: a.layer,
        record: r.classification,
        confidence: r.confidence ?? r.classification.confidence,
      })
    } else if (r.kind === 'relationship') {
      const rel: SceneRelationship = {
        id: a.id,
        uuid: r.uuid,
        layer: a.layer,
        name: r.name,
        color: colors.get(r.featureSchemaId) ?? FALLBACK_COLOR,
        source: byLayerUuid.get(`${a.layer}:${r.source}`),
        target: byLayerUuid.get(`${a.layer}:${r.target}`),
        bidirectional: r.relationshipType === 'bidirectional',
        record: r,
      }
      relationships.push(rel)
      byId.set(a.id, rel)
    }
  }
  // Draw big things first so small ones stay visible and win hit tests drawn on top.
  objects.sort((a, b) => b.bounds.width * b.bounds.height - a.bounds.width * a.bounds.height)
  return { objects, relationships, classifications, byId }
}

/** The anchor of an object for relationship arrows: the centre of its bounds. */
export function centerOf(object: SceneObject): PointRecord {
  return {
    x: object.bounds.left + object.bounds.width / 2,
    y: object.bounds.top + object.bounds.height / 2,
  }
}

/** Image ↔ screen: `screen = image * scale + offset` (CSS pixels relative to the canvas). */
export interface ViewTransform {
  scale: number
  offsetX: number
  offsetY: number
}

export function toScreen(t: ViewTransform, p: PointRecord): PointRecord {
  return { x: p.x * t.scale + t.offsetX, y: p.y * t.scale + t.offsetY }
}

export function toImage(t: ViewTransform, p: PointRecord): PointRecord {
  return { x: (p.x - t.offsetX) / t.scale, y: (p.y - t.offsetY) / t.scale }
}

/** Zooms by `factor` keeping the image point under `anchor` (screen) fixed. */
export function zoomAround(
  t: ViewTransform,
  anchor: PointRecord,
  factor: number,
  limits = { min: 0.01, max: 64 },
): ViewTransform {
  const scale = Math.min(limits.max, Math.max(limits.min, t.scale * factor))
  const k = scale / t.scale
  return {
    scale,
    offsetX: anchor.x - (anchor.x - t.offsetX) * k,
    offsetY: anchor.y - (anchor.y - t.offsetY) * k,
  }
}

/** The transform that fits an image into a viewport with a margin, centred. */
export function fitTransform(
  imageWidth: number,
  imageHeight: number,
  viewWidth: number,
  viewHeight: number,
  margin = 16,
): ViewTransform {
  const scale = Math.max(
    0.01,
    Math.min(
      (viewWidth - 2 * margin) / Math.max(1, imageWidth),
      (viewHeight - 2 * margin) / Math.max(1, imageHeight),
    ),
  )
  return {
    scale,
    offsetX: (viewWidth - imageWidth * scale) / 2,
    offsetY: (viewHeight - imageHeight * scale) / 2,
  }
}
