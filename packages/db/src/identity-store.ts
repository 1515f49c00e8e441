/**
 * Queries of the identity aggregate: organizations' members, their sessions and API keys, and the
 * audit trail of deletions. Kept apart from the catalogue's repositories (`repositories.ts`).
 */
import type { Kysely } from 'kysely'
import type { ApiKey, AuditEvent, Role, User } from '@labelport/core'
import type { Connection } from './connect.ts'
import type { AppUserTable, Schema } from './schema.ts'
import { DuplicateError, isUniqueViolation, toPage, type Page } from './query-helpers.ts'

const now = (): string => new Date().toISOString()

function toUser(r: Pick<AppUserTable, 'id' | 'email' | 'name' | 'role' | 'created_at'>): User {
  return { id: r.id, email: r.email, name: r.name, role: r.role, createdAt: r.created_at }
}

export interface UserWithSecret extends User {
  organizationId: string
  passwordHash: string | null
}

export interface ApiKeyOwner {
  id: string
  name: string
  organizationId: string
  userId: string | null
  revokedAt: string | null
}

export class IdentityStore {
  readonly #db: Kysely<Schema>

  constructor(conn: Connection) {
    this.#db = conn.db
  }

  // ── organizations ──
  async createOrganization(id: string, name: string): Promise<void> {
    await this.#db.insertInto('organization').values({ id, name, created_at: now() }).execute()
  }

  async getOrganization(id: string): Promise<{ id: string; name: string } | undefined> {
    return this.#db
      .selectFrom('organization')
      .select(['id', 'name'])
      .where('id', '=', id)
      .executeTakeFirst()
  }

  // ── users ──
  /** Throws DuplicateError when the email is taken (on this server). */
  async insertUser(u: {
    id: string
    organizationId: string
    email: string
    name: string
    role: Role
    passwordHash: string | null
  }): Promise<User> {
    const row = {
      id: u.id,
      organization_id: u.organizationId,
      email: u.email,
      name: u.name,
      role: u.role,
      password_hash: u.passwordHash,
      created_at: now(),
    }
    try {
      await this.#db.insertInto('app_user').values(row).execute()
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError(u.email)
      throw err
    }
    return toUser(row)
  }

  async findUserByEmail(email: string): Promise<UserWithSecret | undefined> {
    const r = await this.#db
      .selectFrom('app_user')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirst()
    return r && { ...toUser(r), organizationId: r.organization_id, passwordHash: r.password_hash }
  }

  async getUser(organizationId: string, id: string): Promise<User | undefined> {
    const r = await this.#db
      .selectFrom('app_user')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst()
    return r && toUser(r)
  }

  /** Any user id, for authentication (the organization comes from the user). */
  async getUserById(id: string): Promise<(User & { organizationId: string }) | undefined> {
    const r = await this.#db
      .selectFrom('app_user')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return r && { ...toUser(r), organizationId: r.organization_id }
  }

  async listUsers(
    organizationId: string,
    cursor: string | undefined,
    limit = 100,
  ): Promise<Page<User>> {
    let q = this.#db
      .selectFrom('app_user')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .limit(limit + 1)
    if (cursor) q = q.where('id', '>', cursor)
    const rows = (await q.execute()).map(toUser)
    return toPage(rows, limit)
  }

  async firstAdmin(organizationId: string): Promise<User | undefined> {
    const r = await this.#db
      .selectFrom('app_user')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('role', '=', 'admin')
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst()
    return r && toUser(r)
  }

  async countAdmins(organizationId: string): Promise<number> {
    const r = await this.#db
      .selectFrom('app_user')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organization_id', '=', organizationId)
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }

  async updateUser(
    organizationId: string,
    id: string,
    change: { name?: string; role?: Role; passwordHash?: string },
  ): Promise<User | undefined> {
    const set: Partial<AppUserTable> = {}
    if (change.name !== undefined) set.name = change.name
    if (change.role !== undefined) set.role = change.role
    if (change.passwordHash !== undefined) set.password_hash = change.passwordHash
    if (Object.keys(set).length > 0)
      await this.#db
        .updateTable('app_user')
        .set(set)
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .execute()
    return this.getUser(organizationId, id)
  }

  // ── sessions ──
  async insertSession(s: {
    id: string
    userId: string
    tokenHash: string
    expiresAt: string
  }): Promise<void> {
    await this.#db
      .insertInto('session')
      .values({
        id: s.id,
        user_id: s.userId,
        token_hash: s.tokenHash,
        created_at: now(),
        expires_at: s.expiresAt,
        revoked_at: null,
      })
      .execute()
  }

