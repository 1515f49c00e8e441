/**
 * Setting a workspace up without a browser: datasets and folder uploads, ontologies, projects,
 * batches, users and API keys; deletes ask for `--yes` after saying what uses the thing.
 */
import { createHash } from 'node:crypto'
import { readFile, readdir } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import { SingleBar } from 'cli-progress'
import { AppError, ROLES, api } from '@labelport/core'
import type { Dataset, DatasetDataRow, Role, Task } from '@labelport/core'
import type { Client } from '@labelport/sdk'
import { formatTable } from './output.ts'
import { confirmDelete, formatImpact } from './delete-commands.ts'
import type { Io } from './output.ts'

export interface WorkspaceContext {
  io: Io
  client: () => Client
  json: () => boolean
  printJson: (value: unknown) => void
}

const IMAGE_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.bmp': 'image/bmp',
}
/** data rows created per task: big enough to be quick, small enough that a crash loses little */
const ROWS_PER_TASK = 100

function imageType(path: string): string | undefined {
  const dot = path.lastIndexOf('.')
  return dot < 0 ? undefined : IMAGE_TYPES[path.slice(dot).toLowerCase()]
}

async function listImages(dir: string): Promise<string[]> {
  let entries
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true })
  } catch (err) {
    const code = (err as { code?: string }).code
    throw new AppError(
      'validation_failed',
      code === 'ENOENT' ? `No folder ${dir}` : `Cannot read the folder ${dir} (${code ?? 'error'})`,
      { path: ['dir'] },
    )
  }
  return entries
    .filter((e) => e.isFile() && imageType(e.name) !== undefined)
    .map((e) => join(e.parentPath, e.name))
    .sort()
}

function parsePositive(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number from 1')
  return n
}

