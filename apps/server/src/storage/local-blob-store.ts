/** The embedded default: blobs as files under `<data-dir>/blobs`, written to a temp file then renamed. */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises'
import { dirname, join, normalize, sep } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { BlobInfo, BlobStore } from './blob-store.ts'

export class LocalBlobStore implements BlobStore {
  readonly #root: string
  #tmpCounter = 0

  constructor(root: string) {
    this.#root = root
  }

  #path(key: string): string {
    const path = normalize(join(this.#root, key))
    if (!path.startsWith(this.#root + sep)) throw new Error(`blob key escapes the store: ${key}`)
    return path
  }

  async put(
    key: string,
    data: Uint8Array | Readable | AsyncIterable<Uint8Array>,
  ): Promise<BlobInfo> {
    const path = this.#path(key)
    await mkdir(dirname(path), { recursive: true })
    const tmp = `${path}.tmp-${process.pid}-${++this.#tmpCounter}`
    const hash = createHash('sha256')
    let size = 0
    const source = data instanceof Uint8Array ? Readable.from([data]) : data
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const chunk of chunks) {
            hash.update(chunk)
            size += chunk.byteLength
            yield chunk
          }
        },
        createWriteStream(tmp),
      )
      await rename(tmp, path)
    } catch (err) {
      await rm(tmp, { force: true })
      throw err
    }
    return { size, sha256: hash.digest('hex') }
  }

  async get(key: string): Promise<Uint8Array | null> {
    if (!(await this.has(key))) return null
    try {
      return await readFile(this.#path(key))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
  }

  async stream(key: string): Promise<Readable | null> {
    return (await this.has(key)) ? createReadStream(this.#path(key)) : null
  }

  async size(key: string): Promise<number | null> {
    try {
      const info = await stat(this.#path(key))
      // `a` is a folder once `a/b` exists; a folder is not a blob
      return info.isFile() ? info.size : null
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
  }

  async has(key: string): Promise<boolean> {
    return (await this.size(key)) !== null
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key)
    await rm(path, { force: true })
    // an import's folder (imports/<id>/) goes with its last blob; only that job writes there
    if (key.startsWith('imports/')) await rmdir(dirname(path)).catch(() => undefined)
  }

  localPath(key: string): string | null {
    return this.#path(key)
  }
}
