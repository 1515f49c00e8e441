/**
 * What every BlobStore must do, as node:test cases; each store's test file registers them once, so
 * the local-disk and S3 stores are held to the same behaviour. Test-only: nothing else imports it.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { BlobStore } from './blob-store.ts'

export interface ContractStore {
  store: BlobStore
  cleanup(): Promise<void>
}

/** more than one 5 MiB multipart part, and more than one default stream chunk */
const BIG_SIZE = 12 * 1024 * 1024
const CHUNK_SIZE = 64 * 1024

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** deterministic bytes that are not all alike, so a misplaced chunk cannot go unnoticed */
function patternBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length)
  let state = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    bytes[i] = state & 0xff
  }
  return bytes
}

/** a source that takes its time, like a network body */
async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += size) {
    await nextTurn()
    yield bytes.subarray(offset, Math.min(offset + size, bytes.byteLength))
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks)
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8')

export function describeBlobStoreContract(
  name: string,
  makeStore: () => Promise<ContractStore>,
  options: { skip?: string | false } = {},
): void {
  // node:test collects these itself; the returned promises need no awaiting
  void describe(`${name} (BlobStore contract)`, { skip: options.skip ?? false }, () => {
    let made: ContractStore | undefined
    const store = (): BlobStore => {
      assert.ok(made, 'the store was not made')
      return made.store
    }
    /** the blob as a Buffer (for readable diffs); fails the test when absent */
    const getBytes = async (key: string): Promise<Buffer> => {
      const bytes = await store().get(key)
      assert.ok(bytes, `no blob at ${key}`)
      return Buffer.from(bytes)
    }
    before(async () => {
      made = await makeStore()
    })
    after(async () => {
      await made?.cleanup()
    })

    void it('puts a Uint8Array and returns its size and sha256', async () => {
      const bytes = new Uint8Array(patternBytes(1000, 1))
      const info = await store().put('contract/from-bytes.bin', bytes, 'application/octet-stream')
      assert.deepEqual(info, { size: 1000, sha256: sha256(bytes) })
      assert.deepEqual(await getBytes('contract/from-bytes.bin'), Buffer.from(bytes))
    })

    void it('puts a Node Readable in several chunks', async () => {
      const parts = [text('first line\n'), text('second line\n'), text('third')]
      const info = await store().put(
        'contract/from-readable.txt',
        Readable.from(parts),
        'text/plain',
      )
      const whole = Buffer.concat(parts)
      assert.deepEqual(info, { size: whole.byteLength, sha256: sha256(whole) })
      assert.deepEqual(await getBytes('contract/from-readable.txt'), whole)
    })

    void it('puts an async iterable', async () => {
      const whole = patternBytes(10_000, 2)
      const info = await store().put('contract/from-iterable.bin', chunksOf(whole, 3000))
      assert.deepEqual(info, { size: 10_000, sha256: sha256(whole) })
      assert.deepEqual(await getBytes('contract/from-iterable.bin'), whole)
    })

    void it('puts an empty blob', async () => {
      const info = await store().put('contract/empty', chunksOf(new Uint8Array(), 1))
      assert.deepEqual(info, { size: 0, sha256: sha256(new Uint8Array()) })
      assert.equal(await store().size('contract/empty'), 0)
      assert.equal(await store().has('contract/empty'), true)
      assert.equal((await store().get('contract/empty'))?.byteLength, 0)
    })

    void it('answers null or false for an absent key', async () => {
      const key = 'contract/never-written'
      assert.equal(await store().get(key), null)
      assert.equal(await store().stream(key), null)
      assert.equal(await store().size(key), null)
      assert.equal(await store().has(key), false)
    })

    void it('streams, sizes and finds a present key', async () => {
      const bytes = patternBytes(4321, 3)
      await store().put('contract/present.bin', bytes)
      const stream = await store().stream('contract/present.bin')
      assert.ok(stream)
      assert.deepEqual(await readAll(stream), bytes)
      assert.equal(await store().size('contract/present.bin'), 4321)
      assert.equal(await store().has('contract/present.bin'), true)
    })

    void it('replaces a blob on a second put', async () => {
      await store().put('contract/overwritten.txt', text('a longer first version'))
      const info = await store().put('contract/overwritten.txt', Readable.from([text('second')]))
      assert.deepEqual(info, { size: 6, sha256: sha256(text('second')) })
      assert.deepEqual(await getBytes('contract/overwritten.txt'), text('second'))
      assert.equal(await store().size('contract/overwritten.txt'), 6)
    })

    void it('deletes a blob, and deleting an absent one is fine', async () => {
      await store().put('contract/deleted.txt', text('short-lived'))
      await store().delete('contract/deleted.txt')
      assert.equal(await store().has('contract/deleted.txt'), false)
      assert.equal(await store().get('contract/deleted.txt'), null)
      await store().delete('contract/deleted.txt')
      await store().delete('contract/never-written-either')
    })

    void it('keeps the previous blob when the source fails mid-put', async () => {
      await store().put('contract/kept.txt', text('previous'))
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield text('partial ')
        await nextTurn()
        throw new Error('source failed')
      }
      await assert.rejects(store().put('contract/kept.txt', failing()), /source failed/)
      assert.deepEqual(await getBytes('contract/kept.txt'), text('previous'))
      await assert.rejects(store().put('contract/not-created.txt', failing()), /source failed/)
      assert.equal(await store().has('contract/not-created.txt'), false)
    })

    void it('streams a 12 MB blob in and reads it back byte for byte', async () => {
      const whole = patternBytes(BIG_SIZE, 4)
      const info = await store().put(
        'contract/big/twelve-megabytes.bin',
        Readable.from(chunksOf(whole, CHUNK_SIZE)),
      )
      assert.deepEqual(info, { size: BIG_SIZE, sha256: sha256(whole) })
      assert.equal(await store().size('contract/big/twelve-megabytes.bin'), BIG_SIZE)
      const stream = await store().stream('contract/big/twelve-megabytes.bin')
      assert.ok(stream)
      const read = await readAll(stream)
      assert.equal(read.byteLength, BIG_SIZE)
      // equals() rather than deepEqual: a failure should not print twelve megabytes
      assert.ok(read.equals(whole), 'the blob read back differs from the one written')
    })

    void it('keeps keys with slashes apart', async () => {
      await store().put('contract/deep/a/b/c.txt', text('c'))
      await store().put('contract/deep/a/b/d.txt', text('d'))
      await store().put('contract/deep/x/c.txt', text('other c'))
      assert.deepEqual(await getBytes('contract/deep/a/b/c.txt'), text('c'))
      assert.deepEqual(await getBytes('contract/deep/a/b/d.txt'), text('d'))
      assert.deepEqual(await getBytes('contract/deep/x/c.txt'), text('other c'))
      assert.equal(await store().has('contract/deep/a/c.txt'), false)
      // a key that is only a prefix of other keys is not a blob
      assert.equal(await store().has('contract/deep/a'), false)
      assert.equal(await store().size('contract/deep/a'), null)
      assert.equal(await store().get('contract/deep/a'), null)
      await store().delete('contract/deep/a/b/c.txt')
      assert.equal(await store().has('contract/deep/a/b/c.txt'), false)
      assert.equal(await store().has('contract/deep/a/b/d.txt'), true)
    })
  })
}
