/** An upload over the limit is refused with payload_too_large, and nothing of it is kept. */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { readConfig } from '../config.ts'
import { composeServer } from '../compose.ts'

function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name)
  } catch {
    return []
  }
}

it('refuses an upload over the limit with payload_too_large and keeps nothing of it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'labelport-upload-'))
  const server = await composeServer({
    ...readConfig(['--data-dir', dataDir], {}),
    databaseUrl: null,
    bootstrapApiKey: 'k-0123456789abcdefghij',
    maxUploadBytes: 1000,
  })
  try {
    const upload = (size: number) =>
      server.app.request('/v1/uploads', {
        method: 'POST',
        headers: { authorization: 'Bearer k-0123456789abcdefghij' },
        body: new Uint8Array(size).fill(7),
      })
    const big = await upload(5000)
    assert.equal(big.status, 413)
    assert.equal(
      ((await big.json()) as { error: { code: string } }).error.code,
      'payload_too_large',
    )
    assert.deepEqual(filesUnder(join(dataDir, 'blobs', 'uploads')), [])
    const small = await upload(1000)
    assert.equal(small.status, 201)
    assert.equal(((await small.json()) as { size: number }).size, 1000)
  } finally {
    await server.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
