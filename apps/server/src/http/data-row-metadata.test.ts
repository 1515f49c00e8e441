/**
 * Data-row metadata (issue 11, item 2) through the HTTP API on SQLite and PostgreSQL: set on
 * create, shown on the row and in the dataset's list, filtered by name and value, replaced,
 * refused with a coded error naming the field, and gone with the row; each row's content hash.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import type { DataRow, DatasetDataRow, Task } from '@labelport/core'
import { freshSchemaUrl, postgres } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'

const API_KEY = 'metadata-key-5e1c9a7b3d2f48'
const pgNeed = postgres()

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `data-row metadata on ${dialect}`,
    { skip: dialect === 'postgres' && pgNeed.skip },
    () => {
      let server: ComposedServer
      let dataDir = ''
      let drop: (() => Promise<void>) | undefined
      let datasetId = ''
      const rows: Record<string, string> = {}
      const hashes: Record<string, string> = {}

      const call = async <T>(method: string, path: string, body?: unknown) => {
        const res = await server.app.request(path, {
          method,
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
        const text = await res.text()
        return { status: res.status, body: (text ? JSON.parse(text) : null) as T }
      }
      const ok = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
        const r = await call<T>(method, path, body)
        assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`)
        return r.body
      }
      const keysWhere = async (query: string) =>
        (
          await ok<{ items: DatasetDataRow[] }>(
            'GET',
            `/v1/datasets/${datasetId}/data-rows?${query}`,
          )
        ).items
          .map((r) => r.globalKey)
          .sort()

      before(async () => {
        dataDir = mkdtempSync(join(tmpdir(), 'labelport-metadata-'))
        const schema = dialect === 'postgres' ? await freshSchemaUrl(pgNeed.value) : null
        drop = schema ? () => schema.drop() : undefined
        server = await composeServer({
          ...readConfig(['--data-dir', dataDir], {}),
          databaseUrl: schema?.url ?? null,
          bootstrapApiKey: API_KEY,
        })
        datasetId = (await ok<{ id: string }>('POST', '/v1/datasets', { name: 'street' })).id
        const metadata: Record<string, { name: string; value: string }[] | undefined> = {
          a: [
            { name: 'camera', value: 'front' },
            { name: 'weather', value: 'rain' },
          ],
          b: [{ name: 'camera', value: 'rear' }],
          c: [{ name: 'weather', value: 'rain' }],
          d: undefined,
        }
        const items = []
        for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) {
          const png = await sharp({
            create: { width: 8 + i, height: 6, channels: 3, background: '#204060' },
          })
            .png()
            .toBuffer()
          hashes[key] = createHash('sha256').update(png).digest('hex')
          const res = await server.app.request('/v1/uploads', {
            method: 'POST',
            headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'image/png' },
            body: new Uint8Array(png),
          })
          const uri = ((await res.json()) as { uri: string }).uri
          const fields = metadata[key]
          items.push({
            rowData: uri,
            globalKey: key,
            ...(fields ? { metadataFields: fields } : {}),
          })
        }
        const task = await ok<Task>('POST', `/v1/datasets/${datasetId}/data-rows`, { items })
        await server.catalog.drain()
        const done = await ok<Task>('GET', `/v1/tasks/${task.id}`)
        assert.deepEqual(done.errors, [])
        for (const r of done.createdDataRows) rows[r.globalKey ?? ''] = r.id
      })

      after(async () => {
        await server.close()
        await drop?.()
        rmSync(dataDir, { recursive: true, force: true })
      })

      void it('keeps the fields given at create, shown on the row and in the list', async () => {
        const a = await ok<DataRow>('GET', `/v1/data-rows/${rows['a']}`)
        assert.deepEqual(a.metadataFields, [
          { name: 'camera', value: 'front' },
          { name: 'weather', value: 'rain' },
        ])
        const d = await ok<DataRow>('GET', `/v1/data-rows/${rows['d']}`)
        assert.deepEqual(d.metadataFields, [])
        const listed = await ok<{ items: DatasetDataRow[] }>(
          'GET',
          `/v1/datasets/${datasetId}/data-rows`,
        )
        const b = listed.items.find((r) => r.globalKey === 'b')
        assert.deepEqual(b?.metadataFields, [{ name: 'camera', value: 'rear' }])
      })

      void it('keeps the SHA-256 of each stored image', async () => {
        for (const key of ['a', 'b', 'c', 'd']) {
          const row = await ok<DataRow>('GET', `/v1/data-rows/${rows[key]}`)
          assert.equal(row.contentSha256, hashes[key], key)
        }
      })

      void it('filters by a field and value, or by a field alone', async () => {
        assert.deepEqual(await keysWhere('metadataName=camera&metadataValue=front'), ['a'])
        assert.deepEqual(await keysWhere('metadataName=weather&metadataValue=rain'), ['a', 'c'])
        assert.deepEqual(await keysWhere('metadataName=camera'), ['a', 'b'])
        assert.deepEqual(await keysWhere('metadataName=camera&metadataValue=side'), [])
        assert.deepEqual(await keysWhere(''), ['a', 'b', 'c', 'd'])
        // pages of a filtered list hold only matching rows
        const first = await ok<{ items: DatasetDataRow[]; nextCursor: string | null }>(
          'GET',
          `/v1/datasets/${datasetId}/data-rows?metadataName=weather&metadataValue=rain&limit=1`,
        )
        assert.equal(first.items.length, 1)
        assert.ok(first.nextCursor)
        const second = await ok<{ items: DatasetDataRow[]; nextCursor: string | null }>(
          'GET',
          `/v1/datasets/${datasetId}/data-rows?metadataName=weather&metadataValue=rain&limit=1&cursor=${first.nextCursor}`,
        )
        assert.deepEqual([...first.items, ...second.items].map((r) => r.globalKey).sort(), [
          'a',
          'c',
        ])
        assert.equal(second.nextCursor, null)
      })

      void it('replaces the fields of a row, and an empty list removes them', async () => {
        const updated = await ok<DataRow>('PUT', `/v1/data-rows/${rows['d']}/metadata`, {
          metadataFields: [{ name: 'camera', value: 'front' }],
        })
        assert.deepEqual(updated.metadataFields, [{ name: 'camera', value: 'front' }])
        assert.deepEqual(await keysWhere('metadataName=camera&metadataValue=front'), ['a', 'd'])
        await ok('PUT', `/v1/data-rows/${rows['d']}/metadata`, { metadataFields: [] })
        assert.deepEqual(
          (await ok<DataRow>('GET', `/v1/data-rows/${rows['d']}`)).metadataFields,
          [],
        )
        assert.deepEqual(await keysWhere('metadataName=camera'), ['a', 'b'])
      })

      void it('refuses bad metadata with a coded error naming the field', async () => {
        const twice = await call<{ error: { code: string; path: unknown[] } }>(
          'PUT',
          `/v1/data-rows/${rows['b']}/metadata`,
          {
            metadataFields: [
              { name: 'camera', value: 'x' },
              { name: 'camera', value: 'y' },
            ],
          },
        )
        assert.equal(twice.status, 400)
        assert.equal(twice.body.error.code, 'validation_failed')
        assert.deepEqual(twice.body.error.path, ['body', 'metadataFields', 1, 'name'])
        const numeric = await call<{ error: { code: string; path: unknown[] } }>(
          'POST',
          `/v1/datasets/${datasetId}/data-rows`,
          {
            items: [
              { rowData: 'https://example.com/x.png', metadataFields: [{ name: 'n', value: 3 }] },
            ],
          },
        )
        assert.equal(numeric.status, 400)
        assert.deepEqual(numeric.body.error.path, [
          'body',
          'items',
          0,
          'metadataFields',
          0,
          'value',
        ])
        const valueAlone = await call<{ error: { code: string; path: unknown[] } }>(
          'GET',
          `/v1/datasets/${datasetId}/data-rows?metadataValue=front`,
        )
        assert.equal(valueAlone.status, 400)
        assert.deepEqual(valueAlone.body.error.path, ['query', 'metadataValue'])
        const missing = await call<{ error: { code: string } }>(
          'PUT',
          '/v1/data-rows/c0000000000000000000000000/metadata',
          { metadataFields: [] },
        )
        assert.equal(missing.status, 404)
        assert.equal(missing.body.error.code, 'data_row_not_found')
        // nothing changed by the refusals
        assert.deepEqual((await ok<DataRow>('GET', `/v1/data-rows/${rows['b']}`)).metadataFields, [
          { name: 'camera', value: 'rear' },
        ])
      })

      void it('deleting a row or the dataset leaves no metadata behind', async () => {
        await ok('DELETE', `/v1/data-rows/${rows['a']}`)
        assert.deepEqual(await keysWhere('metadataName=weather'), ['c'])
        await ok('DELETE', `/v1/datasets/${datasetId}`)
        assert.equal(await server.repositories.deletions.countRows('data_row_metadata'), 0)
      })
    },
  )
}
