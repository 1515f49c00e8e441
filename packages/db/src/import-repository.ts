/**
 * What the import pipeline writes: a judged chunk of annotations with the job's checkpoint (one
 * guarded transaction, see annotation-writer.ts) and the masks its organization may read.
 */
import type { Connection } from './connect.ts'
import {
  writeAnnotationRows,
  type AnnotationRow,
  type ImportGuard,
  type LabelTouch,
} from './annotation-writer.ts'
import { MaskOwners } from './mask-owners.ts'
import { ImportRevertRepository } from './import-revert-repository.ts'

export interface ImportChunk {
  rows: AnnotationRow[]
  labels: LabelTouch[]
  /** composite masks the rows point at: granted to the organization before the rows are written */
  maskShas: ReadonlySet<string>
  organizationId: string
  guard: ImportGuard
  /** a dry run's accepted rows: not written, counted for its preview (issue 10) */
  preview?: AnnotationRow[]
}

export class ImportRepository {
  readonly #conn: Connection
  readonly #maskOwners: MaskOwners
  readonly #reverts: ImportRevertRepository

  constructor(conn: Connection) {
    this.#conn = conn
    this.#maskOwners = new MaskOwners(conn.db)
    this.#reverts = new ImportRevertRepository(conn)
  }

  /** Commits a chunk; throws JobLostError when the job is no longer `guard.owner`'s. */
  async writeChunk(chunk: ImportChunk): Promise<void> {
    if (chunk.preview)
      await this.#reverts.recordPreviewPart(
        chunk.guard.importId,
        chunk.guard.checkpoint.statusParts,
        chunk.preview,
      )
    if (chunk.maskShas.size > 0) await this.#maskOwners.grant(chunk.organizationId, chunk.maskShas)
    await writeAnnotationRows(
      this.#conn,
      chunk.rows,
      chunk.labels,
      new Date().toISOString(),
      chunk.guard,
    )
  }
}
