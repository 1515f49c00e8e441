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
import { DuplicateError, CorruptColumnError } from './query-helpers.ts'
import { createRepositories, type Repositories } from './repositories.ts'
import { ensureOrganization } from './test-support.ts'
import type { Connection } from './connect.ts'

const pgNeed = postgres()
const DRAINED = { code: 'internal' as const, message: 'ended by the test', path: [] }
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
  describe(`repositories on ${dialect.name}`, { skip: dialect.skip }, () => {
    let conn: Connection
    let repos: Repositories
    let jobs: Repositories['jobs']
    let cleanup: () => Promise<void>
    const org = newId()

    before(async () => {
      if (dialect.name === 'sqlite') {
        const dir = mkdtempSync(join(tmpdir(), 'labelport-db-'))
        conn = await connect({ sqlitePath: join(dir, 'test.db') })
        cleanup = async () => {
          await conn.close()
          rmSync(dir, { recursive: true, force: true })
        }
      } else {
        const schema = await freshSchemaUrl(pgNeed.value)
        conn = await connect({ postgresUrl: schema.url })
        cleanup = async () => {
          await conn.close()
          await schema.drop()
        }
      }
      repos = createRepositories(conn)
      jobs = repos.jobs
      await ensureOrganization(conn, org, 'Test org')
    })
    after(async () => {
      await cleanup()
    })

    async function makeRows(n: number, prefix: string) {
      const dataset = await repos.datasets.createDataset({
        id: newId(),
        organizationId: org,
        name: `${prefix}-ds`,
        description: '',
      })
      const rows = []
      for (let i = 0; i < n; i++) {
        rows.push(
          await repos.datasets.insertDataRow({
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
        repos.datasets.insertDataRow({
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
      await ensureOrganization(conn, other, 'Other')
      const otherDataset = await repos.datasets.createDataset({
        id: newId(),
        organizationId: other,
        name: 'o',
        description: '',
      })
      await repos.datasets.insertDataRow({
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
      assert.equal((await repos.datasets.getDataset(org, dataset.id))?.rowCount, 3)
      assert.deepEqual(
        [...(await repos.datasets.findGlobalKeys(org, ['unique-0', 'unique-2', 'nope']))].sort(),
        ['unique-0', 'unique-2'],
      )
      assert.equal((await repos.datasets.getDataRow(org, rows[0]!.id))?.mediaAttributes.width, 100)
      assert.equal(await repos.datasets.getDataRow(other, rows[0]!.id), undefined)
    })

    it('creates batches with unique names and reports rows already in the project', async () => {
      const { rows } = await makeRows(3, 'batch')
      const project = await repos.projects.createProject({
        id: newId(),
        organizationId: org,
        name: 'p',
        description: '',
      })
      const first = await repos.projects.createBatch({
        id: newId(),
        projectId: project.id,
        name: 'b1',
        priority: 1,
        dataRowIds: [rows[0]!.id, rows[1]!.id],
      })
      assert.equal(first.batch.size, 2)
      await assert.rejects(
        repos.projects.createBatch({
          id: newId(),
          projectId: project.id,
          name: 'b1',
          priority: 5,
          dataRowIds: [rows[2]!.id],
        }),
        DuplicateError,
      )
      const second = await repos.projects.createBatch({
        id: newId(),
        projectId: project.id,
        name: 'b2',
        priority: 5,
        dataRowIds: [rows[1]!.id, rows[2]!.id],
      })
      assert.deepEqual(second.alreadyInProject, [rows[1]!.id])
      assert.equal(second.batch.size, 1)
      assert.equal((await repos.projects.getProject(org, project.id))?.dataRowCount, 3)
      const lookup = await repos.datasets.lookupDataRows(org, project.id, {
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
      const project = await repos.projects.createProject({
        id: newId(),
        organizationId: org,
        name: 'p2',
        description: '',
      })
      await repos.projects.createBatch({
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
      await repos.annotations.writeAnnotations(
        [row('prelabel', 1, 'i1'), row('label', 7, 'i1')],
        [
          {
            projectId: project.id,
            dataRowId: rows[0]!.id,
            isBenchmarkReference: false,
            createdBy: null,
          },
        ],
      )
      await repos.annotations.writeAnnotations([row('prelabel', 2, 'i2')], [])
      const seen = []
      for await (const a of repos.annotations.streamProjectAnnotations(project.id, [
        rows[0]!.id,
        rows[1]!.id,
      ]))
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
      assert.deepEqual(await repos.annotations.countAnnotations(project.id), {
        prelabel: 1,
        label: 1,
      })
      await repos.annotations.writeAnnotations(
        [],
        [
          {
            projectId: project.id,
            dataRowId: rows[0]!.id,
            isBenchmarkReference: true,
            createdBy: null,
          },
        ],
      )
      assert.equal(
        (await repos.annotations.getLabels(project.id, [rows[0]!.id])).get(rows[0]!.id)
          ?.isBenchmarkReference,
        true,
      )
      const grid = await repos.annotations.listProjectDataRows(project.id, undefined, 10)
      assert.deepEqual(grid.items.map((i) => [i.globalKey, i.prelabelCount, i.labelCount]).sort(), [
        ['ann-0', 1, 1],
        ['ann-1', 0, 0],
      ])
    })

    it('stores payload text exactly, backslashes, tabs and newlines included', async () => {
      const { rows } = await makeRows(1, 'escape')
      const project = await repos.projects.createProject({
        id: newId(),
        organizationId: org,
        name: 'p5',
        description: '',
      })
      const uuid = crypto.randomUUID()
      const record = { ...bbox(uuid, rows[0]!.id, 1), name: 'tab\there \\ back\\slash\nnew line\r' }
      const payload = JSON.stringify(record)
      await repos.annotations.writeAnnotations(
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
      for await (const a of repos.annotations.streamProjectAnnotations(project.id, [rows[0]!.id]))
        seen.push(a.record)
      assert.deepEqual(seen, [record])
    })

    it('writes nothing of a chunk that fails', async () => {
      const { rows } = await makeRows(1, 'atomic')
      const project = await repos.projects.createProject({
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
        repos.annotations.writeAnnotations(
          [good, clash],
          [
            {
              projectId: project.id,
              dataRowId: rows[0]!.id,
              isBenchmarkReference: false,
              createdBy: null,
            },
          ],
        ),
      )
      assert.deepEqual(await repos.annotations.countAnnotations(project.id), {
        prelabel: 0,
        label: 0,
      })
      assert.equal((await repos.annotations.getLabels(project.id, [rows[0]!.id])).size, 0)
    })

    it('claims fairly between organizations: the one with fewer running jobs goes first', async () => {
      const other = newId()
      await ensureOrganization(conn, other, 'Other org')
      const projectOf = async (organizationId: string, name: string) =>
        repos.projects.createProject({ id: newId(), organizationId, name, description: '' })
      const busy = await projectOf(org, 'busy')
      const quiet = await projectOf(other, 'quiet')
      const queue = async (organizationId: string, projectId: string, name: string) => {
        const job = await repos.importJobs.createImportJob({
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
        await jobs.endImport(left.id, 'drain', { state: 'FAILED', reason: DRAINED })
      }
      const first = await queue(org, busy.id, 'f1')
      await queue(org, busy.id, 'f2')
      const theirs = await queue(other, quiet.id, 'q1')
      assert.equal((await jobs.claimImport('s1', 60_000))?.id, first)
      // org now runs one job, the other none: its later job goes before org's older one
      assert.equal((await jobs.claimImport('s1', 60_000))?.id, theirs)
      for (const id of [first, theirs])
        await jobs.endImport(id, 's1', { state: 'FAILED', reason: DRAINED })
      for (;;) {
        const left = await jobs.claimImport('drain', 60_000)
        if (!left) break
        await jobs.endImport(left.id, 'drain', { state: 'FAILED', reason: DRAINED })
      }
    })

    it('names import jobs uniquely per project, claims each queued job once', async () => {
      const project = await repos.projects.createProject({
        id: newId(),
        organizationId: org,
        name: 'p4',
        description: '',
      })
      const make = (name: string, dryRun = false) =>
        repos.importJobs.createImportJob({
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
      assert.equal(job.state, 'QUEUED')
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
      const checkpoint = {
        bytes: 30,
        line: 3,
        statusParts: 1,
        progress: 40,
        total: 3,
        success: 2,
        failure: 1,
        errorCounts: { feature_unknown: 1 },
        errorExamples: { feature_unknown: { line: 2, message: 'no such feature', path: ['name'] } },
      }
      assert.equal(
        await jobs.endImport(claimed.id, 'server-a', { state: 'FINISHED', checkpoint }),
        false,
      )
      assert.equal(
        await jobs.endImport(claimed.id, 'server-b', { state: 'FINISHED', checkpoint }),
        true,
      )
      const done = await repos.importJobs.getImportJob(org, claimed.id)
      assert.equal(done?.state, 'FINISHED')
      assert.equal(done?.checkpoint.progress, 100)
      assert.deepEqual(done?.checkpoint.errorCounts, { feature_unknown: 1 })
      assert.deepEqual(done?.checkpoint.errorExamples, checkpoint.errorExamples)
      assert.ok(done?.finishedAt)
      assert.equal(await repos.importJobs.getImportJob(newId(), claimed.id), undefined)
    })

    it('reads JSON columns through their schemas: a column no code wrote is refused, not cast', async () => {
      const task = await repos.tasks.createTask({
        id: newId(),
        organizationId: org,
        input: [],
        owner: 'me',
        leaseExpiresAt: Date.now() + 60_000,
      })
      assert.deepEqual((await repos.tasks.getTask(org, task.id))?.createdDataRows, [])
      await conn.db
        .updateTable('task')
        .set({ result_json: '[{"id": 7}]' })
        .where('id', '=', task.id)
        .execute()
      await assert.rejects(repos.tasks.getTask(org, task.id), CorruptColumnError)
    })
  })
}
