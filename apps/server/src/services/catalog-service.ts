// Over 500 lines: datasets, uploads, data rows and the crash-safe create-data-rows task share their checks; splitting the task out is the next step.
/**
 * Datasets, uploads and data rows (the Catalog), with the async create-data-rows task. A task is
 * owned by the server running it (a lease, renewed at each checkpoint); a task whose server
 * crashed is taken over by any server and resumes at its checkpoint. Each item's data row id is
 * derived from the task and the item's index, so redoing an item finds the row it already made.
 */
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import {
  AppError,
  issue,
  newId,
  type DataRowInput,
  type MetadataField,
  type Task,
  type TaskError,
} from '@labelport/core'
import type { JobRepository, Repositories } from '@labelport/db'
import type { BlobStore } from '../storage/blob-store.ts'
import { fromWebStream } from '../storage/web-streams.ts'
import type { Caller } from './auth-service.ts'
import type { Fetcher } from './fetcher.ts'
import { keepLease, type JobSettings } from './job-settings.ts'
import { makeThumbnail, readMediaAttributes } from './media.ts'

export const MAX_GLOBAL_KEY_LENGTH = 200
const UPLOAD_PREFIX = 'upload://'

export class CatalogService {
  readonly #repos: Pick<Repositories, 'datasets' | 'tasks'>
  readonly #blobs: BlobStore
  readonly #fetch: Fetcher
  readonly #maxUploadBytes: number
  readonly #running = new Set<Promise<void>>()
  readonly #jobs: JobRepository
  readonly #settings: JobSettings
  #stopped = false
  #supervisor: NodeJS.Timeout | null = null

