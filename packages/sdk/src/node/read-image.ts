/**
 * Node-only: reads a mask image from disk so that the browser-safe helpers in ../masks.ts can take
 * local files, e.g. `extractRgbColors(await readImageFile('masks/0001.png'))`.
 * This folder is the only place in the SDK allowed to use node:* modules.
 */
import { readFile } from 'node:fs/promises'

/** The bytes of an image file (a path, or a file: URL). */
export async function readImageFile(path: string | URL): Promise<Uint8Array> {
  const buffer = await readFile(path)
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}
