/**
 * Import jobs, as Labelbox's `MALPredictionImport` (pre-labels) and `LabelImport` (ground truth).
 * Objects are serialized to NDJSON, checked, streamed to POST /v1/uploads, and the job is
 * started from the upload; files and URLs skip the first steps. Jobs are polled with backoff.
 */
import { Label, NDJsonConverter, api, describeImportEffect } from '@labelport/core'
import type {
  ImportJob,
  ImportKind,
  ImportSource,
  ImportState,
  Issue,
  StatusLine,
} from '@labelport/core'
import type { Transport } from './transport.ts'
import { LabelportError } from './errors.ts'
import { isNode, loadNodeHelpers } from './environment.ts'
import {
  ANNOTATIONS_PER_FEATURE_LIMIT,
  MAX_REPORTED_ISSUES,
  checkImportLines,
} from './import-checks.ts'
import { toNdjsonBlob, toNdjsonStream } from './ndjson.ts'
import { DEFAULT_BACKOFF, pollDelays, sleep } from './poll.ts'

/** A `Label` object or a plain NDJSON line (the guide's "NDJSON payload" form). */
export type ImportObject = Label | Record<string, unknown>

interface JobTarget {
  client: Transport
  projectId: string
  /** unique per project */
  name: string
  /**
   * clip geometry overshooting the image by a pixel or more instead of failing it; the status
   * line warns `geometry_clipped` (sub-pixel overshoot is accepted without it)
   */
  clip?: boolean
}

export interface FromObjectsArgs extends JobTarget {
  /** MAL wording */
  predictions?: readonly ImportObject[]
  /** ground-truth wording; either key is accepted by both classes */
  labels?: readonly ImportObject[]
  signal?: AbortSignal
}

export interface FromFileArgs extends JobTarget {
  /** a local NDJSON file (Node only), streamed */
  path: string
  signal?: AbortSignal
}

export interface FromUrlArgs extends JobTarget {
  /** an http(s) URL the server fetches */
  url: string
  signal?: AbortSignal
}

export type ValidateArgs = FromObjectsArgs | FromFileArgs | FromUrlArgs

/** How long `waitUntilDone` waits by default before it gives up (documented in the SDK README). */
export const DEFAULT_IMPORT_TIMEOUT_SECONDS = 3600

export interface WaitUntilDoneOptions {
  /** print progress lines to the console while waiting */
  showProgress?: boolean
  /** fixed poll interval; default starts at 0.5 s and grows to 2 s */
  sleepTimeSeconds?: number
  /**
   * give up after this long with a LabelportError `unavailable` (default 3600 s, 1 hour, so nothing
   * polls forever; pass `Infinity` to wait as long as it takes, as Labelbox)
   */
  timeoutSeconds?: number
  /** called after every poll (progress bars) */
  onProgress?: (job: AnnotationImport) => void
  signal?: AbortSignal
}

export interface StatusFilter {
  status?: 'SUCCESS' | 'FAILURE'
  /** an error code */
  code?: string
  /** a data row id or global key */
  dataRow?: string
}

