/** The `labelport` command line: commands, global options, exit codes. */
import { createWriteStream } from 'node:fs'
import { access } from 'node:fs/promises'
import { basename, extname } from 'node:path'
import { finished } from 'node:stream/promises'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { SingleBar } from 'cli-progress'
import { AppError, api } from '@labelport/core'
import { Client, LabelImport, MALPredictionImport, Project } from '@labelport/sdk'
import type { AnnotationImport } from '@labelport/sdk'
import {
  EXIT,
  formatError,
  formatEvaluationSummary,
  formatImportSummary,
  importExitCode,
} from './output.ts'
import type { Io } from './output.ts'
import { serve } from './server-launcher.ts'
import { FORMATS, detectFormat, formatForeignReport, importForeign } from './format-import.ts'
import type { FormatOption } from './format-import.ts'
import { EXPORT_FORMATS, exportForeign } from './format-export.ts'
import type { ExportFormat } from './format-export.ts'
import { addWorkspaceCommands } from './workspace-commands.ts'
import { addDeleteCommands } from './delete-commands.ts'
import { addImportCommands, askToCancel } from './import-commands.ts'
import packageJson from '../package.json' with { type: 'json' }

interface GlobalOptions {
  endpoint?: string
  apiKey?: string
  json?: boolean
}

interface ImportOptions {
  project: string
  kind: 'mal' | 'ground-truth'
  name?: string
  format?: FormatOption
  images?: string
  imageBaseUrl?: string
  instances?: string
  map?: string
  clip?: boolean
  timeout: number
}

function parseSeconds(value: string): number {
  const seconds = Number(value)
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InvalidArgumentError(`--timeout must be a positive number of seconds, got '${value}'`)
  return seconds
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port is an integer in 0..65535')
  return port
}

function clientFor(options: GlobalOptions): Client {
  const key = options.apiKey
  if (key === undefined || key === '')
    // said in the CLI's own words, not the SDK's (no `new Client(apiKey)` here)
    throw new AppError(
      'unauthenticated',
      'no API key: set LABELPORT_API_KEY or pass --api-key KEY (an admin finds the first one in .labelport/admin-api-key.txt; `labelport keys create` makes more)',
      { path: ['apiKey'] },
    )
  return new Client(key, options.endpoint === undefined ? {} : { endpoint: options.endpoint })
}

/** A missing input file is a usage problem with the path named, never `internal: ENOENT`. */
async function requireFile(path: string, option: string): Promise<void> {
  try {
    await access(path)
  } catch {
    throw new AppError('validation_failed', `No file or folder ${path}`, { path: [option] })
  }
}

