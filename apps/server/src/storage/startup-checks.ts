/**
 * Checks at start that storage is set up as several servers need it, and tidies what a crashed
 * process left: servers sharing one PostgreSQL database must share one blob store (a marker
 * blob, named in the database, must be readable through this server's store), and temporary
 * files of a local blob store whose writer process is gone are removed.
 */
import { randomBytes } from 'node:crypto'
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { JobRepository } from '@labelport/db'
import type { BlobStore } from './blob-store.ts'

/** The servers of one database do not share their blobs: refused at start. */
export class SharedStorageError extends Error {
  override readonly name = 'SharedStorageError'
}

export async function checkSharedBlobStore(
  jobs: JobRepository,
  blobs: BlobStore,
  isBucket: boolean,
): Promise<void> {
  const proposed = `markers/${randomBytes(12).toString('hex')}`
  // written before it is proposed: the first server's marker exists once the database names it
  const token = randomBytes(16).toString('hex')
  await blobs.put(proposed, Buffer.from(token))
  const settled = await jobs.settleSetting('blob_store_marker', `${proposed} ${token}`)
  if (!settled.startsWith(`${proposed} `)) await blobs.delete(proposed)
  const [key = '', expected = ''] = settled.split(' ')
  const found = await blobs.get(key)
  if (found === null || Buffer.from(found).toString() !== expected)
    throw new SharedStorageError(
      `This server's blob store (${isBucket ? 'the bucket in LABELPORT_S3_BUCKET' : 'files in its data dir'}) ` +
        `does not hold the marker ${key} that the first server on this PostgreSQL database wrote: ` +
        'servers sharing a database must share one bucket (set the same LABELPORT_S3_* variables on ' +
        'every server), or imports claimed by another server cannot read their input',
    )
}

/** Removes `*.tmp-<pid>-<n>` files (LocalBlobStore) whose process is no longer running. */
export async function sweepTempFiles(root: string): Promise<number> {
  let removed = 0
  let entries: string[]
  try {
    entries = await readdir(root, { recursive: true })
  } catch {
    return 0 // no blobs yet
  }
  for (const entry of entries) {
    const match = /\.tmp-(\d+)-\d+$/.exec(entry)
    if (!match) continue
    const pid = Number(match[1])
    if (pid !== process.pid && isRunning(pid)) continue
    await rm(join(root, entry), { force: true })
    removed++
  }
  return removed
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
