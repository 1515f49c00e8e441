/**
 * Export v2 `annotations` of one label: what Labelbox's `project.export()` puts under
 * `projects[id].labels[i].annotations` (reference/labelbox-sdk.md §5). Keys are snake_case there.
 * Coordinates are in the image frame of docs/architecture.md ("Coordinates").
 */
import type {
  AnnotationRecord,
  AnswerRecord,
  ClassificationRecord,
  ObjectRecord,
  PointRecord,
  RelationshipRecord,
} from '../model/annotation-record.ts'
import { assertNever } from '../errors.ts'

export type ExportAnnotationKind =
  'ImageBoundingBox' | 'ImagePolygon' | 'ImagePolyline' | 'ImagePoint' | 'ImageSegmentationMask'

export interface ExportPoint {
  x: number
  y: number
}

export interface ExportAnswer {
  feature_schema_id: string
  name: string
  value: string
  classifications: ExportClassification[]
}

/**
 * A classification, at the top or nested. Nested classifications and answers carry no
 * `feature_id`: the record keeps no id for them (only whole lines have uuids).
 */
export interface ExportClassification {
  feature_id?: string
  feature_schema_id: string
  name: string
  value: string
  radio_answer?: ExportAnswer
  checklist_answers?: ExportAnswer[]
  text_answer?: { content: string }
}

export interface ExportObject {
  feature_id: string
  feature_schema_id: string
  name: string
  value: string
  annotation_kind: ExportAnnotationKind
  classifications: ExportClassification[]
  /** a pre-label's (or label's) confidence as imported */
  confidence?: number
  /** the line's `customMetrics` as imported (format readers keep source ids and flags here) */
  custom_metrics?: { name: string; value: number }[]
  bounding_box?: { top: number; left: number; height: number; width: number }
  polygon?: ExportPoint[]
  line?: ExportPoint[]
  point?: ExportPoint
  composite_mask?: { url: string; color_rgb: [number, number, number] }
  /** with the `rle` export option: the instance's own mask, COCO RLE (column-major), its area and box */
  mask_rle?: {
    counts: string
    size: [number, number]
    area: number
    bounding_box: { top: number; left: number; height: number; width: number }
  }
}

export interface ExportRelationship {
  feature_id: string
  feature_schema_id: string
  name: string
  value: string
  unidirectional: boolean
  source: string
  target: string
}

export interface ExportLabelAnnotations {
  objects: ExportObject[]
  classifications: ExportClassification[]
  relationships: ExportRelationship[]
}

export interface ExportOptions {
  /** URL of the composite mask a mask record points into (the server's mask route) */
  maskUrl: (record: ObjectRecord) => string
  /** add each mask's own RLE (`mask_rle`) beside the composite URL */
  maskRle?: boolean
}

/** Groups the records of one label into export v2 objects, classifications and relationships, in record order. */
export function toExportLabelAnnotations(
  records: readonly AnnotationRecord[],
  opts: ExportOptions,
): ExportLabelAnnotations {
  const out: ExportLabelAnnotations = { objects: [], classifications: [], relationships: [] }
  for (const record of records) {
    switch (record.kind) {
      case 'object':
        out.objects.push(toExportObject(record, opts))
        break
      case 'classification':
        out.classifications.push({
          feature_id: record.uuid,
          ...toExportClassification(record.classification),
        })
        break
      case 'relationship':
        out.relationships.push(toExportRelationship(record))
        break
      default:
        assertNever(record, 'annotation record')
    }
  }
  return out
}

function toExportObject(record: ObjectRecord, opts: ExportOptions): ExportObject {
  const base = {
    feature_id: record.uuid,
    feature_schema_id: record.featureSchemaId,
    name: record.name,
    value: record.name,
    ...(record.confidence !== undefined ? { confidence: record.confidence } : {}),
    ...(record.customMetrics !== undefined
      ? { custom_metrics: record.customMetrics.map((m) => ({ name: m.name, value: m.value })) }
      : {}),
  }
  const classifications = record.classifications.map(toExportClassification)
  const geometry = record.geometry
  switch (geometry.type) {
    case 'bbox':
      return {
        ...base,
        annotation_kind: 'ImageBoundingBox',
        classifications,
        bounding_box: {
          top: geometry.top,
          left: geometry.left,
          height: geometry.height,
          width: geometry.width,
        },
      }
    case 'polygon':
      return {
        ...base,
        annotation_kind: 'ImagePolygon',
        classifications,
        polygon: geometry.points.map(toExportPoint),
      }
    case 'line':
      return {
        ...base,
        annotation_kind: 'ImagePolyline',
        classifications,
        line: geometry.points.map(toExportPoint),
      }
    case 'point':
      return {
        ...base,
        annotation_kind: 'ImagePoint',
        classifications,
        point: { x: geometry.x, y: geometry.y },
      }
    case 'mask':
      return {
        ...base,
        annotation_kind: 'ImageSegmentationMask',
        classifications,
        // a binary mask (png, RLE) is stored with its pixels white
        composite_mask: { url: opts.maskUrl(record), color_rgb: geometry.color ?? [255, 255, 255] },
        ...(opts.maskRle === true
          ? {
              mask_rle: {
                counts: geometry.rle.counts,
                size: geometry.rle.size,
                area: geometry.area,
                bounding_box: { ...geometry.bbox },
              },
            }
          : {}),
      }
    default:
      return assertNever(geometry, 'geometry')
  }
}

function toExportPoint(point: PointRecord): ExportPoint {
  return { x: point.x, y: point.y }
}

function toExportClassification(record: ClassificationRecord): ExportClassification {
  const base = { feature_schema_id: record.featureSchemaId, name: record.name, value: record.name }
  switch (record.type) {
    case 'radio':
      return { ...base, radio_answer: toExportAnswer(record.answer) }
    case 'checklist':
      return { ...base, checklist_answers: record.answers.map(toExportAnswer) }
    case 'text':
      return { ...base, text_answer: { content: record.text } }
    default:
      return assertNever(record, 'classification record')
  }
}

function toExportAnswer(answer: AnswerRecord): ExportAnswer {
  return {
    feature_schema_id: answer.featureSchemaId,
    name: answer.name,
    value: answer.name,
    classifications: answer.classifications.map(toExportClassification),
  }
}

function toExportRelationship(record: RelationshipRecord): ExportRelationship {
  return {
    feature_id: record.uuid,
    feature_schema_id: record.featureSchemaId,
    name: record.name,
    value: record.name,
    unidirectional: record.relationshipType === 'unidirectional',
    source: record.source,
    target: record.target,
  }
}
