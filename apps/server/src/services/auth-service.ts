/**
 * Who is calling and what they may do: users with roles, password sign-in with sessions, API keys
 * that belong to a user (stored as sha256 hashes, revocable), throttling of failed attempts, the
 * first start's admin, and organizations. Routes consult `PERMISSIONS` (core) with the caller's role.
 */
import { createHash, randomBytes } from 'node:crypto'
import {
  AppError,
  newId,
  type ApiKey,
  type CreatedApiKey,
  type CreatedOrganization,
  type Role,
  type Session,
  type User,
  type WhoAmI,
} from '@labelport/core'
import { DuplicateError, type IdentityStore, type Page } from '@labelport/db'
import { AttemptLimiter, type AttemptLimits } from '../auth/attempt-limiter.ts'
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/passwords.ts'
import { StartupError } from '../startup-error.ts'

export const DEFAULT_ORGANIZATION_ID = 'cdefaultorganization00000'
export const BOOTSTRAP_KEY_NAME = 'bootstrap'
/** characters of a key kept in clear to tell keys apart (and to throttle guesses per prefix) */
const PREFIX_LENGTH = 11
const SYSTEM_USER = 'system'

export interface Caller {
  organizationId: string
  userId: string
  role: Role
  /** '' when signed in with a session */
  apiKeyId: string
  apiKeyName: string
  sessionId: string | null
}

