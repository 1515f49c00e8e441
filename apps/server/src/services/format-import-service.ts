/**
 * Foreign-format imports over HTTP (issue 13): an uploaded COCO, CVAT, Label Studio, LabelMe or
 * Labelbox file, or a ZIP of a folder (YOLO, Pascal VOC, LabelMe), is detected and read with
 * @labelport/formats, streamed into an NDJSON input blob (each line with its source location),
 * checked against the project's ontology BEFORE anything is written (`format_features_unmapped`
 * lists what does not map), then: an ontology made from the file when the project has none, data
 * rows created from `imageBaseUrl` when given, a batch of the file's images that exist, and the
 * normal import job, whose status lines carry each object's source location.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, open, readdir, rm, stat, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finished, pipeline } from 'node:stream/promises'
import {
  AppError,
  issue,
  newId,
  FORMAT_IMPORT_FORMATS,
  type CreateFormatImportBody,
  type FormatImportResult,
  type Issue,
} from '@labelport/core'
import { importBlobKeys, type Repositories } from '@labelport/db'
import {
  conversionOntology,
  convertEvents,
  detectFile,
  unmappedFeatures,
  type ForeignConversion,
} from '@labelport/formats'
import {
  READ_FORMATS,
  detectPath,
  listFiles,
  readPath,
  type ReadFormat,
} from '@labelport/formats/node'
import { writeJobOptions } from '../import/job-options.ts'
import { extractZip, isZip } from '../formats/zip.ts'
import type { BlobStore } from '../storage/blob-store.ts'
import type { Caller } from './auth-service.ts'
import type { CatalogService } from './catalog-service.ts'
import type { ImportService } from './import-service.ts'
import type { ProjectService } from './project-service.ts'

/** formats read from one file (a ZIP holding one is searched for it) */
const FILE_FORMATS: readonly string[] = [
  'coco',
  'coco-results',
  'coco-panoptic',
  'cvat',
  'labelstudio',
  'labelbox',
]

/** A format this server's @labelport/formats reads, or 422 format_unrecognized. */
function readable(format: string): ReadFormat {
  if ((READ_FORMATS as readonly string[]).includes(format)) return format as ReadFormat
  throw new AppError('format_unrecognized', `this server does not read ${format} files`, {
    path: ['format'],
  })
}

/** The format as the contract names it (the formats package may know more than the contract). */
function answered(format: ReadFormat): FormatImportResult['format'] {
  if ((FORMAT_IMPORT_FORMATS as readonly string[]).includes(format)) return format
  throw new AppError('format_unrecognized', `${format} files are not imported over HTTP yet`, {
    path: ['format'],
  })
}
const MAX_ISSUES = 1000
const BATCH_ROWS = 100_000
const DATA_ROW_CHUNK = 10_000

export class FormatImportService {
  readonly #repos: Pick<Repositories, 'datasets'>
  readonly #blobs: BlobStore
  readonly #projects: ProjectService
  readonly #catalog: CatalogService
  readonly #imports: ImportService
  readonly #maxUnpackedBytes: number

  constructor(deps: {
    repos: Pick<Repositories, 'datasets'>
    blobs: BlobStore
    projects: ProjectService
    catalog: CatalogService
    imports: ImportService
    /** a ZIP may unpack to at most this many bytes */
    maxUnpackedBytes: number
  }) {
    this.#repos = deps.repos
    this.#blobs = deps.blobs
    this.#projects = deps.projects
    this.#catalog = deps.catalog
    this.#imports = deps.imports
    this.#maxUnpackedBytes = deps.maxUnpackedBytes
  }

