/** Node-only helpers of the SDK: local files as streams. Loaded through a dynamic import only. */
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { LocalFile, NodeHelpers } from '../node-helpers.ts'

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.bmp': 'image/bmp',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.ndjson': 'application/x-ndjson',
  '.jsonl': 'application/x-ndjson',
  '.json': 'application/json',
}

export function toLocalPath(pathOrFileUrl: string): string {
  return pathOrFileUrl.startsWith('file:') ? fileURLToPath(pathOrFileUrl) : resolve(pathOrFileUrl)
}

export async function openLocalFile(path: string): Promise<LocalFile> {
  const absolute = toLocalPath(path)
  const info = await stat(absolute)
  if (!info.isFile()) throw new Error(`${absolute} is not a file`)
  const body = Readable.toWeb(createReadStream(absolute)) as unknown as ReadableStream<Uint8Array>
  return {
    body,
    size: info.size,
    contentType: CONTENT_TYPES[extname(absolute).toLowerCase()] ?? 'application/octet-stream',
  }
}

export async function readLocalFile(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(toLocalPath(path)))
}

export const helpers: NodeHelpers = { openLocalFile, readLocalFile, toLocalPath }
