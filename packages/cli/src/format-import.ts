/**
 * `labelport import --format coco|coco-results|yolo|voc|auto`: reads a foreign file with
 * @labelport/formats, maps (or creates) the ontology by feature name and reports what does not map
 * BEFORE anything is written, creates the data rows that do not exist (global key = file name),
 * adds them to a batch, then runs the normal import job on the NDJSON lines, so every object gets
 * the verdict an NDJSON line would. Failed lines are reported with their place in the source file.
 */
import { createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { finished } from 'node:stream/promises'
import type { ImportJob } from '@labelport/core'
import {
  conversionOntology,
  convertEvents,
  describeSource,
  unmappedFeatures,
  type ForeignConversion,
  type FormatIssue,
  type SourceLocation,
  type UnmappedFeature,
} from '@labelport/formats'
import { READ_FORMATS, detectPath, readPath, type ReadFormat } from '@labelport/formats/node'
import { LabelImport, MALPredictionImport, type Client } from '@labelport/sdk'

export const FORMATS = ['auto', ...READ_FORMATS] as const
export type FormatOption = (typeof FORMATS)[number]

export interface ForeignImportOptions {
  client: Client
  format: FormatOption
  path: string
  projectId: string
  kind: 'mal' | 'ground-truth'
  name: string
  /** create missing data rows from these local files (the global key is the path below DIR) */
  images?: string
  /** or from URLs: base + global key */
  imageBaseUrl?: string
  /** COCO results: the instances file whose images and categories the detections refer to */
  instances?: string
  /** JSON {"source name": "feature name"} renaming source classes onto an existing ontology */
  map?: string
  dryRun?: boolean
  /** the server clips objects overshooting their image by a pixel or more (status warning geometry_clipped) */
  clip?: boolean
  log: (text: string) => void
}

export interface ForeignImportResult {
  format: ReadFormat
  /** problems of the file itself (with their locations); those elements were not imported */
  issues: FormatIssue[]
  /** feature names that do not map onto the project's ontology: nothing was written */
  unmapped: UnmappedFeature[]
  job: ImportJob | null
  /** failed lines with the source element they came from */
  failures: { source: SourceLocation; code: string; message: string }[]
  createdDataRows: number
  /** a dry run on a project without an ontology: the tools the import would create (no job runs) */
  wouldCreateTools?: { name: string; tool: string }[]
}

/** Which format a path holds (a file's first bytes, or a folder's file names). */
export async function detectFormat(path: string): Promise<ReadFormat | 'ndjson' | null> {
  const found = await detectPath(path)
  return found === null || found === 'ndjson' || (READ_FORMATS as readonly string[]).includes(found)
    ? found
    : null
}

export async function importForeign(opts: ForeignImportOptions): Promise<ForeignImportResult> {
  const { client, log } = opts
  let format: ReadFormat
  if (opts.format === 'auto') {
    const found = await detectFormat(opts.path)
    if (found === null || found === 'ndjson')
      throw new Error(
        found === 'ndjson'
          ? `${opts.path} is NDJSON: import it without --format`
          : `format_unrecognized: ${opts.path} is none of ${READ_FORMATS.join(', ')}; name it with --format`,
      )
    format = found
  } else format = opts.format
  const rename: Record<string, string> =
    opts.map === undefined
      ? {}
      : (JSON.parse(await readFile(opts.map, 'utf8')) as Record<string, string>)

  // 1. read: images and features in memory, lines (with their source) to a temporary NDJSON file
  const dir = await mkdtemp(join(tmpdir(), 'labelport-format-'))
  const ndjson = join(dir, 'lines.ndjson')
  const out = createWriteStream(ndjson)
  const sources: SourceLocation[] = []
  let conversion: ForeignConversion
  try {
    conversion = await convertEvents(
      readPath(format, opts.path, {
        kind: opts.kind,
        ...(opts.instances === undefined ? {} : { instances: opts.instances }),
      }),
      async (line) => {
        sources.push(line.source)
        if (!out.write(`${JSON.stringify(line)}\n`))
          await new Promise<void>((resolve) => out.once('drain', () => resolve()))
      },
      { rename },
    )
  } finally {
    out.end()
    await finished(out)
  }
  const { images, features, issues } = conversion
  log(
    `read ${format}: ${images.length} images, ${features.size} features, ${sources.length} objects, ${issues.length} file issues`,
  )
  const result: ForeignImportResult = {
    format,
    issues,
    unmapped: [],
    job: null,
    failures: [],
    createdDataRows: 0,
  }
  try {
    // 2. the ontology: map by name onto the connected one, or create one from the file
    const project = await client.getProject(opts.projectId)
    if (project.ontologyId !== null) {
      const ontology = await client.getOntology(project.ontologyId)
      result.unmapped = unmappedFeatures(features.values(), ontology.normalized, conversion.used)
      if (result.unmapped.length > 0) return result
    } else if (opts.dryRun) {
      result.wouldCreateTools = [...features.values()].map((f) => ({ name: f.name, tool: f.tool }))
      log(
        `the project has no ontology: the import would create one with ${features.size} tools; connect one to judge the objects`,
      )
      return result
    } else {
      const ontology = await client.createOntology(
        `${basename(opts.path)} (${format})`,
        conversionOntology(conversion),
      )
      await project.connectOntology(ontology)
      log(`created ontology ${ontology.id} with ${features.size} tools and connected it`)
    }
    // 3. data rows that do not exist yet, then a batch with every image of the file
    if (!opts.dryRun && (opts.images !== undefined || opts.imageBaseUrl !== undefined)) {
      const dataset = await client.createDataset({
        name: `${basename(opts.path)} images ${Date.now().toString(36)}`,
      })
      for (let i = 0; i < images.length; i += 1000) {
        const chunk = images.slice(i, i + 1000)
        const task = await dataset.createDataRows(
          chunk.map((image) => ({
            globalKey: image.globalKey,
            rowData:
              opts.images !== undefined
                ? join(opts.images, image.globalKey)
                : `${opts.imageBaseUrl!.replace(/\/$/, '')}/${image.globalKey.split('/').map(encodeURIComponent).join('/')}`,
          })),
        )
        await task.waitTillDone()
        const failed = (task.errors ?? []).filter((e) => e.code !== 'global_key_duplicate')
        if (failed.length > 0)
          throw new Error(
            `data rows could not be created: ${failed
              .slice(0, 5)
              .map((e) => e.message)
              .join('; ')}`,
          )
        result.createdDataRows += chunk.length - (task.errors?.length ?? 0)
      }
      log(`created ${result.createdDataRows} data rows (the others existed)`)
    }
    if (!opts.dryRun && images.length > 0)
      for (let i = 0; i < images.length; i += 100_000)
        await project.createBatch(`${opts.name}-${i / 100_000 + 1}`, {
          globalKeys: images.slice(i, i + 100_000).map((image) => image.globalKey),
        })
    if (sources.length === 0) return result
    // 4. the normal import job
    const cls = opts.kind === 'mal' ? MALPredictionImport : LabelImport
    const args = {
      client,
      projectId: opts.projectId,
      name: opts.name,
      path: ndjson,
      // the server clips (each clipped object's status line warns geometry_clipped)
      ...(opts.clip === true ? { clip: true } : {}),
    }
    const job = opts.dryRun ? await cls.validate(args) : await cls.createFromFile(args)
    await job.waitUntilDone()
    result.job = job.job
    for await (const status of job.iterateStatuses({ status: 'FAILURE' })) {
      const source = sources[status.line - 1]
      const error = status.errors?.[0]
      if (source && error && result.failures.length < 1000)
        result.failures.push({ source, code: error.code, message: error.message })
    }
    // what the server clipped: reported with the source, as file issues are
    if (opts.clip === true)
      for await (const status of job.iterateStatuses({ status: 'SUCCESS' })) {
        const source = sources[status.line - 1]
        for (const w of status.warnings ?? [])
          if (source && w.code === 'geometry_clipped' && result.issues.length < 10_000)
            result.issues.push({ code: w.code, message: w.message, source, warning: true })
      }
    return result
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Human-readable report lines for a foreign import. */
export function formatForeignReport(r: ForeignImportResult): string {
  const where = describeSource
  let text = ''
  for (const u of r.unmapped) text += `unmapped: ${u.name} (${u.tool}): ${u.reason}\n`
  if (r.unmapped.length > 0)
    text += 'nothing was written; rename with --map FILE ({"source name": "ontology name"})\n'
  for (const i of r.issues.slice(0, 50))
    text += `${i.warning ? 'warning' : 'error'} ${i.code}: ${where(i.source)}: ${i.message}\n`
  if (r.issues.length > 50) text += `… and ${r.issues.length - 50} more file issues\n`
  for (const f of r.failures.slice(0, 50))
    text += `FAILURE ${f.code}: ${where(f.source)}: ${f.message}\n`
  return text
}