  constructor(deps: {
    repos: Pick<Repositories, 'datasets' | 'tasks'>
    blobs: BlobStore
    fetch: Fetcher
    maxUploadBytes: number
    jobs: JobRepository
    settings: JobSettings
  }) {
    this.#jobs = deps.jobs
    this.#settings = deps.settings
    this.#repos = deps.repos
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

  uploadKey(caller: Pick<Caller, 'organizationId'>, uploadId: string): string {
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
    return this.#repos.datasets.createDataset({
      id: newId(),
      organizationId: caller.organizationId,
      name: body.name,
      description: body.description ?? '',
    })
  }

  async getDataset(caller: Caller, id: string) {
    const dataset = await this.#repos.datasets.getDataset(caller.organizationId, id)
    if (!dataset)
      throw new AppError('dataset_not_found', `No dataset ${id} in this organization`, {
        path: ['datasetId'],
      })
    return dataset
  }

  listDatasets(caller: Caller, cursor: string | undefined, limit: number | undefined) {
    return this.#repos.datasets.listDatasets(caller.organizationId, cursor, limit ?? 100)
  }

  async getDataRow(caller: Caller, id: string) {
    const row = await this.#repos.datasets.getDataRow(caller.organizationId, id)
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
    filter: { metadataName?: string | undefined; metadataValue?: string | undefined } = {},
  ) {
    await this.getDataset(caller, datasetId)
    if (filter.metadataValue !== undefined && filter.metadataName === undefined)
      throw new AppError('validation_failed', 'metadataValue needs metadataName', {
        path: ['query', 'metadataValue'],
      })
    const page = await this.#repos.datasets.listDataRows(
      caller.organizationId,
      datasetId,
      cursor,
      limit ?? 100,
      filter.metadataName === undefined
        ? undefined
        : { name: filter.metadataName, value: filter.metadataValue },
    )
    const usage = await this.#repos.datasets.usageOfDataRows(page.items.map((r) => r.id))
    return { ...page, items: page.items.map((r) => ({ ...r, usage: usage.get(r.id) ?? [] })) }
  }

  /** Replaces the data row's metadata fields (validated by the contract: names unique, sizes). */
  async updateDataRowMetadata(caller: Caller, id: string, fields: MetadataField[]) {
    if (!(await this.#repos.datasets.setMetadata(caller.organizationId, id, fields)))
      throw new AppError('data_row_not_found', `No data row ${id} in this organization`, {
        path: ['dataRowId'],
      })
    const { blobKey: _blobKey, ...row } = await this.getDataRow(caller, id)
    return row
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
    const task = await this.#repos.tasks.createTask({
      id: newId(),
      organizationId: caller.organizationId,
      input: { datasetId, items },
      owner: this.#settings.owner,
      leaseExpiresAt: Date.now() + this.#settings.leaseMs,
    })
    this.#track({
      id: task.id,
      organizationId: caller.organizationId,
      datasetId,
      items,
      nextItem: 0,
      created: [],
      errors: [],
    })
    return task
  }

  async getTask(caller: Caller, id: string): Promise<Task> {
    const task = await this.#repos.tasks.getTask(caller.organizationId, id)
    if (!task)
      throw new AppError('task_not_found', `No task ${id} in this organization`, {
        path: ['taskId'],
      })
    return task
  }

  /** Takes over tasks whose lease expired (their server stopped or crashed), now and then. */
  start(): void {
    const every = Math.min(1000, Math.max(50, Math.floor(this.#settings.leaseMs / 3)))
    const sweep = async () => {
      for (;;) {
        if (this.#stopped) return
        const row = await this.#jobs.claimTask(this.#settings.owner, this.#settings.leaseMs)
        if (!row) return
        const input = row.input_json === null ? null : (JSON.parse(row.input_json) as TaskInput)
        if (row.attempts > this.#settings.maxAttempts || !input) {
          await this.#jobs.endTask(row.id, this.#settings.owner, {
            status: 'FAILED',
            created: JSON.parse(row.result_json) as Task['createdDataRows'],
            errors: [
              ...(JSON.parse(row.errors_json) as Task['errors']),
              {
                ...issue(
                  'job_interrupted',
                  `The task was interrupted ${row.attempts - 1} times (its server stopped or crashed while running it)`,
                ),
                failedDataRows: [],
              },
            ],
          })
          continue
        }
        this.#track({
          id: row.id,
          organizationId: row.organization_id,
          datasetId: input.datasetId,
          items: input.items,
          nextItem: row.checkpoint_item,
          created: JSON.parse(row.result_json) as Task['createdDataRows'],
          errors: JSON.parse(row.errors_json) as Task['errors'],
        })
      }
    }
    const tick = () => {
      this.#supervisor = setTimeout(() => {
        sweep().then(tick, (err: unknown) => {
          this.#settings.log('taking over create-data-rows tasks failed', err)
          tick()
        })
      }, every)
    }
    sweep().then(tick, (err: unknown) => {
      this.#settings.log('taking over create-data-rows tasks failed', err)
      tick()
    })
  }

  /** Graceful stop: running tasks stop at their next item, checkpoint and give their lease back. */
  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#supervisor) clearTimeout(this.#supervisor)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      this.drain(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#settings.stopTimeoutMs)
      }),
    ])
    clearTimeout(timer)
  }

  /** Waits for background tasks (used at shutdown and in tests). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#running])
  }

  #track(t: RunningTask): void {
    const run = this.#runCreateDataRows(t).finally(() => this.#running.delete(run))
    this.#running.add(run)
  }

  async #runCreateDataRows(t: RunningTask): Promise<void> {
    const owner = this.#settings.owner
    const { items, created, errors } = t
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
    let lost = false
    const stopLease = keepLease(
      this.#settings.leaseMs,
      () => this.#jobs.renewTask(t.id, owner, this.#settings.leaseMs),
      () => {
        lost = true
      },
      this.#settings.log,
    )
    let lastCheckpoint = Date.now()
    const checkpoint = async (nextItem: number) => {
      lastCheckpoint = Date.now()
      const progress = Math.floor((nextItem / Math.max(1, items.length)) * 100)
      if (
        !(await this.#jobs.checkpointTask(t.id, owner, this.#settings.leaseMs, {
          nextItem,
          progress,
          created,
          errors,
        }))
      )
        lost = true
    }
    try {
      const keys = items.map((i) => i.globalKey).filter((k): k is string => typeof k === 'string')
      const existing = await this.#jobs.dataRowsByGlobalKey(t.organizationId, keys)
      const mine = new Set(created.map((c) => c.id))
      const seen = new Set<string>()
      for (const [i, item] of items.entries()) {
        const key = item.globalKey ?? null
        if (i < t.nextItem) {
          if (key !== null) seen.add(key)
          continue
        }
        if (this.#stopped || lost) {
          if (!lost) {
            await checkpoint(i)
            await this.#jobs.releaseTask(t.id, owner)
          }
          return
        }
        const id = taskRowId(t.id, i)
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
          const found = existing.get(key)
          // a retry of the same row (same key, same row data, same dataset) is not a duplicate
          if (
            found &&
            !seen.has(key) &&
            found.datasetId === t.datasetId &&
            found.rowData === item.rowData
          ) {
            seen.add(key)
            if (!mine.has(found.id)) {
              mine.add(found.id)
              created.push({ id: found.id, globalKey: key, rowData: item.rowData })
            }
            continue
          }
          // Labelbox's own message, which scripts match on
          if (found || seen.has(key)) {
            fail(i, item, 'global_key_duplicate', `Duplicate global key: '${key}'`, 'globalKey')
            continue
          }
          seen.add(key)
        } else if (t.nextItem > 0 && !mine.has(id)) {
          // resumed: this item may have been made after the last checkpoint
          const made = await this.#jobs.dataRowById(id)
          if (made) {
            mine.add(id)
            created.push({ id, globalKey: null, rowData: made.rowData })
            continue
          }
        }
        const stored = await this.#storeImage(
          { organizationId: t.organizationId },
          id,
          item.rowData,
          ['items', i, 'rowData'],
        )
        if (!stored.ok) {
          errors.push({
            ...stored.error,
            failedDataRows: [{ rowData: item.rowData, globalKey: key }],
          })
          continue
        }
        try {
          const row = await this.#repos.datasets.insertDataRow({
            id,
            organizationId: t.organizationId,
            datasetId: t.datasetId,
            globalKey: key,
            rowData: item.rowData,
            blobKey: stored.blobKey,
            contentSha256: stored.sha256,
            metadataFields: item.metadataFields,
            ...stored.media,
          })
          mine.add(row.id)
          created.push({ id: row.id, globalKey: row.globalKey, rowData: row.rowData })
        } catch (err) {
          if ((err as Error).name !== 'DuplicateError') throw err
          const made = await this.#jobs.dataRowById(id)
          if (made && !mine.has(id)) {
            mine.add(id)
            created.push({ id, globalKey: made.globalKey, rowData: made.rowData })
          } else if (!made)
            fail(
              i,
              item,
              'global_key_duplicate',
              `Duplicate global key: '${key ?? ''}'`,
              'globalKey',
            )
        }
        if (Date.now() - lastCheckpoint >= 500) await checkpoint(i + 1)
      }
      // like Labelbox: per-row failures leave the task COMPLETE, with errors naming each row
      if (!lost) await this.#jobs.endTask(t.id, owner, { status: 'COMPLETE', created, errors })
    } catch (err) {
      if (this.#stopped || lost) return // the lease expires; another server resumes the task
      errors.push({
        code: 'internal',
        message: `The task stopped: ${(err as Error).message}`,
        path: [],
        failedDataRows: [],
      })
      await this.#jobs.endTask(t.id, owner, { status: 'FAILED', created, errors })
    } finally {
      stopLease()
    }
  }

  async #storeImage(
    caller: Pick<Caller, 'organizationId'>,
    dataRowId: string,
    rowData: string,
    path: (string | number)[],
  ): Promise<
    | {
        ok: true
        blobKey: string
        sha256: string
        media: { width: number; height: number; mimeType: string; exifOrientation: number }
      }
    | { ok: false; error: Omit<TaskError, 'failedDataRows'> }
  > {
    let blobKey: string
    let sha256: string
    if (rowData.startsWith(UPLOAD_PREFIX)) {
      blobKey = this.uploadKey(caller, rowData.slice(UPLOAD_PREFIX.length))
      const stream = await this.#blobs.stream(blobKey)
      if (!stream)
        return {
          ok: false,
          error: { code: 'upload_not_found', message: `No upload ${rowData}`, path },
        }
      const hash = createHash('sha256')
      for await (const chunk of stream) hash.update(chunk as Uint8Array)
      sha256 = hash.digest('hex')
    } else if (/^https?:\/\//i.test(rowData)) {
      const fetched = await this.#fetch(rowData, path)
      if (!fetched.ok) return { ok: false, error: fetched.issue }
      blobKey = `images/${dataRowId}`
      sha256 = (await this.#blobs.put(blobKey, fetched.bytes)).sha256
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
    return { ok: true, blobKey, sha256, media }
  }
}

interface TaskInput {
  datasetId: string
  items: DataRowInput[]
}

interface RunningTask extends TaskInput {
  id: string
  organizationId: string
  /** the first item not yet done (a resumed task starts there) */
  nextItem: number
  created: Task['createdDataRows']
  errors: Task['errors']
}

/** Item `index` of task `taskId` always gets this data row id, so a resumed task finds its rows. */
function taskRowId(taskId: string, index: number): string {
  const digest = BigInt(`0x${createHash('sha256').update(`${taskId}:${index}`).digest('hex')}`)
  return `c${taskId.slice(1, 12)}${digest.toString(36).slice(0, 13).padStart(13, '0')}`
}
