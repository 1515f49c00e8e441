/**
 * NDJSON import lines (reference/labelbox-sdk.md §2). One line is one annotation.
 * All coordinates are in the image frame of docs/architecture.md ("Coordinates").
 */

export type DataRowRef = { id: string } | { globalKey: string }

export interface FeatureRef {
  name?: string
  schemaId?: string
}

export interface CustomMetric {
  name: string
  value: number
}

export interface NdPoint {
  x: number
  y: number
}

/** `top`/`left` of the box's top-left corner, `width`/`height` to the right and down. */
export interface NdBbox {
  top: number
  left: number
  height: number
  width: number
}

/** Every mask form the import accepts; exactly one of them per line. */
export type NdMask =
  | { instanceURI: string; colorRGB?: [number, number, number] }
  | { url: string; colorRGB?: [number, number, number] }
  | { imBytes: string; colorRGB?: [number, number, number] }
  | { png: string }
  | { counts: string | number[]; size: [number, number] }

export interface NdRelationship {
  source: string
  target: string
  type: 'unidirectional' | 'bidirectional'
}

export interface NdAnswer extends FeatureRef {
  confidence?: number
  customMetrics?: CustomMetric[]
  classifications?: NdClassification[]
}

/** A classification nested under a tool or an answer: no uuid, no dataRow. */
export interface NdClassification extends FeatureRef {
  answer: NdAnswer | NdAnswer[] | string
  confidence?: number
  customMetrics?: CustomMetric[]
}

interface NdLineBase extends FeatureRef {
  uuid?: string
  dataRow: DataRowRef
  confidence?: number
  customMetrics?: CustomMetric[]
  isBenchmarkReferenceLabel?: boolean
}

export interface NdClassificationLine extends NdLineBase {
  answer: NdAnswer | NdAnswer[] | string
  classifications?: NdClassification[]
}

interface NdObjectBase extends NdLineBase {
  classifications?: NdClassification[]
}
export interface NdBboxLine extends NdObjectBase {
  bbox: NdBbox
}
export interface NdPolygonLine extends NdObjectBase {
  polygon: NdPoint[]
}
export interface NdPolylineLine extends NdObjectBase {
  line: NdPoint[]
}
export interface NdPointLine extends NdObjectBase {
  point: NdPoint
}
export interface NdMaskLine extends NdObjectBase {
  mask: NdMask
}
export interface NdRelationshipLine extends NdLineBase {
  relationship: NdRelationship
}

export type NdObjectLine = NdBboxLine | NdPolygonLine | NdPolylineLine | NdPointLine | NdMaskLine
export type NdLine = NdClassificationLine | NdObjectLine | NdRelationshipLine

/** The keys that decide what a line is; a line has exactly one. */
export const KIND_KEYS = [
  'bbox',
  'polygon',
  'line',
  'point',
  'mask',
  'relationship',
  'answer',
] as const
export type KindKey = (typeof KIND_KEYS)[number]
