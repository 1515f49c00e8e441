/**
 * The workspace commands against a real server: a folder of 2,000 generated images uploaded,
 * killed mid-way (SIGKILL) and run again: every image there once, none twice; then datasets,
 * ontologies, projects, batches, users, keys, --version and deletes with --yes.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { api } from '@labelport/core'
import { Client } from '@labelport/sdk'
import { startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
import { EXIT } from './output.ts'
import { run } from './program.ts'

const BIN = fileURLToPath(new URL('../bin/labelport.js', import.meta.url))
const IMAGES = 2000

function capture() {
  let out = ''
  let err = ''
  return {
    io: {
      stdout: { write: (t: string) => ((out += t), true) },
      stderr: { write: (t: string) => ((err += t), true) },
    },
    out: () => out,
    err: () => err,
  }
}

void describe('workspace commands against a real server', () => {
  let server: TestServer
  let work = ''
  let client: Client
  const globals = (): string[] => ['--endpoint', server.url, '--api-key', server.apiKey]
  const rowsOf = async (datasetId: string): Promise<{ id: string; globalKey: string }[]> => {
    const rows: { id: string; globalKey: string }[] = []
    let cursor: string | undefined
    do {
      const res = await fetch(
        `${server.url}/v1/datasets/${datasetId}/data-rows?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
        { headers: { authorization: `Bearer ${server.apiKey}` } },
      )
      const page = (await res.json()) as {
        items: { id: string; globalKey: string }[]
        nextCursor: string | null
      }
      rows.push(...page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    return rows
  }

  before(async () => {
    server = await startServer()
    client = new Client(server.apiKey, { endpoint: server.url })
    work = mkdtempSync(join(tmpdir(), 'labelport-upload-test-'))
  })
  after(async () => {
    await server.stop()
    rmSync(work, { recursive: true, force: true })
  })

  void it('uploads 2,000 images, killed mid-way and run again: each image once', async () => {
    const dir = join(work, 'images')
    const expected: string[] = []
    for (let folder = 0; folder < 10; folder++) {
      mkdirSync(join(dir, `part-${folder}`), { recursive: true })
      for (let i = 0; i < IMAGES / 10; i++) {
        const n = folder * 1000 + i
        const png = await sharp({
          create: {
            width: 8 + (n % 8),
            height: 8,
            channels: 3,
            background: { r: n % 256, g: Math.floor(n / 256) % 256, b: 7 },
          },
        })
          .png()
          .toBuffer()
        writeFileSync(join(dir, `part-${folder}`, `img-${i}.png`), png)
        expected.push(`part-${folder}/img-${i}.png`)
      }
    }
    writeFileSync(join(dir, 'README.txt'), 'not an image: skipped by extension')

    const child = spawn(
      process.execPath,
      [BIN, ...globals(), 'upload', dir, '--dataset', 'bulk', '--concurrency', '8'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let childOutput = ''
    child.stdout.on('data', (c: Buffer) => (childOutput += c.toString()))
    child.stderr.on('data', (c: Buffer) => (childOutput += c.toString()))
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    // kill it once some data rows exist and well before the end
    let datasetId = ''
    for (let waited = 0; ; waited += 100) {
      assert.ok(waited < 120_000, `no progress:\n${childOutput}`)
      await new Promise((r) => setTimeout(r, 100))
      const page = await client.call(api.listDatasets, {
        query: { limit: 10 },
      })
      const bulk = page.items.find((d) => d.name === 'bulk')
      if (bulk && bulk.rowCount >= 200) {
        datasetId = bulk.id
        break
      }
    }
    child.kill('SIGKILL')
    await exited
    const before = (await rowsOf(datasetId)).length
    assert.ok(before > 0 && before < IMAGES, `killed mid-way: ${before} of ${IMAGES} there`)

    const rerun = capture()
    assert.equal(
      await run([...globals(), '--json', 'upload', dir, '--dataset', 'bulk'], rerun.io),
      EXIT.ok,
      rerun.err(),
    )
    const summary = JSON.parse(rerun.out()) as {
      found: number
      skipped: number
      uploaded: number
      failed: unknown[]
      seconds: number
    }
    assert.equal(summary.found, IMAGES)
    // the server finishes a create task the killed client had started: more may be there by now
    assert.ok(summary.skipped >= before, `${summary.skipped} skipped, ${before} there at the kill`)
    assert.equal(summary.skipped + summary.uploaded, IMAGES)
    assert.deepEqual(summary.failed, [])
    console.log(
      `upload throughput (rerun, ${summary.uploaded} images, concurrency 8): ${(summary.uploaded / summary.seconds).toFixed(0)} images/s`,
    )

    const rows = await rowsOf(datasetId)
    assert.equal(rows.length, IMAGES, 'every image once')
    assert.deepEqual(rows.map((r) => r.globalKey).sort(), [...expected].sort())

    const third = capture()
    assert.equal(await run([...globals(), 'upload', dir, '--dataset', 'bulk'], third.io), EXIT.ok)
    assert.match(third.out(), /2000 images found, 2000 already there, 0 uploaded, 0 failed/)
  })

  void it('a rerun compares content: a changed file is reported, not uploaded; a copy is uploaded and named', async () => {
    const dir = join(work, 'changing')
    mkdirSync(dir, { recursive: true })
    const png = (background: string) =>
      sharp({ create: { width: 16, height: 12, channels: 3, background } })
        .png()
        .toBuffer()
    writeFileSync(join(dir, 'street.png'), await png('#102030'))
    writeFileSync(join(dir, 'park.png'), await png('#405060'))
    const first = capture()
    assert.equal(
      await run([...globals(), 'upload', dir, '--dataset', 'changing'], first.io),
      EXIT.ok,
    )
    assert.match(first.out(), /2 images found, 0 already there, 2 uploaded, 0 failed/)

    // street.png is edited in place; park.png is copied under a new name
    writeFileSync(join(dir, 'street.png'), await png('#ff0000'))
    writeFileSync(join(dir, 'park-copy.png'), await png('#405060'))
    const second = capture()
    assert.equal(
      await run([...globals(), 'upload', dir, '--dataset', 'changing'], second.io),
      EXIT.ok,
      second.err(),
    )
    const out = second.out()
    assert.match(out, /3 images found, 1 already there, 1 uploaded, 0 failed/)
    assert.match(out, /1 changed since uploaded, not uploaded/)
    assert.match(out, /^ {2}street\.png: changed: dataset [0-9a-f]{12}…, file [0-9a-f]{12}…$/m)
    assert.match(out, /^ {2}park-copy\.png: same content as park\.png$/m)

    const datasets = await client.call(api.listDatasets, { query: { limit: 100 } })
    const dataset = datasets.items.find((d) => d.name === 'changing')!
    const rows = await rowsOf(dataset.id)
    assert.deepEqual(rows.map((r) => r.globalKey).sort(), [
      'park-copy.png',
      'park.png',
      'street.png',
    ])

    // JSON: the same verdicts, with both hashes
    const third = capture()
    assert.equal(
      await run([...globals(), '--json', 'upload', dir, '--dataset', 'changing'], third.io),
      EXIT.ok,
    )
    const summary = JSON.parse(third.out()) as {
      skipped: number
      uploaded: number
      changed: { globalKey: string; datasetSha256: string; localSha256: string }[]
    }
    assert.equal(summary.uploaded, 0)
    assert.equal(summary.skipped, 2)
    assert.deepEqual(
      summary.changed.map((c) => c.globalKey),
      ['street.png'],
    )
    assert.notEqual(summary.changed[0]?.datasetSha256, summary.changed[0]?.localSha256)
  })

  void it('sets a project up: dataset, ontology from a file, project, batch; users and keys', async () => {
    const dir = join(work, 'few')
    mkdirSync(dir, { recursive: true })
    for (let i = 0; i < 3; i++)
      writeFileSync(
        join(dir, `photo-${i}.png`),
        await sharp({ create: { width: 20, height: 10, channels: 3, background: '#123456' } })
          .png()
          .toBuffer(),
      )
    const json = (args: string[]) => {
      const c = capture()
      return run([...globals(), '--json', ...args], c.io).then((code) => {
        assert.equal(code, EXIT.ok, c.err())
        return JSON.parse(c.out()) as Record<string, unknown>
      })
    }
    const dataset = await json(['datasets', 'create', 'few'])
    await json(['upload', dir, '--dataset', 'few'])
    const ontologyFile = join(work, 'ontology.json')
    writeFileSync(
      ontologyFile,
      JSON.stringify({
        tools: [{ tool: 'rectangle', name: 'box' }],
        classifications: [{ type: 'radio', name: 'q', options: [{ value: 'yes' }] }],
      }),
    )
    const ontology = await json(['ontologies', 'create', '--file', ontologyFile, '--name', 'boxes'])
    const project = await json([
      'projects',
      'create',
      'cli project',
      '--ontology',
      String(ontology['id']),
    ])
    const batch = await json([
      'batches',
      'create',
      '--project',
      String(project['id']),
      '--dataset',
      'few',
      '--name',
      'two',
      '--filter',
      'photo-1',
      '--priority',
      '2',
    ])
    assert.equal(batch['priority'], 2)
    const stored = await client.getProject(String(project['id']))
    assert.equal(stored.ontologyId, ontology['id'])
    assert.equal(stored.dataRowCount, 1)

    const missing = capture()
    assert.equal(
      await run(
        [...globals(), 'ontologies', 'create', '--file', join(work, 'nope.json'), '--name', 'x'],
        missing.io,
      ),
      EXIT.error,
    )
    assert.match(missing.err(), /^validation_failed: No file .*nope\.json \(at file\)/)

    const refused = capture()
    assert.equal(await run([...globals(), 'datasets', 'delete', 'few'], refused.io), EXIT.error)
    assert.equal(
      refused.err(),
      'This deletes the dataset few: 3 data rows, used by 1 project (cli project), 0 pre-labels and 0 labels.\n' +
        'validation_failed: Nothing deleted: not a terminal, so not asked; add --yes to delete it (at yes)\n',
    )
    // at a terminal it asks for the name: a wrong one deletes nothing
    const wrong = capture()
    const typed = Object.assign(new PassThrough(), { isTTY: true })
    typed.end('fwe\n')
    assert.equal(
      await run([...globals(), 'datasets', 'delete', 'few'], { ...wrong.io, stdin: typed }),
      EXIT.error,
    )
    assert.match(
      wrong.err(),
      /Type few to delete it: validation_failed: Nothing deleted: the name did not match/,
    )
    // one data row, asked and confirmed by its name (the global key)
    const rowsOfFew = await rowsOf(String(dataset['id']))
    const doomed = rowsOfFew.find((r) => r.globalKey.includes('photo-1'))!
    const asked = capture()
    const confirm = Object.assign(new PassThrough(), { isTTY: true })
    confirm.end(`${doomed.globalKey}\n`)
    assert.equal(
      await run([...globals(), 'data-rows', 'delete', doomed.id], { ...asked.io, stdin: confirm }),
      EXIT.ok,
    )
    assert.match(
      asked.out(),
      new RegExp(
        `^deleted the data row ${doomed.globalKey}: 1 data row, used by 1 project \\(cli project\\)`,
      ),
    )
    assert.equal((await rowsOf(String(dataset['id']))).length, 2)
    assert.equal(
      await run([...globals(), 'projects', 'delete', String(project['id']), '--yes'], capture().io),
      EXIT.ok,
    )
    assert.equal(
      await run([...globals(), 'datasets', 'delete', String(dataset['id']), '--yes'], capture().io),
      EXIT.ok,
    )
    const left = await client.call(api.listDatasets, { query: {} })
    assert.ok(!left.items.some((d) => d.name === 'few'))

    const user = await json([
      'users',
      'add',
      '--email',
      'cli@example.com',
      '--name',
      'Cli',
      '--role',
      'reviewer',
      '--password',
      'a good long password',
    ])
    assert.equal(user['role'], 'reviewer')
    assert.equal(
      await run([...globals(), 'users', 'set-role', 'cli@example.com', 'labeler'], capture().io),
      EXIT.ok,
    )
    assert.equal(
      (await client.listUsers()).find((u) => u.email === 'cli@example.com')?.role,
      'labeler',
    )

    const key = await json(['keys', 'create', 'ci'])
    const secret = String(key['key'])
    assert.equal((await new Client(secret, { endpoint: server.url }).whoAmI()).apiKey?.name, 'ci')
    const id = (key['apiKey'] as { id: string }).id
    assert.equal(await run([...globals(), 'keys', 'revoke', id], capture().io), EXIT.ok)
    await assert.rejects(new Client(secret, { endpoint: server.url }).whoAmI(), /revoked/)

    const version = capture()
    assert.equal(await run(['--version'], version.io), EXIT.ok)
    assert.match(version.out(), /^\d+\.\d+\.\d+\n$/)
  })
})
