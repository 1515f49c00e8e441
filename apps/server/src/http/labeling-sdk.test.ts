/**
 * The SDK's labeling calls (packages/sdk/src/labeling.ts) against a real `labelport serve`
 * process on SQLite and PostgreSQL: queue next, skip, get, draft put / add / update / delete,
 * submit, review next, approve, reject, counts, rows by status, the coded errors; then kill -9
 * of the server in the middle of submits, each leaving its row either submitted or still a
 * draft, never half of each (docs/labeling.md).
 */
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { DraftAnnotation, DraftSaved, LabelingView } from '@labelport/core'
import { ApiError, Client, LabelportError, type DraftAnnotationInput } from '@labelport/sdk'
import { freshSchemaUrl, postgres, startServer, type TestServer } from '@labelport/testkit'
import { makeLabelingWorld, PASSWORD, type LabelingWorld } from '../../test/labeling-world.ts'

const pgNeed = postgres()

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

/** A complete label: a red box and the required global weather (provenance: drawn, by default). */
const valid = (box = { top: 5, left: 6, height: 10, width: 12 }): DraftAnnotationInput[] => [
  {
    uuid: uuid(1),
    name: 'box',
    bbox: box,
    classifications: [{ name: 'color', answer: { name: 'red' } }],
  },
  { uuid: uuid(2), name: 'weather', answer: { name: 'sunny' } },
]

