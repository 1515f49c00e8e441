/**
 * Tenants on SQLite and PostgreSQL: organization A's key aimed at organization B's ids. Every
 * endpoint of the contract with a path parameter answers 404 (masks, images, thumbnails, status
 * files and inputs included) and leaves B's things as they were; lists never show B's things;
 * B's uploads cannot back A's imports or data rows.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { api, buildPath, ErrorBodySchema, type Task } from '@labelport/core'
import { postgres } from '@labelport/testkit'
import { makeWorld, type OrgThings, type World } from '../../test/world.ts'

const pgNeed = postgres()

/** The value of each kind of path parameter in one organization. */
function paramsOf(org: OrgThings): Record<string, string> {
  return {
    datasetId: org.datasetId,
    dataRowId: org.dataRowId,
    taskId: org.taskId,
    ontologyId: org.ontologyId,
    projectId: org.projectId,
    importId: org.importId,
    annotationId: org.maskAnnotationId,
    evaluationId: org.evaluationId,
    uuid: '00000000-0000-4000-8000-00000000beef',
    userId: org.userId,
    apiKeyId: org.apiKeyId,
    sha256: org.maskSha256,
  }
}

/** A body that would succeed with the owner's ids, so only the tenant check can refuse it. */
function bodyFor(name: string, owner: OrgThings): unknown {
  switch (name) {
    case 'createDataRows':
      return { items: [{ rowData: `upload://${owner.uploadId}`, globalKey: 'stolen' }] }
    case 'updateDataRowMetadata':
      return { metadataFields: [{ name: 'camera', value: 'stolen' }] }
    case 'connectOntology':
      return { ontologyId: owner.ontologyId }
    case 'skipDataRow':
      return { reason: 'hostile' }
    case 'saveDraft':
      return {
        baseVersion: 0,
        annotations: [
          {
            uuid: '00000000-0000-4000-8000-00000000beef',
            name: 'p',
            point: { x: 1, y: 1 },
            provenance: { source: 'drawn' },
          },
        ],
      }
    case 'addDraftAnnotation':
    case 'replaceDraftAnnotation':
      return {
        baseVersion: 0,
        annotation: {
          uuid: '00000000-0000-4000-8000-00000000beef',
          name: 'p',
          point: { x: 1, y: 1 },
          provenance: { source: 'drawn' },
        },
      }
    case 'submitLabel':
      return { baseVersion: 0 }
    case 'reviewLabel':
      return { decision: 'reject', comment: 'hostile' }
    case 'createBatch':
      return { name: 'stolen', globalKeys: [owner.globalKey] }
    case 'createEvaluation':
      return {}
    case 'updateOntology':
      return { normalized: { tools: [], classifications: [] } }
    case 'updateUser':
      return { name: 'stolen' }
    case 'createImport':
    case 'validateImport':
      return { name: 'stolen', kind: 'mal', source: { uploadId: owner.uploadId } }
    case 'createFormatImport':
      return { name: 'stolen', kind: 'mal', format: 'coco', source: { uploadId: owner.uploadId } }
    default:
      return undefined
  }
}

