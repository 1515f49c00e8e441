import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeBlobStoreContract } from './blob-store-contract.ts'
import { LocalBlobStore } from './local-blob-store.ts'

describeBlobStoreContract('LocalBlobStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'labelport-blobs-'))
  return {
    store: new LocalBlobStore(root),
    cleanup: () => rm(root, { recursive: true, force: true }),
  }
})
