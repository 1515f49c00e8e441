/**
 * Deletes of datasets, data rows and an import's pre-labels, each with its impact counted first
 * (issue 11, item 6). The rows go in one transaction (deletion-repository.ts); blobs nothing refers
 * to any more go after it: fetched images, uploads no other row uses, thumbnails, unused masks.
 * Projects are deleted by ViewService; their impact is counted here.
 */
import { AppError, type DeletionImpact } from '@labelport/core'
import type { DeletedBlobs, DeletionRepository } from '@labelport/db'
import type { BlobStore } from '../storage/blob-store.ts'
import { maskBlobKey } from '../masks/mask-processor.ts'
import type { Caller } from './auth-service.ts'
import type { CatalogService } from './catalog-service.ts'
import type { ImportService } from './import-service.ts'
import type { ProjectService } from './project-service.ts'

/** thumbnail sizes the web app asks for (thumbs/<row>-<size>.jpg) */
const THUMBNAIL_SIZES = [64, 128, 256, 512]

export class DeletionService {
  readonly #repository: DeletionRepository
  readonly #catalog: CatalogService
  readonly #projects: ProjectService
  readonly #imports: ImportService
  readonly #blobs: BlobStore

  constructor(deps: {
    repository: DeletionRepository
    catalog: CatalogService
    projects: ProjectService
    imports: ImportService
    blobs: BlobStore
  }) {
    this.#repository = deps.repository
    this.#catalog = deps.catalog
    this.#projects = deps.projects
    this.#imports = deps.imports
    this.#blobs = deps.blobs
  }

  async datasetImpact(caller: Caller, datasetId: string): Promise<DeletionImpact> {
    const dataset = await this.#catalog.getDataset(caller, datasetId)
    return this.#repository.datasetImpact(caller.organizationId, dataset)
  }

  async deleteDataset(caller: Caller, datasetId: string): Promise<void> {
    await this.#catalog.getDataset(caller, datasetId)
    await this.#removeBlobs(await this.#repository.deleteDataset(caller.organizationId, datasetId))
  }

  async dataRowImpact(caller: Caller, dataRowId: string): Promise<DeletionImpact> {
    const row = await this.#catalog.getDataRow(caller, dataRowId)
    return this.#repository.dataRowImpact(caller.organizationId, row)
  }

  async deleteDataRow(caller: Caller, dataRowId: string): Promise<void> {
    await this.#catalog.getDataRow(caller, dataRowId)
    await this.#removeBlobs(await this.#repository.deleteDataRow(caller.organizationId, dataRowId))
  }

  async projectImpact(caller: Caller, projectId: string): Promise<DeletionImpact> {
    const project = await this.#projects.getProject(caller, projectId)
    return this.#repository.projectImpact(project)
  }

  async importPrelabelsImpact(caller: Caller, importId: string): Promise<DeletionImpact> {
    const job = await this.#imports.get(caller, importId)
    return this.#repository.importPrelabelsImpact(job)
  }

  async deleteImportPrelabels(caller: Caller, importId: string): Promise<DeletionImpact> {
    const job = await this.#imports.get(caller, importId)
    if (job.kind !== 'mal')
      throw new AppError(
        'conflict',
        `Import ${importId} imported ground truth (labels), not pre-labels; delete its project or data rows instead`,
        { path: ['importId'] },
      )
    if (job.state === 'RUNNING')
      throw new AppError(
        'conflict',
        `Import ${importId} is still running; delete its pre-labels once it has finished`,
        { path: ['importId'] },
      )
    const impact = await this.#repository.importPrelabelsImpact(job)
    const { unusedMasks } = await this.#repository.deleteImportPrelabels(
      caller.organizationId,
      importId,
    )
    for (const sha of unusedMasks) await this.#blobs.delete(maskBlobKey(sha))
    return impact
  }

  async #removeBlobs(deleted: DeletedBlobs): Promise<void> {
    // an upload may back rows of other datasets: it goes only when no row uses it any more
    const images = await this.#repository.unusedBlobKeys(deleted.imageKeys)
    for (const key of images) await this.#blobs.delete(key)
    for (const id of deleted.dataRowIds)
      for (const size of THUMBNAIL_SIZES) await this.#blobs.delete(`thumbs/${id}-${size}.jpg`)
    for (const sha of deleted.unusedMasks) await this.#blobs.delete(maskBlobKey(sha))
  }
}
