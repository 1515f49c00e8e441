/** The `labelport` command line: commands, global options, exit codes. */
import { createWriteStream } from 'node:fs'
import { basename, extname } from 'node:path'
import { finished } from 'node:stream/promises'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { SingleBar } from 'cli-progress'
import { api } from '@labelport/core'
import { Client, LabelImport, MALPredictionImport } from '@labelport/sdk'
import type { AnnotationImport } from '@labelport/sdk'
import { EXIT, formatError, formatImportSummary, importExitCode } from './output.ts'
import type { Io } from './output.ts'
import { serve } from './serve.ts'
import { addWorkspaceCommands } from './workspace-commands.ts'
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
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port is an integer in 0..65535')
  return port
}

function clientFor(options: GlobalOptions): Client {
  return new Client(
    options.apiKey,
    options.endpoint === undefined ? {} : { endpoint: options.endpoint },
  )
}

/** Runs one CLI invocation and resolves with its exit code; never calls process.exit itself. */
export async function run(
  argv: readonly string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
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
  addWorkspaceCommands(program, {
    io,
    client: () => clientFor(globals()),
    json: () => globals().json === true,
    printJson,
  })

  program
    .command('serve')
    .description('run the server and the web app on one port')
    .addOption(new Option('--port <port>', 'port to listen on').default(7440).argParser(parsePort))
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
    const client = clientFor(globals())
    const cls = options.kind === 'mal' ? MALPredictionImport : LabelImport
    const name =
      options.name ??
      `${basename(file, extname(file))}-${new Date().toISOString().replace(/[:.]/g, '-')}`
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
    try {
      await job.waitUntilDone({
        onProgress: (j) => bar?.update(Number.parseInt(j.progress, 10) || 0, { state: j.state }),
      })
    } finally {
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
      .option('--name <name>', 'job name, unique per project (default: file name and time)')
      .argument('<file>', 'NDJSON file, one annotation per line')

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
        'url: composite mask URL and colour; rle: also each mask as COCO RLE',
      )
        .choices(['url', 'rle'])
        .default('url'),
    )
    .action(async (options: { project: string; out?: string; masks: 'url' | 'rle' }) => {
      const client = clientFor(globals())
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
    })

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
