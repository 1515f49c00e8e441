/**
 * Export v2 (reference/labelbox-sdk.md §5): one JSON line per data row of the project, with the
 * ground-truth label under `labels` and the MAL pre-labels under `prelabels` beside it.
 */
import { toExportLabelAnnotations, type AnnotationRecord } from '@labelport/core'
import type { Repositories } from '@labelport/db'
import type { Caller } from './auth-service.ts'
import type { ProjectService } from './project-service.ts'

const PAGE = 500

export class ExportService {
  readonly #repos: Pick<Repositories, 'annotations' | 'datasets'>
  readonly #projects: ProjectService

  constructor(deps: {
    repos: Pick<Repositories, 'annotations' | 'datasets'>
    projects: ProjectService
  }) {
    this.#repos = deps.repos
    this.#projects = deps.projects
  }

  /** Yields NDJSON lines; `origin` makes mask URLs absolute (`http://host:port`). */
  async *exportProject(
    caller: Caller,
    projectId: string,
    origin: string,
    opts: { maskRle?: boolean } = {},
  ): AsyncGenerator<string> {
    const project = await this.#projects.getProject(caller, projectId)
    const datasetNames = new Map<string, string>()
    const maskUrl = (r: AnnotationRecord) =>
      r.kind === 'object' && r.geometry.type === 'mask'
        ? `${origin}/v1/masks/${r.geometry.compositeSha256}`
        : ''
    let cursor: string | undefined
    do {
      const page = await this.#repos.annotations.listProjectDataRows(projectId, cursor, PAGE)
      cursor = page.nextCursor ?? undefined
      const ids = page.items.map((r) => r.id)
      const byRow = new Map<string, { prelabel: AnnotationRecord[]; label: AnnotationRecord[] }>()
      for await (const a of this.#repos.annotations.streamProjectAnnotations(projectId, ids)) {
        let entry = byRow.get(a.dataRowId)
        if (!entry) byRow.set(a.dataRowId, (entry = { prelabel: [], label: [] }))
        entry[a.layer].push(a.record)
      }
      const labels = await this.#repos.annotations.getLabels(projectId, ids)
      for (const row of page.items) {
        let datasetName = datasetNames.get(row.datasetId)
        if (datasetName === undefined) {
          datasetName =
            (await this.#repos.datasets.getDataset(caller.organizationId, row.datasetId))?.name ??
            ''
          datasetNames.set(row.datasetId, datasetName)
        }
        const entry = byRow.get(row.id) ?? { prelabel: [], label: [] }
        const label = labels.get(row.id)
        const out = {
          data_row: {
            id: row.id,
            global_key: row.globalKey,
            // an uploaded image (`upload://…`) is fetchable at the image route with the caller's key
            row_data: row.rowData.startsWith('upload://')
              ? `${origin}/v1/data-rows/${row.id}/image`
              : row.rowData,
            details: {
              dataset_id: row.datasetId,
              dataset_name: datasetName,
              created_at: row.createdAt,
              updated_at: row.createdAt,
              last_activity_at: row.createdAt,
              created_by: null,
            },
          },
          media_attributes: {
            height: row.mediaAttributes.height,
            width: row.mediaAttributes.width,
            mime_type: row.mediaAttributes.mimeType,
            exif_rotation: String(row.mediaAttributes.exifOrientation),
          },
          attachments: [],
          metadata_fields: [],
          projects: {
            [project.id]: {
              name: project.name,
              labels:
                label && entry.label.length > 0
                  ? [
                      {
                        label_kind: 'Default',
                        version: '1.0.0',
                        id: label.id,
                        label_details: {
                          created_at: label.createdAt,
                          updated_at: label.updatedAt,
                          created_by: null,
                          content_last_updated_at: label.updatedAt,
                          reviews: [],
                        },
                        performance_details: {
                          seconds_to_create: 0,
                          seconds_to_review: 0,
                          skipped: false,
                        },
                        is_benchmark_reference: label.isBenchmarkReference,
                        annotations: toExportLabelAnnotations(entry.label, {
                          maskUrl,
                          maskRle: opts.maskRle === true,
                        }),
                      },
                    ]
                  : [],
              prelabels:
                entry.prelabel.length > 0
                  ? [
                      {
                        annotations: toExportLabelAnnotations(entry.prelabel, {
                          maskUrl,
                          maskRle: opts.maskRle === true,
                        }),
                      },
                    ]
                  : [],
              project_details: {
                batch_id: row.batchId,
                workflow_status: entry.label.length > 0 ? 'DONE' : 'TO_LABEL',
              },
            },
          },
        }
        yield JSON.stringify(out)
      }
    } while (cursor)
  }
}
