// Over 500 lines: the labeling flow end to end on both databases, one scenario after another on one world.
/**
 * Labeling through the HTTP API on SQLite and PostgreSQL (docs/labeling.md): the queue's order
 * and leases (concurrent callers included), expiry, skip, version conflicts, submit judged with the
 * import codes and `required`, review approve / reject back to the labeler, pre-label suggestions
 * and provenance, ground-truth imports as labels, export v2 label details and reviews, counts.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type {
  DraftAnnotation,
  DeletionImpact,
  DraftSaved,
  ErrorBody,
  LabelResource,
  LabelingCounts,
  LabelingRow,
  LabelingView,
  QueueNext,
} from '@labelport/core'
import { freshSchemaUrl, postgres } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'
import { makeLabelingWorld, type LabelingWorld } from '../../test/labeling-world.ts'

const ADMIN_KEY = 'labeling-admin-key-4f9d2c8b1a7e'
const pgNeed = postgres()
/**
 * Leases are judged by the server's label clock, which these tests move (`elapse`) instead of
 * sleeping: a lease that must still be held is never lost to a slow machine, and one that must
 * have expired has, whatever the load.
 */
const LEASE_MS = 60_000

interface ExportLine {
  data_row: { id: string }
  projects: Record<
    string,
    {
      labels: {
        label_details: {
          created_by: string | null
          created_at: string
          updated_at: string
          reviews: { decision?: string; comment?: string; created_by?: string | null }[]
        }
        annotations: { objects: { bounding_box?: unknown }[]; relationships: unknown[] }
      }[]
    }
  >
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`labeling on ${dialect}`, { skip: dialect === 'postgres' ? pgNeed.skip : false }, () => {
    let server: ComposedServer
    let dataDir = ''
    let drop: (() => Promise<void>) | undefined
    let w: LabelingWorld
    /** the server's label clock: it moves only when a test says so */
    let clock = Date.now()
    const elapse = (ms: number) => {
      clock += ms
    }

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
    const next = async (key: string) => {
      const r = await call<QueueNext>(
        'POST',
        `/v1/projects/${w.projectId}/queue/next`,
        undefined,
        key,
      )
      assert.equal(r.status, 200, JSON.stringify(r.body))
      return r.body.dataRow?.id ?? null
    }
    const save = (row: string, baseVersion: number, annotations: DraftAnnotation[], key: string) =>
      call<DraftSaved & ErrorBody>('PUT', rowPath(row, '/draft'), { baseVersion, annotations }, key)
    const counts = async () =>
      (await call<LabelingCounts>('GET', `/v1/projects/${w.projectId}/labeling`)).body
    const exportLines = async () => {
      const res = await server.app.request(`/v1/projects/${w.projectId}/export`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      })
      assert.equal(res.status, 200)
      return (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as ExportLine)
    }

