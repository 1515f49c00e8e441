/**
 * The only module that opens database drivers: SQLite (better-sqlite3) by default,
 * PostgreSQL (pg) when a postgres:// URL is given. Both run the same migrations.
 */
import Sqlite from 'better-sqlite3'
import {
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Migration,
  type MigrationProvider,
} from 'kysely'
import pg from 'pg'
import type { Schema } from './schema.ts'
import * as createTables from './migrations/0001-create-tables.ts'
import * as maskOwners from './migrations/0007-mask-owners.ts'
import * as graphqlState from './migrations/0006-graphql-state.ts'
import * as evaluations from './migrations/0004-evaluations.ts'
import * as jobLeases from './migrations/0003-job-leases.ts'
import * as usersSessionsKeys from './migrations/0002-users-sessions-keys.ts'
import * as labeling from './migrations/0008-labeling.ts'
import * as draftRejections from './migrations/0010-draft-rejections.ts'
import * as importRevert from './migrations/0009-import-revert.ts'
import * as dataRowMetadata from './migrations/0005-data-row-metadata.ts'

export type DialectName = 'sqlite' | 'postgres'

/** Raw driver access for the hot bulk paths Kysely would slow down. */
export type RawHandle =
  { dialect: 'sqlite'; sqlite: Sqlite.Database } | { dialect: 'postgres'; pool: pg.Pool }

export interface Connection {
  dialect: DialectName
  db: Kysely<Schema>
  raw: RawHandle
  close(): Promise<void>
}

// migrations are listed, not discovered on disk, so nothing depends on the file layout at run time
const MIGRATIONS: Record<string, Migration> = {
  '0001-create-tables': createTables,
  '0007-mask-owners': maskOwners,
  '0006-graphql-state': graphqlState,
  '0004-evaluations': evaluations,
  '0003-job-leases': jobLeases,
  '0002-users-sessions-keys': usersSessionsKeys,
  '0008-labeling': labeling,
  '0010-draft-rejections': draftRejections,
  '0009-import-revert': importRevert,
  '0005-data-row-metadata': dataRowMetadata,
}

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) }

// COUNT(*) and BIGINT come back as strings from pg; our counts fit in a double
pg.types.setTypeParser(20, (v) => Number(v))

export async function connect(
  location: { sqlitePath: string } | { postgresUrl: string },
): Promise<Connection> {
  let connection: Connection
  if ('sqlitePath' in location) {
    const sqlite = lockSqlite(location.sqlitePath)
    sqlite.pragma('synchronous = NORMAL')
    sqlite.pragma('busy_timeout = 5000')
    // 64 MiB of page cache: 256 MiB cost a 1M-annotation import 380 MB more peak RSS for the same
    // CPU time (docs/benchmarks.md); pages beyond it are read back from the OS's file cache
    sqlite.pragma('cache_size = -65536')
    sqlite.pragma('temp_store = memory')
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) })
    connection = {
      dialect: 'sqlite',
      db,
      raw: { dialect: 'sqlite', sqlite },
      close: () => db.destroy(),
    }
  } else {
    const pool = new pg.Pool({ connectionString: location.postgresUrl, max: 10 })
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) })
    connection = {
      dialect: 'postgres',
      db,
      raw: { dialect: 'postgres', pool },
      close: () => db.destroy(),
    }
  }
  try {
    await migrateToLatest(connection.db)
  } catch (err) {
    await connection.close()
    throw err
  }
  return connection
}

/** Two servers on one SQLite data folder: the second one is refused at start (the first holds the lock). */
export class DatabaseLockedError extends Error {
  override readonly name = 'DatabaseLockedError'
}

/**
 * Opens the SQLite database in EXCLUSIVE locking mode and takes the lock at once: one process per
 * database file, held until it closes or dies (kill -9 included, the OS drops the lock).
 */
function lockSqlite(path: string): Sqlite.Database {
  const sqlite = new Sqlite(path, { timeout: 0 })
  try {
    sqlite.pragma('locking_mode = EXCLUSIVE')
    sqlite.pragma('journal_mode = WAL')
    sqlite.exec('begin exclusive; commit')
  } catch (err) {
    sqlite.close()
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY'))
      throw new DatabaseLockedError(
        `${path} is in use by another Labelport server: only one server may use a SQLite data folder ` +
          '(stop the other one, or give each server its own --data-dir; to run several servers on one ' +
          'set of data, use PostgreSQL with LABELPORT_DATABASE_URL and a shared bucket)',
      )
    throw err
  }
  return sqlite
}

export async function migrateToLatest(db: Kysely<Schema>): Promise<void> {
  // On PostgreSQL the migration tables live in the schema the connection uses (its search_path):
  // without naming it, Kysely looks for them in every schema of the database and, finding another
  // schema's, would skip creating its own (several Labelport schemas in one database, as in tests).
  const schema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]
          ?.schema
      : undefined
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'labelport_migration',
    migrationLockTableName: 'labelport_migration_lock',
    // a database made before 0005 existed has 0006–0008 applied already: 0005 runs after them
    allowUnorderedMigrations: true,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error !== undefined || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed`, { cause: error })
  }
}
