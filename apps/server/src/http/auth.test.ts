/**
 * Users, sessions and API keys through the HTTP app, on SQLite and PostgreSQL: password sign-in with
 * an httpOnly SameSite cookie, CSRF refusal, sign-out revoking the session, keys shown once and
 * revocable, throttled failures (429 + Retry-After), bootstrap key strength and rotation, the first
 * admin, and who did what.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { freshSchemaUrl, postgres } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'

const KEY = 'auth-test-key-2b8e4c6a0d9f71'
const PASSWORD = 'a long enough password'
const pgNeed = postgres()

interface Reply {
  status: number
  code: string | undefined
  json: Record<string, unknown> | null
  headers: Headers
}

function call(
  server: ComposedServer,
  method: string,
  path: string,
  options: { key?: string; cookie?: string; csrf?: boolean; origin?: string; body?: unknown } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (options.key) headers['authorization'] = `Bearer ${options.key}`
  if (options.cookie) headers['cookie'] = options.cookie
  if (options.csrf) headers['x-labelport-csrf'] = '1'
  if (options.origin) headers['origin'] = options.origin
  return Promise.resolve(
    server.app.request(`http://labelport.test${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    }),
  ).then(async (res) => {
    const text = await res.text()
    const json = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null
    return {
      status: res.status,
      code: (json as { error?: { code?: string } } | null)?.error?.code,
      json: json as Record<string, unknown> | null,
      headers: res.headers,
    }
  })
}

async function signIn(server: ComposedServer, email: string, password = PASSWORD) {
  const reply = await call(server, 'POST', '/v1/sessions', { body: { email, password } })
  const setCookie = reply.headers.get('set-cookie') ?? ''
  return { reply, setCookie, cookie: setCookie.split(';')[0] ?? '' }
}

async function compose(
  dataDir: string,
  databaseUrl: string | null,
  env: Record<string, string> = {},
  overrides: Record<string, unknown> = {},
): Promise<ComposedServer> {
  return composeServer({
    ...readConfig(['--data-dir', dataDir], env),
    databaseUrl,
    ...overrides,
  })
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `users, sessions and keys on ${dialect}`,
    {
      skip: dialect === 'postgres' ? pgNeed.skip : false,
    },
    () => {
      let server: ComposedServer
      let dataDir = ''
      let schema: { url: string; drop(): Promise<void> } | null = null

      before(async () => {
        dataDir = mkdtempSync(join(tmpdir(), 'labelport-auth-'))
        schema = dialect === 'postgres' ? await freshSchemaUrl(pgNeed.value) : null
        server = await compose(dataDir, schema?.url ?? null, {
          LABELPORT_BOOTSTRAP_API_KEY: KEY,
        })
      })
      after(async () => {
        await server.close()
        await schema?.drop()
        rmSync(dataDir, { recursive: true, force: true })
      })

      it('creates the admin user on first start with a generated password saved to the data dir', async () => {
        const password = readFileSync(join(dataDir, 'admin-password.txt'), 'utf8').trim()
        assert.ok(password.length >= 20)
        const { reply } = await signIn(server, 'admin@labelport.local', password)
        assert.equal(reply.status, 201)
        assert.equal((reply.json?.['user'] as { role: string }).role, 'admin')
        // the bootstrap key belongs to that admin
        const me = await call(server, 'GET', '/v1/me', { key: KEY })
        assert.equal((me.json?.['user'] as { email: string }).email, 'admin@labelport.local')
        assert.equal((me.json?.['apiKey'] as { name: string }).name, 'bootstrap')
      })

      it('signs in with an httpOnly SameSite cookie, refuses cross-site writes, and signs out for good', async () => {
        await call(server, 'POST', '/v1/users', {
          key: KEY,
          body: { email: 'Rita@Example.com', name: 'Rita', role: 'reviewer', password: PASSWORD },
        })
        const { reply, setCookie, cookie } = await signIn(server, 'rita@example.com')
        assert.equal(reply.status, 201, JSON.stringify(reply.json))
        assert.match(setCookie, /HttpOnly/i)
        assert.match(setCookie, /SameSite=Lax/i)
        const me = await call(server, 'GET', '/v1/me', { cookie })
        assert.equal(me.status, 200)
        assert.equal(me.json?.['role'], 'reviewer')
        assert.equal(me.json?.['apiKey'], null)

        const noHeader = await call(server, 'POST', '/v1/api-keys', { cookie, body: { name: 'x' } })
        assert.equal(noHeader.status, 403)
        assert.equal(noHeader.code, 'csrf_check_failed')
        const foreign = await call(server, 'POST', '/v1/api-keys', {
          cookie,
          csrf: true,
          origin: 'https://evil.example',
          body: { name: 'x' },
        })
        assert.equal(foreign.code, 'csrf_check_failed')
        const sameSite = await call(server, 'POST', '/v1/api-keys', {
          cookie,
          csrf: true,
          origin: 'http://labelport.test',
          body: { name: 'x' },
        })
        assert.equal(sameSite.status, 201)

        const out = await call(server, 'DELETE', '/v1/sessions/current', { cookie, csrf: true })
        assert.equal(out.status, 204)
        assert.match(out.headers.get('set-cookie') ?? '', /lp_session=;/)
        const after = await call(server, 'GET', '/v1/me', { cookie })
        assert.equal(after.status, 401)
        assert.equal(after.code, 'unauthenticated')
      })

      it('shows a new key once, lists it without the secret, and revokes it at once', async () => {
        await call(server, 'POST', '/v1/users', {
          key: KEY,
          body: { email: 'lee@example.com', name: 'Lee', role: 'labeler', password: PASSWORD },
        })
        const { cookie } = await signIn(server, 'lee@example.com')
        const created = await call(server, 'POST', '/v1/api-keys', {
          cookie,
          csrf: true,
          body: { name: 'laptop' },
        })
        const key = created.json?.['key'] as string
        const id = (created.json?.['apiKey'] as { id: string }).id
        assert.match(key, /^lp_/)
        const listed = await call(server, 'GET', '/v1/api-keys', { key })
        assert.equal(listed.status, 200)
        assert.ok(
          !JSON.stringify(listed.json).includes(key.slice(12)),
          'the secret is never listed',
        )
        assert.equal((listed.json?.['items'] as { prefix: string }[])[0]?.prefix, key.slice(0, 11))
        // the key acts as its user, with the user's role
        const me = await call(server, 'GET', '/v1/me', { key })
        assert.equal(me.json?.['role'], 'labeler')
        const refused = await call(server, 'POST', '/v1/datasets', { key, body: { name: 'no' } })
        assert.equal(refused.status, 403)
        // a labeler may not revoke the admin's key; the admin may revoke the labeler's
        const adminKeys = await call(server, 'GET', '/v1/api-keys', { key: KEY })
        const adminKeyId = (adminKeys.json?.['items'] as { id: string }[])[0]?.id ?? ''
        const notTheirs = await call(server, 'DELETE', `/v1/api-keys/${adminKeyId}`, { key })
        assert.equal(notTheirs.code, 'forbidden')
        const revoked = await call(server, 'DELETE', `/v1/api-keys/${id}`, { key: KEY })
        assert.equal(revoked.status, 204)
        const after = await call(server, 'GET', '/v1/me', { key })
        assert.equal(after.status, 401)
        assert.equal(after.code, 'unauthenticated')
        const audit = await call(server, 'GET', '/v1/audit-events', { key: KEY })
        assert.ok(
          (audit.json?.['items'] as { subjectId: string; action: string }[]).some(
            (e) => e.subjectId === id && e.action === 'revoke',
          ),
        )
      })

      it('a new role or password ends the sessions; the last admin keeps the role', async () => {
        const created = await call(server, 'POST', '/v1/users', {
          key: KEY,
          body: { email: 'max@example.com', name: 'Max', role: 'labeler', password: PASSWORD },
        })
        const userId = created.json?.['id'] as string
        const { cookie } = await signIn(server, 'max@example.com')
        const promoted = await call(server, 'PUT', `/v1/users/${userId}`, {
          key: KEY,
          body: { role: 'reviewer' },
        })
        assert.equal(promoted.json?.['role'], 'reviewer')
        assert.equal((await call(server, 'GET', '/v1/me', { cookie })).status, 401)
        const me = await call(server, 'GET', '/v1/me', { key: KEY })
        const adminId = (me.json?.['user'] as { id: string }).id
        const demote = await call(server, 'PUT', `/v1/users/${adminId}`, {
          key: KEY,
          body: { role: 'labeler' },
        })
        assert.equal(demote.status, 409)
        assert.equal(demote.code, 'last_admin')
        const duplicate = await call(server, 'POST', '/v1/users', {
          key: KEY,
          body: { email: 'MAX@example.com', name: 'Max 2', role: 'labeler', password: PASSWORD },
        })
        assert.equal(duplicate.code, 'email_taken')
        const weak = await call(server, 'POST', '/v1/users', {
          key: KEY,
          body: { email: 'weak@example.com', name: 'Weak', role: 'labeler', password: 'short' },
        })
        assert.equal(weak.code, 'validation_failed')
        assert.deepEqual((weak.json?.['error'] as { path: string[] }).path, ['body', 'password'])
      })

      it('records who started an import and who deleted a project', async () => {
        const project = await call(server, 'POST', '/v1/projects', {
          key: KEY,
          body: { name: 'p' },
        })
        const projectId = project.json?.['id'] as string
        const ontology = await call(server, 'POST', '/v1/ontologies', {
          key: KEY,
          body: {
            name: 'o',
            normalized: { tools: [{ tool: 'point', name: 'pt' }], classifications: [] },
          },
        })
        await call(server, 'PUT', `/v1/projects/${projectId}/ontology`, {
          key: KEY,
          body: { ontologyId: ontology.json?.['id'] },
        })
        const job = await call(server, 'POST', `/v1/projects/${projectId}/imports/validate`, {
          key: KEY,
          body: { name: 'dry', kind: 'mal', source: { lines: [{ name: 'pt' }] } },
        })
        assert.equal(job.status, 202)
        const me = await call(server, 'GET', '/v1/me', { key: KEY })
        const adminId = (me.json?.['user'] as { id: string }).id
        await server.importWorker.whenIdle()
        const read = await call(server, 'GET', `/v1/imports/${job.json?.['id'] as string}`, {
          key: KEY,
        })
        assert.equal(read.json?.['createdBy'], adminId)
        assert.equal(
          (await call(server, 'DELETE', `/v1/projects/${projectId}`, { key: KEY })).status,
          204,
        )
        const audit = await call(server, 'GET', '/v1/audit-events', { key: KEY })
        const event = (
          audit.json?.['items'] as { subjectId: string; userId: string; action: string }[]
        ).find((e) => e.subjectId === projectId)
        assert.deepEqual(event && { action: event.action, userId: event.userId }, {
          action: 'delete',
          userId: adminId,
        })
      })
    },
  )
}

/** A server that locks after 3 failures (throttling is in memory, the same on both databases). */
async function throttled(): Promise<{ server: ComposedServer; done: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'labelport-throttle-'))
  const server = await compose(dataDir, null, {
    LABELPORT_BOOTSTRAP_API_KEY: KEY,
    LABELPORT_AUTH_MAX_FAILURES: '3',
  })
  return {
    server,
    async done() {
      await server.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

describe('throttling of failed authentications', () => {
  it('throttles failed sign-ins per email: 429 with Retry-After, even for the right password', async () => {
    const { server, done } = await throttled()
    await call(server, 'POST', '/v1/users', {
      key: KEY,
      body: { email: 'tom@example.com', name: 'Tom', role: 'labeler', password: PASSWORD },
    })
    for (let i = 0; i < 3; i++) {
      const { reply } = await signIn(server, 'tom@example.com', 'wrong password!')
      assert.equal(reply.code, 'invalid_credentials')
      assert.equal(reply.status, 401)
    }
    const { reply } = await signIn(server, 'tom@example.com')
    assert.equal(reply.status, 429)
    assert.equal(reply.code, 'too_many_requests')
    assert.ok(Number(reply.headers.get('retry-after')) > 0)
    await done()
  })

  it('throttles failed API keys: 429 with Retry-After once the limit is reached', async () => {
    const { server, done } = await throttled()
    for (let i = 0; i < 3; i++) {
      const bad = await call(server, 'GET', '/v1/me', { key: `lp_guess${i}_0000000000000000000` })
      assert.equal(bad.status, 401)
    }
    const locked = await call(server, 'GET', '/v1/me', { key: 'lp_guess9_0000000000000000000' })
    assert.equal(locked.status, 429)
    assert.equal(locked.code, 'too_many_requests')
    assert.ok(Number(locked.headers.get('retry-after')) > 0)
    // the right key from the locked address waits too: guessing must not go on between hits
    assert.equal((await call(server, 'GET', '/v1/me', { key: KEY })).status, 429)
    await done()
  })
})

describe('the bootstrap key', () => {
  it('refuses a weak LABELPORT_BOOTSTRAP_API_KEY at start with a clear message', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'labelport-weak-'))
    try {
      for (const weak of ['k', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'short-key-123'])
        await assert.rejects(
          compose(dataDir, null, { LABELPORT_BOOTSTRAP_API_KEY: weak }),
          (err) => {
            assert.equal((err as Error).name, 'StartupError')
            assert.match((err as Error).message, /LABELPORT_BOOTSTRAP_API_KEY is too weak/)
            return true
          },
        )
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('changing it revokes the previous key; a revoked key cannot come back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'labelport-rotate-'))
    const first = 'first-bootstrap-key-8a6c4e2b'
    const second = 'second-bootstrap-key-1f3d5b7'
    try {
      let server = await compose(dataDir, null, { LABELPORT_BOOTSTRAP_API_KEY: first })
      assert.equal((await call(server, 'GET', '/v1/me', { key: first })).status, 200)
      await server.close()
      server = await compose(dataDir, null, { LABELPORT_BOOTSTRAP_API_KEY: second })
      assert.equal((await call(server, 'GET', '/v1/me', { key: second })).status, 200)
      const old = await call(server, 'GET', '/v1/me', { key: first })
      assert.equal(old.status, 401)
      // the same key again on the next start is not a rotation
      await server.close()
      server = await compose(dataDir, null, { LABELPORT_BOOTSTRAP_API_KEY: second })
      assert.equal((await call(server, 'GET', '/v1/me', { key: second })).status, 200)
      await server.close()
      await assert.rejects(
        compose(dataDir, null, { LABELPORT_BOOTSTRAP_API_KEY: first }),
        /was revoked; choose a new key/,
      )
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
