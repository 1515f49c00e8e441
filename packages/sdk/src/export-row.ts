/**
 * Export v2 rows as the server writes them (reference/labelbox-sdk.md §5): one per data row,
 * ground truth under `labels`, MAL pre-labels under `prelabels`. Typed loosely on purpose:
 * fields the SDK does not rely on stay open.
 */

export interface ExportAnnotation {
  feature_id: string
  feature_schema_id: string
  name: string
  value: string
  annotation_kind?: string
  classifications?: ExportAnnotation[]
  [key: string]: unknown
}

export interface ExportLabel {
  id: string
  label_kind?: string
  annotations: {
    objects: ExportAnnotation[]
    classifications: ExportAnnotation[]
    relationships: ExportAnnotation[]
  }
  [key: string]: unknown
}

export interface ExportProjectEntry {
  name: string
  labels: ExportLabel[]
  prelabels: ExportLabel[]
  [key: string]: unknown
}

export interface ExportRow {
  data_row: { id: string; global_key: string | null; row_data: string; [key: string]: unknown }
  media_attributes: { width: number; height: number; mime_type: string; [key: string]: unknown }
  projects: Record<string, ExportProjectEntry>
  [key: string]: unknown
}
