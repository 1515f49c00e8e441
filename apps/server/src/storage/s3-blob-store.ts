/**
 * The scale-out store: blobs as objects in an S3-compatible bucket (AWS S3, MinIO, moto…), so that
 * several servers share them. Big bodies go up as multipart uploads through lib-storage.
 */
import { createHash } from 'node:crypto'
import { PassThrough, Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import type { BucketLocationConstraint, S3ClientConfig } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import type { BlobInfo, BlobStore } from './blob-store.ts'

export interface S3BlobStoreOptions {
  /** e.g. `http://127.0.0.1:9000` for a local server; AWS's own endpoint when absent */
  endpoint?: string
  region: string
  bucket: string
  /** both or neither; without them the SDK's default chain applies (env, profile, instance role) */
  accessKeyId?: string
  secretAccessKey?: string
  /** `bucket` in the path rather than the host name; local servers need it */
  forcePathStyle?: boolean
  /** put in front of every key, e.g. `labelport/`; a missing trailing slash is added */
  prefix?: string
}

/** Node 20 is supported until 2027; the SDK's advance notice would otherwise print on every start. */
function silenceNodeVersionWarning(): void {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true'
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined
}

function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('$metadata' in err)) return undefined
  const metadata = (err as { $metadata?: { httpStatusCode?: number } }).$metadata
  return metadata?.httpStatusCode
}

/**
 * The key (GetObject: NoSuchKey; HeadObject: NotFound, no body) is absent. A missing bucket is a
 * configuration error and must not read as "no blob", but HEAD answers without a body, so a bare
 * 404 cannot tell the two apart there; `ensureBucket()` at startup covers that case.
 */
function isMissingKey(err: unknown): boolean {
  const name = errorName(err)
  if (name === 'NoSuchKey' || name === 'NotFound') return true
  return httpStatus(err) === 404 && name !== 'NoSuchBucket'
}

function parseBoolean(name: string, value: string): boolean {
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new Error(`${name} must be true or false, got ${JSON.stringify(value)}`)
}

export class S3BlobStore implements BlobStore {
  readonly #client: S3Client
  readonly #bucket: string
  readonly #prefix: string
  readonly #region: string

