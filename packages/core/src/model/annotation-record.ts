/**
 * What an accepted import line becomes: ids resolved, nesting checked, geometry normalized.
 * The database stores it as JSON; export v2, NDJSON re-serialization and the web app read it.
 * Coordinates are in the image frame of docs/architecture.md ("Coordinates").
 */
import type { ToolType } from '../ontology/normalized.ts'
import type { CustomMetric } from '../ndjson/line.ts'

/** pre-labels come from MAL imports, labels from ground-truth imports */
export type AnnotationLayer = 'prelabel' | 'label'

export interface Scores {
  confidence?: number
  customMetrics?: CustomMetric[]
}

export interface AnswerRecord extends Scores {
  featureSchemaId: string
  /** the option's value */
  name: string
  classifications: ClassificationRecord[]
}

interface ClassificationBase extends Scores {
  featureSchemaId: string
  name: string
}
export interface RadioRecord extends ClassificationBase {
  type: 'radio'
  answer: AnswerRecord
}
export interface ChecklistRecord extends ClassificationBase {
  type: 'checklist'
  answers: AnswerRecord[]
}
export interface TextRecord extends ClassificationBase {
  type: 'text'
  text: string
}
export type ClassificationRecord = RadioRecord | ChecklistRecord | TextRecord

export interface BoxRecord {
  top: number
  left: number
  height: number
  width: number
}
export interface PointRecord {
  x: number
  y: number
}

/** COCO RLE in column-major order; `counts` is the compressed string form. */
export interface RleRecord {
  counts: string
  size: [height: number, width: number]
}

export type GeometryRecord =
  | ({ type: 'bbox' } & BoxRecord)
  | { type: 'polygon'; /** closed: last point equals the first */ points: PointRecord[] }
  | { type: 'line'; points: PointRecord[] }
  | ({ type: 'point' } & PointRecord)
  | {
      type: 'mask'
      /** sha256 of the composite PNG, stored once however many lines use it */
      compositeSha256: string
      /** the color this instance has in the composite; null for a binary mask (png, RLE) */
      color: [number, number, number] | null
      rle: RleRecord
      bbox: BoxRecord
      /** pixels in the mask */
      area: number
    }

interface RecordBase extends Scores {
  /** canonical lowercase uuid, the user's own when given */
  uuid: string
  dataRowId: string
  featureSchemaId: string
  name: string
}
export interface ObjectRecord extends RecordBase {
  kind: 'object'
  tool: Exclude<ToolType, 'edge'>
  geometry: GeometryRecord
  classifications: ClassificationRecord[]
}
export interface ClassificationLineRecord extends RecordBase {
  kind: 'classification'
  classification: ClassificationRecord
}
export interface RelationshipRecord extends RecordBase {
  kind: 'relationship'
  source: string
  target: string
  relationshipType: 'unidirectional' | 'bidirectional'
}
export type AnnotationRecord = ObjectRecord | ClassificationLineRecord | RelationshipRecord

export type MaskGeometryRecord = Extract<GeometryRecord, { type: 'mask' }>
/** A mask line's object before its mask is decoded (by the server): everything but the geometry. */
export type MaskLineRecord = Omit<ObjectRecord, 'geometry'>

/** The object of a mask line, once its mask was decoded. */
export function withMaskGeometry(
  record: MaskLineRecord,
  geometry: MaskGeometryRecord,
): ObjectRecord {
  // the key order of every object record (it is the stored JSON's order)
  const { kind, uuid, dataRowId, featureSchemaId, name, tool, classifications, ...scores } = record
  return {
    kind,
    uuid,
    dataRowId,
    featureSchemaId,
    name,
    tool,
    geometry,
    classifications,
    ...scores,
  }
}
