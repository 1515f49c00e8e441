/**
 * Rejected suggestions stay rejected (docs/editor.md, migration 0010), on SQLite and PostgreSQL:
 * a whole-draft save records `rejectedSuggestions`, the labeling view returns them with the draft,
 * a save that does not send the field (or a one-annotation edit) keeps them, an empty list clears
 * them, a bad list is refused with the field named, and a rejection by a reviewer opens a draft
 * with none.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { DraftAnnotation, DraftSaved, ErrorBody, LabelingView } from '@labelport/core'
import { freshSchemaUrl, postgres } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'
import { makeLabelingWorld, type LabelingWorld } from '../../test/labeling-world.ts'

const ADMIN_KEY = 'labeling-rejections-admin-key-7c2e9a'
const pgNeed = postgres()
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `rejected suggestions on ${dialect}`,
    { skip: dialect === 'postgres' ? pgNeed.skip : false },
    () => {
      let server: ComposedServer
      let dataDir = ''
      let drop: (() => Promise<void>) | undefined
      let w: LabelingWorld

      const call = async <T>(method: string, path: string, body?: unknown, key = ADMIN_KEY) => {
        const res = await server.app.request(path, {
          method,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
        const text = await res.text()
        return { status: res.status, body: (text ? JSON.parse(text) : null) as T }
      }
      const rowPath = (row: string, rest = '') =>
        `/v1/projects/${w.projectId}/data-rows/${row}${rest}`
      const view = async (row: string, key = ADMIN_KEY) => {
        const r = await call<LabelingView>('GET', rowPath(row, '/label'), undefined, key)
        assert.equal(r.status, 200, JSON.stringify(r.body))
        return r.body
      }
      const save = (row: string, body: unknown, key = ADMIN_KEY) =>
        call<DraftSaved & ErrorBody>('PUT', rowPath(row, '/draft'), body, key)
      const valid: DraftAnnotation[] = [
        {
          uuid: uuid(1),
          name: 'box',
          bbox: { top: 5, left: 6, height: 10, width: 12 },
          classifications: [{ name: 'color', answer: { name: 'red' } }],
          provenance: { source: 'drawn' },
        },
        {
          uuid: uuid(2),
          name: 'weather',
          answer: { name: 'sunny' },
          provenance: { source: 'drawn' },
        },
      ]

      before(async () => {
        dataDir = mkdtempSync(join(tmpdir(), 'labelport-rejections-'))
        const schema = dialect === 'postgres' ? await freshSchemaUrl(pgNeed.value) : null
        drop = schema ? () => schema.drop() : undefined
        server = await composeServer({
          ...readConfig(['--data-dir', dataDir], {}),
          databaseUrl: schema?.url ?? null,
          bootstrapApiKey: ADMIN_KEY,
        })
        const admin = await server.auth.authenticate({
          authorization: `Bearer ${ADMIN_KEY}`,
          sessionToken: undefined,
          address: 'local',
        } as never)
        w = await makeLabelingWorld(
          call,
          async (png) => {
            const res = await server.app.request('/v1/uploads', {
              method: 'POST',
              headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'image/png' },
              body: png,
            })
            return ((await res.json()) as { uri: string }).uri
          },
          ADMIN_KEY,
          () => server.importWorker.whenIdle(),
          async (_email, userId, role) =>
            (
              await server.auth.createApiKey(
                { ...admin, userId, role, apiKeyId: '', apiKeyName: '', sessionId: null },
                'labeling',
              )
            ).key,
        )
      })
      after(async () => {
        await server?.close()
        await drop?.()
        rmSync(dataDir, { recursive: true, force: true })
      })

      it('records, keeps, clears and validates the rejected suggestions of a draft', async () => {
        const row = w.rows[0]!
        await w.importLines('mal', [
          { uuid: uuid(60), name: 'dot', point: { x: 10, y: 11 }, dataRow: { id: row } },
          { uuid: uuid(61), name: 'dot', point: { x: 20, y: 21 }, dataRow: { id: row } },
        ])
        let v = await view(row, w.keys.labeler1)
        assert.equal(v.suggestions.length, 2)
        assert.equal(v.draft, null)

        // the labeler rejects one suggestion and draws nothing yet
        let saved = await save(
          row,
          { baseVersion: v.version, annotations: [], rejectedSuggestions: [uuid(60), uuid(60)] },
          w.keys.labeler1,
        )
        assert.equal(saved.status, 200, JSON.stringify(saved.body))
        v = await view(row, w.keys.labeler1)
        assert.deepEqual(v.draft?.rejectedSuggestions, [uuid(60)], 'recorded once')
        assert.equal(v.suggestions.length, 2, 'the server still lists every pre-label')

        // a save without the field and a one-annotation edit keep the list
        saved = await save(row, { baseVersion: v.version, annotations: valid }, w.keys.labeler1)
        assert.equal(saved.status, 200, JSON.stringify(saved.body))
        const added = await call<DraftSaved & ErrorBody>(
          'POST',
          rowPath(row, '/draft/annotations'),
          {
            baseVersion: saved.body.version,
            annotation: {
              uuid: uuid(3),
              name: 'dot',
              point: { x: 3, y: 4 },
              provenance: { source: 'drawn' },
            },
          },
          w.keys.labeler1,
        )
        assert.equal(added.status, 201, JSON.stringify(added.body))
        v = await view(row, w.keys.labeler1)
        assert.deepEqual(v.draft?.rejectedSuggestions, [uuid(60)])
        assert.equal(v.draft?.annotations.length, 3)

        // both rejected, then none (an undo of both)
        saved = await save(
          row,
          {
            baseVersion: v.version,
            annotations: valid,
            rejectedSuggestions: [uuid(61), uuid(60)],
          },
          w.keys.labeler1,
        )
        assert.equal(saved.status, 200, JSON.stringify(saved.body))
        assert.deepEqual((await view(row)).draft?.rejectedSuggestions?.sort(), [uuid(60), uuid(61)])
        saved = await save(
          row,
          { baseVersion: saved.body.version, annotations: valid, rejectedSuggestions: [] },
          w.keys.labeler1,
        )
        assert.equal(saved.status, 200, JSON.stringify(saved.body))
        assert.deepEqual((await view(row)).draft?.rejectedSuggestions, [])

        // bad input: a coded 400 naming the field, nothing written
        const bad = await save(
          row,
          { baseVersion: saved.body.version, annotations: valid, rejectedSuggestions: [''] },
          w.keys.labeler1,
        )
        assert.equal(bad.status, 400)
        assert.equal(bad.body.error.code, 'validation_failed')
        assert.match(JSON.stringify(bad.body.error), /rejectedSuggestions/)
        const notList = await save(
          row,
          { baseVersion: saved.body.version, annotations: valid, rejectedSuggestions: 'all' },
          w.keys.labeler1,
        )
        assert.equal(notList.status, 400)
        assert.equal((await view(row)).version, saved.body.version)
      })

      it('a rejected label comes back as a draft with no rejected suggestions recorded', async () => {
        const row = w.rows[0]!
        let v = await view(row, w.keys.labeler1)
        const saved = await save(
          row,
          { baseVersion: v.version, annotations: valid, rejectedSuggestions: [uuid(61)] },
          w.keys.labeler1,
        )
        assert.equal(saved.status, 200, JSON.stringify(saved.body))
        const submitted = await call(
          'POST',
          rowPath(row, '/submit'),
          { baseVersion: saved.body.version },
          w.keys.labeler1,
        )
        assert.equal(submitted.status, 200, JSON.stringify(submitted.body))
        v = await view(row)
        assert.equal(v.draft, null, 'submit deletes the draft and its rejections')
        const review = await call(
          'POST',
          rowPath(row, '/review'),
          { decision: 'reject', comment: 'again' },
          w.keys.reviewer,
        )
        assert.equal(review.status, 200, JSON.stringify(review.body))
        v = await view(row, w.keys.labeler1)
        assert.deepEqual(v.draft?.rejectedSuggestions, [])
        assert.equal(v.draft?.annotations.length, 2)
      })
    },
  )
}
