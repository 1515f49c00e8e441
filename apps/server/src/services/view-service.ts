/** Read models for the web app: project grids, one data row's annotations, masks as PNG. */
import { AppError, type DataRowAnnotations, type StoredAnnotation } from '@labelport/core'
import type { Repositories } from '@labelport/db'
import { maskBlobKey, type MaskProcessor } from '../masks/mask-processor.ts'
import type { BlobStore } from '../storage/blob-store.ts'
import type { Caller } from './auth-service.ts'
import type { CatalogService } from './catalog-service.ts'
import type { ProjectService } from './project-service.ts'

export class ViewService {
  readonly #repos: Pick<Repositories, 'annotations' | 'datasets' | 'maskOwners'>
  readonly #blobs: BlobStore
  readonly #catalog: CatalogService
  readonly #projects: ProjectService
  readonly #masks: MaskProcessor

  constructor(deps: {
    repos: Pick<Repositories, 'annotations' | 'datasets' | 'maskOwners'>
    blobs: BlobStore
    catalog: CatalogService
    projects: ProjectService
    masks: MaskProcessor
  }) {
    this.#repos = deps.repos
    this.#blobs = deps.blobs
    this.#catalog = deps.catalog
    this.#projects = deps.projects
    this.#masks = deps.masks
  }

  /** A data row with the projects it is used in. */
  async dataRow(caller: Caller, id: string) {
    const { blobKey: _blobKey, ...row } = await this.#catalog.getDataRow(caller, id)
    return { ...row, projects: await this.#repos.datasets.projectsOfDataRow(id) }
  }

  async projectDataRows(
    caller: Caller,
    projectId: string,
    cursor: string | undefined,
    limit: number | undefined,
  ) {
    await this.#projects.getProject(caller, projectId)
    const page = await this.#repos.annotations.listProjectDataRows(projectId, cursor, limit ?? 100)
    return {
      items: page.items.map(({ blobKey: _blobKey, ...r }) => r),
      nextCursor: page.nextCursor,
    }
  }

  async dataRowAnnotations(
    caller: Caller,
    projectId: string,
    dataRowId: string,
  ): Promise<DataRowAnnotations> {
    await this.#projects.getProject(caller, projectId)
    const { blobKey: _blobKey, ...dataRow } = await this.#catalog.getDataRow(caller, dataRowId)
    const annotations: StoredAnnotation[] = []
    for await (const a of this.#repos.annotations.streamProjectAnnotations(projectId, [
      dataRowId,
    ])) {
      annotations.push({ id: a.id, layer: a.layer, importId: a.importId, record: a.record })
    }
    const label = (await this.#repos.annotations.getLabels(projectId, [dataRowId])).get(dataRowId)
    return {
      dataRow,
      label: label ? { id: label.id, isBenchmarkReference: label.isBenchmarkReference } : null,
      annotations,
    }
  }

  /** A composite mask, only for an organization an import of which stored it (not by hash alone). */
  async compositeMask(caller: Caller, sha256: string): Promise<Uint8Array> {
    const owned =
      /^[0-9a-f]{64}$/.test(sha256) &&
      (await this.#repos.maskOwners.owns(caller.organizationId, sha256))
    const png = owned ? await this.#blobs.get(maskBlobKey(sha256)) : null
    if (!png) throw new AppError('mask_not_found', `No stored mask ${sha256}`, { path: ['sha256'] })
    return png
  }

  async annotationMask(
    caller: Caller,
    projectId: string,
    annotationId: string,
  ): Promise<Uint8Array> {
    await this.#projects.getProject(caller, projectId)
    const annotation = await this.#repos.annotations.getAnnotation(projectId, annotationId)
    const record = annotation?.record
    if (record?.kind !== 'object' || record.geometry.type !== 'mask')
      throw new AppError('mask_not_found', `No mask annotation ${annotationId} in this project`, {
        path: ['annotationId'],
      })
    return this.#masks.toBinaryPng(record.geometry)
  }

  async deleteProject(caller: Caller, projectId: string): Promise<void> {
    const keys = await this.#projects.deleteProject(caller, projectId)
    // uploads may be shared by other imports; only per-import blobs go
    for (const key of keys) if (key.startsWith('imports/')) await this.#blobs.delete(key)
  }
}