interface ImportClass<T extends AnnotationImport> {
  new (client: Transport, job: ImportJob): T
  readonly kind: ImportKind
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/**
 * `MaskData({filePath})` is read into `imBytes` for the time of serialization (core does no IO);
 * the caller's objects are restored afterwards. A MaskData shared by many masks is read once.
 */
async function withMaskFilesRead<T>(labels: readonly Label[], run: () => T): Promise<T> {
  type Writable = { filePath?: string; imBytes?: Uint8Array; url?: string; arr?: Uint8Array }
  const pending = new Set<Writable>()
  for (const label of labels) {
    for (const annotation of label.annotations) {
      const value = (annotation as { value?: unknown }).value
      const maskData = (value as { mask?: unknown } | undefined)?.mask as Writable | undefined
      if (
        typeof maskData?.filePath === 'string' &&
        maskData.imBytes === undefined &&
        maskData.url === undefined &&
        maskData.arr === undefined
      ) {
        pending.add(maskData)
      }
    }
  }
  if (pending.size === 0) return run()
  const helpers = await loadNodeHelpers('MaskData({filePath})')
  for (const maskData of pending)
    maskData.imBytes = await helpers.readLocalFile(maskData.filePath as string)
  try {
    return run()
  } finally {
    for (const maskData of pending) delete maskData.imBytes
  }
}

/**
 * The NDJSON lines an import would send: Labels through NDJsonConverter (with `MaskData({filePath})`
 * read first, Node only), plain objects as they are.
 */
export async function serializeLabels(
  objects: readonly ImportObject[],
): Promise<Record<string, unknown>[]> {
  const labels = objects.filter((o): o is Label => o instanceof Label)
  if (labels.length === 0) return objects as Record<string, unknown>[]
  const serialized = await withMaskFilesRead(
    labels,
    () => [...NDJsonConverter.serialize(labels)] as unknown as Record<string, unknown>[],
  )
  if (labels.length === objects.length) return serialized
  // mixed input: plain lines first, in their order, then the serialized labels (uuids stay unique across them)
  return [...objects.filter((o) => !(o instanceof Label)), ...serialized] as Record<
    string,
    unknown
  >[]
}

function checkObjects(objects: unknown, key: string): readonly ImportObject[] {
  if (!Array.isArray(objects)) {
    throw new LabelportError(
      'validation_failed',
      `${key} must be in a form of list. Found ${objects === null ? 'null' : typeof objects}`,
      { path: [key] },
    )
  }
  if (objects.length === 0)
    throw new LabelportError('validation_failed', `${key} cannot be empty`, { path: [key] })
  for (const [index, object] of objects.entries()) {
    if (!(object instanceof Label) && !isPlainObject(object)) {
      throw new LabelportError(
        'validation_failed',
        `${key}[${index}] must be a Label or an NDJSON object`,
        { path: [key, index] },
      )
    }
  }
  return objects as readonly ImportObject[]
}

function throwIfIssues(issues: Issue[], key: string): void {
  if (issues.length === 0) return
  const shown = issues
    .slice(0, MAX_REPORTED_ISSUES)
    .map((found) => ({ ...found, path: [key, ...found.path] }))
  const first = shown[0] as Issue
  throw new LabelportError(
    first.code,
    `Error while validating annotations. Found ${issues.length} annotations with errors. First: ${first.message}`,
    { path: first.path, issues: shown },
  )
}

/** Uploads `lines` as NDJSON: streamed in Node, as one Blob where request streams are not supported. */
async function uploadLines(
  client: Transport,
  lines: readonly unknown[],
  signal?: AbortSignal,
): Promise<string> {
  const body = isNode() ? toNdjsonStream(lines) : toNdjsonBlob(lines)
  const upload = await client.upload(body, {
    contentType: 'application/x-ndjson',
    ...(signal ? { signal } : {}),
  })
  return upload.id
}

async function resolveSource(args: ValidateArgs): Promise<ImportSource> {
  if ('url' in args && args.url !== undefined) return { url: args.url }
  if ('path' in args && args.path !== undefined) {
    await loadNodeHelpers(`importing ${args.path}`, ['path'])
    const upload = await args.client.uploadFile(args.path, {
      contentType: 'application/x-ndjson',
      ...(args.signal ? { signal: args.signal } : {}),
    })
    return { uploadId: upload.id }
  }
  const objectArgs = args as FromObjectsArgs
  const key = objectArgs.predictions !== undefined ? 'predictions' : 'labels'
  const objects = checkObjects(objectArgs.predictions ?? objectArgs.labels, key)
  const lines = await serializeLabels(objects)
  throwIfIssues(checkImportLines(lines, ANNOTATIONS_PER_FEATURE_LIMIT), key)
  return { uploadId: await uploadLines(objectArgs.client, lines, objectArgs.signal) }
}

/** One import job; `MALPredictionImport` and `LabelImport` only differ in their kind. */
export class AnnotationImport {
  static readonly kind: ImportKind = 'mal'