async function findDataset(client: Client, nameOrId: string): Promise<Dataset | undefined> {
  let cursor: string | undefined
  do {
    const page = await client.call(api.listDatasets, { query: { limit: 1000, cursor } })
    const found = page.items.find((d) => d.id === nameOrId || d.name === nameOrId)
    if (found) return found
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return undefined
}

async function datasetRows(client: Client, datasetId: string): Promise<DatasetDataRow[]> {
  const rows: DatasetDataRow[] = []
  let cursor: string | undefined
  do {
    const page = await client.call(api.listDataRows, {
      params: { datasetId },
      query: { limit: 1000, cursor },
    })
    rows.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return rows
}

async function waitForTask(client: Client, taskId: string): Promise<Task> {
  for (;;) {
    const task = await client.call(api.getTask, { params: { taskId } })
    if (task.status !== 'IN_PROGRESS') return task
    await new Promise((r) => setTimeout(r, 100))
  }
}

interface UploadSummary {
  dataset: { id: string; name: string; created: boolean }
  found: number
  skipped: number
  uploaded: number
  failed: { globalKey: string; code: string; message: string }[]
  /** the dataset holds other content under the file's global key: not uploaded, reported */
  changed: { globalKey: string; datasetSha256: string; localSha256: string }[]
  /** the dataset (or an earlier file of this run) holds the same bytes under another key: uploaded all the same, reported */
  sameContent: { globalKey: string; sameAs: string }[]
  seconds: number
  bytes: number
}

/**
 * Uploads every image under `dir` that the dataset does not hold yet, by global key (the path
 * relative to `dir`) and content (SHA-256), `concurrency` at a time, and creates their data rows
 * in tasks of ROWS_PER_TASK. Run again after an interruption, it sends only what is missing. A
 * file whose global key is there with other content is reported as changed, not uploaded (the
 * row may carry labels); a file whose bytes the dataset holds under another key is uploaded (the
 * global key is its identity) and reported. Rows made before content hashes were kept match by key.
 */
async function uploadFolder(
  ctx: WorkspaceContext,
  dir: string,
  options: { dataset: string; concurrency: number },
): Promise<UploadSummary> {
  const client = ctx.client()
  const started = Date.now()
  const files = await listImages(dir)
  let dataset = await findDataset(client, options.dataset)
  const created = dataset === undefined
  dataset ??= await client.call(api.createDataset, { body: { name: options.dataset } })
  // global key → content hash (null: a row made before hashes were kept), and hash → a key
  const present = new Map<string, string | null>()
  const byContent = new Map<string, string>()
  for (const row of await datasetRows(client, dataset.id)) {
    if (row.globalKey !== null) present.set(row.globalKey, row.contentSha256)
    if (row.contentSha256 !== null && !byContent.has(row.contentSha256))
      byContent.set(row.contentSha256, row.globalKey ?? row.id)
  }
  const todo = files.map((path) => ({ path, globalKey: relative(dir, path).split(sep).join('/') }))
  const summary: UploadSummary = {
    dataset: { id: dataset.id, name: dataset.name, created },
    found: files.length,
    skipped: 0,
    uploaded: 0,
    failed: [],
    changed: [],
    sameContent: [],
    seconds: 0,
    bytes: 0,
  }
  const bar = ctx.json()
    ? undefined
    : new SingleBar({
        format: 'uploading [{bar}] {value}/{total} images | {rate}/s',
        stream: ctx.io.stderr as NodeJS.WritableStream,
        noTTYOutput: true,
        notTTYSchedule: 2000,
        hideCursor: true,
      })
  bar?.start(todo.length, 0, { rate: '0' })

  const datasetId = dataset.id
  let pending: { rowData: string; globalKey: string }[] = []
  const flush = async (): Promise<void> => {
    const items = pending
    pending = []
    if (items.length === 0) return
    const task = await client.call(api.createDataRows, { params: { datasetId }, body: { items } })
    const done = await waitForTask(client, task.id)
    summary.uploaded += done.createdDataRows.length
    for (const error of done.errors)
      for (const row of error.failedDataRows)
        // taken meanwhile (an interrupted run's last task finishing on the server): it is there
        if (error.code === 'global_key_duplicate') summary.skipped++
        else
          summary.failed.push({
            globalKey: row.globalKey ?? row.rowData,
            code: error.code,
            message: error.message,
          })
    const seconds = Math.max((Date.now() - started) / 1000, 0.001)
    bar?.update(
      summary.uploaded + summary.failed.length + summary.skipped + summary.changed.length,
      {
        rate: (summary.uploaded / seconds).toFixed(1),
      },
    )
  }
  // one flush at a time, so tasks never race for the same rows
  let flushing: Promise<void> = Promise.resolve()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const file = todo[next++]
      if (!file) break
      try {
        const bytes = await readFile(file.path)
        const sha256 = createHash('sha256').update(bytes).digest('hex')
        if (present.has(file.globalKey)) {
          const there = present.get(file.globalKey) ?? null
          if (there === null || there === sha256) summary.skipped++
          else
            summary.changed.push({
              globalKey: file.globalKey,
              datasetSha256: there,
              localSha256: sha256,
            })
          bar?.increment()
          continue
        }
        // the global key is a file's identity: same bytes under another key are uploaded, and said
        const sameAs = byContent.get(sha256)
        if (sameAs !== undefined) summary.sameContent.push({ globalKey: file.globalKey, sameAs })
        else byContent.set(sha256, file.globalKey)
        summary.bytes += bytes.length
        const upload = await client.upload(new Uint8Array(bytes), {
          contentType: imageType(file.path) ?? 'application/octet-stream',
        })
        pending.push({ rowData: upload.uri, globalKey: file.globalKey })
        if (pending.length >= ROWS_PER_TASK) flushing = flushing.then(flush)
      } catch (err) {
        summary.failed.push({
          globalKey: file.globalKey,
          code: err instanceof AppError ? err.code : 'internal',
          message: err instanceof Error ? err.message : String(err),
        })
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker))
    flushing = flushing.then(flush)
    await flushing
  } finally {
    bar?.stop()
  }
  summary.seconds = (Date.now() - started) / 1000
  return summary
}