    /** A complete, valid label: a red box and the global weather. */
    const valid = (box = { top: 5, left: 6, height: 10, width: 12 }): DraftAnnotation[] => [
      {
        uuid: uuid(1),
        name: 'box',
        bbox: box,
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
      dataDir = mkdtempSync(join(tmpdir(), 'labelport-labeling-'))
      const schema = dialect === 'postgres' ? await freshSchemaUrl(pgNeed.value) : null
      drop = schema ? () => schema.drop() : undefined
      server = await composeServer({
        ...readConfig(['--data-dir', dataDir], { LABELPORT_LABEL_LEASE_MS: String(LEASE_MS) }),
        labelClock: () => clock,
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
      await server.close()
      await drop?.()
      rmSync(dataDir, { recursive: true, force: true })
    })

    it('counts every row as to label before any work', async () => {
      assert.deepEqual(await counts(), {
        total: 6,
        toLabel: 6,
        inProgress: 0,
        skipped: 0,
        submitted: 0,
        inReview: 0,
        rejected: 0,
        done: 0,
      })
    })

    it('leases rows by batch priority, one labeler per row, even when asked concurrently', async () => {
      const [a, b] = await Promise.all([next(w.keys.labeler1), next(w.keys.labeler2)])
      assert.ok(a && b)
      assert.notEqual(a, b)
      assert.deepEqual([a, b].sort(), [w.rows[3], w.rows[4]].sort())
      // a second call resumes the caller's own lease
      assert.equal(await next(w.keys.labeler1), a)
      const c = await next(w.keys.reviewer)
      assert.equal(c, w.rows[5])
      // many concurrent callers still never share a row
      const more = await Promise.all([next(ADMIN_KEY), next(w.keys.reviewer)])
      assert.equal(more[1], c)
      assert.equal(more[0], w.rows[0])
      assert.equal((await counts()).inProgress, 4)
    })

    it('refuses a draft on a row another user holds (409 data_row_leased)', async () => {
      const v = await view(w.rows[0]!, w.keys.labeler1)
      assert.equal(v.canEdit, false)
      assert.equal(v.lease?.purpose, 'label')
      const r = await save(w.rows[0]!, v.version, valid(), w.keys.labeler1)
      assert.equal(r.status, 409)
      assert.equal(r.body.error.code, 'data_row_leased')
    })

    it('refuses a stale baseVersion with 409 label_version_conflict and never overwrites', async () => {
      const row = (await next(w.keys.labeler1))!
      const first = await save(row, 0, valid(), w.keys.labeler1)
      assert.equal(first.status, 200, JSON.stringify(first.body))
      assert.equal(first.body.version, 1)
      // the same labeler's second tab, still at version 0
      const stale = await save(row, 0, [], w.keys.labeler1)
      assert.equal(stale.status, 409)
      assert.equal(stale.body.error.code, 'label_version_conflict')
      const v = await view(row, w.keys.labeler1)
      assert.equal(v.version, 1)
      assert.equal(v.draft?.annotations.length, 2)
      // two concurrent saves at the same base: exactly one wins
      const both = await Promise.all([
        save(row, 1, valid({ top: 1, left: 1, height: 2, width: 2 }), w.keys.labeler1),
        save(row, 1, valid({ top: 3, left: 3, height: 2, width: 2 }), w.keys.labeler1),
      ])
      assert.deepEqual(both.map((r) => r.status).sort(), [200, 409])
    })

    it('edits one annotation at a time with its own baseVersion', async () => {
      const row = (await next(w.keys.labeler1))!
      let v = (await view(row, w.keys.labeler1)).version
      const point: DraftAnnotation = {
        uuid: uuid(9),
        name: 'dot',
        point: { x: 3, y: 4 },
        provenance: { source: 'drawn' },
      }
      const added = await call<DraftSaved & ErrorBody>(
        'POST',
        rowPath(row, '/draft/annotations'),
        { baseVersion: v, annotation: point },
        w.keys.labeler1,
      )
      assert.equal(added.status, 201, JSON.stringify(added.body))
      v = added.body.version
      const again = await call<ErrorBody>(
        'POST',
        rowPath(row, '/draft/annotations'),
        { baseVersion: v, annotation: point },
        w.keys.labeler1,
      )
      assert.equal(again.body.error.code, 'annotation_uuid_taken')
      const moved = await call<DraftSaved>(
        'PUT',
        rowPath(row, `/draft/annotations/${uuid(9)}`),
        { baseVersion: v, annotation: { ...point, point: { x: 7, y: 8 } } },
        w.keys.labeler1,
      )
      assert.equal(moved.status, 200, JSON.stringify(moved.body))
      v = moved.body.version
      const edited = (await view(row, w.keys.labeler1)).draft?.annotations
      assert.deepEqual(edited?.find((a) => a.uuid === uuid(9))?.point, { x: 7, y: 8 })
      const stale = await call<ErrorBody>(
        'DELETE',
        rowPath(row, `/draft/annotations/${uuid(9)}?baseVersion=${v - 1}`),
        undefined,
        w.keys.labeler1,
      )
      assert.equal(stale.body.error.code, 'label_version_conflict')
      const deleted = await call<DraftSaved>(
        'DELETE',
        rowPath(row, `/draft/annotations/${uuid(9)}?baseVersion=${v}`),
        undefined,
        w.keys.labeler1,
      )
      assert.equal(deleted.status, 200)
      assert.equal(deleted.body.annotationCount, (edited?.length ?? 0) - 1)
      const missing = await call<ErrorBody>(
        'DELETE',
        rowPath(row, `/draft/annotations/${uuid(9)}?baseVersion=${deleted.body.version}`),
        undefined,
        w.keys.labeler1,
      )
      assert.equal(missing.body.error.code, 'annotation_not_found')
    })

    it('judges a submit with the import codes and required, naming each annotation', async () => {
      const row = w.rows[4] === (await next(w.keys.labeler2)) ? w.rows[4] : w.rows[3]!
      const v = (await view(row, w.keys.labeler2)).version
      const bad: DraftAnnotation[] = [
        // its required color missing
        {
          uuid: uuid(11),
          name: 'box',
          bbox: { top: 4, left: 6, height: 30, width: 30 },
          provenance: { source: 'drawn' },
        },
        // out of the 64×48 image
        {
          uuid: uuid(14),
          name: 'area',
          polygon: [
            { x: 1, y: 1 },
            { x: 90, y: 1 },
            { x: 1, y: 9 },
          ],
          provenance: { source: 'drawn' },
        },
        {
          uuid: uuid(12),
          name: 'no such tool',
          point: { x: 1, y: 1 },
          provenance: { source: 'drawn' },
        },
        {
          uuid: uuid(13),
          name: 'dot',
          point: { x: 1, y: 1 },
          provenance: {
            source: 'prelabel',
            importId: 'nope',
            originalUuid: uuid(99),
            modified: false,
          },
        },
      ]
      const saved = await save(row, v, bad, w.keys.labeler2)
      assert.equal(saved.status, 200, JSON.stringify(saved.body))
      const r = await call<ErrorBody>(
        'POST',
        rowPath(row, '/submit'),
        { baseVersion: saved.body.version },
        w.keys.labeler2,
      )
      assert.equal(r.status, 422, JSON.stringify(r.body))
      assert.equal(r.body.error.code, 'label_invalid')
      const got = (r.body.error.issues ?? []).map((i) => `${i.code} ${i.path.join('/')}`).sort()
      assert.deepEqual(got, [
        `classification_required annotations`,
        `classification_required annotations/${uuid(11)}/classifications`,
        `feature_unknown annotations/${uuid(12)}/name`,
        `geometry_out_of_bounds annotations/${uuid(14)}/polygon/1`,
        `provenance_invalid annotations/${uuid(13)}/provenance`,
      ])
      // nothing was written: still a draft at the same version
      const after = await view(row, w.keys.labeler2)
      assert.equal(after.label, null)
      assert.equal(after.version, saved.body.version)
    })

    it('lease expiry lets another labeler take the row and its draft', async () => {
      const held = (await view(w.rows[0]!)).lease
      assert.ok(held)
      // up to the last millisecond of the lease it is still held
      elapse(Date.parse(held.expiresAt) - 1 - clock)
      const still = await view(w.rows[0]!, w.keys.labeler1)
      assert.equal(still.lease?.userId, held.userId)
      assert.equal(still.canEdit, false)
      elapse(1)
      const v = await view(w.rows[0]!, w.keys.labeler1)
      assert.equal(v.lease, null)
      assert.equal(v.canEdit, true)
      // every draft save renews the lease: it ends a lease length after the last save
      const first = await save(w.rows[0]!, v.version, valid(), w.keys.labeler1)
      assert.equal(first.status, 200, JSON.stringify(first.body))
      assert.equal(Date.parse(first.body.lease.expiresAt), clock + LEASE_MS)
      elapse(LEASE_MS * 0.6)
      const second = await save(w.rows[0]!, first.body.version, valid(), w.keys.labeler1)
      assert.equal(second.status, 200, JSON.stringify(second.body))
      elapse(LEASE_MS * 0.6)
      assert.equal((await view(w.rows[0]!)).lease?.userId, w.users.labeler1)
      const refused = await save(w.rows[0]!, second.body.version, [], w.keys.labeler2)
      assert.equal(refused.body.error.code, 'data_row_leased')
      elapse(LEASE_MS * 0.4)
      assert.equal((await view(w.rows[0]!)).lease, null)
    })

    it('skip keeps the row out of the skipper’s queue only', async () => {
      // every lease has expired: labeler1 first gets their own drafted rows back
      const mine = (await next(w.keys.labeler1))!
      const skipped = await call(
        'POST',
        rowPath(mine, '/skip'),
        { reason: 'blurry' },
        w.keys.labeler1,
      )
      assert.equal(skipped.status, 204)
      const bad = await call<ErrorBody>(
        'POST',
        rowPath(mine, '/skip'),
        { reason: '' },
        w.keys.labeler1,
      )
      assert.equal(bad.body.error.code, 'validation_failed')
      const after = await next(w.keys.labeler1)
      assert.notEqual(after, null)
    })

    it('submit → reject returns the row to its labeler with the comment → resubmit → approve', async () => {
      const row = w.rows[5]!
      // labeler2 takes row 5 (its lease by the reviewer expired)
      const v0 = (await view(row, w.keys.labeler2)).version
      const saved = await save(row, v0, valid(), w.keys.labeler2)
      assert.equal(saved.status, 200, JSON.stringify(saved.body))
      const submitted = await call<LabelResource & ErrorBody>(
        'POST',
        rowPath(row, '/submit'),
        { baseVersion: saved.body.version },
        w.keys.labeler2,
      )
      assert.equal(submitted.status, 200, JSON.stringify(submitted.body))
      assert.equal(submitted.body.state, 'submitted')
      assert.equal(submitted.body.labelerId, w.users.labeler2)
      assert.deepEqual(
        submitted.body.annotations.map((a) => a.provenance.source),
        ['drawn', 'drawn'],
      )
      // a labeler can neither edit a submitted label nor review it
      const edit = await save(row, (await view(row)).version, [], w.keys.labeler1)
      assert.equal(edit.body.error.code, 'label_not_editable')
      const forbidden = await call<ErrorBody>(
        'POST',
        rowPath(row, '/review'),
        { decision: 'approve' },
        w.keys.labeler1,
      )
      assert.equal(forbidden.status, 403)
      // the review queue leases it to the reviewer: in review
      const review = await call<QueueNext>(
        'POST',
        `/v1/projects/${w.projectId}/review/next`,
        undefined,
        w.keys.reviewer,
      )
      assert.equal(review.body.dataRow?.id, row)
      assert.equal((await counts()).inReview, 1)
      const noComment = await call<ErrorBody>(
        'POST',
        rowPath(row, '/review'),
        { decision: 'reject' },
        w.keys.reviewer,
      )
      assert.equal(noComment.body.error.code, 'validation_failed')
      const rejected = await call<LabelResource>(
        'POST',
        rowPath(row, '/review'),
        { decision: 'reject', comment: 'box too loose' },
        w.keys.reviewer,
      )
      assert.equal(rejected.status, 200, JSON.stringify(rejected.body))
      assert.equal(rejected.body.state, 'rejected')
      assert.equal(rejected.body.reviews[0]?.comment, 'box too loose')
      // the rejected row comes first in its labeler's queue, as a draft with the comment
      assert.equal(await next(w.keys.labeler2), row)
      const back = await view(row, w.keys.labeler2)
      assert.equal(back.canEdit, true)
      assert.equal(back.draft?.annotations.length, 2)
      assert.equal(back.label?.reviews.at(-1)?.comment, 'box too loose')
      assert.equal((await view(row, w.keys.labeler1)).canEdit, false)
      const rows = await call<{ items: LabelingRow[] }>(
        'GET',
        `/v1/projects/${w.projectId}/labels?status=rejected`,
      )
      assert.deepEqual(
        rows.body.items.map((r) => [r.dataRowId, r.reviewComment]),
        [[row, 'box too loose']],
      )
      const fixed = await save(
        row,
        back.version,
        valid({ top: 5, left: 6, height: 8, width: 9 }),
        w.keys.labeler2,
      )
      const resubmitted = await call<LabelResource>(
        'POST',
        rowPath(row, '/submit'),
        { baseVersion: fixed.body.version },
        w.keys.labeler2,
      )
      assert.equal(resubmitted.body.state, 'submitted')
      const approved = await call<LabelResource>(
        'POST',
        rowPath(row, '/review'),
        { decision: 'approve', comment: 'ok' },
        w.keys.reviewer,
      )
      assert.equal(approved.body.state, 'approved')
      assert.deepEqual(
        approved.body.reviews.map((r) => r.decision),
        ['reject', 'approve'],
      )
      const again = await call<ErrorBody>(
        'POST',
        rowPath(row, '/review'),
        { decision: 'approve' },
        w.keys.reviewer,
      )
      assert.equal(again.body.error.code, 'label_not_submitted')
      assert.equal((await counts()).done, 1)
      // export v2 shows the label with its details and reviews
      const res = await server.app.request(`/v1/projects/${w.projectId}/export`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      })
      const lines = (await res.text())
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as {
              data_row: { id: string }
              projects: Record<
                string,
                {
                  labels: {
                    label_details: { created_by: string | null; reviews: { decision?: string }[] }
                    annotations: { objects: { bounding_box?: unknown }[] }
                  }[]
                }
              >
            },
        )
      const exported = lines.find((l) => l.data_row.id === row)?.projects[w.projectId]?.labels[0]
      assert.ok(exported, 'the approved label is exported')
      assert.equal(exported.label_details.created_by, `labeler2-w@example.com`)
      assert.equal(exported.label_details.reviews.length, 2)
      assert.deepEqual(exported.annotations.objects[0]?.bounding_box, {
        top: 5,
        left: 6,
        height: 8,
        width: 9,
      })
    })

