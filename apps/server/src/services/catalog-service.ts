/** Datasets, uploads and data rows (the Catalog), with the async create-data-rows task. */
import { Readable } from 'node:stream'
import { AppError, newId, type DataRowInput, type Task, type TaskError } from '@labelport/core'
import type { Store } from '@labelport/db'
import type { BlobStore } from '../storage/blob-store.ts'
import { fromWebStream } from '../storage/web-streams.ts'
import type { Caller } from './auth-service.ts'
import type { Fetcher } from './fetcher.ts'
import { makeThumbnail, readMediaAttributes } from './media.ts'

export const MAX_GLOBAL_KEY_LENGTH = 200
const UPLOAD_PREFIX = 'upload://'

export class CatalogService {
  readonly #store: Store
  readonly #blobs: BlobStore
  readonly #fetch: Fetcher
  readonly #maxUploadBytes: number
  readonly #running = new Set<Promise<void>>()

  constructor(deps: { store: Store; blobs: BlobStore; fetch: Fetcher; maxUploadBytes: number }) {
    this.#store = deps.store
    this.#blobs = deps.blobs
    this.#fetch = deps.fetch
    this.#maxUploadBytes = deps.maxUploadBytes
  }

  async createUpload(caller: Caller, body: ReadableStream<Uint8Array> | null, contentType: string) {
    if (!body)
      throw new AppError('validation_failed', 'The upload body is empty', { path: ['body'] })
    const id = newId()
    const maxBytes = this.#maxUploadBytes
    let seen = 0
    // refuse past the limit while streaming: the blob store then keeps nothing of it
    async function* limited(source: AsyncIterable<Uint8Array>) {
      try {
        for await (const chunk of source) {
          seen += chunk.byteLength
          if (seen > maxBytes) {
            throw new AppError(
              'payload_too_large',
              `Uploads are limited to ${maxBytes} bytes (LABELPORT_MAX_UPLOAD_BYTES)`,
              { path: ['body'] },
            )
          }
          yield chunk
        }
      } catch (err) {
        if (err instanceof AppError) throw err
        // the client went away mid-upload: a coded refusal (the blob store keeps nothing)
        throw new AppError('validation_failed', 'The upload ended before its end', {
          path: ['body'],
          cause: err,
        })
      }
    }
    const info = await this.#blobs.put(
      `uploads/${caller.organizationId}/${id}`,
      Readable.from(limited(fromWebStream(body))),
    )
    if (info.size === 0) {
      await this.#blobs.delete(`uploads/${caller.organizationId}/${id}`)
      throw new AppError('validation_failed', 'The upload body is empty', { path: ['body'] })
    }
    return { id, size: info.size, sha256: info.sha256, contentType, uri: `${UPLOAD_PREFIX}${id}` }
  }

  uploadKey(caller: Caller, uploadId: string): string {
    if (!/^[0-9a-z]{25}$/.test(uploadId))
      throw new AppError('upload_not_found', `No upload ${uploadId}`, { path: ['uploadId'] })
    return `uploads/${caller.organizationId}/${uploadId}`
  }

  /** The bytes of an upload given as `upload://<id>` (the GraphQL layer's manifests and chunks). */
  async readUpload(caller: Caller, uri: string, path: (string | number)[]): Promise<Uint8Array> {
    if (!uri.startsWith(UPLOAD_PREFIX))
      throw new AppError(
        'validation_failed',
        `Expected ${UPLOAD_PREFIX}<id>, got '${uri.slice(0, 100)}'`,
        {
          path,
        },
      )
    const bytes = await this.#blobs.get(this.uploadKey(caller, uri.slice(UPLOAD_PREFIX.length)))
    if (!bytes) throw new AppError('upload_not_found', `No upload ${uri}`, { path })
    return bytes
  }

  async createDataset(caller: Caller, body: { name: string; description?: string | undefined }) {
    return this.#store.createDataset({
      id: newId(),
      organizationId: caller.organizationId,
      name: body.name,
      description: body.description ?? '',
    })
  }

  async getDataset(caller: Caller, id: string) {
    const dataset = await this.#store.getDataset(caller.organizationId, id)
    if (!dataset)
      throw new AppError('dataset_not_found', `No dataset ${id} in this organization`, {
        path: ['datasetId'],
      })
    return dataset
  }

  listDatasets(caller: Caller, cursor: string | undefined, limit: number | undefined) {
    return this.#store.listDatasets(caller.organizationId, cursor, limit ?? 100)
  }

  async deleteDataset(caller: Caller, id: string): Promise<void> {
    await this.getDataset(caller, id)
    const blobKeys = await this.#store.deleteDataset(caller.organizationId, id)
    // uploads may back rows of other datasets; only fetched images belong to these rows alone
    for (const key of blobKeys) if (key.startsWith('images/')) await this.#blobs.delete(key)
  }

  async getDataRow(caller: Caller, id: string) {
    const row = await this.#store.getDataRow(caller.organizationId, id)
    if (!row)
      throw new AppError('data_row_not_found', `No data row ${id} in this organization`, {
        path: ['dataRowId'],
      })
    return row
  }

  async listDataRows(
    caller: Caller,
    datasetId: string,
    cursor: string | undefined,
    limit: number | undefined,
  ) {
    await this.getDataset(caller, datasetId)
    const page = await this.#store.listDataRows(
      caller.organizationId,
      datasetId,
      cursor,
      limit ?? 100,
    )
    const usage = await this.#store.usageOfDataRows(page.items.map((r) => r.id))
    return { ...page, items: page.items.map((r) => ({ ...r, usage: usage.get(r.id) ?? [] })) }
  }

  async openImage(caller: Caller, id: string) {
    const row = await this.getDataRow(caller, id)
    const stream = await this.#blobs.stream(row.blobKey)
    if (!stream)
      throw new AppError(
        'data_row_not_found',
        `The image of data row ${id} is missing from storage`,
      )
    return { stream, mimeType: row.mediaAttributes.mimeType }
  }

  async thumbnail(caller: Caller, id: string, size: number): Promise<Uint8Array> {
    const row = await this.getDataRow(caller, id)
    const key = `thumbs/${row.id}-${size}.jpg`
    const cached = await this.#blobs.get(key)
    if (cached) return cached
    const source = this.#blobs.localPath(row.blobKey) ?? (await this.#blobs.get(row.blobKey))
    if (source === null)
      throw new AppError(
        'data_row_not_found',
        `The image of data row ${id} is missing from storage`,
      )
    const thumb = await makeThumbnail(source, size)
    await this.#blobs.put(key, thumb)
    return thumb
  }

  /** Checks what can be checked at once, then creates the rows in the background. */
  async createDataRows(caller: Caller, datasetId: string, items: DataRowInput[]): Promise<Task> {
    await this.getDataset(caller, datasetId)
    const task = await this.#store.createTask({
      id: newId(),
      organizationId: caller.organizationId,
      input: { datasetId, items },
    })
    const run = this.#runCreateDataRows(caller, task.id, datasetId, items).finally(() =>
      this.#running.delete(run),
    )
    this.#running.add(run)
    return task
  }

  async getTask(caller: Caller, id: string): Promise<Task> {
    const task = await this.#store.getTask(caller.organizationId, id)
    if (!task)
      throw new AppError('task_not_found', `No task ${id} in this organization`, {
        path: ['taskId'],
      })
    return task
  }

  /** Waits for background tasks (used at shutdown and in tests). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#running])
  }

  async #runCreateDataRows(
    caller: Caller,
    taskId: string,
    datasetId: string,
    items: DataRowInput[],
  ): Promise<void> {
    const errors: TaskError[] = []
    const created: Task['createdDataRows'] = []
    const fail = (
      i: number,
      item: DataRowInput,
      code: TaskError['code'],
      message: string,
      field: string,
    ) =>
      errors.push({
        code,
        message,
        path: ['items', i, field],
        failedDataRows: [{ rowData: item.rowData, globalKey: item.globalKey ?? null }],
      })
    try {
      const keys = items.map((i) => i.globalKey).filter((k): k is string => typeof k === 'string')
      const taken = await this.#store.findGlobalKeys(caller.organizationId, keys)
      const seen = new Set<string>()
      let lastProgress = 0
      for (const [i, item] of items.entries()) {
        const key = item.globalKey ?? null
        if (key !== null) {
          if (key.length === 0 || key.length > MAX_GLOBAL_KEY_LENGTH) {
            fail(
              i,
              item,
              'global_key_invalid',
              `Global key must have 1 to ${MAX_GLOBAL_KEY_LENGTH} characters, got ${key.length}`,
              'globalKey',
            )
            continue
          }
          // Labelbox's own message, which scripts match on
          if (taken.has(key) || seen.has(key)) {
            fail(i, item, 'global_key_duplicate', `Duplicate global key: '${key}'`, 'globalKey')
            continue
          }
          seen.add(key)
        }
        const id = newId()
        const stored = await this.#storeImage(caller, id, item.rowData, ['items', i, 'rowData'])
        if (!stored.ok) {
          errors.push({
            ...stored.error,
            failedDataRows: [{ rowData: item.rowData, globalKey: key }],
          })
          continue
        }
        try {
          const row = await this.#store.insertDataRow({
            id,
            organizationId: caller.organizationId,
            datasetId,
            globalKey: key,
            rowData: item.rowData,
            blobKey: stored.blobKey,
            ...stored.media,
          })
          created.push({ id: row.id, globalKey: row.globalKey, rowData: row.rowData })
        } catch (err) {
          if ((err as Error).name !== 'DuplicateError') throw err
          fail(i, item, 'global_key_duplicate', `Duplicate global key: '${key ?? ''}'`, 'globalKey')
        }
        const progress = Math.floor(((i + 1) / items.length) * 100)
        if (progress - lastProgress >= 5) {
          lastProgress = progress
          await this.#store.updateTask(taskId, { progress })
        }
      }
      // like Labelbox: per-row failures leave the task COMPLETE, with errors naming each row
      await this.#store.updateTask(taskId, {
        status: 'COMPLETE',
        progress: 100,
        createdDataRows: created,
        errors,
      })
    } catch (err) {
      errors.push({
        code: 'internal',
        message: `The task stopped: ${(err as Error).message}`,
        path: [],
        failedDataRows: [],
      })
      await this.#store.updateTask(taskId, { status: 'FAILED', createdDataRows: created, errors })
    }
  }

  async #storeImage(
    caller: Caller,
    dataRowId: string,
    rowData: string,
    path: (string | number)[],
  ): Promise<
    | {
        ok: true
        blobKey: string
        media: { width: number; height: number; mimeType: string; exifOrientation: number }
      }
    | { ok: false; error: Omit<TaskError, 'failedDataRows'> }
  > {
    let blobKey: string
    if (rowData.startsWith(UPLOAD_PREFIX)) {
      blobKey = this.uploadKey(caller, rowData.slice(UPLOAD_PREFIX.length))
      if (!(await this.#blobs.has(blobKey)))
        return {
          ok: false,
          error: { code: 'upload_not_found', message: `No upload ${rowData}`, path },
        }
    } else if (/^https?:\/\//i.test(rowData)) {
      const fetched = await this.#fetch(rowData, path)
      if (!fetched.ok) return { ok: false, error: fetched.issue }
      blobKey = `images/${dataRowId}`
      await this.#blobs.put(blobKey, fetched.bytes)
    } else {
      return {
        ok: false,
        error: {
          code: 'validation_failed',
          message: `rowData must be an http(s) URL or ${UPLOAD_PREFIX}<id>, got '${rowData.slice(0, 100)}'`,
          path,
        },
      }
    }
    const media = await readMediaAttributes(
      this.#blobs.localPath(blobKey) ?? (await this.#blobs.get(blobKey)) ?? new Uint8Array(),
    )
    if (!media)
      return {
        ok: false,
        error: {
          code: 'image_decode_failed',
          message: `${rowData.slice(0, 100)} is not an image Labelport can read (JPEG, PNG, WebP, GIF, TIFF, BMP)`,
          path,
        },
      }
    return { ok: true, blobKey, media }
  }
}