  async create(
    caller: Caller,
    projectId: string,
    body: CreateFormatImportBody,
  ): Promise<FormatImportResult> {
    const project = await this.#projects.getProject(caller, projectId)
    const dryRun = body.dryRun === true
    const work = await mkdtemp(join(tmpdir(), 'labelport-format-import-'))
    const id = newId()
    const inputKey = importBlobKeys.input(id)
    let inputWritten = false
    try {
      const fileName = safeName(body.fileName ?? 'upload')
      const path = await this.#materialize(caller, body.source.uploadId, work, fileName, [
        'source',
        'uploadId',
      ])
      const format = await this.#format(body.format, path)
      const formatName = answered(format)
      const located = FILE_FORMATS.includes(format) ? await locateFile(path, format) : path
      let instances: string | undefined
      if (format === 'coco-results') {
        if (body.instances === undefined)
          throw new AppError(
            'validation_failed',
            'COCO results refer to an instances file: give it as instances.uploadId',
            { path: ['instances'] },
          )
        instances = await this.#materialize(
          caller,
          body.instances.uploadId,
          await mkdtemp(join(work, 'instances-')),
          'instances.json',
          ['instances', 'uploadId'],
        )
        instances = await locateFile(instances, 'coco')
      }
      const events = readPath(format, located, {
        kind: body.kind === 'mal' ? 'mal' : 'ground-truth',
        ...(instances === undefined ? {} : { instances }),
      })

      // 1. read and convert: the lines to a local file (backpressure), then into the input blob
      const linesFile = join(work, '.lines.ndjson')
      const out = createWriteStream(linesFile)
      let converted: ForeignConversion
      try {
        converted = await convertEvents(
          events,
          async (line) => {
            if (!out.write(`${JSON.stringify(line)}\n`))
              await new Promise<void>((resolve) => out.once('drain', () => resolve()))
          },
          body.map === undefined ? {} : { rename: body.map },
        )
      } catch (err) {
        throw readFailure(err, format)
      } finally {
        out.end()
        await finished(out)
      }
      if (converted.lines > 0) {
        await this.#blobs.put(inputKey, createReadStream(linesFile), 'application/x-ndjson')
        inputWritten = true
      }

      // 2. the ontology: every feature must map onto the connected one, checked before any write
      const features = [...converted.features.values()]
      let ontologyCreated = false
      const connected =
        project.ontologyId === null ? null : await this.#projects.projectOntology(caller, project)
      if (connected !== null) {
        const unmapped = unmappedFeatures(features, connected, converted.used)
        if (unmapped.length > 0)
          throw new AppError(
            'format_features_unmapped',
            `${unmapped.length} feature(s) of the file have no tool of their name and geometry in the project's ontology: ${unmapped
              .slice(0, 10)
              .map((u) => `'${u.name}' (${u.tool})`)
              .join(', ')}; rename them with map {"source name": "ontology name"}`,
            {
              path: ['map'],
              issues: unmapped.map((u): Issue =>
                issue('format_features_unmapped', `'${u.name}' (${u.tool}): ${u.reason}`, [
                  'map',
                  u.name,
                ]),
              ),
            },
          )
      }
      const result: FormatImportResult = {
        format: formatName,
        job: null,
        images: converted.images.length,
        objects: converted.lines,
        features: features.map((f) => ({
          name: f.name,
          tool: f.tool,
          objects: converted.used.get(f.name) ?? 0,
        })),
        ontologyCreated: false,
        createdDataRows: 0,
        issues: converted.issues.slice(0, MAX_ISSUES).map((i) => ({
          code: i.code,
          message: i.message,
          source: i.source,
          warning: i.warning === true,
        })),
        issueCount: converted.issues.length,
      }
      if (connected === null) {
        // a dry run cannot judge without an ontology: it says which tools the import would make
        if (dryRun) return result
        requireAdmin(caller, 'creating the ontology of a project that has none')
        const ontology = await this.#projects.createOntology(caller, {
          name: `${fileName} (${format})`,
          normalized: conversionOntology(converted),
        })
        await this.#projects.connectOntology(caller, projectId, ontology.id)
        ontologyCreated = true
      }
      result.ontologyCreated = ontologyCreated

      // 3. data rows from the base URL, then a batch of the file's images that exist
      const keys = converted.images.map((image) => image.globalKey)
      if (!dryRun && body.imageBaseUrl !== undefined && keys.length > 0) {
        requireAdmin(caller, 'creating data rows')
        result.createdDataRows = await this.#createDataRows(
          caller,
          `${fileName} images ${id}`,
          keys,
          body.imageBaseUrl,
        )
      }
      if (!dryRun && keys.length > 0) {
        const existing = [...(await this.#existing(caller, keys))]
        for (let i = 0; i < existing.length; i += BATCH_ROWS) {
          const name = `${body.name}${existing.length > BATCH_ROWS ? `-${i / BATCH_ROWS + 1}` : ''}`
          const globalKeys = existing.slice(i, i + BATCH_ROWS)
          try {
            await this.#projects.createBatch(caller, projectId, { name, globalKeys })
          } catch (err) {
            // a batch of that name from an earlier attempt: this one gets the job id too
            if (!(err instanceof AppError) || err.code !== 'name_taken') throw err
            await this.#projects.createBatch(caller, projectId, {
              name: `${name} ${id}`,
              globalKeys,
            })
          }
        }
      }

      // 4. the normal import job on the lines
      if (converted.lines === 0) return result
      await writeJobOptions(this.#blobs, id, { sources: true, clip: body.clip === true })
      result.job = await this.#imports.createFromInput(caller, projectId, {
        id,
        name: body.name,
        kind: body.kind,
        dryRun,
        inputKey,
      })
      inputWritten = false // the job owns it now
      return result
    } finally {
      if (inputWritten) {
        await this.#blobs.delete(inputKey)
        await this.#blobs.delete(importBlobKeys.options(id))
      }
      await rm(work, { recursive: true, force: true })
    }
  }

  /** The upload as a local path: a ZIP unpacked into a folder, else the file itself. */
  async #materialize(
    caller: Caller,
    uploadId: string,
    work: string,
    fileName: string,
    path: (string | number)[],
  ): Promise<string> {
    const key = this.#catalog.uploadKey(caller, uploadId)
    const stream = await this.#blobs.stream(key)
    if (!stream) throw new AppError('upload_not_found', `No upload ${uploadId}`, { path })
    let file = this.#blobs.localPath(key)
    if (file === null) {
      file = join(work, `download-${fileName}`)
      await pipeline(stream, createWriteStream(file))
    } else stream.destroy()
    const head = await readHead(file, 4)
    if (isZip(head)) {
      const dir = join(work, 'unpacked')
      await mkdir(dir, { recursive: true })
      await extractZip(file, dir, this.#maxUnpackedBytes)
      return singleChild(dir)
    }
    // readers name files by the path's base name: give the file the name the client sent
    const named = join(work, fileName)
    if (file !== named) await symlink(file, named)
    return named
  }

  async #format(asked: CreateFormatImportBody['format'], path: string): Promise<ReadFormat> {
    if (asked !== 'auto') return readable(asked)
    const found = await detectPath(path)
    if (found === 'ndjson')
      throw new AppError(
        'format_unrecognized',
        'the file is NDJSON: import it with POST /v1/projects/:projectId/imports',
        { path: ['format'] },
      )
    if (found === null || !(READ_FORMATS as readonly string[]).includes(found)) {
      // a folder with one file of a file format in it
      if ((await stat(path)).isDirectory())
        for (const name of await listFiles(path)) {
          const format = detectFile(name, await readText(join(path, name), 64 * 1024))
          if (format !== null && format !== 'ndjson' && FILE_FORMATS.includes(format))
            return readable(format)
        }
      throw new AppError(
        'format_unrecognized',
        `the file is none of ${READ_FORMATS.join(', ')}; name its format`,
        { path: ['format'] },
      )
    }
    return readable(found)
  }

  /** Which of `keys` exist as data rows of the organization. */
  async #existing(caller: Caller, keys: string[]): Promise<Set<string>> {
    const found = new Set<string>()
    for (let i = 0; i < keys.length; i += DATA_ROW_CHUNK)
      for (const key of await this.#repos.datasets.findGlobalKeys(
        caller.organizationId,
        keys.slice(i, i + DATA_ROW_CHUNK),
      ))
        found.add(key)
    return found
  }

  async #createDataRows(
    caller: Caller,
    datasetName: string,
    keys: string[],
    baseUrl: string,
  ): Promise<number> {
    const missing = new Set(keys)
    for (const key of await this.#existing(caller, keys)) missing.delete(key)
    if (missing.size === 0) return 0
    const dataset = await this.#catalog.createDataset(caller, { name: datasetName.slice(0, 200) })
    const base = baseUrl.replace(/\/$/, '')
    let created = 0
    const list = [...missing]
    for (let i = 0; i < list.length; i += DATA_ROW_CHUNK) {
      const items = list.slice(i, i + DATA_ROW_CHUNK).map((globalKey) => ({
        globalKey,
        rowData: `${base}/${globalKey.split('/').map(encodeURIComponent).join('/')}`,
      }))
      let task = await this.#catalog.createDataRows(caller, dataset.id, items)
      while (task.status === 'IN_PROGRESS') {
        await new Promise((r) => setTimeout(r, 100))
        task = await this.#catalog.getTask(caller, task.id)
      }
      const failed = (task.errors ?? []).filter((e) => e.code !== 'global_key_duplicate')
      if (failed.length > 0)
        throw new AppError(
          'fetch_failed',
          `${failed.length} data row(s) could not be created from imageBaseUrl: ${failed
            .slice(0, 3)
            .map((e) => e.message)
            .join('; ')}`,
          { path: ['imageBaseUrl'] },
        )
      created += items.length - (task.errors?.length ?? 0)
    }
    return created
  }
}