    it('offers pre-labels as suggestions until the row has a label; accepted ones keep provenance', async () => {
      const row = w.rows[1]!
      const mal = await w.importLines('mal', [
        {
          uuid: uuid(50),
          name: 'dot',
          point: { x: 10, y: 11 },
          confidence: 0.75,
          dataRow: { id: row },
        },
      ])
      const v = await view(row)
      assert.equal(v.suggestions.length, 1)
      assert.equal(v.suggestions[0]?.confidence, 0.75)
      assert.deepEqual(v.suggestions[0]?.annotation.provenance, {
        source: 'prelabel',
        importId: mal.id,
        originalUuid: uuid(50),
        modified: false,
      })
      const accepted = {
        ...v.suggestions[0].annotation,
        uuid: uuid(51),
        point: { x: 12, y: 11 },
        provenance: {
          source: 'prelabel' as const,
          importId: mal.id,
          originalUuid: uuid(50),
          modified: true,
        },
      }
      const saved = await save(row, v.version, [accepted, ...valid()], ADMIN_KEY)
      assert.equal(saved.status, 200, JSON.stringify(saved.body))
      const label = await call<LabelResource>('POST', rowPath(row, '/submit'), {
        baseVersion: saved.body.version,
      })
      assert.equal(label.status, 200, JSON.stringify(label.body))
      assert.deepEqual(label.body.annotations[0]?.provenance, accepted.provenance)
      assert.deepEqual(label.body.annotations[0]?.point, { x: 12, y: 11 })
      const after = await view(row)
      assert.deepEqual(after.suggestions, [])
      assert.equal(after.label?.state, 'submitted')
    })