/** Runs one CLI invocation and resolves with its exit code; never calls process.exit itself. */
export async function run(
  argv: readonly string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
): Promise<number> {
  let exitCode: number = EXIT.ok
  const program = new Command('labelport')
    .description(
      'Labelport: import pre-labels and ground truth into a self-hosted annotation server',
    )
    .addOption(new Option('--endpoint <url>', 'server URL').env('LABELPORT_ENDPOINT'))
    .addOption(new Option('--api-key <key>', 'API key').env('LABELPORT_API_KEY'))
    .option('--json', 'machine-readable output on stdout')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(run labelport --help for usage)')

  const globals = (): GlobalOptions => program.opts<GlobalOptions>()
  const printJson = (value: unknown): void => {
    io.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
  }
  program.version(packageJson.version, '--version', 'print the version')
  const commandContext = {
    io,
    client: () => clientFor(globals()),
    json: () => globals().json === true,
    printJson,
  }
  addWorkspaceCommands(program, commandContext)
  addDeleteCommands(program, commandContext)
  addImportCommands(program, commandContext)

  program
    .command('serve')
    .description('run the server and the web app on one port')
    .addOption(
      new Option('--port <port>', 'port to listen on')
        .env('LABELPORT_PORT')
        .default(7440)
        .argParser(parsePort),
    )
    .option('--data-dir <dir>', 'where the SQLite file and the blobs live', './.labelport')
    .option(
      '--host <address>',
      'address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)',
    )
    .action(async (options: { port: number; dataDir: string; host?: string }) => {
      exitCode = await serve({
        port: options.port,
        dataDir: options.dataDir,
        ...(options.host === undefined ? {} : { host: options.host }),
      })
    })

  const runImport = async (
    file: string,
    options: ImportOptions,
    dryRun: boolean,
  ): Promise<void> => {
    const { json = false } = globals()
    await requireFile(file, 'file')
    for (const [value, option] of [
      [options.images, 'images'],
      [options.instances, 'instances'],
      [options.map, 'map'],
    ] as const)
      if (value !== undefined) await requireFile(value, option)
    const client = clientFor(globals())
    const cls = options.kind === 'mal' ? MALPredictionImport : LabelImport
    const name =
      options.name ??
      `${basename(file, extname(file))}-${new Date().toISOString().replace(/[:.]/g, '-')}`
    // a foreign format (named, or found in the file): never judged as broken NDJSON
    const detected = options.format === undefined ? await detectFormat(file) : options.format
    if (detected !== null && detected !== 'ndjson') {
      const result = await importForeign({
        client,
        format: detected,
        path: file,
        projectId: options.project,
        kind: options.kind,
        name,
        dryRun,
        ...(options.images === undefined ? {} : { images: options.images }),
        ...(options.imageBaseUrl === undefined ? {} : { imageBaseUrl: options.imageBaseUrl }),
        ...(options.instances === undefined ? {} : { instances: options.instances }),
        ...(options.map === undefined ? {} : { map: options.map }),
        clip: options.clip === true,
        log: (text) => {
          if (!json) io.stderr.write(`${text}\n`)
        },
      })
      if (json) printJson(result)
      else {
        io.stderr.write(formatForeignReport(result))
        if (result.job) io.stdout.write(formatImportSummary(result.job))
      }
      exitCode =
        result.unmapped.length > 0
          ? EXIT.error
          : result.job
            ? Math.max(
                importExitCode(result.job),
                result.issues.some((i) => i.warning !== true) ? EXIT.someFailed : EXIT.ok,
              )
            : result.issues.some((i) => i.warning !== true)
              ? EXIT.someFailed
              : EXIT.ok
      return
    }
    const args = { client, projectId: options.project, name, path: file }
    const job: AnnotationImport = dryRun ? await cls.validate(args) : await cls.createFromFile(args)
    const bar = json
      ? undefined
      : new SingleBar({
          format: `${dryRun ? 'validating' : 'importing'} [{bar}] {percentage}% | {state}`,
          stream: io.stderr as NodeJS.WritableStream,
          noTTYOutput: true,
          notTTYSchedule: 1000,
          hideCursor: true,
        })
    bar?.start(100, 0, { state: job.state })
    // Ctrl-C asks whether to cancel the import on the server (issue 10)
    const stopWaiting = new AbortController()
    const removeCtrlC = askToCancel(job, io, () => stopWaiting.abort())
    try {
      await job.waitUntilDone({
        timeoutSeconds: options.timeout,
        onProgress: (j) => bar?.update(Number.parseInt(j.progress, 10) || 0, { state: j.state }),
        signal: stopWaiting.signal,
      })
    } catch (err) {
      if (!stopWaiting.signal.aborted) throw err
      await job.refresh()
    } finally {
      removeCtrlC()
      bar?.stop()
    }
    if (json) printJson({ job: job.job })
    else io.stdout.write(formatImportSummary(job.job))
    exitCode = importExitCode(job.job)
  }

  const importOptions = (command: Command): Command =>
    command
      .requiredOption('--project <id>', 'project id')
      .addOption(
        new Option('--kind <kind>', 'MAL pre-labels or ground truth')
          .choices(['mal', 'ground-truth'])
          .makeOptionMandatory(),
      )
      .option(
        '--name <name>',
        "job name (default: file name and time); an import's name is unique in its project, a dry run takes no name (several may share one)",
      )
      .addOption(
        new Option(
          '--format <format>',
          'a foreign format (default: found from the file; NDJSON otherwise)',
        ).choices(FORMATS),
      )
      .option('--images <dir>', 'create missing data rows from the image files in DIR')
      .option('--image-base-url <url>', 'create missing data rows from URL/<file name>')
      .option('--instances <file>', 'coco-results: the COCO instances file the detections refer to')
      .option('--map <file>', 'JSON {"source class": "ontology feature"} to rename classes')
      .option('--clip', 'clip objects overshooting their image by a pixel or more (reported)')
      .option(
        '--timeout <seconds>',
        'stop waiting for the job after this long (default 3600; the job goes on in the server)',
        parseSeconds,
        3600,
      )
      .argument('<file>', 'NDJSON file, or a COCO file, YOLO or VOC folder (see --format)')

  importOptions(
    program
      .command('import')
      .description('import an NDJSON file as pre-labels (mal) or ground truth'),
  ).action(async (file: string, options: ImportOptions) => runImport(file, options, false))
  importOptions(
    program
      .command('validate')
      .description('dry run: judge every line as an import would, write nothing'),
  ).action(async (file: string, options: ImportOptions) => runImport(file, options, true))

  program
    .command('export')
    .description('export v2 of a project as NDJSON (labels and prelabels per data row)')
    .requiredOption('--project <id>', 'project id')
    .option('--out <file>', 'write to a file instead of stdout')
    .addOption(
      new Option(
        '--masks <form>',
        'url: composite mask URL and color; rle: also each mask as COCO RLE',
      )
        .choices(['url', 'rle'])
        .default('url'),
    )
    .addOption(
      new Option(
        '--format <format>',
        'ndjson (export v2) or a foreign format written into --out DIR',
      )
        .choices(['ndjson', ...EXPORT_FORMATS])
        .default('ndjson'),
    )
    .addOption(
      new Option('--layer <layer>', 'foreign formats: labels, pre-labels or both')
        .choices(['labels', 'prelabels', 'both'])
        .default('labels'),
    )
    .option('--images', 'foreign formats: download each image beside the labels')
    .action(
      async (options: {
        project: string
        out?: string
        masks: 'url' | 'rle'
        format: 'ndjson' | ExportFormat
        layer: 'labels' | 'prelabels' | 'both'
        images?: boolean
      }) => {
        const client = clientFor(globals())
        if (options.format !== 'ndjson') {
          if (options.out === undefined) throw new InvalidArgumentError('--format needs --out DIR')
          const result = await exportForeign({
            client,
            projectId: options.project,
            format: options.format,
            out: options.out,
            layer: options.layer,
            images: options.images === true,
          })
          if (globals().json === true) printJson(result)
          else {
            for (const i of result.issues) io.stderr.write(`warning ${i.code}: ${i.message}\n`)
            io.stderr.write(
              `wrote ${result.annotations} annotations of ${result.rows} data rows as ${options.format} to ${options.out}\n`,
            )
          }
          return
        }
        const out = options.out === undefined ? undefined : createWriteStream(options.out)
        let rows = 0
        try {
          for await (const row of client.stream(api.exportProject, {
            params: { projectId: options.project },
            query: { masks: options.masks },
          })) {
            const line = `${JSON.stringify(row)}\n`
            if (out === undefined) io.stdout.write(line)
            else if (!out.write(line))
              await new Promise<void>((resolve) => out.once('drain', () => resolve()))
            rows++
          }
        } finally {
          out?.end()
          if (out) await finished(out)
        }
        if (options.out !== undefined) {
          if (globals().json === true) printJson({ rows, out: options.out })
          else io.stderr.write(`wrote ${rows} data rows to ${options.out}\n`)
        }
      },
    )

  program
    .command('evaluate')
    .description(
      'evaluate pre-labels against labels: COCO statistics and per-class TP/FP/FN, precision, recall, F1',
    )
    .requiredOption('--project <id>', 'project id')
    .option('--import <id>', 'only the pre-labels of this MAL import (default: all pre-labels)')
    .addOption(
      new Option('--iou-type <type>', 'bbox: boxes; segm: masks (polygons rasterized)')
        .choices(['bbox', 'segm'])
        .default('bbox'),
    )
    .option('--iou <threshold>', 'IoU a match needs for TP/FP/FN (COCO AP uses .50:.95)', '0.5')
    .option('--feature <id...>', 'feature schema ids to evaluate (default: every object feature)')
    .addOption(
      new Option('--method <method>', 'coco: greedy by confidence; labelbox: greedy by IoU')
        .choices(['coco', 'labelbox'])
        .default('coco'),
    )
    .option('--across-classes', 'let a prediction match ground truth of another class')
    .option('--strict-iou', 'labelbox method: IoU must exceed the threshold')
    .option('--name <name>', 'evaluation name')
    .action(
      async (options: {
        project: string
        import?: string
        iouType: 'bbox' | 'segm'
        iou: string
        feature?: string[]
        method: 'coco' | 'labelbox'
        acrossClasses?: boolean
        strictIou?: boolean
        name?: string
      }) => {
        const iouThreshold = Number(options.iou)
        if (!Number.isFinite(iouThreshold))
          throw new AppError('validation_failed', '--iou must be a number in 0..1', {
            path: ['iou'],
          })
        const client = clientFor(globals())
        const project = new Project(
          client,
          await client.call(api.getProject, { params: { projectId: options.project } }),
        )
        const evaluation = await project.createEvaluation({
          iouType: options.iouType,
          iouThreshold,
          method: options.method,
          classwise: options.acrossClasses !== true,
          strictIou: options.strictIou === true,
          ...(options.import === undefined ? {} : { importId: options.import }),
          ...(options.feature === undefined ? {} : { featureSchemaIds: options.feature }),
          ...(options.name === undefined ? {} : { name: options.name }),
        })
        await evaluation.waitUntilDone()
        if (globals().json === true) printJson({ evaluation: evaluation.resource })
        else io.stdout.write(formatEvaluationSummary(evaluation.resource))
        exitCode = evaluation.state === 'FINISHED' ? EXIT.ok : EXIT.error
      },
    )

  program
    .command('demo')
    .description(
      'load demo images, the guide ontology, a project and imports of every annotation kind',
    )
    .action(async () => {
      const { json = false } = globals()
      const client = clientFor(globals())
      const { loadDemo } = await import('./demo.ts')
      const result = await loadDemo({
        client,
        ...(json ? {} : { log: (text: string) => io.stderr.write(`${text}\n`) }),
      })
      if (json) printJson(result)
      else io.stdout.write(`Demo project ready: ${result.projectUrl}\n`)
    })

  try {
    await program.parseAsync(argv, { from: 'user' })
    return exitCode
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are not errors; every other commander error is a usage error
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage
    }
    io.stderr.write(`${formatError(err)}\n`)
    return EXIT.error
  }
}
