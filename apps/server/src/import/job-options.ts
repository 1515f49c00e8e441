/**
 * Options of one import job that the job row does not hold: a small JSON blob written before the
 * job row (so a job never runs without its options) and read by whichever server claims the job.
 * Absent: every option off (jobs from before options existed, and most jobs).
 */
import { importBlobKeys } from '@labelport/db'
import type { BlobStore } from '../storage/blob-store.ts'

export interface ImportJobOptions {
  /** clip geometry overshooting the image by a pixel or more (warning `geometry_clipped`) */
  clip?: boolean
  /**
   * lines carry `source` (where a format import read them: file, element, line, annotation id),
   * copied onto their status lines
   */
  sources?: boolean
}

export async function writeJobOptions(
  blobs: BlobStore,
  importId: string,
  options: ImportJobOptions,
): Promise<void> {
  if (options.clip !== true && options.sources !== true) return
  await blobs.put(
    importBlobKeys.options(importId),
    Buffer.from(JSON.stringify(options)),
    'application/json',
  )
}

export async function readJobOptions(
  blobs: BlobStore,
  importId: string,
): Promise<ImportJobOptions> {
  const bytes = await blobs.get(importBlobKeys.options(importId))
  if (bytes === null) return {}
  const read = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>
  return { clip: read.clip === true, sources: read.sources === true }
}
