/**
 * One storage suite, run on SQLite and on PostgreSQL (a fresh schema in the test database).
 * Under CI both dialects run; elsewhere PostgreSQL skips with a reason when it is not there.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { newId, type AnnotationRecord } from '@labelport/core'
import { freshSchemaUrl, postgres } from '@labelport/testkit'
import { connect } from './connect.ts'
import { JobRepository } from './jobs.ts'
import { DuplicateError, Store } from './store.ts'

const pgNeed = postgres()
const DIALECTS = [
  { name: 'sqlite', skip: false as const },
  { name: 'postgres', skip: pgNeed.skip },
]

function bbox(uuid: string, dataRowId: string, left: number): AnnotationRecord {
  return {
    kind: 'object',
    tool: 'rectangle',
    uuid,
    dataRowId,
    featureSchemaId: 'cfeature00000000000000000',
    name: 'box',
    classifications: [],
    geometry: { type: 'bbox', top: 1, left, height: 2, width: 3 },
  }
}

for (const dialect of DIALECTS) {
  describe(`store on ${dialect.name}`, { skip: dialect.skip }, () => {
    let store: Store
    let jobs: JobRepository
    let cleanup: () => Promise<void>
    const org = newId()

    before(async () => {
      if (dialect.name === 'sqlite') {
        const dir = mkdtempSync(join(tmpdir(), 'labelport-db-'))
        const conn = await connect({ sqlitePath: join(dir, 'test.db') })
        store = new Store(conn)
        jobs = new JobRepository(conn)
        cleanup = async () => {
          await store.close()
          rmSync(dir, { recursive: true, force: true })
        }
      } else {
        const schema = await freshSchemaUrl(pgNeed.value)
        const conn = await connect({ postgresUrl: schema.url })
        store = new Store(conn)
        jobs = new JobRepository(conn)
        cleanup = async () => {
          await store.close()
          await schema.drop()
        }
      }
      await store.ensureOrganization(org, 'Test org')
    })
    after(async () => {
      await cleanup()
    })

    async function makeRows(n: number, prefix: string) {
      const dataset = await store.createDataset({
        id: newId(),
        organizationId: org,
        name: `${prefix}-ds`,
        description: '',
      })
      const rows = []
      for (let i = 0; i < n; i++) {
        rows.push(
          await store.insertDataRow({
            id: newId(),
            organizationId: org,
            datasetId: dataset.id,
            globalKey: `${prefix}-${i}`,
            rowData: `https://example.com/${i}.png`,
            blobKey: `images/${i}`,
            width: 100,
            height: 50,
            mimeType: 'image/png',
            exifOrientation: 1,
          }),
        )
      }
      return { dataset, rows }
    }

    it('keeps global keys unique per organization and counts dataset rows', async () => {
      const { dataset, rows } = await makeRows(3, 'unique')
      await assert.rejects(
        store.insertDataRow({
          id: newId(),
          organizationId: org,
          datasetId: dataset.id,
          globalKey: 'unique-1',
          rowData: 'x',
          blobKey: 'k',
          width: 1,
          height: 1,
          mimeType: 'image/png',
          exifOrientation: 1,
        }),
        DuplicateError,
      )
      // the same key in another organization is fine
      const other = newId()
      await store.ensureOrganization(other, 'Other')
      const otherDataset = await store.createDataset({
        id: newId(),
        organizationId: other,
        name: 'o',
        description: '',
      })
      await store.insertDataRow({
        id: newId(),
        organizationId: other,
        datasetId: otherDataset.id,
        globalKey: 'unique-1',
        rowData: 'x',
        blobKey: 'k',
        width: 1,
        height: 1,
        mimeType: 'image/png',
        exifOrientation: 1,
      })
      assert.equal((await store.getDataset(org, dataset.id))?.rowCount, 3)
      assert.deepEqual(
        [...(await store.findGlobalKeys(org, ['unique-0', 'unique-2', 'nope']))].sort(),
        ['unique-0', 'unique-2'],
      )
      assert.equal((await store.getDataRow(org, rows[0]!.id))?.mediaAttributes.width, 100)
      assert.equal(await store.getDataRow(other, rows[0]!.id), undefined)
    })

    it('creates batches with unique names and reports rows already in the project', async () => {
      const { rows } = await makeRows(3, 'batch')
      const project = await store.createProject({
        id: newId(),
        organizationId: org,
        name: 'p',
        description: '',
      })
      const first = await store.createBatch({
        id: newId(),
        projectId: project.id,
        name: 'b1',
        priority: 1,
        dataRowIds: [rows[0]!.id, rows[1]!.id],
      })
      assert.equal(first.batch.size, 2)
      await assert.rejects(
        store.createBatch({
          id: newId(),
          projectId: project.id,
          name: 'b1',
          priority: 5,
          dataRowIds: [rows[2]!.id],
        }),
        DuplicateError,
      )
      const second = await store.createBatch({
        id: newId(),
        projectId: project.id,
        name: 'b2',
        priority: 5,
        dataRowIds: [rows[1]!.id, rows[2]!.id],
      })
      assert.deepEqual(second.alreadyInProject, [rows[1]!.id])
      assert.equal(second.batch.size, 1)
      assert.equal((await store.getProject(org, project.id))?.dataRowCount, 3)
      const lookup = await store.lookupDataRows(org, project.id, {
        ids: [rows[0]!.id],
        globalKeys: ['batch-2', 'missing'],
      })
      assert.deepEqual(lookup.map((l) => [l.globalKey, l.inProject]).sort(), [
        ['batch-0', true],
        ['batch-2', true],
      ])
    })

    it('upserts annotations by (project, data row, layer, uuid) and keeps layers apart', async () => {
      const { rows } = await makeRows(2, 'ann')
      const project = await store.createProject({
        id: newId(),
        organizationId: org,
        name: 'p2',
        description: '',
      })
      await store.createBatch({
        id: newId(),
        projectId: project.id,
        name: 'b',
        priority: 5,
        dataRowIds: rows.map((r) => r.id),
      })
      const uuid = crypto.randomUUID()
      const row = (layer: 'prelabel' | 'label', left: number, importId: string) => ({
        id: newId(),
        projectId: project.id,
        dataRowId: rows[0]!.id,
        layer,
        uuid,
        importId,
        featureSchemaId: 'cfeature00000000000000000',
        kind: 'bbox',
        payload: JSON.stringify(bbox(uuid, rows[0]!.id, left)),
      })
      await store.writeAnnotations(
        [row('prelabel', 1, 'i1'), row('label', 7, 'i1')],
        [{ projectId: project.id, dataRowId: rows[0]!.id, isBenchmarkReference: false }],
      )
      await store.writeAnnotations([row('prelabel', 2, 'i2')], [])
      const seen = []
      for await (const a of store.streamProjectAnnotations(project.id, [rows[0]!.id, rows[1]!.id]))
        seen.push(a)
      assert.equal(seen.length, 2)
      const pre = seen.find((a) => a.layer === 'prelabel')
      assert.equal(pre?.importId, 'i2')
      assert.equal(
        pre?.record.kind === 'object' && pre.record.geometry.type === 'bbox'
          ? pre.record.geometry.left
          : -1,
        2,
      )
      assert.deepEqual(await store.countAnnotations(project.id), { prelabel: 1, label: 1 })
      await store.writeAnnotations(
        [],
        [{ projectId: project.id, dataRowId: rows[0]!.id, isBenchmarkReference: true }],
      )
      assert.equal(
        (await store.getLabels(project.id, [rows[0]!.id])).get(rows[0]!.id)?.isBenchmarkReference,
        true,
      )
      const grid = await store.listProjectDataRows(project.id, undefined, 10)
      assert.deepEqual(grid.items.map((i) => [i.globalKey, i.prelabelCount, i.labelCount]).sort(), [
        ['ann-0', 1, 1],
        ['ann-1', 0, 0],
      ])
    })

    it('stores payload text exactly, backslashes, tabs and newlines included', async () => {
      const { rows } = await makeRows(1, 'escape')
      const project = await store.createProject({
        id: newId(),
        organizationId: org,
        name: 'p5',
        description: '',
      })
      const uuid = crypto.randomUUID()
      const record = { ...bbox(uuid, rows[0]!.id, 1), name: 'tab\there \\ back\\slash\nnew line\r' }
      const payload = JSON.stringify(record)
      await store.writeAnnotations(
        [
          {
            id: newId(),
            projectId: project.id,
            dataRowId: rows[0]!.id,
            layer: 'label',
            uuid,
            importId: 'i',
            featureSchemaId: 'f',
            kind: 'bbox',
            payload,
          },
        ],
        [],
      )
      const seen = []
      for await (const a of store.streamProjectAnnotations(project.id, [rows[0]!.id]))
        seen.push(a.record)
      assert.deepEqual(seen, [record])
    })

    it('writes nothing of a chunk that fails', async () => {
      const { rows } = await makeRows(1, 'atomic')
      const project = await store.createProject({
        id: newId(),
        organizationId: org,
        name: 'p3',
        description: '',
      })
      const good = {
        id: newId(),
        projectId: project.id,
        dataRowId: rows[0]!.id,
        layer: 'label' as const,
        uuid: crypto.randomUUID(),
        importId: 'i',
        featureSchemaId: 'f',
        kind: 'bbox',
        payload: '{}',
      }
      const clash = { ...good, uuid: crypto.randomUUID() } // same primary key id
      await assert.rejects(
        store.writeAnnotations(
          [good, clash],
          [{ projectId: project.id, dataRowId: rows[0]!.id, isBenchmarkReference: false }],
        ),
      )
      assert.deepEqual(await store.countAnnotations(project.id), { prelabel: 0, label: 0 })
      assert.equal((await store.getLabels(project.id, [rows[0]!.id])).size, 0)
    })

    it('claims fairly between organizations: the one with fewer running jobs goes first', async () => {
      const other = newId()
      await store.ensureOrganization(other, 'Other org')
      const projectOf = async (organizationId: string, name: string) =>
        store.createProject({ id: newId(), organizationId, name, description: '' })
      const busy = await projectOf(org, 'busy')
      const quiet = await projectOf(other, 'quiet')
      const queue = async (organizationId: string, projectId: string, name: string) => {
        const job = await store.createImportJob({
          id: newId(),
          organizationId,
          projectId,
          name,
          kind: 'mal',
          dryRun: false,
          inputKey: 'in',
          statusKey: 'st',
        })
        await new Promise((r) => setTimeout(r, 5)) // distinct creation times
        return job.id
      }
      // end what earlier tests left queued or running
      for (;;) {
        const left = await jobs.claimImport('drain', 60_000)
        if (!left) break
        await store.updateImportJob(left.id, { state: 'FINISHED' })
      }
      const first = await queue(org, busy.id, 'f1')
      await queue(org, busy.id, 'f2')
      const theirs = await queue(other, quiet.id, 'q1')
      assert.equal((await jobs.claimImport('s1', 60_000))?.id, first)
      // org now runs one job, the other none: its later job goes before org's older one
      assert.equal((await jobs.claimImport('s1', 60_000))?.id, theirs)
      for (const id of [first, theirs]) await store.updateImportJob(id, { state: 'FINISHED' })
      for (;;) {
        const left = await jobs.claimImport('drain', 60_000)
        if (!left) break
        await store.updateImportJob(left.id, { state: 'FINISHED' })
      }
    })

    it('names import jobs uniquely per project, claims each queued job once', async () => {
      const project = await store.createProject({
        id: newId(),
        organizationId: org,
        name: 'p4',
        description: '',
      })
      const make = (name: string, dryRun = false) =>
        store.createImportJob({
          id: newId(),
          organizationId: org,
          projectId: project.id,
          name,
          kind: 'mal',
          dryRun,
          inputKey: 'in',
          statusKey: 'st',
        })
      const job = await make('job')
      await assert.rejects(make('job'), DuplicateError)
      await make('job', true) // a dry run does not take the name
      assert.equal(job.state, 'RUNNING')
      const claimed = await jobs.claimImport('server-a', 60_000)
      assert.ok(claimed)
      assert.equal(claimed.owner, 'server-a')
      const again = await jobs.claimImport('server-b', 60_000)
      assert.notEqual(again?.id, claimed.id)
      // a live lease is not taken over; an expired one is, by any server
      assert.equal(await jobs.claimImport('server-b', 60_000), undefined)
      await jobs.releaseImport(claimed.id, 'server-a')
      const taken = await jobs.claimImport('server-b', 60_000)
      assert.equal(taken?.id, claimed.id)
      assert.equal(await jobs.renewImport(claimed.id, 'server-a', 60_000), false)
      assert.equal(await jobs.renewImport(claimed.id, 'server-b', 60_000), true)
      await store.updateImportJob(claimed.id, {
        state: 'FINISHED',
        progress: 100,
        counts: { total: 3, success: 2, failure: 1 },
        errorCounts: { feature_unknown: 1 },
      })
      const done = await store.getImportJob(org, claimed.id)
      assert.equal(done?.state, 'FINISHED')
      assert.equal(done?.progress, '100%')
      assert.deepEqual(done?.errorCounts, { feature_unknown: 1 })
      assert.ok(done?.finishedAt)
    })
  })
}