    it('a ground-truth import makes a submitted label with imported provenance', async () => {
      const row = w.rows[2]!
      const gt = await w.importLines('ground_truth', [
        { uuid: uuid(60), name: 'dot', point: { x: 2, y: 3 }, dataRow: { id: row } },
      ])
      const v = await view(row)
      assert.equal(v.label?.state, 'submitted')
      assert.equal(v.label?.source, 'import')
      assert.deepEqual(
        v.label?.annotations.map((a) => a.provenance),
        [{ source: 'imported', importId: gt.id }],
      )
      assert.deepEqual(v.suggestions, [])
      const submitted = await call<{ items: LabelingRow[] }>(
        'GET',
        `/v1/projects/${w.projectId}/labels?status=submitted`,
      )
      assert.ok(submitted.body.items.some((r) => r.dataRowId === row))
    })

    it('a submitted label keeps relationships, both endpoints checked; export v2 shows them', async () => {
      // the ground-truth label of row 2 (the import refused nothing: it had no relationship)
      const row = w.rows[2]!
      const v = await view(row)
      const imported = v.label?.annotations ?? []
      const box = valid()[0]!
      const link = (target: string): DraftAnnotation => ({
        uuid: uuid(71),
        name: 'link',
        relationship: { source: box.uuid, target, type: 'unidirectional' },
        provenance: { source: 'drawn' },
      })
      // a relationship listed before its endpoints, one endpoint not in the draft
      const dangling = await save(
        row,
        v.version,
        [link(uuid(99)), ...imported, ...valid()],
        ADMIN_KEY,
      )
      assert.equal(dangling.status, 200, JSON.stringify(dangling.body))
      const refused = await call<ErrorBody>('POST', rowPath(row, '/submit'), {
        baseVersion: dangling.body.version,
      })
      assert.equal(refused.status, 422, JSON.stringify(refused.body))
      assert.deepEqual(
        (refused.body.error.issues ?? []).map((i) => `${i.code} ${i.path.join('/')}`),
        [`relationship_endpoint_unknown annotations/${uuid(71)}/relationship/target`],
      )
      // an endpoint that is a classification, not an object, is refused too
      const toAnswer = await save(
        row,
        dangling.body.version,
        [link(uuid(2)), ...imported, ...valid()],
        ADMIN_KEY,
      )
      const refusedAgain = await call<ErrorBody>('POST', rowPath(row, '/submit'), {
        baseVersion: toAnswer.body.version,
      })
      assert.equal(refusedAgain.body.error.issues?.[0]?.code, 'relationship_endpoint_unknown')
      // an endpoint that failed fails the relationship with it
      const failedBox = { ...box, bbox: { top: 5, left: 6, height: 10, width: 900 } }
      const toFailed = await save(
        row,
        toAnswer.body.version,
        [link(uuid(60)), failedBox, valid()[1]!, ...imported],
        ADMIN_KEY,
      )
      const refusedThird = await call<ErrorBody>('POST', rowPath(row, '/submit'), {
        baseVersion: toFailed.body.version,
      })
      assert.deepEqual((refusedThird.body.error.issues ?? []).map((i) => i.code).sort(), [
        'geometry_out_of_bounds',
        'relationship_endpoint_failed',
      ])
      // box → the imported dot: submitted, kept with its provenance
      const good = await save(
        row,
        toFailed.body.version,
        [link(uuid(60)), ...imported, ...valid()],
        ADMIN_KEY,
      )
      const label = await call<LabelResource>('POST', rowPath(row, '/submit'), {
        baseVersion: good.body.version,
      })
      assert.equal(label.status, 200, JSON.stringify(label.body))
      const kept = label.body.annotations.find((a) => a.uuid === uuid(71))
      assert.deepEqual(kept?.relationship, {
        source: uuid(1),
        target: uuid(60),
        type: 'unidirectional',
      })
      assert.deepEqual(kept?.provenance, { source: 'drawn' })
      assert.deepEqual(
        label.body.annotations.find((a) => a.uuid === uuid(60))?.provenance,
        imported[0]?.provenance,
      )
      // deleting an endpoint from a draft takes its relationships with it
      const reopened = await view(row)
      assert.deepEqual(reopened.label?.annotations.find((a) => a.uuid === uuid(71))?.relationship, {
        source: uuid(1),
        target: uuid(60),
        type: 'unidirectional',
      })
      const exported = (await exportLines()).find((l) => l.data_row.id === row)?.projects[
        w.projectId
      ]?.labels[0]
      assert.deepEqual(exported?.annotations.relationships, [
        {
          feature_id: uuid(71),
          feature_schema_id: w.features.get('link'),
          name: 'link',
          value: 'link',
          unidirectional: true,
          source: uuid(1),
          target: uuid(60),
        },
      ])
      // a ground-truth import still refuses relationships (the guide's rule for imports)
      const job = await call<{ id: string }>('POST', `/v1/projects/${w.projectId}/imports`, {
        name: 'gt-with-link',
        kind: 'ground_truth',
        source: {
          lines: [
            { uuid: uuid(72), name: 'dot', point: { x: 1, y: 1 }, dataRow: { id: w.rows[3] } },
            { uuid: uuid(73), name: 'dot', point: { x: 2, y: 2 }, dataRow: { id: w.rows[3] } },
            {
              uuid: uuid(74),
              name: 'link',
              relationship: { source: uuid(72), target: uuid(73) },
              dataRow: { id: w.rows[3] },
            },
          ],
        },
      })
      assert.equal(job.status, 202, JSON.stringify(job.body))
      await server.importWorker.whenIdle()
      const done = await call<{ errorCounts: Record<string, number> }>(
        'GET',
        `/v1/imports/${job.body.id}`,
      )
      assert.deepEqual(done.body.errorCounts, { relationship_not_allowed: 1 })
    })

