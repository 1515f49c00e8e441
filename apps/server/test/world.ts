/**
 * Test-only: an in-process server (SQLite or PostgreSQL) holding two organizations, each with a key
 * and one of everything (upload, dataset, data row, ontology, project, batch, import with a point
 * and a mask annotation, task), so tests can aim requests at real ids of either organization.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { newId, type ImportJob, type Task } from '@labelport/core'
import { freshSchemaUrl } from '@labelport/testkit'
import { readConfig } from '../src/config.ts'
import { composeServer, type ComposedServer } from '../src/compose.ts'
import { DEFAULT_ORGANIZATION_ID, systemCaller } from '../src/services/auth-service.ts'

/** Real ids of one organization's things, and its key. */
export interface OrgThings {
  key: string
  organizationId: string
  uploadId: string
  datasetId: string
  dataRowId: string
  globalKey: string
  taskId: string
  ontologyId: string
  projectId: string
  importId: string
  pointAnnotationId: string
  maskAnnotationId: string
  maskSha256: string
  evaluationId: string
  /** a labeler of the organization, and one API key of its admin */
  userId: string
  apiKeyId: string
}

export interface World {
  server: ComposedServer
  a: OrgThings
  b: OrgThings
  request(
    method: string,
    path: string,
    init?: { key?: string; body?: string | Uint8Array; headers?: Record<string, string> },
  ): Promise<Response>
  /** JSON in, parsed JSON (or null) out, with org A's key unless another is given */
  call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    key?: string,
  ): Promise<{ status: number; body: T }>
  close(): Promise<void>
}

async function png(rgb: [number, number, number], width = 64, height = 48): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3)
  for (let i = 0; i < width * 12; i++) raw.set(rgb, i * 3)
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer()
}

