/**
 * Cancel, preview and revert of imports at the storage level (issue 10), on SQLite and
 * PostgreSQL: the chunk commits of a job are driven by hand, so a cancel lands exactly between two
 * chunks, and a revert meets the exact rows an upsert replaced.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { newId } from '@labelport/core'
import { freshSchemaUrl, postgres } from '@labelport/testkit'
import { connect, type Connection } from './connect.ts'
import type { AnnotationRow } from './annotation-writer.ts'
import type { ImportCheckpoint } from './jobs.ts'
import { ImportRepository } from './import-repository.ts'
import { createRepositories, type Repositories } from './repositories.ts'
import { ensureOrganization } from './test-support.ts'

const pgNeed = postgres()
const OWNER = 'test-owner'

function checkpoint(line: number, part: number, success: number): ImportCheckpoint {
  return {
    bytes: line * 10,
    line,
    statusParts: part,
    progress: 50,
    total: success,
    success,
    failure: 0,
    errorCounts: {},
    errorExamples: {},
  }
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `import cancel and revert on ${dialect}`,
    { skip: dialect === 'postgres' && pgNeed.skip },
    () => {
      let conn: Connection
      let repos: Repositories
      let cleanup: () => Promise<void>
      const org = newId()
      let projectId = ''
      const rowIds: string[] = []

      before(async () => {
        if (dialect === 'sqlite') {
          const dir = mkdtempSync(join(tmpdir(), 'labelport-revert-'))
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
        await ensureOrganization(conn, org, 'Revert org')
        const dataset = await repos.datasets.createDataset({
          id: newId(),
          organizationId: org,
          name: 'ds',
          description: '',
        })
        for (let i = 0; i < 4; i++) {
          const row = await repos.datasets.insertDataRow({
            id: newId(),
            organizationId: org,
            datasetId: dataset.id,
            globalKey: `row-${i}`,
            rowData: `https://example.com/${i}.png`,
            blobKey: `images/${i}`,
            width: 100,
            height: 50,
            mimeType: 'image/png',
            exifOrientation: 1,
          })
          rowIds.push(row.id)
        }
        projectId = (
          await repos.projects.createProject({
            id: newId(),
            organizationId: org,
            name: 'p',
            description: '',
          })
        ).id
      })
      after(async () => {
        await cleanup()
      })

      const annotation = (
        importId: string,
        row: number,
        uuid: string,
        left: number,
      ): AnnotationRow => ({
        id: newId(),
        projectId,
        dataRowId: rowIds[row] ?? '',
        layer: 'prelabel',
        uuid,
        importId,
        featureSchemaId: 'cfeature00000000000000000',
        kind: 'object',
        payload: JSON.stringify({ uuid, left }),
      })

      /** A MAL job created and claimed by OWNER (no other job is claimable meanwhile). */
      async function claimedJob(name: string, dryRun = false): Promise<string> {
        const id = newId()
        await repos.importJobs.createImportJob({
          id,
          organizationId: org,
          projectId,
          name,
          kind: 'mal',
          dryRun,
          inputKey: `imports/${id}/input.ndjson`,
          statusKey: `imports/${id}/status.ndjson`,
        })
        const claimed = await repos.jobs.claimImport(OWNER, 60_000)
        assert.equal(claimed?.id, id)
        return id
      }

      const chunk = (
        importId: string,
        rows: AnnotationRow[],
        c: ImportCheckpoint,
        finish = false,
      ) => ({
        rows,
        labels: [],
        maskShas: new Set<string>(),
        organizationId: org,
        guard: { importId, owner: OWNER, leaseMs: 60_000, checkpoint: c, finish },
      })
      async function stored(): Promise<Record<string, unknown>[]> {
        const rows = await sql<Record<string, unknown>>`select * from annotation
        where project_id = ${projectId} order by uuid`.execute(conn.db)
        return rows.rows
      }

      it('a cancel between two chunks keeps the first and writes nothing of the second', async () => {
        const writer = new ImportRepository(conn)
        const id = await claimedJob('cancelled')
        await writer.writeChunk(
          chunk(
            id,
            [annotation(id, 0, 'c0000000-0000-4000-8000-000000000001', 1)],
            checkpoint(1, 1, 1),
          ),
        )
        assert.equal(await repos.importReverts.cancelImport(id), true)
        await assert.rejects(
          writer.writeChunk(
            chunk(
              id,
              [annotation(id, 1, 'c0000000-0000-4000-8000-000000000002', 2)],
              checkpoint(2, 2, 2),
            ),
          ),
          (err: Error) => err.name === 'JobLostError',
        )
        const job = await repos.importJobs.getImportJob(org, id)
        assert.equal(job?.state, 'CANCELLED')
        assert.equal(job?.checkpoint.success, 1)
        assert.equal(job?.checkpoint.statusParts, 1)
        assert.deepEqual(
          (await stored()).filter((r) => r['import_id'] === id).map((r) => r['uuid']),
          ['c0000000-0000-4000-8000-000000000001'],
        )
        // a second cancel, and a cancel of a job that ended, change nothing
        assert.equal(await repos.importReverts.cancelImport(id), false)
        // the cancelled import can be reverted: it removes what the cancel kept
        const reverted = await repos.importReverts.revertImport(id)
        assert.ok(!('refused' in reverted))
        assert.equal(reverted.removed, 1)
        assert.equal((await stored()).filter((r) => r['import_id'] === id).length, 0)
      })

      it('reverts an import: what it added goes, what it replaced comes back exactly; a later import blocks', async () => {
        const writer = new ImportRepository(conn)
        const u1 = 'a0000000-0000-4000-8000-000000000001'
        const u2 = 'a0000000-0000-4000-8000-000000000002'
        const u3 = 'a0000000-0000-4000-8000-000000000003'
        const first = await claimedJob('first')
        await writer.writeChunk(
          chunk(
            first,
            [annotation(first, 0, u1, 10), annotation(first, 1, u2, 20)],
            checkpoint(2, 1, 2),
            true,
          ),
        )
        const before = await stored()
        assert.equal(before.length, 2)

        const second = await claimedJob('second')
        await writer.writeChunk(
          chunk(
            second,
            [annotation(second, 0, u1, 99), annotation(second, 2, u3, 30)],
            checkpoint(2, 1, 2),
            true,
          ),
        )
        const effects = await repos.importReverts.effects(
          await Promise.all(
            [first, second].map(async (id) => (await repos.importJobs.getImportJob(org, id))!),
          ),
        )
        assert.deepEqual(effects.get(first), { added: 2, replaced: 0 })
        assert.deepEqual(effects.get(second), { added: 1, replaced: 1 })

        // the first import's u1 is the second's now: reverting the first is refused, naming it
        assert.deepEqual(await repos.importReverts.revertImport(first), {
          refused: 'blocked',
          by: [second],
        })
        assert.equal((await stored()).length, 3)

        const result = await repos.importReverts.revertImport(second)
        assert.ok(!('refused' in result))
        assert.equal(result.removed, 2)
        assert.equal(result.restored, 1)
        assert.equal(result.replaced, 1)
        // every column of the restored pre-label as it was: id, import, payload, created_at
        assert.deepEqual(await stored(), before)

        const again = await repos.importReverts.revertImport(second)
        assert.ok('refused' in again && again.refused === 'state' && again.reverted)
        const job = await repos.importJobs.getImportJob(org, second)
        assert.equal(job?.revert?.restored, 1)
        const after = await repos.importReverts.effects([job])
        assert.deepEqual(after.get(second), { added: 1, replaced: 1 })

        const firstResult = await repos.importReverts.revertImport(first)
        assert.ok(!('refused' in firstResult))
        assert.deepEqual([firstResult.removed, firstResult.restored], [2, 0])
        assert.deepEqual(await stored(), [])
        const left = await sql<{
          n: number
        }>`select count(*) as n from replaced_annotation`.execute(conn.db)
        assert.equal(Number(left.rows[0]?.n), 0)
      })

      it('refuses to revert a dry run or a running import', async () => {
        const dry = await claimedJob('dry', true)
        const refusedDry = await repos.importReverts.revertImport(dry)
        assert.ok('refused' in refusedDry && refusedDry.refused === 'state' && refusedDry.dryRun)
        const running = await repos.importReverts.revertImport(dry)
        assert.ok(
          'refused' in running && running.refused === 'state' && running.state === 'RUNNING',
        )
        assert.equal(await repos.importReverts.cancelImport(dry), true)
        assert.deepEqual(await repos.importReverts.revertImport(newId()), { refused: 'not_found' })
      })

      it("counts a dry run's replacements once per committed chunk, a redone chunk once", async () => {
        const writer = new ImportRepository(conn)
        const base = await claimedJob('base')
        const u = (n: number) => `b0000000-0000-4000-8000-00000000000${n}`
        await writer.writeChunk(
          chunk(
            base,
            [annotation(base, 0, u(1), 1), annotation(base, 1, u(2), 1)],
            checkpoint(2, 1, 2),
            true,
          ),
        )
        const dry = await claimedJob('preview', true)
        const lines = [annotation(dry, 0, u(1), 5), annotation(dry, 3, u(3), 5)]
        const dryChunk = { ...chunk(dry, [], checkpoint(2, 1, 2)), preview: lines }
        // the first try's checkpoint is lost (as after kill -9): the redo counts the part again
        await repos.importReverts.recordPreviewPart(dry, 1, lines)
        await writer.writeChunk(dryChunk)
        // a part written for a chunk that never committed does not count
        await repos.importReverts.recordPreviewPart(dry, 2, lines)
        const job = (await repos.importJobs.getImportJob(org, dry))!
        assert.deepEqual((await repos.importReverts.effects([job])).get(dry), {
          added: 1,
          replaced: 1,
        })
        // nothing written
        assert.equal((await stored()).filter((r) => r['import_id'] === dry).length, 0)
        assert.equal(await repos.importReverts.cancelImport(dry), true)
      })
    },
  )
}