    it('export v2 gives editor labels and ground-truth imports the same label details and reviews', async () => {
      const lines = await exportLines()
      const labelOf = (row: string) =>
        lines.find((l) => l.data_row.id === row)?.projects[w.projectId]?.labels[0]
      // row 5: drawn in the editor by labeler2, rejected then approved
      const editor = labelOf(w.rows[5]!)
      // row 3: written by a ground-truth import of the admin (the previous test), never reviewed
      const imported = labelOf(w.rows[3]!)
      assert.ok(editor && imported)
      for (const label of [editor, imported]) {
        const d = label.label_details
        assert.ok(Number.isFinite(Date.parse(d.created_at)), JSON.stringify(d))
        assert.ok(Date.parse(d.updated_at) >= Date.parse(d.created_at), JSON.stringify(d))
        assert.ok(Array.isArray(d.reviews))
      }
      assert.equal(editor.label_details.created_by, 'labeler2-w@example.com')
      assert.deepEqual(
        editor.label_details.reviews.map((r) => [r.decision, r.comment, r.created_by]),
        [
          ['reject', 'box too loose', 'reviewer-w@example.com'],
          ['approve', 'ok', 'reviewer-w@example.com'],
        ],
      )
      const admin = (await call<{ user: { email: string } | null }>('GET', '/v1/me')).body
      assert.equal(imported.label_details.created_by, admin.user?.email ?? null)
      assert.deepEqual(imported.label_details.reviews, [])
      // a review of the imported label shows in the export like an editor label's
      const reviewed = await call<LabelResource>(
        'POST',
        rowPath(w.rows[3]!, '/review'),
        { decision: 'approve', comment: 'imported, checked' },
        w.keys.reviewer,
      )
      assert.equal(reviewed.status, 200, JSON.stringify(reviewed.body))
      const after = (await exportLines()).find((l) => l.data_row.id === w.rows[3])?.projects[
        w.projectId
      ]?.labels[0]
      assert.deepEqual(
        after?.label_details.reviews.map((r) => [r.decision, r.comment]),
        [['approve', 'imported, checked']],
      )
      // provenance is on the label's annotations (GET …/label): imported, accepted, drawn
      const provenance = async (row: string) =>
        (await view(row)).label?.annotations.map((a) => a.provenance.source).sort()
      assert.deepEqual(await provenance(w.rows[3]!), ['imported', 'imported'])
      assert.deepEqual(await provenance(w.rows[1]!), ['drawn', 'drawn', 'prelabel'])
      assert.deepEqual(await provenance(w.rows[5]!), ['drawn', 'drawn'])
    })