function requireAdmin(caller: Caller, what: string): void {
  if (caller.role !== 'admin')
    throw new AppError('forbidden', `Only admins may import a file that needs ${what}`)
}

/** A reader that could not read the file: a coded error naming the format. */
function readFailure(err: unknown, format: ReadFormat): unknown {
  if (err instanceof AppError) return err
  const message = err instanceof Error ? err.message : String(err)
  return new AppError('format_syntax_invalid', `the ${format} file could not be read: ${message}`, {
    path: ['source'],
  })
}

/** The client's file name as one safe path segment. */
function safeName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  const clean = base.replace(/[^\w.\- ()[\]+@]/g, '_').replace(/^\.+/, '')
  return clean === '' ? 'upload' : clean.slice(0, 200)
}

async function readHead(path: string, bytes: number): Promise<Uint8Array> {
  const file = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(bytes)
    const { bytesRead } = await file.read(buffer, 0, bytes, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await file.close()
  }
}

async function readText(path: string, bytes: number): Promise<string> {
  return Buffer.from(await readHead(path, bytes)).toString('utf8')
}

/** A ZIP of one folder: that folder (so `dataset/data.yaml` reads as the dataset). */
async function singleChild(dir: string): Promise<string> {
  const entries = await readdir(dir, { withFileTypes: true })
  const only = entries.length === 1 ? entries[0] : undefined
  return only?.isDirectory() ? join(dir, only.name) : dir
}

/** A file format in a folder: the one file of that format in it. */
async function locateFile(path: string, format: ReadFormat): Promise<string> {
  if (!(await stat(path)).isDirectory()) return path
  for (const name of await listFiles(path)) {
    const found = detectFile(name, await readText(join(path, name), 64 * 1024))
    if (found === format) return join(path, name)
  }
  throw new AppError('format_unrecognized', `the archive holds no ${format} file`, {
    path: ['source'],
  })
}
