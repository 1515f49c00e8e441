import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { api } from '@labelport/core'
import { Client } from '@labelport/sdk'
import { startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
import { loadDemo } from './demo.ts'
import type { DemoResult } from './demo.ts'
import { EXIT, formatIssue } from './output.ts'
import { run } from './program.ts'

const BIN = fileURLToPath(new URL('../bin/labelport.js', import.meta.url))

function capture(): {
  io: { stdout: { write(t: string): boolean }; stderr: { write(t: string): boolean } }
  out: () => string
  err: () => string
} {
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

void describe('output', () => {
  void it('prints issues as code: message (at path)', () => {
    assert.equal(
      formatIssue({
        code: 'feature_unknown',
        message: 'no tool nope',
        path: ['answer', 0, 'name'],
      }),
      'feature_unknown: no tool nope (at answer[0].name)',
    )
    assert.equal(formatIssue({ code: 'not_found', message: 'gone', path: [] }), 'not_found: gone')
  })
})

void describe('labelport against a real server', () => {
  let server: TestServer
  let demo: DemoResult
  let work: string
  const globals = (): string[] => ['--endpoint', server.url, '--api-key', server.apiKey]

  before(async () => {
    server = await startServer()
    work = mkdtempSync(join(tmpdir(), 'labelport-cli-test-'))
    demo = await loadDemo({ client: new Client(server.apiKey, { endpoint: server.url }) })
  })
  after(async () => {
    await server?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  void it('demo loads every annotation kind; ground truth rejects only the relationships', () => {
    assert.equal(demo.globalKeys.length, 3)
    assert.deepEqual(demo.mal, { total: 42, success: 42, failure: 0 })
    assert.deepEqual(demo.groundTruth, { total: 28, success: 26, failure: 2 })
    assert.equal(demo.projectUrl, `${server.url}/#/projects/${demo.projectId}`)
  })

  void it('import: summary by status and by error code, exit 3 when some annotations failed', async () => {
    const file = join(work, 'some-bad.ndjson')
    const dataRow = { globalKey: demo.globalKeys[2] }
    const lines = [
      { name: 'bounding_box', dataRow, bbox: { top: 10, left: 10, height: 20, width: 20 } },
      { name: 'no_such_tool', dataRow, bbox: { top: 10, left: 10, height: 20, width: 20 } },
      { name: 'point', dataRow, point: { x: 5, y: 5 } },
    ]
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
    const { io, out } = capture()
    const code = await run(
      [
        ...globals(),
        'import',
        '--project',
        demo.projectId,
        '--kind',
        'ground-truth',
        '--name',
        'cli-gt',
        file,
      ],
      io,
    )
    assert.equal(code, EXIT.someFailed)
    assert.match(out(), /SUCCESS\s+2/)
    assert.match(out(), /FAILURE\s+1/)
    assert.match(out(), /feature_unknown\s+1\s+line 2: .*\(at name\)/)
  })

  void it('import: exit 0 when every line succeeded; --json gives the job', async () => {
    const file = join(work, 'good.ndjson')
    writeFileSync(
      file,
      JSON.stringify({
        name: 'point',
        dataRow: { globalKey: demo.globalKeys[2] },
        point: { x: 5, y: 5 },
      }) + '\n',
    )
    const { io, out } = capture()
    const code = await run(
      [...globals(), '--json', 'import', '--project', demo.projectId, '--kind', 'mal', file],
      io,
    )
    assert.equal(code, EXIT.ok)
    const { job } = JSON.parse(out()) as { job: { kind: string; counts: { success: number } } }
    assert.equal(job.kind, 'mal')
    assert.equal(job.counts.success, 1)
  })

  void it('validate: dry run with the same summary, nothing written', async () => {
    const file = join(work, 'dry.ndjson')
    writeFileSync(
      file,
      JSON.stringify({
        name: 'relationship',
        dataRow: { globalKey: demo.globalKeys[0] },
        relationship: { source: 'a', target: 'b', type: 'unidirectional' },
      }) + '\n',
    )
    const { io, out } = capture()
    const code = await run(
      [...globals(), 'validate', '--project', demo.projectId, '--kind', 'ground-truth', file],
      io,
    )
    assert.equal(code, EXIT.someFailed)
    assert.match(out(), /^Validation /)
  })

  void it('usage errors exit 2; server errors print code: message and exit 1', async () => {
    const bad = capture()
    assert.equal(
      await run(
        [...globals(), 'import', '--project', demo.projectId, '--kind', 'bogus', 'x.ndjson'],
        bad.io,
      ),
      EXIT.usage,
    )
    assert.equal(
      await run([...globals(), 'import', '--kind', 'mal', 'x.ndjson'], capture().io),
      EXIT.usage,
    )
    assert.equal(await run([...globals(), 'nope'], capture().io), EXIT.usage)
    assert.equal(await run(['--help'], capture().io), EXIT.ok)

    const file = join(work, 'good.ndjson')
    const failed = capture()
    assert.equal(
      await run(
        [...globals(), 'import', '--project', 'c000000000000000000000000', '--kind', 'mal', file],
        failed.io,
      ),
      EXIT.error,
    )
    assert.match(failed.err(), /^project_not_found: .*\(at projectId\)/)

    const unauthorized = capture()
    assert.equal(
      await run(
        ['--endpoint', server.url, '--api-key', 'wrong', 'export', '--project', demo.projectId],
        unauthorized.io,
      ),
      EXIT.error,
    )
    assert.match(unauthorized.err(), /^unauthenticated: /)
  })

  void it('speaks its own words: no API key, a missing file named with its path', async () => {
    const noKey = capture()
    assert.equal(
      await run(['--endpoint', server.url, '--api-key', '', 'projects', 'list'], noKey.io),
      EXIT.error,
    )
    assert.match(
      noKey.err(),
      /^unauthenticated: no API key: set LABELPORT_API_KEY or pass --api-key/,
    )
    assert.doesNotMatch(noKey.err(), /new Client/)

    const missing = join(work, 'no-such-file.ndjson')
    for (const command of ['import', 'validate']) {
      const gone = capture()
      assert.equal(
        await run(
          [...globals(), command, '--project', demo.projectId, '--kind', 'mal', missing],
          gone.io,
        ),
        EXIT.error,
      )
      assert.equal(gone.err(), `validation_failed: No file or folder ${missing} (at file)\n`)
    }
  })

  void it('an import name is unique in its project (name_taken); dry runs take no name', async () => {
    const file = join(work, 'named.ndjson')
    writeFileSync(
      file,
      JSON.stringify({
        name: 'point',
        dataRow: { globalKey: demo.globalKeys[1] },
        point: { x: 1, y: 1 },
      }) + '\n',
    )
    const args = (command: string) => [
      ...globals(),
      command,
      '--project',
      demo.projectId,
      '--kind',
      'mal',
      '--name',
      'same-name',
      file,
    ]
    // two dry runs with one name: both accepted, as --help says
    assert.equal(await run(args('validate'), capture().io), EXIT.ok)
    assert.equal(await run(args('validate'), capture().io), EXIT.ok)
    assert.equal(await run(args('import'), capture().io), EXIT.ok)
    const second = capture()
    assert.equal(await run(args('import'), second.io), EXIT.error)
    assert.match(second.err(), /^name_taken: .*same-name.* \(at name\)/)
    const help = capture()
    await run(['import', '--help'], help.io)
    assert.match(help.out().replace(/\s+/g, ' '), /a dry run takes no name/)
  })

  void it('serve on a busy port prints one line naming the port and how to choose another', async () => {
    const busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
    const port = (busy.address() as AddressInfo).port
    try {
      const child = spawn(
        process.execPath,
        [BIN, 'serve', '--port', String(port), '--data-dir', join(work, 'busy-port')],
        {
          env: { ...process.env, LABELPORT_BOOTSTRAP_API_KEY: 'lp_busy_port_test_key_5d8b1f' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
      assert.equal(code, 1)
      assert.equal(
        stderr.trim(),
        `labelport: port ${port} on 127.0.0.1 is in use; choose another with --port N (or LABELPORT_PORT)`,
      )
    } finally {
      await new Promise((resolve) => busy.close(resolve))
    }
  })

  void it('export writes one export v2 row per data row', async () => {
    const file = join(work, 'export.ndjson')
    const { io } = capture()
    assert.equal(
      await run([...globals(), 'export', '--project', demo.projectId, '--out', file], io),
      EXIT.ok,
    )
    const rows = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { data_row: { global_key: string } })
    assert.deepEqual(rows.map((r) => r.data_row.global_key).sort(), [...demo.globalKeys].sort())
  })

  void it("imports delete-prelabels: says what goes, refuses without --yes, then deletes the MAL import's pre-labels", async () => {
    const args = [...globals(), 'imports', 'delete-prelabels', demo.malImportId]
    const refused = capture()
    assert.equal(await run(args, refused.io), EXIT.error)
    assert.match(
      refused.err(),
      /^This deletes the pre-labels of import .*: on 3 data rows, 42 pre-labels and 0 labels\.\nvalidation_failed: .*add --yes/,
    )
    const deleted = capture()
    assert.equal(await run([...args, '--yes', '--json'].slice(0), deleted.io), EXIT.ok)
    const { deleted: impact } = JSON.parse(deleted.out()) as {
      deleted: { annotations: { prelabel: number } }
    }
    assert.equal(impact.annotations.prelabel, 42)
    const client = new Client(server.apiKey, { endpoint: server.url })
    // other tests of this file import more pre-labels into the demo project: ask about this import's own
    const counts = await client.call(api.getImportPrelabelsDeletionImpact, {
      params: { importId: demo.malImportId },
    })
    assert.equal(counts.annotations.prelabel, 0)
    const gt = capture()
    assert.equal(
      await run(
        [...globals(), 'imports', 'delete-prelabels', demo.groundTruthImportId, '--yes'],
        gt.io,
      ),
      EXIT.error,
    )
    assert.match(gt.err(), /conflict: .*ground truth/)
  })

  void it('validate previews, imports revert asks first then reverts, imports cancel of an ended job exits 1', async () => {
    const file = join(work, 'revertable.ndjson')
    const dataRow = { globalKey: demo.globalKeys[1] }
    const lines = [
      {
        uuid: 'cccccccc-0000-4000-8000-000000000001',
        name: 'point',
        dataRow,
        point: { x: 3, y: 3 },
      },
      {
        uuid: 'cccccccc-0000-4000-8000-000000000002',
        name: 'point',
        dataRow,
        point: { x: 4, y: 4 },
      },
      {
        uuid: 'cccccccc-0000-4000-8000-000000000003',
        name: 'no_such_tool',
        dataRow,
        point: { x: 4, y: 4 },
      },
    ]
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
    const argsOf = (command: string) => [
      ...globals(),
      command,
      '--project',
      demo.projectId,
      '--kind',
      'mal',
      '--name',
      'cli-revertable',
      file,
    ]
    const dry = capture()
    assert.equal(await run(argsOf('validate'), dry.io), EXIT.someFailed)
    assert.match(dry.out(), /The import adds 2, replaces 0 pre-labels, fails 1\./)
    const real = capture()
    assert.equal(await run(['--json', ...argsOf('import')], real.io), EXIT.someFailed)
    const { job } = JSON.parse(real.out()) as { job: { id: string } }

    const refused = capture()
    assert.equal(await run([...globals(), 'imports', 'revert', job.id], refused.io), EXIT.error)
    assert.match(
      refused.err(),
      /^This reverts import cli-revertable: removes its 2 pre-labels and restores the 0 it replaced\.\nvalidation_failed: .*add --yes/,
    )
    const reverted = capture()
    assert.equal(
      await run([...globals(), 'imports', 'revert', job.id, '--yes'], reverted.io),
      EXIT.ok,
    )
    assert.match(reverted.out(), /reverted import cli-revertable: removed 2 pre-labels, restored 0/)
    const client = new Client(server.apiKey, { endpoint: server.url })
    const after = await client.call(api.getImport, { params: { importId: job.id } })
    assert.equal(after.revert?.removed, 2)
    const again = capture()
    assert.equal(
      await run([...globals(), 'imports', 'revert', job.id, '--yes'], again.io),
      EXIT.error,
    )
    assert.match(again.err(), /import_not_revertible: /)
    const cancel = capture()
    assert.equal(await run([...globals(), 'imports', 'cancel', job.id], cancel.io), EXIT.error)
    assert.match(cancel.err(), /import_not_running: /)
  })

  void it('serve runs the server as a child process and forwards SIGTERM', async () => {
    const dataDir = join(work, 'serve-data')
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
      env: { ...process.env, LABELPORT_BOOTSTRAP_API_KEY: 'lp_serve_test_key_9c4e2a' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 60_000)
      const onData = (chunk: Buffer): void => {
        output += chunk.toString()
        const match = /listening on (http:\/\/\S+)/.exec(output)
        if (match?.[1]) {
          clearTimeout(timer)
          resolve(match[1])
        }
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
    })
    const me = await new Client('lp_serve_test_key_9c4e2a', { endpoint: url }).whoAmI()
    assert.equal(me.role, 'admin')
    assert.equal(me.apiKey?.name, 'bootstrap')
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    )
    child.kill('SIGTERM')
    const code = await exited
    assert.ok(code === 0 || code === 143, `exit code ${String(code)}`)
  })

  void it('serve: kill -9 of the wrapper stops the server too (no orphan)', async () => {
    const dataDir = join(work, 'serve-orphan')
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
      env: { ...process.env, LABELPORT_BOOTSTRAP_API_KEY: 'lp_serve_orphan_key_3e9a7c' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 60_000)
      const onData = (chunk: Buffer): void => {
        output += chunk.toString()
        const match = /listening on (http:\/\/\S+)/.exec(output)
        if (match?.[1]) {
          clearTimeout(timer)
          resolve(match[1])
        }
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
    })
    assert.equal((await fetch(`${url}/healthz`)).status, 200)
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    // the server saw its parent go and stopped: its port stops answering
    const start = Date.now()
    let answering = true
    while (answering && Date.now() - start < 20_000) {
      answering = await fetch(`${url}/healthz`).then(
        () => true,
        () => false,
      )
      if (answering) await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(answering, false, 'the server still answers after its wrapper was killed')
  })
})
