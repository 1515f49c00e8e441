/**
 * Mask ownership on SQLite and PostgreSQL: migration 0007 grants each existing mask annotation's
 * organization its composite, grants are idempotent, and an organization never owns another's.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import Sqlite from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { newId } from '@labelport/core'
import { freshSchemaUrl, postgres } from '@labelport/testkit'
import { connect } from './connect.ts'
import * as createTables from './migrations/0001-create-tables.ts'
import { createRepositories, type Repositories } from './repositories.ts'
import type { Connection } from './connect.ts'

const pgNeed = postgres()
const SHA_A = 'a'.repeat(64)
const SHA_B = 'b'.repeat(64)

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`mask owners on ${dialect}`, { skip: dialect === 'postgres' && pgNeed.skip }, () => {
    let conn: Connection | undefined
    let repos: Repositories
    let cleanup: () => Promise<void>
    const orgA = newId()
    const orgB = newId()

    before(async () => {
      // a database as it was before migration 0007, holding mask annotations of two organizations
      let location: { sqlitePath: string } | { postgresUrl: string }
      let old: Kysely<unknown>
      if (dialect === 'sqlite') {
        const dir = mkdtempSync(join(tmpdir(), 'labelport-owners-'))
        location = { sqlitePath: join(dir, 'db.sqlite') }
        old = new Kysely({
          dialect: new SqliteDialect({ database: new Sqlite(location.sqlitePath) }),
        })
        cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }))
      } else {
        const schema = await freshSchemaUrl(pgNeed.value)
        location = { postgresUrl: schema.url }
        old = new Kysely({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: schema.url }) }),
        })
        cleanup = schema.drop
      }
      const migrator = new Migrator({
        db: old,
        provider: { getMigrations: () => Promise.resolve({ '0001-create-tables': createTables }) },
        migrationTableName: 'labelport_migration',
        migrationLockTableName: 'labelport_migration_lock',
      })
      const { error } = await migrator.migrateToLatest()
      assert.equal(error, undefined)
      const at = new Date().toISOString()
      const db = old as unknown as Kysely<{
        organization: { id: string; name: string; created_at: string }
        project: Record<string, string | null>
        annotation: Record<string, string>
      }>
      for (const [org, project, sha] of [
        [orgA, newId(), SHA_A],
        [orgB, newId(), SHA_B],
      ] as const) {
        await db.insertInto('organization').values({ id: org, name: org, created_at: at }).execute()
        await db
          .insertInto('project')
          .values({
            id: project,
            organization_id: org,
            name: 'p',
            description: '',
            media_type: 'IMAGE',
            ontology_id: null,
            created_at: at,
          })
          .execute()
        for (const [kind, payload] of [
          ['mask', { kind: 'object', geometry: { type: 'mask', compositeSha256: sha } }],
          ['mask', { kind: 'object', geometry: { type: 'mask', compositeSha256: sha } }],
          ['bbox', { kind: 'object', geometry: { type: 'bbox', top: 1 } }],
        ] as const)
          await db
            .insertInto('annotation')
            .values({
              id: newId(),
              project_id: project,
              data_row_id: newId(),
              layer: 'prelabel',
              uuid: newId(),
              import_id: newId(),
              feature_schema_id: newId(),
              kind,
              payload: JSON.stringify(payload),
              created_at: at,
            })
            .execute()
      }
      await old.destroy()
      conn = await connect(location) // runs 0007
      repos = createRepositories(conn)
    })
    after(async () => {
      await conn?.close()
      await cleanup?.()
    })

    it('migration 0007 grants each organization the masks of its own annotations, and only those', async () => {
      assert.equal(await repos.maskOwners.owns(orgA, SHA_A), true)
      assert.equal(await repos.maskOwners.owns(orgB, SHA_B), true)
      assert.equal(await repos.maskOwners.owns(orgA, SHA_B), false)
      assert.equal(await repos.maskOwners.owns(orgB, SHA_A), false)
    })

    it('grants are idempotent and per organization', async () => {
      const sha = 'c'.repeat(64)
      await repos.maskOwners.grant(orgA, [sha, sha])
      await repos.maskOwners.grant(orgA, [sha])
      assert.equal(await repos.maskOwners.owns(orgA, sha), true)
      assert.equal(await repos.maskOwners.owns(orgB, sha), false)
      await repos.maskOwners.grant(orgB, new Set([sha, SHA_A]))
      assert.equal(await repos.maskOwners.owns(orgB, sha), true)
      assert.equal(await repos.maskOwners.owns(orgB, SHA_A), true)
    })
  })
}