/** The caller of work the server does by itself (an import job running on a worker). */
export function systemCaller(organizationId: string): Caller {
  return {
    organizationId,
    userId: SYSTEM_USER,
    role: 'admin',
    apiKeyId: '',
    apiKeyName: '',
    sessionId: null,
  }
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

export function generateApiKey(): string {
  return `lp_${randomBytes(32).toString('base64url')}`
}

export const MIN_KEY_LENGTH = 20
const MIN_KEY_DISTINCT_CHARACTERS = 8

/** Why a chosen key (LABELPORT_BOOTSTRAP_API_KEY) is too weak to guard an organization, or null. */
export function checkKeyStrength(key: string): string | null {
  if (key.length < MIN_KEY_LENGTH)
    return `it has ${key.length} characters; use at least ${MIN_KEY_LENGTH} (e.g. \`openssl rand -base64 32\`)`
  if (new Set(key).size < MIN_KEY_DISTINCT_CHARACTERS)
    return `it uses only ${new Set(key).size} different characters; use a random key (e.g. \`openssl rand -base64 32\`)`
  if (/\s/.test(key)) return 'it contains white space'
  return null
}

/** A 429 with the seconds to wait (answered as Retry-After). */
export class ThrottledError extends AppError {
  readonly retryAfterSeconds: number
  constructor(message: string, retryAfterSeconds: number, path: (string | number)[]) {
    super('too_many_requests', `${message}; retry in ${retryAfterSeconds} s`, { path })
    this.retryAfterSeconds = retryAfterSeconds
  }
}

export interface AuthOptions {
  limits: AttemptLimits
  sessionHours: number
  now?: () => number
}

export interface RequestCredentials {
  authorization: string | undefined
  sessionToken: string | undefined
  /** the client's address, for throttling */
  address: string
  method: string
  /** the x-labelport-csrf header */
  csrfHeader: string | undefined
  origin: string | undefined
  /** the origin the request was sent to */
  requestOrigin: string
}

export interface BootstrapResult {
  generatedKey: string | null
  /** when the admin user was created now: its email and password (generated unless given) */
  createdAdmin: { email: string; password: string; generated: boolean } | null
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export class AuthService {
  readonly #identity: IdentityStore
  readonly #limiter: AttemptLimiter
  readonly #sessionMs: number

  constructor(identity: IdentityStore, options: AuthOptions) {
    this.#identity = identity
    this.#limiter = new AttemptLimiter(options.limits, options.now)
    this.#sessionMs = options.sessionHours * 3600 * 1000
  }

  /**
   * First start: the default organization, its admin user and its admin key (the bootstrap key
   * when given, else a generated one). A changed bootstrap key revokes the previous one.
   */
  async bootstrap(options: {
    bootstrapKey: string | null
    adminEmail: string
    adminPassword: string | null
  }): Promise<BootstrapResult> {
    const { bootstrapKey } = options
    if (bootstrapKey !== null) {
      const weak = checkKeyStrength(bootstrapKey)
      if (weak) throw new StartupError(`LABELPORT_BOOTSTRAP_API_KEY is too weak: ${weak}`)
    }
    if (options.adminPassword !== null && options.adminPassword.length < 12)
      throw new StartupError('LABELPORT_ADMIN_PASSWORD is too short: use at least 12 characters')
    if (!(await this.#identity.getOrganization(DEFAULT_ORGANIZATION_ID)))
      await this.#identity.createOrganization(DEFAULT_ORGANIZATION_ID, 'Default organization')

    let createdAdmin: BootstrapResult['createdAdmin'] = null
    let admin = await this.#identity.firstAdmin(DEFAULT_ORGANIZATION_ID)
    if (!admin) {
      const password = options.adminPassword ?? randomBytes(18).toString('base64url')
      admin = await this.#identity.insertUser({
        id: newId(),
        organizationId: DEFAULT_ORGANIZATION_ID,
        email: options.adminEmail.trim().toLowerCase(),
        name: 'Admin',
        role: 'admin',
        passwordHash: await hashPassword(password),
      })
      createdAdmin = { email: admin.email, password, generated: options.adminPassword === null }
    }
    await this.#identity.adoptOwnerlessKeys(DEFAULT_ORGANIZATION_ID, admin.id)

    if (bootstrapKey !== null) {
      const keyHash = hashApiKey(bootstrapKey)
      const existing = await this.#identity.findApiKeyByHash(keyHash)
      if (existing?.revokedAt)
        throw new StartupError(
          'LABELPORT_BOOTSTRAP_API_KEY names a key that was revoked; choose a new key',
        )
      for (const old of await this.#identity.findLiveKeysByName(
        DEFAULT_ORGANIZATION_ID,
        BOOTSTRAP_KEY_NAME,
      ))
        if (old.id !== existing?.id) await this.#identity.revokeApiKey(old.id)
      if (!existing)
        await this.#identity.insertApiKey({
          id: newId(),
          organizationId: DEFAULT_ORGANIZATION_ID,
          userId: admin.id,
          name: BOOTSTRAP_KEY_NAME,
          prefix: bootstrapKey.slice(0, PREFIX_LENGTH),
          keyHash,
        })
      return { generatedKey: null, createdAdmin }
    }
    if ((await this.#identity.countApiKeys(DEFAULT_ORGANIZATION_ID)) > 0)
      return { generatedKey: null, createdAdmin }
    const key = generateApiKey()
    await this.#identity.insertApiKey({
      id: newId(),
      organizationId: DEFAULT_ORGANIZATION_ID,
      userId: admin.id,
      name: 'initial admin key',
      prefix: key.slice(0, PREFIX_LENGTH),
      keyHash: hashApiKey(key),
    })
    return { generatedKey: key, createdAdmin }
  }

  /** An API key (Authorization: Bearer) or the session cookie; throttles failures. */
  async authenticate(req: RequestCredentials): Promise<Caller> {
    const addressBucket = `address:${req.address}`
    if (req.authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(req.authorization)
      const token = match?.[1]
      const path = ['headers', 'authorization']
      if (!token)
        throw new AppError(
          'unauthenticated',
          'Send your API key as "Authorization: Bearer <key>"',
          {
            path,
          },
        )
      const keyBucket = `key:${token.slice(0, PREFIX_LENGTH)}`
      this.#refuseIfLocked([addressBucket, keyBucket], 'Too many failed authentications', path)
      const key = await this.#identity.findApiKeyByHash(hashApiKey(token))
      const user =
        key?.userId && !key.revokedAt ? await this.#identity.getUserById(key.userId) : undefined
      if (!key || !user || user.organizationId !== key.organizationId) {
        this.#limiter.recordFailure([addressBucket, keyBucket])
        throw new AppError(
          'unauthenticated',
          key?.revokedAt ? 'This API key was revoked' : 'This API key is not valid',
          { path },
        )
      }
      this.#limiter.clear(keyBucket)
      return {
        organizationId: key.organizationId,
        userId: user.id,
        role: user.role,
        apiKeyId: key.id,
        apiKeyName: key.name,
        sessionId: null,
      }
    }
    if (req.sessionToken !== undefined) {
      const path = ['headers', 'cookie']
      // session tokens are 256-bit random: an ended session is a stale cookie, not a guess, so
      // it does not count towards throttling (a browser tab polling with one would lock its address)
      const session = await this.#identity.findLiveSession(hashApiKey(req.sessionToken))
      const user = session && (await this.#identity.getUserById(session.userId))
      if (!session || !user) {
        throw new AppError('unauthenticated', 'Your session has ended; sign in again', { path })
      }
      // a cross-site page can neither set this header nor make the browser send it
      if (!SAFE_METHODS.has(req.method.toUpperCase())) {
        if (!req.csrfHeader)
          throw new AppError(
            'csrf_check_failed',
            'Calls signed in with the session cookie must send the header x-labelport-csrf: 1',
            { path: ['headers', 'x-labelport-csrf'] },
          )
        if (req.origin !== undefined && req.origin !== req.requestOrigin)
          throw new AppError(
            'csrf_check_failed',
            `Requests from ${req.origin} may not use this server's session`,
            { path: ['headers', 'origin'] },
          )
      }
      return {
        organizationId: user.organizationId,
        userId: user.id,
        role: user.role,
        apiKeyId: '',
        apiKeyName: '',
        sessionId: session.id,
      }
    }
    throw new AppError(
      'unauthenticated',
      'Sign in, or send your API key as "Authorization: Bearer <key>"',
      { path: ['headers', 'authorization'] },
    )
  }

  #refuseIfLocked(buckets: string[], message: string, path: (string | number)[]): void {
    const wait = this.#limiter.retryAfterSeconds(buckets)
    if (wait > 0) throw new ThrottledError(message, wait, path)
  }

  async signIn(
    email: string,
    password: string,
    address: string,
  ): Promise<{ session: Session; token: string }> {
    const buckets = [`address:${address}`, `email:${email}`]
    this.#refuseIfLocked(buckets, 'Too many failed sign-ins', ['body', 'email'])
    const user = await this.#identity.findUserByEmail(email)
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH)
    if (!user || !ok) {
      this.#limiter.recordFailure(buckets)
      throw new AppError('invalid_credentials', 'This email and password do not match', {
        path: ['body', 'password'],
      })
    }
    this.#limiter.clear(`email:${email}`)
    const token = randomBytes(32).toString('base64url')
    const expiresAt = new Date(Date.now() + this.#sessionMs).toISOString()
    await this.#identity.insertSession({
      id: newId(),
      userId: user.id,
      tokenHash: hashApiKey(token),
      expiresAt,
    })
    const organization = await this.#identity.getOrganization(user.organizationId)
    if (!organization) throw new AppError('unauthenticated', 'Your organization no longer exists')
    const { organizationId: _org, passwordHash: _hash, ...plain } = user
    return { session: { user: plain, organization, expiresAt }, token }
  }

  async signOut(caller: Caller): Promise<void> {
    if (caller.sessionId) await this.#identity.revokeSession(caller.sessionId)
  }

  get sessionSeconds(): number {
    return Math.floor(this.#sessionMs / 1000)
  }

  async whoAmI(caller: Caller): Promise<WhoAmI> {
    const organization = await this.#identity.getOrganization(caller.organizationId)
    const user = await this.#identity.getUser(caller.organizationId, caller.userId)
    if (!organization || !user)
      throw new AppError('unauthenticated', 'The user of this call no longer exists')
    return {
      organization,
      user,
      role: caller.role,
      apiKey: caller.apiKeyId
        ? { id: caller.apiKeyId, name: caller.apiKeyName, role: caller.role }
        : null,
    }
  }

  // ── members (admins) ──
  listUsers(caller: Caller, cursor?: string, limit?: number): Promise<Page<User>> {
    return this.#identity.listUsers(caller.organizationId, cursor, limit)
  }

  async createUser(
    caller: Caller,
    body: { email: string; name: string; role: Role; password: string },
  ): Promise<User> {
    return this.#insertUser(caller.organizationId, body)
  }

  async #insertUser(
    organizationId: string,
    body: { email: string; name: string; role: Role; password: string },
  ): Promise<User> {
    try {
      return await this.#identity.insertUser({
        id: newId(),
        organizationId,
        email: body.email,
        name: body.name,
        role: body.role,
        passwordHash: await hashPassword(body.password),
      })
    } catch (err) {
      if (err instanceof DuplicateError)
        throw new AppError('email_taken', `A user with the email ${body.email} exists already`, {
          path: ['body', 'email'],
        })
      throw err
    }
  }

  async updateUser(
    caller: Caller,
    userId: string,
    body: { name?: string | undefined; role?: Role | undefined; password?: string | undefined },
  ): Promise<User> {
    const user = await this.#identity.getUser(caller.organizationId, userId)
    if (!user) throw new AppError('user_not_found', `No user ${userId}`, { path: ['userId'] })
    if (
      body.role !== undefined &&
      body.role !== 'admin' &&
      user.role === 'admin' &&
      (await this.#identity.countAdmins(caller.organizationId)) <= 1
    )
      throw new AppError('last_admin', 'The organization needs at least one admin', {
        path: ['body', 'role'],
      })
    const updated = await this.#identity.updateUser(caller.organizationId, userId, {
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(body.role === undefined ? {} : { role: body.role }),
      ...(body.password === undefined ? {} : { passwordHash: await hashPassword(body.password) }),
    })
    // a new password or role takes effect at once: their sessions end (keys follow the role)
    if (body.password !== undefined || (body.role !== undefined && body.role !== user.role))
      await this.#identity.revokeUserSessions(userId)
    if (!updated) throw new AppError('user_not_found', `No user ${userId}`, { path: ['userId'] })
    return updated
  }

  // ── API keys (each user their own) ──
  listApiKeys(caller: Caller, cursor?: string, limit?: number): Promise<Page<ApiKey>> {
    return this.#identity.listApiKeys(caller.organizationId, caller.userId, cursor, limit)
  }

  async createApiKey(caller: Caller, name: string): Promise<CreatedApiKey> {
    const key = generateApiKey()
    const apiKey = await this.#identity.insertApiKey({
      id: newId(),
      organizationId: caller.organizationId,
      userId: caller.userId,
      name,
      prefix: key.slice(0, PREFIX_LENGTH),
      keyHash: hashApiKey(key),
    })
    return { apiKey, key }
  }

  async revokeApiKey(caller: Caller, apiKeyId: string): Promise<void> {
    const key = await this.#identity.getApiKey(caller.organizationId, apiKeyId)
    if (!key)
      throw new AppError('api_key_not_found', `No API key ${apiKeyId}`, { path: ['apiKeyId'] })
    if (key.userId !== caller.userId && caller.role !== 'admin')
      throw new AppError('forbidden', 'Only admins may revoke the keys of other members', {
        path: ['apiKeyId'],
      })
    await this.#identity.revokeApiKey(apiKeyId)
    await this.recordDeletion(caller, 'api_key', apiKeyId, 'revoke')
  }

  // ── organizations (operators: admins of the default organization) ──
  async createOrganization(
    caller: Caller,
    body: { name: string; admin: { email: string; name: string; password: string } },
  ): Promise<CreatedOrganization> {
    if (caller.organizationId !== DEFAULT_ORGANIZATION_ID)
      throw new AppError(
        'forbidden',
        'Only admins of the default organization may create organizations',
      )
    if (await this.#identity.findUserByEmail(body.admin.email))
      throw new AppError(
        'email_taken',
        `A user with the email ${body.admin.email} exists already`,
        {
          path: ['body', 'admin', 'email'],
        },
      )
    const id = newId()
    await this.#identity.createOrganization(id, body.name)
    const admin = await this.#insertUser(id, { ...body.admin, role: 'admin' })
    return { organization: { id, name: body.name }, admin }
  }

  // ── who did what ──
  async recordDeletion(
    caller: Caller,
    subjectType: string,
    subjectId: string,
    action = 'delete',
  ): Promise<void> {
    await this.#identity.insertAuditEvent({
      id: newId(),
      organizationId: caller.organizationId,
      action,
      subjectType,
      subjectId,
      userId: caller.userId,
      apiKeyId: caller.apiKeyId || null,
    })
  }

  recordImportCreator(caller: Caller, importId: string): Promise<void> {
    return this.#identity.setImportCreator(importId, caller.userId)
  }

  listAuditEvents(caller: Caller, cursor?: string, limit?: number) {
    return this.#identity.listAuditEvents(caller.organizationId, cursor, limit)
  }
}