  readonly client: Transport
  #job: ImportJob

  constructor(client: Transport, job: ImportJob) {
    this.client = client
    this.#job = job
  }

  /** Serializes Labels (or takes NDJSON objects), checks them, uploads them and starts the job. */
  static async createFromObjects<T extends AnnotationImport>(
    this: ImportClass<T>,
    args: FromObjectsArgs,
  ): Promise<T> {
    return startJob(this, args, 'createImport')
  }

  /** Starts a job from a local NDJSON file, streamed to the server (Node only). */
  static async createFromFile<T extends AnnotationImport>(
    this: ImportClass<T>,
    args: FromFileArgs,
  ): Promise<T> {
    return startJob(this, args, 'createImport')
  }

  /** Starts a job from an NDJSON file the server fetches. */
  static async createFromUrl<T extends AnnotationImport>(
    this: ImportClass<T>,
    args: FromUrlArgs,
  ): Promise<T> {
    return startJob(this, args, 'createImport')
  }

  /** Dry run: every line is judged exactly as an import would, nothing is written. Same arguments. */
  static async validate<T extends AnnotationImport>(
    this: ImportClass<T>,
    args: ValidateArgs,
  ): Promise<T> {
    return startJob(this, args, 'validateImport')
  }

  /** An existing job by id. */
  static async fromId<T extends AnnotationImport>(
    this: ImportClass<T>,
    client: Transport,
    importId: string,
  ): Promise<T> {
    return new this(client, await client.call(api.getImport, { params: { importId } }))
  }