export async function makeWorld(databaseUrl: string | null): Promise<World> {
  const dataDir = mkdtempSync(join(tmpdir(), 'labelport-world-'))
  const schema = databaseUrl === null ? null : await freshSchemaUrl(databaseUrl)
  const keyA = `lp_world_a_${newId()}`
  const server = await composeServer({
    // the hostile suite fails authentication on purpose, many times, from one address
    ...readConfig(['--data-dir', dataDir], { LABELPORT_AUTH_MAX_FAILURES: '1000000' }),
    databaseUrl: schema?.url ?? null,
    bootstrapApiKey: keyA,
  })
  // the second organization, made as an operator would (an admin of the default organization)
  const created = await server.auth.createOrganization(systemCaller(DEFAULT_ORGANIZATION_ID), {
    name: 'Second organization',
    admin: { email: `admin-${newId()}@b.example`, name: 'Admin B', password: `pw-${newId()}` },
  })
  const orgB = created.organization.id
  const keyB = (
    await server.auth.createApiKey(
      { ...systemCaller(orgB), userId: created.admin.id },
      'second org admin',
    )
  ).key

  const request: World['request'] = async (method, path, init = {}) =>
    await server.app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${init.key ?? keyA}`,
        'content-type': 'application/json',
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: init.body }),
    })
  const call: World['call'] = async <T>(
    method: string,
    path: string,
    body?: unknown,
    key?: string,
  ) => {
    const res = await request(method, path, {
      ...(key === undefined ? {} : { key }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T }
  }

  async function seed(key: string, tag: string, rgb: [number, number, number]) {
    const ok = <T>(r: { status: number; body: T }, status: number): T => {
      assert.equal(r.status, status, JSON.stringify(r.body))
      return r.body
    }
    const image = await png([10, 200, 30])
    const up = await request('POST', '/v1/uploads', {
      key,
      body: image,
      headers: { 'content-type': 'image/png' },
    })
    assert.equal(up.status, 201)
    const uploadId = ((await up.json()) as { id: string }).id
    const datasetId = ok(
      await call<{ id: string }>('POST', '/v1/datasets', { name: `ds ${tag}` }, key),
      201,
    ).id
    const globalKey = `gk-${tag}`
    let task = ok(
      await call<Task>(
        'POST',
        `/v1/datasets/${datasetId}/data-rows`,
        { items: [{ rowData: `upload://${uploadId}`, globalKey }] },
        key,
      ),
      202,
    )
    while (task.status === 'IN_PROGRESS') {
      await new Promise((r) => setTimeout(r, 20))
      task = ok(await call<Task>('GET', `/v1/tasks/${task.id}`, undefined, key), 200)
    }
    const dataRowId = task.createdDataRows[0]?.id ?? ''
    assert.ok(dataRowId, JSON.stringify(task.errors))
    const ontologyId = ok(
      await call<{ id: string }>(
        'POST',
        '/v1/ontologies',
        {
          name: `onto ${tag}`,
          normalized: {
            tools: [
              { tool: 'point', name: 'point' },
              { tool: 'raster-segmentation', name: 'mask' },
            ],
            classifications: [],
          },
        },
        key,
      ),
      201,
    ).id
    const projectId = ok(
      await call<{ id: string }>('POST', '/v1/projects', { name: `project ${tag}` }, key),
      201,
    ).id
    ok(await call('PUT', `/v1/projects/${projectId}/ontology`, { ontologyId }, key), 200)
    ok(
      await call(
        'POST',
        `/v1/projects/${projectId}/batches`,
        { name: 'batch', globalKeys: [globalKey] },
        key,
      ),
      201,
    )
    const mask = (await png(rgb)).toString('base64')
    const job = ok(
      await call<ImportJob>(
        'POST',
        `/v1/projects/${projectId}/imports`,
        {
          name: `import ${tag}`,
          kind: 'mal',
          source: {
            lines: [
              { name: 'point', point: { x: 3, y: 4 }, dataRow: { globalKey } },
              { name: 'mask', mask: { imBytes: mask, colorRGB: rgb }, dataRow: { globalKey } },
            ],
          },
        },
        key,
      ),
      202,
    )
    await server.importWorker.whenIdle()
    const done = ok(await call<ImportJob>('GET', `/v1/imports/${job.id}`, undefined, key), 200)
    assert.equal(done.state, 'FINISHED', JSON.stringify(done))
    const annotations = ok(
      await call<{
        annotations: {
          id: string
          record: { geometry?: { type: string; compositeSha256?: string } }
        }[]
      }>('GET', `/v1/projects/${projectId}/data-rows/${dataRowId}/annotations`, undefined, key),
      200,
    ).annotations
    const maskAnnotation = annotations.find((a) => a.record.geometry?.type === 'mask')
    const pointAnnotation = annotations.find((a) => a.record.geometry?.type === 'point')
    assert.ok(maskAnnotation?.record.geometry?.compositeSha256 && pointAnnotation)
    const who = ok(
      await call<{ organization: { id: string } }>('GET', '/v1/me', undefined, key),
      200,
    )
    const evaluationId = ok(
      await call<{ id: string }>('POST', `/v1/projects/${projectId}/evaluations`, {}, key),
      202,
    ).id
    const userId = ok(
      await call<{ id: string }>(
        'POST',
        '/v1/users',
        {
          email: `labeler-${tag}-${newId()}@world.example`,
          name: `labeler ${tag}`,
          role: 'labeler',
          password: 'a world labeler password',
        },
        key,
      ),
      201,
    ).id
    const apiKeyId = ok(
      await call<{ apiKey: { id: string } }>('POST', '/v1/api-keys', { name: `key ${tag}` }, key),
      201,
    ).apiKey.id
    return {
      key,
      organizationId: who.organization.id,
      uploadId,
      datasetId,
      dataRowId,
      globalKey,
      taskId: task.id,
      ontologyId,
      projectId,
      importId: job.id,
      pointAnnotationId: pointAnnotation.id,
      maskAnnotationId: maskAnnotation.id,
      maskSha256: maskAnnotation.record.geometry.compositeSha256,
      evaluationId,
      userId,
      apiKeyId,
    }
  }

  const a = await seed(keyA, 'a', [200, 10, 10])
  const b = await seed(keyB, 'b', [10, 10, 200])
  return {
    server,
    a,
    b,
    request,
    call,
    async close() {
      await server.close()
      await schema?.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
