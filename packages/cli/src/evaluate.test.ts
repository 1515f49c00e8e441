/** `labelport evaluate` and the SDK's evaluations against a real server process with the demo project. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Evaluation as EvaluationResource } from '@labelport/core'
import { Client, Project } from '@labelport/sdk'
import { api } from '@labelport/core'
import { startServer } from '@labelport/testkit'
import type { TestServer } from '@labelport/testkit'
import { loadDemo } from './demo.ts'
import type { DemoResult } from './demo.ts'
import { EXIT } from './output.ts'
import { run } from './program.ts'

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

void describe('labelport evaluate', () => {
  let server: TestServer
  let demo: DemoResult
  let client: Client
  const globals = (): string[] => ['--endpoint', server.url, '--api-key', server.apiKey]

  before(async () => {
    server = await startServer()
    client = new Client(server.apiKey, { endpoint: server.url })
    demo = await loadDemo({ client })
  })
  after(async () => {
    await server?.stop()
  })

  void it('SDK: createEvaluation, waitUntilDone, summary, data rows and objects', async () => {
    const project = new Project(
      client,
      await client.call(api.getProject, { params: { projectId: demo.projectId } }),
    )
    const evaluation = await project.createEvaluation({ iouThreshold: 0.5 })
    await evaluation.waitUntilDone({ timeoutSeconds: 60 })
    assert.equal(evaluation.state, 'FINISHED')
    const summary = evaluation.summary!
    assert.equal(summary.cocoStats.length, 12)
    assert.ok(summary.groundTruths > 0 && summary.predictions > 0)
    const objects = await evaluation.objects()
    assert.equal(objects.length, summary.groundTruths + summary.predictions)
    const rows = await evaluation.dataRows({ sort: 'fn' })
    assert.equal(
      rows.reduce((s, r) => s + r.fn, 0),
      summary.classes.reduce((s, c) => s + c.fn, 0),
    )
    assert.ok((await project.evaluations()).some((e) => e.id === evaluation.id))
  })

  void it('prints the COCO statistics and a per-class table; --json gives the same numbers', async () => {
    const table = capture()
    assert.equal(
      await run([...globals(), 'evaluate', '--project', demo.projectId], table.io),
      EXIT.ok,
      table.err(),
    )
    assert.match(table.out(), /AP @\[\.50:\.95\] all\s+(\d\.\d{3}|-)/)
    assert.match(
      table.out(),
      /class\s+labels\s+pre-labels\s+TP\s+FP\s+FN\s+precision\s+recall\s+F1/,
    )

    const json = capture()
    assert.equal(
      await run([...globals(), '--json', 'evaluate', '--project', demo.projectId], json.io),
      EXIT.ok,
    )
    const { evaluation } = JSON.parse(json.out()) as { evaluation: EvaluationResource }
    assert.equal(evaluation.state, 'FINISHED')
    const ap = evaluation.summary!.cocoStats[0]!
    assert.ok(table.out().includes(ap < 0 ? '-' : ap.toFixed(3)))
    for (const c of evaluation.summary!.classes) assert.ok(table.out().includes(c.name))
  })

  void it('a bad option value is a coded error with exit 1, an unknown project too', async () => {
    const bad = capture()
    assert.equal(
      await run([...globals(), 'evaluate', '--project', demo.projectId, '--iou', '3'], bad.io),
      EXIT.error,
    )
    assert.match(bad.err(), /^validation_failed: .* \(at body\.iouThreshold\)/)
    const missing = capture()
    assert.equal(await run([...globals(), 'evaluate', '--project', 'nope'], missing.io), EXIT.error)
    assert.match(missing.err(), /^project_not_found/)
  })
})