/** The call fails with this code: from the server (with its HTTP status), or null: from the SDK's own check of the body or the server. */
async function rejects(
  promise: Promise<unknown>,
  code: string,
  status: number | null,
): Promise<LabelportError> {
  try {
    await promise
  } catch (err) {
    assert.ok(err instanceof LabelportError, String(err))
    assert.equal(err.code, code, err.message)
    if (status !== null) {
      assert.ok(err instanceof ApiError, String(err))
      assert.equal(err.httpStatus, status)
    }
    return err
  }
  assert.fail(`expected ${code}`)
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `SDK labeling against a real server on ${dialect}`,
    {
      skip: dialect === 'postgres' ? pgNeed.skip : false,
    },
    () => {
      let server: TestServer
      let schema: { url: string; drop: () => Promise<void> } | null = null
      let w: LabelingWorld
      const clients = {} as Record<'admin' | 'labeler1' | 'labeler2' | 'reviewer', Client>
      const connect = () => {
        for (const name of ['admin', 'labeler1', 'labeler2', 'reviewer'] as const)
          clients[name] = new Client(w.keys[name], { endpoint: server.url })
      }
      const labeling = async (who: keyof typeof clients) =>
        (await clients[who].getProject(w.projectId)).labeling
      const start = (dataDir?: string, apiKey?: string) =>
        startServer({
          ...(schema ? { databaseUrl: schema.url, shareDatabase: true } : {}),
          ...(dataDir === undefined ? {} : { dataDir }),
          ...(apiKey === undefined ? {} : { apiKey }),
        })

      before(async () => {
        schema = dialect === 'postgres' ? await freshSchemaUrl(pgNeed.value) : null
        server = await start()
        const http = async <T>(
          method: string,
          path: string,
          body?: unknown,
          key = server.apiKey,
          headers: Record<string, string> = {},
        ) => {
          const res = await fetch(`${server.url}${path}`, {
            method,
            headers: {
              ...(key ? { authorization: `Bearer ${key}` } : {}),
              'content-type': 'application/json',
              ...headers,
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          })
          const text = await res.text()
          return { status: res.status, body: (text ? JSON.parse(text) : null) as T, res }
        }
        w = await makeLabelingWorld(
          http,
          async (png) => {
            const res = await fetch(`${server.url}/v1/uploads`, {
              method: 'POST',
              headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'image/png' },
              body: new Uint8Array(png),
            })
            return ((await res.json()) as { uri: string }).uri
          },
          server.apiKey,
          async (importId) => {
            for (;;) {
              const job = await http<{ state: string }>('GET', `/v1/imports/${importId}`)
              if (job.body.state !== 'RUNNING') return
              await new Promise((r) => setTimeout(r, 50))
            }
          },
          // each user signs in with their password and makes an API key, as a person would
          async (email) => {
            const session = await http('POST', '/v1/sessions', { email, password: PASSWORD }, '')
            assert.equal(session.status, 201, JSON.stringify(session.body))
            const cookie = (session.res.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
            const key = await http<{ key: string }>('POST', '/v1/api-keys', { name: 'sdk' }, '', {
              cookie,
              'x-labelport-csrf': '1',
            })
            assert.equal(key.status, 201, JSON.stringify(key.body))
            return key.body.key
          },
          'sdk',
        )
        connect()
      })
      after(async () => {
        // the first server's data dir outlives its kill -9: the restarts reuse it
        const dataDir = server?.dataDir
        await server?.stop()
        await schema?.drop()
        if (dataDir) rmSync(dataDir, { recursive: true, force: true })
      })

      it('labels a row: queue next, get, draft put / add / update / delete, submit', async () => {
        const queue = await labeling('labeler1')
        const row = await queue.next()
        assert.ok(row)
        // the priority-1 batch first
        assert.equal(row.dataRowId, w.rows[3])
        const opened = await row.get()
        assert.equal(opened.version, 0)
        assert.equal(opened.canEdit, true)
        assert.equal(opened.lease?.userId, w.users.labeler1)
        assert.equal(opened.lease?.purpose, 'label')
        // a second call resumes the caller's own lease
        assert.equal((await queue.next())?.dataRowId, row.dataRowId)

        const put = await row.saveDraft(valid(), { rejectedSuggestions: ['pre-1', 'pre-1'] })
        assert.deepEqual([put.version, put.annotationCount, row.version], [1, 2, 1])
        const added = await row.addAnnotation({ uuid: uuid(9), name: 'dot', point: { x: 3, y: 4 } })
        assert.deepEqual([added.version, added.annotationCount], [2, 3])
        await rejects(
          row.addAnnotation({ uuid: uuid(9), name: 'dot', point: { x: 3, y: 4 } }),
          'annotation_uuid_taken',
          409,
        )
        await row.updateAnnotation({ uuid: uuid(9), name: 'dot', point: { x: 7, y: 8 } })
        const draft = (await row.get()).draft?.annotations ?? []
        assert.deepEqual(
          draft.map((a) => [a.uuid, a.provenance.source]),
          [
            [uuid(1), 'drawn'],
            [uuid(2), 'drawn'],
            [uuid(9), 'drawn'],
          ],
        )
        assert.deepEqual(draft.find((a) => a.uuid === uuid(9))?.point, { x: 7, y: 8 })
        // the rejected suggestions (deduplicated) outlive one-annotation edits
        assert.deepEqual((await row.get()).draft?.rejectedSuggestions, ['pre-1'])
        const removed = await row.deleteAnnotation(uuid(9))
        assert.equal(removed.annotationCount, 2)
        await rejects(row.deleteAnnotation(uuid(9)), 'annotation_not_found', 404)

        // a second tab (another object on the same row) at an older version is refused
        const otherTab = queue.dataRow(row.dataRowId)
        await rejects(otherTab.saveDraft([], { baseVersion: 1 }), 'label_version_conflict', 409)
        // another labeler may not write a row leased to labeler1
        const intruder = (await labeling('labeler2')).dataRow(row.dataRowId)
        await rejects(intruder.saveDraft(valid()), 'data_row_leased', 409)

        const label = await row.submit()
        assert.equal(label.state, 'submitted')
        assert.equal(label.labelerId, w.users.labeler1)
        assert.equal(label.createdBy, w.users.labeler1)
        assert.deepEqual(label.annotations[0]?.bbox, { top: 5, left: 6, height: 10, width: 12 })
        assert.equal(row.version, null)
        const after = await row.get()
        assert.equal(after.draft, null)
        assert.equal(after.lease, null)
        assert.equal(after.label?.id, label.id)
        assert.equal(after.canEdit, false)
        // the submitted label is no longer the labeler's to change
        await rejects(row.saveDraft(valid()), 'label_not_editable', 409)
      })

      it('refuses an invalid submit with the import codes, naming each annotation', async () => {
        const row = await (await labeling('labeler2')).next()
        assert.ok(row)
        assert.equal(row?.dataRowId, w.rows[4])
        await row.saveDraft([
          { uuid: uuid(11), name: 'box', bbox: { top: 4, left: 6, height: 30, width: 30 } },
          { uuid: uuid(12), name: 'dot', point: { x: 100, y: 1 } },
        ])
        const err = await rejects(row.submit(), 'label_invalid', 422)
        assert.deepEqual((err.issues ?? []).map((i) => `${i.code} ${i.path.join('/')}`).sort(), [
          'classification_required annotations',
          `classification_required annotations/${uuid(11)}/classifications`,
          `geometry_out_of_bounds annotations/${uuid(12)}/point`,
        ])
        // nothing was written
        const still = await row.get()
        assert.equal(still.label, null)
        assert.equal(still.draft?.annotations.length, 2)
      })

      it('skips with a reason: the row leaves the skipper’s queue only', async () => {
        const queue = await labeling('labeler2')
        const row = await queue.next()
        assert.ok(row)
        assert.equal(row?.dataRowId, w.rows[4])
        await row.saveDraft([])
        await row.skip('too dark to tell')
        await rejects(row.skip(''), 'validation_failed', null)
        // the row keeps the draft, so it shows as in progress; labeler2's queue moves on
        const nextRow = await queue.next()
        assert.equal(nextRow?.dataRowId, w.rows[5])
      })

      it('reviews: review next, reject back to the labeler with the comment, resubmit, approve', async () => {
        const reviewer = await labeling('reviewer')
        const inReview = await reviewer.nextToReview()
        assert.ok(inReview)
        assert.equal(inReview?.dataRowId, w.rows[3])
        assert.equal((await reviewer.counts()).inReview, 1)
        await rejects(inReview.reject(''), 'validation_failed', null)
        // a labeler may not review
        await rejects((await labeling('labeler1')).dataRow(w.rows[3]!).approve(), 'forbidden', 403)
        const rejected = await inReview.reject('box too loose')
        assert.equal(rejected.state, 'rejected')
        assert.deepEqual(
          rejected.reviews.map((r) => [r.decision, r.comment, r.userId]),
          [['reject', 'box too loose', w.users.reviewer]],
        )
        // the rejected row comes first in its labeler's queue, as a draft with the comment
        const queue = await labeling('labeler1')
        const back = await queue.next()
        assert.ok(back)
        assert.equal(back?.dataRowId, w.rows[3])
        const view = await back.get()
        assert.equal(view.canEdit, true)
        assert.equal(view.label?.reviews.at(-1)?.comment, 'box too loose')
        const rows = await queue.rows({ status: 'rejected' })
        assert.deepEqual(
          rows.map((r) => [r.dataRowId, r.reviewComment]),
          [[w.rows[3], 'box too loose']],
        )
        await back.updateAnnotation({ ...valid({ top: 5, left: 6, height: 8, width: 9 })[0]! })
        assert.equal((await back.submit()).state, 'submitted')
        const again = await reviewer.nextToReview()
        assert.ok(again)
        assert.equal(again?.dataRowId, w.rows[3])
        const approved = await again.approve('tight now')
        assert.equal(approved.state, 'approved')
        assert.deepEqual(
          approved.reviews.map((r) => r.decision),
          ['reject', 'approve'],
        )
        assert.deepEqual(approved.annotations[0]?.bbox, { top: 5, left: 6, height: 8, width: 9 })
        await rejects(again.approve(), 'label_not_submitted', 409)
        assert.equal(await reviewer.nextToReview(), null)
      })

      it('counts and rows by status add up to the project', async () => {
        const queue = await labeling('admin')
        const counts = await queue.counts()
        assert.deepEqual(counts, {
          total: 6,
          toLabel: 3,
          inProgress: 2,
          skipped: 0,
          submitted: 0,
          inReview: 0,
          rejected: 0,
          done: 1,
        })
        const all = await queue.rows()
        assert.equal(all.length, 6)
        assert.deepEqual(
          (await queue.rows({ status: 'done' })).map((r) => [r.dataRowId, r.labelerId]),
          [[w.rows[3], w.users.labeler1]],
        )
        assert.deepEqual(
          (await queue.rows({ status: 'in_progress' })).map((r) => r.dataRowId).sort(),
          [w.rows[4], w.rows[5]].sort(),
        )
        assert.equal((await queue.rows({ status: 'to_label' })).length, 3)
      })

      it('kill -9 during submits leaves each row submitted or still a draft, never half', async (t) => {
        // a draft large enough for its submit to take a while: 400 points besides the label
        const big: DraftAnnotation[] = [
          ...valid().map((a) => ({ ...a, provenance: { source: 'drawn' as const } })),
          ...Array.from({ length: 400 }, (_, i) => ({
            uuid: uuid(1000 + i),
            name: 'dot',
            point: { x: i % 64, y: Math.floor(i / 64) },
            provenance: { source: 'drawn' as const },
          })),
        ]
        // three submits started 0, 5 and 10 ms apart, the server killed as soon as the first is
        // answered: one restart (a restart is slow on a busy machine), three rows to judge
        const rows = w.rows.slice(0, 3)
        const befores: LabelingView[] = []
        const saved: DraftSaved[] = []
        for (const rowId of rows) {
          const row = (await labeling('admin')).dataRow(rowId)
          const before = await row.get()
          befores.push(before)
          saved.push(await row.saveDraft(big, { baseVersion: before.version }))
        }
        const queue = await labeling('admin')
        const submits = rows.map(async (rowId, i) => {
          await new Promise((r) => setTimeout(r, [0, 5, 10][i]))
          // 'cut': the connection died (or the server was already gone when it was sent)
          return queue
            .dataRow(rowId)
            .submit({ baseVersion: saved[i]!.version })
            .then(
              () => 'answered',
              () => 'cut',
            )
        })
        // killed the moment the first submit is answered: the others are in flight or queued
        await submits[0]
        await server.kill()
        const answers = await Promise.all(submits)
        assert.equal(answers[0], 'answered')
        server = await start(server.dataDir, server.apiKey)
        connect()
        const outcomes: string[] = []
        for (const [i, rowId] of rows.entries()) {
          const before = befores[i]!
          const after = await (await labeling('admin')).dataRow(rowId).get()
          if (after.draft === null) {
            // submitted whole: the label holds every annotation, one version on
            assert.equal(after.label?.state, 'submitted')
            assert.equal(after.label?.annotations.length, big.length)
            assert.equal(after.version, saved[i]!.version + 1)
            outcomes.push('submitted')
          } else {
            // still the draft, at its version; no label written
            assert.equal(answers[i], 'cut', 'an answered submit is kept')
            assert.equal(after.version, saved[i]!.version)
            assert.equal(after.draft.annotations.length, big.length)
            assert.equal(after.label?.updatedAt ?? null, before.label?.updatedAt ?? null)
            outcomes.push('draft')
          }
        }
        // the labeling tables agree with each other: every row is counted once
        assert.equal((await (await labeling('admin')).counts()).total, 6)
        // whichever way each went, every row is usable: a draft left behind submits now
        for (const rowId of rows) {
          const row = (await labeling('admin')).dataRow(rowId)
          const view = await row.get()
          if (view.draft) assert.equal((await row.submit()).annotations.length, big.length)
        }
        t.diagnostic(`after kill -9: ${outcomes.join(', ')} (answers: ${answers.join(', ')})`)
      })
    },
  )
}
