/** Every endpoint of the contract is served: none answers route_not_found. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { api, buildPath } from '@labelport/core'
import { readConfig } from '../config.ts'
import { composeServer } from '../compose.ts'

it('mounts every endpoint of the contract', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'labelport-mounted-'))
  const server = await composeServer({
    ...readConfig(['--data-dir', dataDir], {}),
    databaseUrl: null,
    bootstrapApiKey: 'k-0123456789abcdefghij',
  })
  try {
    for (const [name, endpoint] of Object.entries(api)) {
      const params = Object.fromEntries(
        [...endpoint.path.matchAll(/:([A-Za-z][A-Za-z0-9]*)/g)].map((m) => [
          m[1] ?? '',
          'c0000000000000000000000000'.slice(0, 25),
        ]),
      )
      const res = await server.app.request(buildPath(endpoint.path, params), {
        method: endpoint.method,
        headers: {
          authorization: 'Bearer k-0123456789abcdefghij',
          'content-type': 'application/json',
        },
        ...(endpoint.method === 'GET' || endpoint.method === 'DELETE' ? {} : { body: '{}' }),
      })
      const body = res.headers.get('content-type')?.includes('json')
        ? ((await res.json()) as { error?: { code?: string } })
        : {}
      assert.notEqual(
        body.error?.code,
        'route_not_found',
        `${name} ${endpoint.method} ${endpoint.path} is not mounted`,
      )
      assert.ok(res.status < 500, `${name} answered ${res.status}`)
    }
  } finally {
    await server.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
