/**
 * Writers read export v2 rows (the server's `GET /v1/projects/:id/export` lines, with `rle`
 * so masks carry their own RLE). Typed loosely: only what the writers use.
 */
import type { ExportClassification, ExportObject } from '@labelport/core'

export type Layer = 'labels' | 'prelabels' | 'both'

export type ExportObjectLike = Pick<
  ExportObject,
  'feature_id' | 'name' | 'confidence' | 'custom_metrics'
> &
  Partial<
    Pick<
      ExportObject,
      'bounding_box' | 'polygon' | 'line' | 'point' | 'mask_rle' | 'classifications'
    >
  >

export type ExportClassificationLike = Pick<
  ExportClassification,
  'name' | 'radio_answer' | 'checklist_answers' | 'text_answer'
>

interface LabelLike {
  annotations: { objects: ExportObjectLike[]; classifications?: ExportClassificationLike[] }
}

export interface ExportRowLike {
  data_row: { id: string; global_key: string | null; row_data?: string }
  media_attributes: { width: number; height: number }
  projects: Record<string, { labels?: LabelLike[]; prelabels?: LabelLike[] }>
}

/** The objects of one row, from the chosen layer (both: labels first, then pre-labels). */
export function exportObjects(row: ExportRowLike, layer: Layer): ExportObjectLike[] {
  const out: ExportObjectLike[] = []
  for (const project of Object.values(row.projects)) {
    if (layer !== 'prelabels')
      for (const l of project.labels ?? []) out.push(...l.annotations.objects)
    if (layer !== 'labels')
      for (const l of project.prelabels ?? []) out.push(...l.annotations.objects)
  }
  return out
}

/** The classifications of the whole image of one row, from the chosen layer. */
export function exportClassifications(
  row: ExportRowLike,
  layer: Layer,
): ExportClassificationLike[] {
  const out: ExportClassificationLike[] = []
  for (const project of Object.values(row.projects)) {
    if (layer !== 'prelabels')
      for (const l of project.labels ?? []) out.push(...(l.annotations.classifications ?? []))
    if (layer !== 'labels')
      for (const l of project.prelabels ?? []) out.push(...(l.annotations.classifications ?? []))
  }
  return out
}

/** Does the row have a label (or pre-label) in the chosen layer? */
export function hasLabel(row: ExportRowLike, layer: Layer): boolean {
  return Object.values(row.projects).some(
    (p) =>
      (layer !== 'prelabels' && (p.labels?.length ?? 0) > 0) ||
      (layer !== 'labels' && (p.prelabels?.length ?? 0) > 0),
  )
}
