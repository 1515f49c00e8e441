/**
 * Writers read export v2 rows (the server's `GET /v1/projects/:id/export` lines, with `rle`
 * so masks carry their own RLE). Typed loosely: only what the writers use.
 */
import type { ExportObject } from '@labelport/core'

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

interface LabelLike {
  annotations: { objects: ExportObjectLike[] }
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
