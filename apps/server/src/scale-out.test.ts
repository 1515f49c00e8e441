/**
 * Scale-out: two real server processes share one PostgreSQL database and one S3 bucket (moto).
 * What one server stores (an uploaded image, an NDJSON input, statuses, masks), the other serves,
 * and an import created on one is run by whichever worker claims it.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import type { ImportJob, StatusLine, Task } from '@labelport/core'
import { freshSchemaUrl, postgres, s3, startServer, type TestServer } from '@labelport/testkit'

const pgNeed = postgres()
const s3Need = s3()

describe(
  'two servers on one PostgreSQL and one bucket',
  { skip: pgNeed.skip || s3Need.skip },
  () => {
    let a: TestServer
    let b: TestServer
    let dropSchema: () => Promise<void> = () => Promise.resolve()

    const call = async <T>(
      server: TestServer,
      method: string,
      path: string,
      body?: unknown,
      raw?: Uint8Array,
    ): Promise<T> => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${server.apiKey}`,
          'content-type': raw ? 'application/octet-stream' : 'application/json',
        },
        ...(raw ? { body: raw } : body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await res.text()
      if (!res.ok) throw new Error(`${method} ${path} on ${server.url}: ${res.status} ${text}`)
      const type = res.headers.get('content-type') ?? ''
      return (
        type.includes('ndjson')
          ? text
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as unknown)
          : type.includes('json')
            ? JSON.parse(text)
            : text
      ) as T
    }

    before(async () => {
      const schema = await freshSchemaUrl(pgNeed.value)
      dropSchema = schema.drop
      const env = {
        LABELPORT_S3_BUCKET: `labelport-${randomBytes(4).toString('hex')}`,
        LABELPORT_S3_ENDPOINT: s3Need.value,
        LABELPORT_S3_ACCESS_KEY_ID: 'test',
        LABELPORT_S3_SECRET_ACCESS_KEY: 'test',
      }
      // servers of one deployment share their configuration, the bootstrap key included (a
      // different one would revoke the first: the key is rotated)
      const apiKey = `lp_test_${randomBytes(16).toString('hex')}`
      a = await startServer({ databaseUrl: schema.url, shareDatabase: true, env, apiKey })
      b = await startServer({ databaseUrl: schema.url, shareDatabase: true, env, apiKey })
    })
    after(async () => {
      await a.stop()
      await b.stop()
      await dropSchema()
    })

    it('serves from one server what the other stored, and runs imports on either', async () => {
      const image = await sharp({
        create: { width: 64, height: 48, channels: 3, background: '#345' },
      })
        .png()
        .toBuffer()
      const upload = await call<{ uri: string }>(a, 'POST', '/v1/uploads', undefined, image)
      const dataset = await call<{ id: string }>(a, 'POST', '/v1/datasets', { name: 'shared' })
      let task = await call<Task>(a, 'POST', `/v1/datasets/${dataset.id}/data-rows`, {
        items: [{ rowData: upload.uri, globalKey: 'shared-1' }],
      })
      while (task.status === 'IN_PROGRESS') {
        await new Promise((r) => setTimeout(r, 50))
        task = await call<Task>(b, 'GET', `/v1/tasks/${task.id}`)
      }
      assert.equal(task.status, 'COMPLETE')
      const dataRowId = task.createdDataRows[0]?.id ?? ''

      // the image stored through A is read by B
      const fromB = await fetch(`${b.url}/v1/data-rows/${dataRowId}/image`, {
        headers: { authorization: `Bearer ${b.apiKey}` },
      })
      assert.equal(fromB.status, 200)
      assert.deepEqual(Buffer.from(await fromB.arrayBuffer()), image)

      const ontology = await call<{ id: string }>(b, 'POST', '/v1/ontologies', {
        name: 'o',
        normalized: {
          tools: [
            { tool: 'point', name: 'point' },
            { tool: 'raster-segmentation', name: 'mask' },
          ],
          classifications: [],
        },
      })
      const project = await call<{ id: string }>(b, 'POST', '/v1/projects', { name: 'p' })
      await call(a, 'PUT', `/v1/projects/${project.id}/ontology`, { ontologyId: ontology.id })
      await call(a, 'POST', `/v1/projects/${project.id}/batches`, {
        name: 'b',
        globalKeys: ['shared-1'],
      })

      // the input uploaded through B, the job created on A, its results read on B
      const raw = Buffer.alloc(64 * 48 * 3)
      for (let i = 0; i < 64 * 10; i++) raw.set([200, 10, 10], i * 3)
      const mask = (
        await sharp(raw, { raw: { width: 64, height: 48, channels: 3 } })
          .png()
          .toBuffer()
      ).toString('base64')
      const ndjson = [
        { name: 'point', point: { x: 3, y: 4 }, dataRow: { globalKey: 'shared-1' } },
        {
          name: 'mask',
          mask: { imBytes: mask, colorRGB: [200, 10, 10] },
          dataRow: { globalKey: 'shared-1' },
        },
        { name: 'point', point: { x: 300, y: 4 }, dataRow: { globalKey: 'shared-1' } },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n')
      const input = await call<{ id: string }>(
        b,
        'POST',
        '/v1/uploads',
        undefined,
        Buffer.from(ndjson),
      )
      const created = await call<ImportJob>(a, 'POST', `/v1/projects/${project.id}/imports`, {
        name: 'shared-import',
        kind: 'mal',
        source: { uploadId: input.id },
      })
      let job = created
      for (let i = 0; i < 200 && job.state === 'RUNNING'; i++) {
        await new Promise((r) => setTimeout(r, 100))
        job = await call<ImportJob>(b, 'GET', `/v1/imports/${created.id}`)
      }
      assert.equal(job.state, 'FINISHED')
      assert.deepEqual(job.counts, { total: 3, success: 2, failure: 1 })
      const statuses = await call<StatusLine[]>(a, 'GET', `/v1/imports/${created.id}/statuses`)
      assert.deepEqual(statuses.map((s) => [s.line, s.status]).sort(), [
        [1, 'SUCCESS'],
        [2, 'SUCCESS'],
        [3, 'FAILURE'],
      ])

      // the composite mask stored by whichever worker ran the job is served by both
      const rows = await call<Record<string, any>[]>(b, 'GET', `/v1/projects/${project.id}/export`)
      const maskObject = rows[0]!['projects'][project.id].prelabels[0].annotations.objects.find(
        (o: { composite_mask?: unknown }) => o.composite_mask,
      )
      for (const server of [a, b]) {
        const path = new URL(maskObject.composite_mask.url as string).pathname
        const res = await fetch(`${server.url}${path}`, {
          headers: { authorization: `Bearer ${server.apiKey}` },
        })
        assert.equal(res.status, 200)
      }
    })
  },
)
