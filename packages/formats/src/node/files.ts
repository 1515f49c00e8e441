/** Node helpers: files as re-openable sources, directory walks, image sizes. */
import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type { FileSource } from '../model.ts'

export function fileSource(path: string, name = path): FileSource {
  return {
    name,
    open: () => createReadStream(path, { highWaterMark: 1 << 20 }),
  }
}

export function textSource(name: string, text: string): FileSource {
  return {
    name,
    // eslint-disable-next-line @typescript-eslint/require-await
    open: async function* () {
      yield text
    },
  }
}

/** Every file under `root`, as paths relative to it with `/` separators, sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      // symbolic links count as what they point to
      const kind = entry.isSymbolicLink() ? await stat(path).catch(() => null) : entry
      if (kind?.isDirectory()) await walk(path)
      else if (kind?.isFile()) out.push(relative(root, path).split(sep).join('/'))
    }
  }
  await walk(root)
  return out.sort()
}