    it('counts add up to the rows of the project', async () => {
      const c = await counts()
      assert.equal(c.total, 6)
      assert.equal(
        c.toLabel + c.inProgress + c.skipped + c.submitted + c.inReview + c.rejected + c.done,
        6,
      )
      // rows 5 and 3 approved; rows 1 and 2 submitted
      assert.equal(c.done, 2)
      assert.equal(c.submitted, 2)
    })

    it('a project delete counts its labels and drafts first and leaves no labeling row behind', async () => {
      const impact = await call<DeletionImpact>(
        'GET',
        `/v1/projects/${w.projectId}/deletion-impact`,
      )
      // rows 1, 2, 3, 5 have labels; drafts are left on rows 0 and 4 at least
      assert.equal(impact.body.labels, 4)
      assert.ok(impact.body.drafts >= 2, JSON.stringify(impact.body))
      const deletions = server.repositories.deletions
      for (const table of ['label_version', 'label_review', 'label_skip'] as const)
        assert.ok((await deletions.countRows(table)) > 0, table)
      assert.equal((await call('DELETE', `/v1/projects/${w.projectId}`)).status, 204)
      for (const table of [
        'label',
        'label_draft',
        'label_lease',
        'label_skip',
        'label_version',
        'label_review',
      ] as const)
        assert.equal(await deletions.countRows(table), 0, table)
    })
  })
}
