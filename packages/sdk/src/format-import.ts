/**
 * Foreign formats (docs/formats.md): `project.importFormat(…)` uploads a COCO, YOLO (ZIP), Pascal
 * VOC (ZIP), CVAT, LabelMe, Label Studio or Labelbox file and lets the server detect, convert and
 * import it; `project.exportFormat(…)` downloads the project in one of those formats.
 */
import {
  api,
  buildPath,
  type CreateFormatImportInput,
  type FORMAT_EXPORT_FORMATS,
  type FormatImportResult,
  type ImportKind,
} from '@labelport/core'
import { LabelImport, MALPredictionImport, type AnnotationImport } from './annotation-import.ts'
import { LabelportError } from './errors.ts'
import type { RequestBody, Transport } from './transport.ts'

export type ImportFormat = CreateFormatImportInput['format']
export type ExportFormat = (typeof FORMAT_EXPORT_FORMATS)[number]

export interface FormatImportArgs {
  /** the import's name, unique per project */
  name: string
  kind: ImportKind
  /** default `auto`: the server detects the format */
  format?: ImportFormat
  /** a local file or ZIP (Node) … */
  path?: string
  /** … or its bytes (browsers: a File) */
  file?: RequestBody
  /** the file's name (default: the path's base name, or a File's name) */
  fileName?: string
  /** COCO results: the instances file the detections refer to (a path in Node, or its bytes) */
  instances?: string | RequestBody
  /** `{"source class": "feature name"}` */
  map?: Record<string, string>
  /** clip geometry overshooting the image by a pixel or more (status warning `geometry_clipped`) */
  clip?: boolean
  /** create missing data rows from `imageBaseUrl + global key` (admins) */
  imageBaseUrl?: string
  /** judge every object, write nothing */
  dryRun?: boolean
  signal?: AbortSignal
}

/** What the server read and did; `job` is the import job (a dry run's when `dryRun`). */
export type FormatImportOutcome = Omit<FormatImportResult, 'job'> & {
  job: AnnotationImport | null
}

async function uploadOf(
  client: Transport,
  what: string | RequestBody,
  signal: AbortSignal | undefined,
): Promise<string> {
  const options = signal ? { signal } : {}
  const upload =
    typeof what === 'string' && client.canReadFiles
      ? await client.uploadFile(what, { ...options, contentType: 'application/octet-stream' })
      : await client.upload(what, { ...options, contentType: 'application/octet-stream' })
  return upload.id
}

export async function importFormat(
  client: Transport,
  projectId: string,
  args: FormatImportArgs,
): Promise<FormatImportOutcome> {
  const source = args.path ?? args.file
  if (source === undefined)
    throw new LabelportError('validation_failed', 'give the file as path (Node) or file', {
      path: ['path'],
    })
  const fileName =
    args.fileName ??
    (args.path !== undefined
      ? args.path.split(/[\\/]/).pop()
      : typeof File !== 'undefined' && args.file instanceof File
        ? args.file.name
        : undefined)
  const uploadId = await uploadOf(client, source, args.signal)
  const instances =
    args.instances === undefined
      ? undefined
      : { uploadId: await uploadOf(client, args.instances, args.signal) }
  const result = await client.call(api.createFormatImport, {
    params: { projectId },
    body: {
      name: args.name,
      kind: args.kind,
      format: args.format ?? 'auto',
      source: { uploadId },
      ...(fileName === undefined || fileName === '' ? {} : { fileName }),
      ...(instances === undefined ? {} : { instances }),
      ...(args.map === undefined ? {} : { map: args.map }),
      ...(args.clip === undefined ? {} : { clip: args.clip }),
      ...(args.imageBaseUrl === undefined ? {} : { imageBaseUrl: args.imageBaseUrl }),
      ...(args.dryRun === undefined ? {} : { dryRun: args.dryRun }),
    },
    ...(args.signal ? { signal: args.signal } : {}),
  })
  const job =
    result.job === null
      ? null
      : result.job.kind === 'mal'
        ? new MALPredictionImport(client, result.job)
        : new LabelImport(client, result.job)
  return { ...result, job }
}

export interface ExportFormatOptions {
  /** which annotations: `labels` (default), `prelabels` or `both` */
  layer?: 'labels' | 'prelabels' | 'both'
  signal?: AbortSignal
}

/** The export's bytes as they stream: the format's file, or a ZIP for yolo, voc and labelme. */
export async function* exportFormatStream(
  client: Transport,
  projectId: string,
  format: ExportFormat,
  options: ExportFormatOptions = {},
): AsyncGenerator<Uint8Array> {
  const response = await client.request(
    api.exportProject.method,
    buildPath(api.exportProject.path, { projectId }),
    {
      query: { format, ...(options.layer ? { layer: options.layer } : {}) },
      ...(options.signal ? { signal: options.signal } : {}),
    },
  )
  if (!response.body) return
  const reader = response.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return
    yield value
  }
}