  get uid(): string {
    return this.#job.id
  }
  get id(): string {
    return this.#job.id
  }
  get name(): string {
    return this.#job.name
  }
  get projectId(): string {
    return this.#job.projectId
  }
  get kind(): ImportKind {
    return this.#job.kind
  }
  get dryRun(): boolean {
    return this.#job.dryRun
  }
  get state(): ImportState {
    return this.#job.state
  }
  /** "NN%" */
  get progress(): string {
    return this.#job.progress
  }
  get counts(): ImportJob['counts'] {
    return this.#job.counts
  }
  get errorCounts(): ImportJob['errorCounts'] {
    return this.#job.errorCounts
  }
  get errorExamples(): ImportJob['errorExamples'] {
    return this.#job.errorExamples
  }
  /** why a FAILED job stopped before judging every line */
  get failureReason(): ImportJob['failureReason'] {
    return this.#job.failureReason
  }
  get inputFileUrl(): string {
    return this.#job.inputFileUrl
  }
  get statusFileUrl(): string {
    return this.#job.statusFileUrl
  }
  get errorFileUrl(): string {
    return this.#job.errorFileUrl
  }
  /** the job resource as last fetched */
  get job(): ImportJob {
    return this.#job
  }
  /**
   * What the import did (a dry run: would do): annotations added, stored ones replaced by uuid;
   * failures are `counts.failure`. Undefined for ground-truth imports (docs/import-revert.md).
   */
  get effect(): ImportJob['effect'] {
    return this.#job.effect
  }
  /** "adds 12,030, replaces 417 pre-labels, fails 88" (a dry run) or "added …" */
  get effectSummary(): string | undefined {
    return describeImportEffect(this.#job)
  }
  /** set once the import was reverted: when, pre-labels removed, replaced ones restored */
  get reverted(): NonNullable<ImportJob['revert']> | null {
    return this.#job.revert ?? null
  }

  /**
   * Cancels the import if it is still queued or running: what it committed stays (revert it to
   * remove that too). A job that already ended: LabelportError `import_not_running` (409).
   */
  async cancel(): Promise<this> {
    this.#job = await this.client.call(api.cancelImport, { params: { importId: this.#job.id } })
    return this
  }

  /**
   * Reverts a finished or cancelled MAL import as a whole: its pre-labels go, the pre-labels it
   * replaced come back as they were. Refusals: `import_not_revertible`, `import_revert_blocked`.
   */
  async revert(): Promise<this> {
    this.#job = await this.client.call(api.revertImport, { params: { importId: this.#job.id } })
    return this
  }

  async refresh(): Promise<this> {
    this.#job = await this.client.call(api.getImport, { params: { importId: this.#job.id } })
    return this
  }

  /** Polls while RUNNING. A FAILED job does not throw: `failureReason` and the statuses say why. */
  async waitUntilDone(options: WaitUntilDoneOptions = {}): Promise<this> {
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_IMPORT_TIMEOUT_SECONDS
    const deadline = Date.now() + timeoutSeconds * 1000
    const delays = pollDelays(DEFAULT_BACKOFF, options.sleepTimeSeconds)
    let shown = ''
    const report = (): void => {
      options.onProgress?.(this)
      if (options.showProgress === true && this.progress !== shown) {
        shown = this.progress
        console.info(`${this.name}: ${this.progress} (${this.state})`)
      }
    }
    report()
    while (this.#job.state === 'RUNNING') {
      if (Date.now() >= deadline) {
        throw new LabelportError(
          'unavailable',
          `import ${this.name} did not finish within ${timeoutSeconds} s (progress ${this.progress})`,
        )
      }
      await sleep(Math.min(delays.next().value, Math.max(0, deadline - Date.now())), options.signal)
      await this.refresh()
      report()
    }
    return this
  }

  /** Alias of `waitUntilDone`, as in Labelbox. */
  waitTillDone(options: WaitUntilDoneOptions = {}): Promise<this> {
    return this.waitUntilDone(options)
  }

  /** Status lines as they stream from the server (after the job is done). */
  async *iterateStatuses(filter: StatusFilter = {}): AsyncGenerator<StatusLine> {
    await this.waitUntilDone()
    yield* this.client.stream<StatusLine>(api.getImportStatuses, {
      params: { importId: this.id },
      query: { ...filter },
    })
  }

  /** One status line per annotation line: `{uuid, dataRow:{id, globalKey}, status, errors?}`. */
  async statuses(filter: StatusFilter = {}): Promise<StatusLine[]> {
    const lines: StatusLine[] = []
    for await (const line of this.iterateStatuses(filter)) lines.push(line)
    return lines
  }

  /** The FAILURE subset of `statuses()`. */
  async errors(filter: Omit<StatusFilter, 'status'> = {}): Promise<StatusLine[]> {
    return this.statuses({ ...filter, status: 'FAILURE' })
  }

  /** The NDJSON input as the server received it. */
  async inputs(): Promise<unknown[]> {
    const lines: unknown[] = []
    for await (const line of this.client.stream(api.getImportInput, {
      params: { importId: this.id },
    }))
      lines.push(line)
    return lines
  }
}

async function startJob<T extends AnnotationImport>(
  cls: ImportClass<T>,
  args: ValidateArgs,
  endpoint: 'createImport' | 'validateImport',
): Promise<T> {
  const source = await resolveSource(args)
  const job = await args.client.call(api[endpoint], {
    params: { projectId: args.projectId },
    body: {
      name: args.name,
      kind: cls.kind,
      source,
      ...(args.clip === undefined ? {} : { clip: args.clip }),
    },
    ...(args.signal ? { signal: args.signal } : {}),
  })
  return new cls(args.client, job)
}

/** Model-assisted labeling: imports predictions as pre-labels. */
export class MALPredictionImport extends AnnotationImport {
  static override readonly kind: ImportKind = 'mal'
}

/** Ground truth: imports labels (relationships are rejected per line; benchmarks allowed). */
export class LabelImport extends AnnotationImport {
  static override readonly kind: ImportKind = 'ground_truth'
}
