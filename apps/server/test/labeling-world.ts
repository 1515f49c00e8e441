/**
 * Test-only: a project ready to label, built over any transport (in-process `app.request` or a
 * real server over HTTP): 6 images 64×48 in two batches (priority 5: rows 0–2; priority 1: rows
 * 3–5), an ontology with a box (nested required radio), a polygon, a line, a point, a mask, a
 * relationship and a required global radio, and users: two labelers and a reviewer with API keys.
 */
import assert from 'node:assert/strict'
import sharp from 'sharp'
import type { ImportJob, Task } from '@labelport/core'

export type Call = <T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  key?: string,
) => Promise<{ status: number; body: T }>

export interface LabelingWorld {
  projectId: string
  /** data row ids, in creation order (rows 3–5 are in the priority-1 batch) */
  rows: string[]
  features: Map<string, string>
  keys: { admin: string; labeler1: string; labeler2: string; reviewer: string }
  users: { labeler1: string; labeler2: string; reviewer: string }
  importLines(kind: 'mal' | 'ground_truth', lines: unknown[]): Promise<ImportJob>
}

export const PASSWORD = 'labeling-password-9f3k'

export const ONTOLOGY = {
  tools: [
    {
      tool: 'rectangle',
      name: 'box',
      classifications: [
        {
          type: 'radio',
          name: 'color',
          required: true,
          options: [
            { label: 'red', value: 'red' },
            { label: 'blue', value: 'blue' },
          ],
        },
      ],
    },
    { tool: 'polygon', name: 'area' },
    { tool: 'line', name: 'edge line' },
    { tool: 'point', name: 'dot' },
    { tool: 'raster-segmentation', name: 'paint' },
    { tool: 'edge', name: 'link' },
  ],
  classifications: [
    {
      type: 'radio',
      name: 'weather',
      required: true,
      scope: 'global',
      options: [
        { label: 'sunny', value: 'sunny' },
        { label: 'rainy', value: 'rainy' },
      ],
    },
  ],
}

export async function makeLabelingWorld(
  call: Call,
  upload: (png: Buffer) => Promise<string>,
  adminKey: string,
  whenImportsIdle: (importId: string) => Promise<void>,
  keyFor: (email: string, userId: string, role: 'labeler' | 'reviewer') => Promise<string>,
  tag = 'w',
): Promise<LabelingWorld> {
  const ok = async <T>(p: Promise<{ status: number; body: T }>, what: string): Promise<T> => {
    const r = await p
    assert.ok(r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  const dataset = await ok(
    call<{ id: string }>('POST', '/v1/datasets', { name: `labeling-${tag}` }),
    'dataset',
  )
  const items = []
  for (let i = 0; i < 6; i++) {
    const png = await sharp({
      create: { width: 64, height: 48, channels: 3, background: { r: 40 * i, g: 90, b: 120 } },
    })
      .png()
      .toBuffer()
    items.push({ rowData: await upload(png), globalKey: `${tag}-row-${i}` })
  }
  const task = await ok(
    call<Task>('POST', `/v1/datasets/${dataset.id}/data-rows`, { items }),
    'rows',
  )
  let done: Task
  for (;;) {
    done = await ok(call<Task>('GET', `/v1/tasks/${task.id}`), 'task')
    if (done.status !== 'IN_PROGRESS') break
    await new Promise((r) => setTimeout(r, 20))
  }
  const rows = done.createdDataRows.map((r) => r.id)
  assert.equal(rows.length, 6, JSON.stringify(done.errors))
  const ontology = await ok(
    call<{
      id: string
      normalized: {
        tools: {
          name: string
          featureSchemaId: string
          classifications: {
            name: string
            featureSchemaId: string
            options: { value: string; featureSchemaId: string }[]
          }[]
        }[]
        classifications: {
          name: string
          featureSchemaId: string
          options: { value: string; featureSchemaId: string }[]
        }[]
      }
    }>('POST', '/v1/ontologies', { name: `labeling-${tag}`, normalized: ONTOLOGY }),
    'ontology',
  )
  const features = new Map<string, string>()
  const walk = (c: {
    name: string
    featureSchemaId: string
    options: { value: string; featureSchemaId: string }[]
  }) => {
    features.set(c.name, c.featureSchemaId)
    for (const o of c.options) features.set(`${c.name}.${o.value}`, o.featureSchemaId)
  }
  for (const t of ontology.normalized.tools) {
    features.set(t.name, t.featureSchemaId)
    t.classifications.forEach(walk)
  }
  ontology.normalized.classifications.forEach(walk)
  const project = await ok(
    call<{ id: string }>('POST', '/v1/projects', { name: `labeling-${tag}` }),
    'project',
  )
  await ok(
    call('PUT', `/v1/projects/${project.id}/ontology`, { ontologyId: ontology.id }),
    'connect',
  )
  await ok(
    call('POST', `/v1/projects/${project.id}/batches`, {
      name: 'later',
      dataRowIds: rows.slice(0, 3),
      priority: 5,
    }),
    'batch 1',
  )
  await ok(
    call('POST', `/v1/projects/${project.id}/batches`, {
      name: 'first',
      dataRowIds: rows.slice(3),
      priority: 1,
    }),
    'batch 2',
  )
  const users = { labeler1: '', labeler2: '', reviewer: '' }
  const keys = { admin: adminKey, labeler1: '', labeler2: '', reviewer: '' }
  for (const name of ['labeler1', 'labeler2', 'reviewer'] as const) {
    const email = `${name}-${tag}@example.com`
    const user = await ok(
      call<{ id: string }>('POST', '/v1/users', {
        email,
        name,
        role: name === 'reviewer' ? 'reviewer' : 'labeler',
        password: PASSWORD,
      }),
      `user ${name}`,
    )
    users[name] = user.id
    keys[name] = await keyFor(email, user.id, name === 'reviewer' ? 'reviewer' : 'labeler')
  }
  let imports = 0
  return {
    projectId: project.id,
    rows,
    features,
    keys,
    users,
    async importLines(kind, lines) {
      const job = await ok(
        call<ImportJob>('POST', `/v1/projects/${project.id}/imports`, {
          name: `${kind}-${++imports}`,
          kind,
          source: { lines },
        }),
        'import',
      )
      await whenImportsIdle(job.id)
      const finished = await ok(call<ImportJob>('GET', `/v1/imports/${job.id}`), 'import state')
      assert.equal(finished.counts.failure, 0, JSON.stringify(finished.errorExamples))
      return finished
    },
  }
}