const withParams = Object.entries(api).filter(([, e]) => e.path.includes(':'))

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `tenant isolation on ${dialect}`,
    { skip: dialect === 'postgres' && pgNeed.skip },
    () => {
      let w: World
      before(async () => {
        w = await makeWorld(dialect === 'postgres' ? pgNeed.value : null)
      })
      after(async () => {
        await w?.close()
      })

      it('the owner reads its own mask; another organization gets 404 for it, hash known or not', async () => {
        const own = await w.request('GET', `/v1/masks/${w.a.maskSha256}`)
        assert.equal(own.status, 200)
        assert.equal(own.headers.get('content-type'), 'image/png')
        const theirs = await w.request('GET', `/v1/masks/${w.a.maskSha256}`, { key: w.b.key })
        assert.equal(theirs.status, 404)
        const body = ErrorBodySchema.parse(await theirs.json())
        assert.equal(body.error.code, 'mask_not_found')
        // the bytes are there (B can read its own), only the tenant check refuses them
        assert.equal(
          (await w.request('GET', `/v1/masks/${w.b.maskSha256}`, { key: w.b.key })).status,
          200,
        )
        assert.equal((await w.request('GET', `/v1/masks/${w.b.maskSha256}`)).status, 404)
        // the export's mask URLs are the ones its organization can read
        const exported = await (
          await w.request('GET', `/v1/projects/${w.a.projectId}/export`)
        ).text()
        assert.ok(exported.includes(`/v1/masks/${w.a.maskSha256}`))
        assert.ok(!exported.includes(w.b.maskSha256))
      })

      it('every endpoint with a path parameter answers 404 for the other organization’s ids', async () => {
        const theirs = paramsOf(w.b)
        const mine = paramsOf(w.a)
        const checked: string[] = []
        for (const [name, endpoint] of withParams) {
          const names = [...endpoint.path.matchAll(/:([A-Za-z0-9]+)/g)].map((m) => m[1] ?? '')
          // each parameter in turn taken from B, the others from A (and all from B)
          const variants = [
            // an annotation uuid belongs to no organization (the draft's row decides)
            ...names.filter((p) => p !== 'uuid').map((p) => ({ ...mine, [p]: theirs[p] ?? '' })),
            ...(names.length > 1 ? [theirs] : []),
          ]
          for (const params of variants) {
            const path =
              buildPath(endpoint.path, params) +
              (name === 'deleteDraftAnnotation' ? '?baseVersion=0' : '')
            const body = bodyFor(name, w.a)
            const res = await w.request(endpoint.method, path, {
              ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            })
            const text = await res.text()
            assert.equal(res.status, 404, `${name} ${endpoint.method} ${path}: ${text}`)
            assert.match(
              ErrorBodySchema.parse(JSON.parse(text)).error.code,
              /_not_found$/,
              `${name}: ${text}`,
            )
            checked.push(name)
          }
        }
        assert.ok(checked.length >= withParams.length, 'every endpoint with parameters was tried')
        // nothing of B's changed: still there, still readable by B
        for (const path of [
          `/v1/datasets/${w.b.datasetId}`,
          `/v1/projects/${w.b.projectId}`,
          `/v1/data-rows/${w.b.dataRowId}/image`,
          `/v1/masks/${w.b.maskSha256}`,
          `/v1/projects/${w.b.projectId}/annotations/${w.b.maskAnnotationId}/mask.png`,
        ])
          assert.equal((await w.request('GET', path, { key: w.b.key })).status, 200, path)
        const project = await w.call<{ ontologyId: string }>(
          'GET',
          `/v1/projects/${w.b.projectId}`,
          undefined,
          w.b.key,
        )
        assert.equal(project.body.ontologyId, w.b.ontologyId)
      })

      it('lists of one organization never show the other’s things', async () => {
        const bIds = new Set(Object.values(paramsOf(w.b)))
        for (const path of ['/v1/datasets', '/v1/ontologies', '/v1/projects']) {
          const page = await w.call<{ items: { id: string }[] }>('GET', path)
          assert.equal(page.status, 200)
          assert.ok(page.body.items.length > 0, path)
          for (const item of page.body.items)
            assert.ok(!bIds.has(item.id), `${path} shows ${item.id}`)
        }
      })

      it('another organization’s upload backs neither a data row nor an import; its global keys stay its own', async () => {
        const task = await w.call<Task>('POST', `/v1/datasets/${w.a.datasetId}/data-rows`, {
          items: [{ rowData: `upload://${w.b.uploadId}`, globalKey: 'borrowed' }],
        })
        assert.equal(task.status, 202)
        let state = task.body
        while (state.status === 'IN_PROGRESS') {
          await new Promise((r) => setTimeout(r, 20))
          state = (await w.call<Task>('GET', `/v1/tasks/${state.id}`)).body
        }
        assert.equal(state.createdDataRows.length, 0)
        assert.equal(state.errors[0]?.code, 'upload_not_found')

        const job = await w.call<{ error: { code: string } }>(
          'POST',
          `/v1/projects/${w.a.projectId}/imports`,
          { name: 'borrowed', kind: 'mal', source: { uploadId: w.b.uploadId } },
        )
        assert.equal(job.status, 404)
        assert.equal(job.body.error.code, 'upload_not_found')
        const foreign = await w.call<{ error: { code: string } }>(
          'POST',
          `/v1/projects/${w.a.projectId}/imports/formats`,
          { name: 'borrowed', kind: 'mal', format: 'coco', source: { uploadId: w.b.uploadId } },
        )
        assert.equal(foreign.status, 404)
        assert.equal(foreign.body.error.code, 'upload_not_found')

        // B's global key means nothing in A: a batch of it adds no row of B's
        const batch = await w.call<{ size?: number; error?: { code: string } }>(
          'POST',
          `/v1/projects/${w.a.projectId}/batches`,
          { name: 'borrowed keys', globalKeys: [w.b.globalKey] },
        )
        assert.ok(
          batch.status === 404 || batch.status === 422 || batch.body.size === 0,
          JSON.stringify(batch.body),
        )
        const rows = await w.call<{ items: { id: string }[] }>(
          'GET',
          `/v1/projects/${w.a.projectId}/data-rows`,
        )
        assert.ok(rows.body.items.every((r) => r.id !== w.b.dataRowId))
      })
    },
  )
}
