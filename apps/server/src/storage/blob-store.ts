/**
 * Where bytes live: uploaded images and NDJSON inputs, status files, composite masks, thumbnails.
 * Keys are slash-separated paths (`uploads/<id>`, `masks/<sha256>.png`). The local-disk store is
 * the default; an S3-compatible store implements the same interface for multi-server setups.
 */
import type { Readable } from 'node:stream'

export interface BlobInfo {
  size: number
  sha256: string
}

export interface BlobStore {
  /** streams `data` to `key`, replacing what was there; returns size and sha256 of what was written */
  put(
    key: string,
    data: Uint8Array | Readable | AsyncIterable<Uint8Array>,
    contentType?: string,
  ): Promise<BlobInfo>
  /** the whole blob, or null when absent; for small blobs only */
  get(key: string): Promise<Uint8Array | null>
  /** a stream of the blob, or null when absent */
  stream(key: string): Promise<Readable | null>
  size(key: string): Promise<number | null>
  has(key: string): Promise<boolean>
  delete(key: string): Promise<void>
  /** a local path when the store is on this disk (faster reads for sharp), else null */
  localPath(key: string): string | null
}