  constructor(options: S3BlobStoreOptions) {
    if (!options.bucket) throw new Error('S3BlobStore needs a bucket')
    if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined))
      throw new Error('S3BlobStore needs both accessKeyId and secretAccessKey, or neither')
    silenceNodeVersionWarning()
    const config: S3ClientConfig = { region: options.region }
    if (options.endpoint !== undefined) config.endpoint = options.endpoint
    if (options.forcePathStyle !== undefined) config.forcePathStyle = options.forcePathStyle
    if (options.accessKeyId !== undefined && options.secretAccessKey !== undefined)
      config.credentials = {
        accessKeyId: options.accessKeyId,
        secretAccessKey: options.secretAccessKey,
      }
    this.#client = new S3Client(config)
    this.#bucket = options.bucket
    this.#region = options.region
    const prefix = (options.prefix ?? '').replace(/^\/+/, '')
    this.#prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`
  }

  /**
   * The store described by LABELPORT_S3_* variables, or null when LABELPORT_S3_BUCKET is unset
   * (the server then keeps blobs on local disk).
   */
  static fromEnv(env: Readonly<Record<string, string | undefined>>): S3BlobStore | null {
    const bucket = env['LABELPORT_S3_BUCKET']
    if (!bucket) return null
    const options: S3BlobStoreOptions = {
      bucket,
      region: env['LABELPORT_S3_REGION'] || 'us-east-1',
    }
    const endpoint = env['LABELPORT_S3_ENDPOINT']
    if (endpoint) options.endpoint = endpoint
    const accessKeyId = env['LABELPORT_S3_ACCESS_KEY_ID']
    if (accessKeyId) options.accessKeyId = accessKeyId
    const secretAccessKey = env['LABELPORT_S3_SECRET_ACCESS_KEY']
    if (secretAccessKey) options.secretAccessKey = secretAccessKey
    const forcePathStyle = env['LABELPORT_S3_FORCE_PATH_STYLE']
    // servers other than AWS seldom have per-bucket host names, hence path style with an endpoint
    options.forcePathStyle = forcePathStyle
      ? parseBoolean('LABELPORT_S3_FORCE_PATH_STYLE', forcePathStyle)
      : endpoint !== undefined && endpoint !== ''
    const prefix = env['LABELPORT_S3_PREFIX']
    if (prefix) options.prefix = prefix
    return new S3BlobStore(options)
  }

  get bucket(): string {
    return this.#bucket
  }

  /** the object key for a blob key; same rules as the local store: no empty, `.` or `..` segments */
  #objectKey(key: string): string {
    const segments = key.split('/')
    if (segments.some((s) => s === '' || s === '.' || s === '..'))
      throw new Error(`blob key is not a plain relative path: ${key}`)
    return this.#prefix + key
  }

  /** creates the bucket when it does not exist yet; call once at startup */
  async ensureBucket(): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }))
      return
    } catch (err) {
      if (errorName(err) !== 'NotFound' && httpStatus(err) !== 404) throw err
    }
    try {
      await this.#client.send(
        new CreateBucketCommand({
          Bucket: this.#bucket,
          // us-east-1 is the one region that rejects an explicit location constraint
          ...(this.#region === 'us-east-1'
            ? {}
            : {
                CreateBucketConfiguration: {
                  LocationConstraint: this.#region as BucketLocationConstraint,
                },
              }),
        }),
      )
    } catch (err) {
      // another server created it in the meantime
      if (errorName(err) !== 'BucketAlreadyOwnedByYou') throw err
    }
  }

  async put(
    key: string,
    data: Uint8Array | Readable | AsyncIterable<Uint8Array>,
    contentType?: string,
  ): Promise<BlobInfo> {
    const objectKey = this.#objectKey(key)
    const params = {
      Bucket: this.#bucket,
      Key: objectKey,
      ...(contentType === undefined ? {} : { ContentType: contentType }),
    }
    if (data instanceof Uint8Array) {
      await new Upload({ client: this.#client, params: { ...params, Body: data } }).done()
      return { size: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') }
    }
    const hash = createHash('sha256')
    let size = 0
    const body = new PassThrough()
    const feeding = pipeline(
      data,
      async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          hash.update(chunk)
          size += chunk.byteLength
          yield chunk
        }
      },
      body,
    )
    const upload = new Upload({ client: this.#client, params: { ...params, Body: body } })
    try {
      // a failing source destroys `body`, which fails the upload; lib-storage then aborts the parts
      await Promise.all([feeding, upload.done()])
    } catch (err) {
      // a failing upload stops reading `body`; end the pipeline (which destroys the source) rather
      // than leave it waiting, and let it settle so the caller's stream is released on return
      body.destroy()
      await feeding.catch(() => undefined)
      throw err
    }
    return { size, sha256: hash.digest('hex') }
  }

  async get(key: string): Promise<Uint8Array | null> {
    const body = await this.#getBody(key)
    return body === null ? null : await body.transformToByteArray()
  }

  async stream(key: string): Promise<Readable | null> {
    const body = await this.#getBody(key)
    if (body === null) return null
    // in Node the SDK answers with the HTTP response itself, already a Node stream
    if (body instanceof Readable) return body
    return Readable.fromWeb(body.transformToWebStream() as NodeReadableStream<Uint8Array>)
  }

  async #getBody(key: string) {
    try {
      const output = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) }),
      )
      if (output.Body === undefined) throw new Error(`GetObject answered without a body: ${key}`)
      return output.Body
    } catch (err) {
      if (isMissingKey(err)) return null
      throw err
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      const output = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) }),
      )
      return output.ContentLength ?? 0
    } catch (err) {
      if (isMissingKey(err)) return null
      throw err
    }
  }

  async has(key: string): Promise<boolean> {
    return (await this.size(key)) !== null
  }

  /** S3 answers 204 for an absent key too, so deleting twice is fine */
  async delete(key: string): Promise<void> {
    await this.#client.send(
      new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) }),
    )
  }

  localPath(_key: string): string | null {
    return null
  }

  /** closes the client's pooled connections; the store is unusable afterwards */
  destroy(): void {
    this.#client.destroy()
  }
}
