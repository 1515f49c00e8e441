import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3'
import { s3 } from '@labelport/testkit'
import { describeBlobStoreContract } from './blob-store-contract.ts'
import { S3BlobStore } from './s3-blob-store.ts'
import type { S3BlobStoreOptions } from './s3-blob-store.ts'

const need = s3()
const runId = `${Date.now().toString(36)}-${process.pid}`
let bucketCount = 0

/** a bucket of its own for each suite, so runs against a long-lived moto never meet */
function freshOptions(extra: Partial<S3BlobStoreOptions> = {}): S3BlobStoreOptions {
  return {
    endpoint: need.value,
    region: 'us-east-1',
    bucket: `labelport-test-${runId}-${++bucketCount}`,
    accessKeyId: 'test',
    secretAccessKey: 'test',
    forcePathStyle: true,
    ...extra,
  }
}

function rawClient(): S3Client {
  return new S3Client({
    endpoint: need.value,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  })
}

async function deleteBucket(bucket: string): Promise<void> {
  const client = rawClient()
  try {
    let token: string | undefined
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      )
      const keys = (page.Contents ?? []).flatMap((o) =>
        o.Key === undefined ? [] : [{ Key: o.Key }],
      )
      if (keys.length > 0)
        await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }))
      token = page.NextContinuationToken
    } while (token !== undefined)
    await client.send(new DeleteBucketCommand({ Bucket: bucket }))
  } finally {
    client.destroy()
  }
}

describeBlobStoreContract(
  'S3BlobStore',
  async () => {
    const store = new S3BlobStore(freshOptions())
    await store.ensureBucket()
    return {
      store,
      cleanup: async () => {
        await deleteBucket(store.bucket)
        store.destroy()
      },
    }
  },
  { skip: need.skip },
)

describe('S3BlobStore against moto', { skip: need.skip }, () => {
  let store: S3BlobStore
  let client: S3Client

  before(async () => {
    store = new S3BlobStore(freshOptions())
    await store.ensureBucket()
    client = rawClient()
  })
  after(async () => {
    await deleteBucket(store.bucket)
    store.destroy()
    client.destroy()
  })

  it('has no local path', () => {
    assert.equal(store.localPath('uploads/a'), null)
  })

  it('creates the bucket once; a second ensureBucket is a no-op', async () => {
    await store.put('kept.txt', Buffer.from('still here'))
    await store.ensureBucket()
    assert.equal(await store.has('kept.txt'), true)
  })

  it('stores the content type', async () => {
    await store.put('typed/a.ndjson', Buffer.from('{}\n'), 'application/x-ndjson')
    const head = await client.send(
      new HeadObjectCommand({ Bucket: store.bucket, Key: 'typed/a.ndjson' }),
    )
    assert.equal(head.ContentType, 'application/x-ndjson')
  })

  it('uploads a big stream in parts', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 7)
    async function* elevenMegabytes(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 11; i++) yield chunk
    }
    const info = await store.put('big/parts.bin', elevenMegabytes())
    assert.equal(info.size, 11 * 1024 * 1024)
    const head = await client.send(
      new HeadObjectCommand({ Bucket: store.bucket, Key: 'big/parts.bin' }),
    )
    // a multipart ETag ends in -<number of parts>: 5 + 5 + 1 MiB
    assert.match(head.ETag ?? '', /-3"?$/)
  })

  it('puts every key under the prefix', async () => {
    const prefixed = new S3BlobStore({
      ...freshOptions(),
      bucket: store.bucket,
      prefix: 'tenant-a',
    })
    try {
      await prefixed.put('uploads/1', Buffer.from('in tenant a'))
      assert.deepEqual(
        Buffer.from((await store.get('tenant-a/uploads/1')) ?? []),
        Buffer.from('in tenant a'),
      )
      assert.equal(await store.has('uploads/1'), false)
      await store.put('uploads/2', Buffer.from('outside'))
      assert.equal(await prefixed.has('uploads/2'), false)
    } finally {
      prefixed.destroy()
    }
  })

  it('refuses keys that are not plain relative paths', async () => {
    for (const key of ['', '/abs', 'a//b', '../escape', 'a/./b', 'a/'])
      await assert.rejects(store.put(key, Buffer.from('x')), /not a plain relative path/, key)
  })

  it('reports a missing bucket as an error, not as an absent blob', async () => {
    const orphan = new S3BlobStore(freshOptions())
    try {
      await assert.rejects(orphan.get('a'), { name: 'NoSuchBucket' })
      await assert.rejects(orphan.stream('a'), { name: 'NoSuchBucket' })
      await assert.rejects(orphan.put('a', Buffer.from('x')), { name: 'NoSuchBucket' })
      // a failed upload must also release a streamed source bigger than what it buffers
      const source = Readable.from(
        (function* () {
          for (let i = 0; i < 40; i++) yield Buffer.alloc(1024 * 1024)
        })(),
      )
      await assert.rejects(orphan.put('b', source), { name: 'NoSuchBucket' })
      assert.equal(source.destroyed, true)
    } finally {
      orphan.destroy()
    }
  })

  it('works from LABELPORT_S3_* variables, path style by default with an endpoint', async () => {
    const fromEnv = S3BlobStore.fromEnv({
      LABELPORT_S3_BUCKET: freshOptions().bucket,
      LABELPORT_S3_ENDPOINT: need.value,
      LABELPORT_S3_ACCESS_KEY_ID: 'test',
      LABELPORT_S3_SECRET_ACCESS_KEY: 'test',
      LABELPORT_S3_PREFIX: 'from-env/',
    })
    assert.ok(fromEnv)
    try {
      await fromEnv.ensureBucket()
      await fromEnv.put('a/b.txt', Buffer.from('hello'))
      assert.deepEqual(Buffer.from((await fromEnv.get('a/b.txt')) ?? []), Buffer.from('hello'))
      const head = await client.send(
        new HeadObjectCommand({ Bucket: fromEnv.bucket, Key: 'from-env/a/b.txt' }),
      )
      assert.equal(head.ContentLength, 5)
    } finally {
      await deleteBucket(fromEnv.bucket)
      fromEnv.destroy()
    }
  })
})

describe('S3BlobStore.fromEnv', () => {
  it('is null without LABELPORT_S3_BUCKET', () => {
    assert.equal(S3BlobStore.fromEnv({}), null)
    assert.equal(S3BlobStore.fromEnv({ LABELPORT_S3_BUCKET: '', LABELPORT_S3_REGION: 'x' }), null)
  })

  it('reads the bucket', () => {
    const store = S3BlobStore.fromEnv({ LABELPORT_S3_BUCKET: 'images' })
    assert.equal(store?.bucket, 'images')
    store?.destroy()
  })

  it('refuses a force-path-style value that is not a boolean', () => {
    assert.throws(
      () => S3BlobStore.fromEnv({ LABELPORT_S3_BUCKET: 'b', LABELPORT_S3_FORCE_PATH_STYLE: 'yes' }),
      /LABELPORT_S3_FORCE_PATH_STYLE/,
    )
  })

  it('refuses an access key without its secret', () => {
    assert.throws(
      () => S3BlobStore.fromEnv({ LABELPORT_S3_BUCKET: 'b', LABELPORT_S3_ACCESS_KEY_ID: 'k' }),
      /both accessKeyId and secretAccessKey/,
    )
  })
})