  /** A session that is neither revoked nor expired. */
  async findLiveSession(
    tokenHash: string,
  ): Promise<{ id: string; userId: string; expiresAt: string } | undefined> {
    const r = await this.#db
      .selectFrom('session')
      .select(['id', 'user_id', 'expires_at'])
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now())
      .executeTakeFirst()
    return r && { id: r.id, userId: r.user_id, expiresAt: r.expires_at }
  }

  async revokeSession(id: string): Promise<void> {
    await this.#db
      .updateTable('session')
      .set({ revoked_at: now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute()
  }

  async revokeUserSessions(userId: string): Promise<void> {
    await this.#db
      .updateTable('session')
      .set({ revoked_at: now() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute()
  }

  // ── API keys ──
  async insertApiKey(k: {
    id: string
    organizationId: string
    userId: string
    name: string
    prefix: string
    keyHash: string
  }): Promise<ApiKey> {
    const row = {
      id: k.id,
      organization_id: k.organizationId,
      user_id: k.userId,
      name: k.name,
      role: 'user',
      prefix: k.prefix,
      key_hash: k.keyHash,
      created_at: now(),
      revoked_at: null,
    }
    await this.#db.insertInto('api_key').values(row).execute()
    return toApiKey(row)
  }

  async findApiKeyByHash(
    keyHash: string,
  ): Promise<(ApiKeyOwner & { keyHash: string }) | undefined> {
    const r = await this.#db
      .selectFrom('api_key')
      .select(['id', 'name', 'organization_id', 'user_id', 'revoked_at', 'key_hash'])
      .where('key_hash', '=', keyHash)
      .executeTakeFirst()
    return (
      r && {
        id: r.id,
        name: r.name,
        organizationId: r.organization_id,
        userId: r.user_id,
        revokedAt: r.revoked_at,
        keyHash: r.key_hash,
      }
    )
  }

  async getApiKey(organizationId: string, id: string): Promise<ApiKey | undefined> {
    const r = await this.#db
      .selectFrom('api_key')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst()
    return r && toApiKey(r)
  }

  async listApiKeys(
    organizationId: string,
    userId: string,
    cursor: string | undefined,
    limit = 100,
  ): Promise<Page<ApiKey>> {
    let q = this.#db
      .selectFrom('api_key')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .orderBy('id')
      .limit(limit + 1)
    if (cursor) q = q.where('id', '>', cursor)
    const rows = (await q.execute()).map(toApiKey)
    return toPage(rows, limit)
  }

  /** Live keys of an organization with this name (the bootstrap key is named `bootstrap`). */
  async findLiveKeysByName(organizationId: string, name: string): Promise<ApiKeyOwner[]> {
    const rows = await this.#db
      .selectFrom('api_key')
      .select(['id', 'name', 'organization_id', 'user_id', 'revoked_at', 'key_hash'])
      .where('organization_id', '=', organizationId)
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .execute()
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      organizationId: r.organization_id,
      userId: r.user_id,
      revokedAt: r.revoked_at,
    }))
  }

  async countApiKeys(organizationId: string): Promise<number> {
    const r = await this.#db
      .selectFrom('api_key')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organization_id', '=', organizationId)
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }

  /** Keys made before users existed are given to the organization's first admin. */
  async adoptOwnerlessKeys(organizationId: string, userId: string): Promise<void> {
    await this.#db
      .updateTable('api_key')
      .set({ user_id: userId })
      .where('organization_id', '=', organizationId)
      .where('user_id', 'is', null)
      .execute()
  }

  async revokeApiKey(id: string): Promise<void> {
    await this.#db
      .updateTable('api_key')
      .set({ revoked_at: now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute()
  }

  // ── who did what ──
  async setImportCreator(importId: string, userId: string): Promise<void> {
    await this.#db
      .updateTable('import_job')
      .set({ created_by: userId })
      .where('id', '=', importId)
      .execute()
  }

  async insertAuditEvent(e: {
    id: string
    organizationId: string
    action: string
    subjectType: string
    subjectId: string
    userId: string | null
    apiKeyId: string | null
  }): Promise<void> {
    await this.#db
      .insertInto('audit_event')
      .values({
        id: e.id,
        organization_id: e.organizationId,
        action: e.action,
        subject_type: e.subjectType,
        subject_id: e.subjectId,
        user_id: e.userId,
        api_key_id: e.apiKeyId,
        created_at: now(),
      })
      .execute()
  }

  async listAuditEvents(
    organizationId: string,
    cursor: string | undefined,
    limit = 100,
  ): Promise<Page<AuditEvent>> {
    let q = this.#db
      .selectFrom('audit_event')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('id', 'desc')
      .limit(limit + 1)
    if (cursor) q = q.where('id', '<', cursor)
    const rows = (await q.execute()).map((r) => ({
      id: r.id,
      action: r.action,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      userId: r.user_id,
      apiKeyId: r.api_key_id,
      createdAt: r.created_at,
    }))
    return toPage(rows, limit)
  }
}

function toApiKey(r: {
  id: string
  name: string
  prefix: string | null
  user_id: string | null
  created_at: string
  revoked_at: string | null
}): ApiKey {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix ?? '',
    userId: r.user_id,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  }
}
