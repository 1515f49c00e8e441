/**
 * The editor's document: immutable records keyed by uuid. An edit replaces records, so a history
 * step is a map of (before, after) pairs and undo swaps them back. Masks are bitmaps cropped to
 * the painted area while editing and become COCO RLE only when the draft is written.
 * Coordinates are pixels of the image as displayed: origin top-left, x right, y down.
 */
import type { BoxRecord, PointRecord } from '@labelport/core'

/** A binary mask cropped to `left, top, width, height` (row-major, one byte per pixel, 0 or 1). */
export interface MaskBitmap {
  left: number
  top: number
  width: number
  height: number
  data: Uint8Array
}

export type EditorGeometry =
  | { type: 'bbox'; box: BoxRecord }
  /** open ring: the first point is not repeated at the end */
  | { type: 'polygon'; points: PointRecord[] }
  | { type: 'line'; points: PointRecord[] }
  | { type: 'point'; point: PointRecord }
  | { type: 'mask'; mask: MaskBitmap }

/** Answers of classifications, by the classification's featureSchemaId. */
export type Answers = Readonly<Record<string, Answer>>
export type Answer =
  | { type: 'radio'; option: string; nested: Answers }
  /** option featureSchemaId → that option's nested answers */
  | { type: 'checklist'; options: Readonly<Record<string, Answers>> }
  | { type: 'text'; text: string }

/** Where an annotation came from (the draft format's `provenance`). */
export type Provenance =
  | { source: 'drawn' }
  | { source: 'prelabel'; importId: string; originalUuid: string; modified: boolean }
  | { source: 'imported'; importId: string }

/** A pre-label not yet accepted or rejected. */
export interface SuggestionInfo {
  importId: string
  confidence: number | undefined
}

interface RecordBase {
  uuid: string
  featureSchemaId: string
  name: string
  provenance: Provenance
  /** set while the record is an undecided suggestion */
  suggestion?: SuggestionInfo
}
export interface ObjectItem extends RecordBase {
  kind: 'object'
  geometry: EditorGeometry
  answers: Answers
}
export interface RelationshipItem extends RecordBase {
  kind: 'relationship'
  source: string
  target: string
  bidirectional: boolean
}
/** A global classification: the answer to one classification of the ontology's top level. */
export interface ClassificationItem extends RecordBase {
  kind: 'classification'
  answer: Answer
}
export type EditorItem = ObjectItem | RelationshipItem | ClassificationItem

/** uuid → change; `undefined` on a side means "absent". */
export type Diff = Map<string, { before: EditorItem | undefined; after: EditorItem | undefined }>

export function boundsOfGeometry(g: EditorGeometry): BoxRecord {
  switch (g.type) {
    case 'bbox':
      return g.box
    case 'mask':
      return { left: g.mask.left, top: g.mask.top, width: g.mask.width, height: g.mask.height }
    case 'point':
      return { left: g.point.x, top: g.point.y, width: 0, height: 0 }
    case 'polygon':
    case 'line': {
      let minX = Infinity
      let minY = Infinity
      let maxX = -Infinity
      let maxY = -Infinity
      for (const p of g.points) {
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

/** A box with positive width and height whatever corners it was dragged between. */
export function boxFromCorners(a: PointRecord, b: PointRecord): BoxRecord {
  return {
    left: Math.min(a.x, b.x),
    top: Math.min(a.y, b.y),
    width: Math.abs(a.x - b.x),
    height: Math.abs(a.y - b.y),
  }
}

export function translateGeometry(g: EditorGeometry, dx: number, dy: number): EditorGeometry {
  const move = (p: PointRecord) => ({ x: p.x + dx, y: p.y + dy })
  switch (g.type) {
    case 'bbox':
      return { type: 'bbox', box: { ...g.box, left: g.box.left + dx, top: g.box.top + dy } }
    case 'polygon':
    case 'line':
      return { type: g.type, points: g.points.map(move) }
    case 'point':
      return { type: 'point', point: move(g.point) }
    case 'mask':
      // masks live on the pixel grid
      return {
        type: 'mask',
        mask: { ...g.mask, left: g.mask.left + Math.round(dx), top: g.mask.top + Math.round(dy) },
      }
  }
}

/** Keeps geometry inside the image (what the server's judge checks at submit). */
export function clampPoint(p: PointRecord, width: number, height: number): PointRecord {
  return { x: Math.max(0, Math.min(width, p.x)), y: Math.max(0, Math.min(height, p.y)) }
}

/** A new record version that is no longer an untouched suggestion: editing a suggestion accepts it as modified. */
export function markEdited<T extends EditorItem>(item: T): T {
  if (item.suggestion) {
    const { suggestion, ...rest } = item
    return {
      ...rest,
      provenance: {
        source: 'prelabel',
        importId: suggestion.importId,
        originalUuid: item.uuid,
        modified: true,
      },
    } as T
  }
  if (item.provenance.source === 'prelabel' && !item.provenance.modified)
    return { ...item, provenance: { ...item.provenance, modified: true } }
  return item
}

/** Accepting a suggestion as it is. */
export function acceptSuggestion<T extends EditorItem>(item: T): T {
  if (!item.suggestion) return item
  const { suggestion, ...rest } = item
  return {
    ...rest,
    provenance: {
      source: 'prelabel',
      importId: suggestion.importId,
      originalUuid: item.uuid,
      modified: false,
    },
  } as T
}

export function newUuid(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto
  if (c?.randomUUID) return c.randomUUID()
  // not reached in browsers or Node 20; kept so pure code has no hard dependency
  const hex = () => Math.floor(Math.random() * 16).toString(16)
  const s = Array.from({ length: 32 }, hex).join('')
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-a${s.slice(17, 20)}-${s.slice(20)}`
}