export function addWorkspaceCommands(program: Command, ctx: WorkspaceContext): void {
  const out = (text: string) => ctx.io.stdout.write(`${text}\n`)

  const datasets = program.command('datasets').description('create, list and delete datasets')
  datasets
    .command('create')
    .argument('<name>', 'dataset name')
    .option('--description <text>', 'what the dataset holds')
    .action(async (name: string, options: { description?: string }) => {
      const dataset = await ctx.client().createDataset({
        name,
        ...(options.description === undefined ? {} : { description: options.description }),
      })
      if (ctx.json()) ctx.printJson({ id: dataset.uid, name })
      else out(`created dataset ${name}: ${dataset.uid}`)
    })
  datasets.command('list').action(async () => {
    const page = await ctx.client().call(api.listDatasets, { query: { limit: 1000 } })
    if (ctx.json()) ctx.printJson(page.items)
    else
      out(
        formatTable([
          ['id', 'name', 'data rows'],
          ...page.items.map((d) => [d.id, d.name, String(d.rowCount)]),
        ]),
      )
  })
  datasets
    .command('delete')
    .argument('<dataset>', 'dataset id or name')
    .option('--yes', 'delete without asking (needed when not run in a terminal)')
    .action(async (nameOrId: string, options: { yes?: boolean }) => {
      const client = ctx.client()
      const dataset = await findDataset(client, nameOrId)
      if (!dataset)
        throw new AppError('dataset_not_found', `No dataset ${nameOrId}`, { path: ['dataset'] })
      const params = { datasetId: dataset.id }
      const impact = await client.call(api.getDatasetDeletionImpact, { params })
      await confirmDelete(ctx.io, impact, options.yes)
      await client.call(api.deleteDataset, { params })
      if (ctx.json()) ctx.printJson({ deleted: impact })
      else out(`deleted the ${formatImpact(impact)}`)
    })

  program
    .command('upload')
    .description(
      'upload every image under a folder into a dataset (global key = relative path); run it again to send only what is missing',
    )
    .argument('<dir>', 'folder of images (searched recursively)')
    .requiredOption('--dataset <name>', 'dataset name or id (created when missing)')
    .addOption(
      new Option('--concurrency <n>', 'uploads at a time').default(8).argParser(parsePositive),
    )
    .action(async (dir: string, options: { dataset: string; concurrency: number }) => {
      const summary = await uploadFolder(ctx, dir, options)
      if (ctx.json()) {
        ctx.printJson(summary)
        return
      }
      const rate = summary.uploaded / Math.max(summary.seconds, 0.001)
      out(
        `${summary.dataset.created ? 'created' : 'dataset'} ${summary.dataset.name} (${summary.dataset.id}): ` +
          `${summary.found} images found, ${summary.skipped} already there, ${summary.uploaded} uploaded, ` +
          `${summary.failed.length} failed in ${summary.seconds.toFixed(1)} s (${rate.toFixed(1)} images/s, ` +
          `${(summary.bytes / 1e6 / Math.max(summary.seconds, 0.001)).toFixed(1)} MB/s)`,
      )
      for (const f of summary.failed.slice(0, 20)) out(`  ${f.globalKey}: ${f.code}: ${f.message}`)
      if (summary.failed.length > 20) out(`  … and ${summary.failed.length - 20} more`)
      if (summary.changed.length > 0)
        out(
          `${summary.changed.length} changed since uploaded, not uploaded (the dataset holds other content under the same global key; delete that data row first to replace it):`,
        )
      for (const f of summary.changed.slice(0, 20))
        out(
          `  ${f.globalKey}: changed: dataset ${f.datasetSha256.slice(0, 12)}…, file ${f.localSha256.slice(0, 12)}…`,
        )
      if (summary.changed.length > 20) out(`  … and ${summary.changed.length - 20} more`)
      if (summary.sameContent.length > 0)
        out(
          `${summary.sameContent.length} uploaded with the same content as another data row (a copy or a rename?):`,
        )
      for (const f of summary.sameContent.slice(0, 20))
        out(`  ${f.globalKey}: same content as ${f.sameAs}`)
      if (summary.sameContent.length > 20) out(`  … and ${summary.sameContent.length - 20} more`)
    })

  program
    .command('ontologies')
    .description('create ontologies')
    .command('create')
    .requiredOption('--file <json>', 'normalized ontology JSON (as the web editor exports it)')
    .requiredOption('--name <name>', 'ontology name')
    .action(async (options: { file: string; name: string }) => {
      let normalized: unknown
      try {
        normalized = JSON.parse(await readFile(options.file, 'utf8'))
      } catch (err) {
        const code = (err as { code?: string }).code
        throw new AppError(
          'validation_failed',
          code === 'ENOENT'
            ? `No file ${options.file}`
            : `${options.file} is not JSON: ${(err as Error).message}`,
          { path: ['file'] },
        )
      }
      const ontology = await ctx.client().createOntology(options.name, normalized)
      if (ctx.json()) ctx.printJson({ id: ontology.uid, name: options.name })
      else out(`created ontology ${options.name}: ${ontology.uid}`)
    })

  const projects = program.command('projects').description('create, list and delete projects')
  projects
    .command('create')
    .argument('<name>', 'project name')
    .option('--ontology <id>', 'connect this ontology')
    .action(async (name: string, options: { ontology?: string }) => {
      const client = ctx.client()
      const project = await client.call(api.createProject, { body: { name, mediaType: 'IMAGE' } })
      if (options.ontology)
        await client.call(api.connectOntology, {
          params: { projectId: project.id },
          body: { ontologyId: options.ontology },
        })
      if (ctx.json()) ctx.printJson({ id: project.id, name })
      else out(`created project ${name}: ${project.id}`)
    })
  projects.command('list').action(async () => {
    const page = await ctx.client().call(api.listProjects, { query: { limit: 1000 } })
    if (ctx.json()) ctx.printJson(page.items)
    else
      out(
        formatTable([
          ['id', 'name', 'data rows', 'ontology'],
          ...page.items.map((p) => [p.id, p.name, String(p.dataRowCount), p.ontologyId ?? '—']),
        ]),
      )
  })
  projects
    .command('delete')
    .argument('<projectId>', 'project id')
    .option('--yes', 'delete without asking (needed when not run in a terminal)')
    .action(async (projectId: string, options: { yes?: boolean }) => {
      const client = ctx.client()
      const impact = await client.call(api.getProjectDeletionImpact, { params: { projectId } })
      await confirmDelete(ctx.io, impact, options.yes)
      await client.call(api.deleteProject, { params: { projectId } })
      if (ctx.json()) ctx.printJson({ deleted: impact })
      else out(`deleted the ${formatImpact(impact)}`)
    })

  program
    .command('batches')
    .description('add data rows to a project')
    .command('create')
    .requiredOption('--project <id>', 'project id')
    .requiredOption('--dataset <dataset>', 'dataset id or name to pick data rows from')
    .requiredOption('--name <name>', 'batch name')
    .option('--filter <text>', 'only global keys containing this text')
    .addOption(new Option('--priority <n>', '1 (highest) to 5').default(5).argParser(parsePositive))
    .action(
      async (options: {
        project: string
        dataset: string
        name: string
        filter?: string
        priority: number
      }) => {
        const client = ctx.client()
        const dataset = await findDataset(client, options.dataset)
        if (!dataset)
          throw new AppError('dataset_not_found', `No dataset ${options.dataset}`, {
            path: ['dataset'],
          })
        const rows = (await datasetRows(client, dataset.id)).filter(
          (r) => !options.filter || (r.globalKey ?? '').includes(options.filter),
        )
        if (rows.length === 0)
          throw new AppError('validation_failed', 'No data row matches', { path: ['filter'] })
        const batch = await client.call(api.createBatch, {
          params: { projectId: options.project },
          body: {
            name: options.name,
            dataRowIds: rows.map((r) => r.id),
            priority: options.priority,
          },
        })
        if (ctx.json()) ctx.printJson(batch)
        else out(`created batch ${options.name} with ${rows.length} data rows: ${batch.id}`)
      },
    )

  const users = program.command('users').description('members of the organization (admins)')
  users.command('list').action(async () => {
    const list = await ctx.client().listUsers()
    if (ctx.json()) ctx.printJson(list)
    else
      out(formatTable([['email', 'name', 'role'], ...list.map((u) => [u.email, u.name, u.role])]))
  })
  users
    .command('add')
    .requiredOption('--email <email>', 'their email, to sign in with')
    .requiredOption('--name <name>', 'their name')
    .addOption(new Option('--role <role>', 'their role').choices(ROLES).makeOptionMandatory())
    .addOption(
      new Option('--password <password>', 'initial password (12 characters or more)')
        .env('LABELPORT_NEW_USER_PASSWORD')
        .makeOptionMandatory(),
    )
    .action(async (options: { email: string; name: string; role: Role; password: string }) => {
      const user = await ctx.client().createUser(options)
      if (ctx.json()) ctx.printJson(user)
      else out(`added ${user.email} as ${user.role}: ${user.id}`)
    })
  users
    .command('set-role')
    .argument('<email>', 'the member')
    .addArgument(new Command().createArgument('<role>', 'new role').choices(ROLES))
    .action(async (email: string, role: Role) => {
      const client = ctx.client()
      const user = (await client.listUsers()).find((u) => u.email === email.toLowerCase())
      if (!user) throw new AppError('user_not_found', `No member ${email}`, { path: ['email'] })
      const updated = await client.updateUser(user.id, { role })
      out(`${updated.email} is now ${updated.role}`)
    })

  const keys = program.command('keys').description('your own API keys')
  keys.command('list').action(async () => {
    const list = await ctx.client().listApiKeys()
    if (ctx.json()) ctx.printJson(list)
    else
      out(
        formatTable([
          ['id', 'name', 'key', 'state'],
          ...list.map((k) => [k.id, k.name, `${k.prefix}…`, k.revokedAt ? 'revoked' : 'active']),
        ]),
      )
  })
  keys
    .command('create')
    .argument('<name>', 'what the key is for')
    .action(async (name: string) => {
      const created = await ctx.client().createApiKey(name)
      if (ctx.json()) ctx.printJson(created)
      else out(`${created.key}\n(the key is shown this once; it acts as you, with your role)`)
    })
  keys
    .command('revoke')
    .argument('<id>', 'key id (see keys list)')
    .action(async (id: string) => {
      await ctx.client().revokeApiKey(id)
      out(`revoked ${id}`)
    })
}
