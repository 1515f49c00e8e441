/**
 * Signed, expiring URLs for the import files Labelbox's SDK downloads without credentials
 * (status, error and input files). HMAC-SHA256 with a secret kept in the database, so every
 * server sharing one database signs and checks alike.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { GraphqlStateRepository } from '@labelport/db'

export type ImportFileKind = 'statuses' | 'errors' | 'input'
export const IMPORT_FILE_KINDS: readonly ImportFileKind[] = ['statuses', 'errors', 'input']

/** Labelbox's files "expire after 24 hours"; so do these links. */
export const FILE_URL_TTL_SECONDS = 24 * 3600

export class FileSigner {
  readonly #secret: Buffer
  readonly #now: () => number

  private constructor(secret: Buffer, now: () => number) {
    this.#secret = secret
    this.#now = now
  }

  /** Loads the shared secret, creating it on the first start of the first server. */
  static async load(
    state: GraphqlStateRepository,
    now: () => number = () => Date.now(),
  ): Promise<FileSigner> {
    const secret = await state.getOrInsert('file-url-secret', randomBytes(32).toString('base64url'))
    return new FileSigner(Buffer.from(secret, 'base64url'), now)
  }

  #sign(importId: string, kind: ImportFileKind, expires: number): string {
    return createHmac('sha256', this.#secret)
      .update(`${importId}\n${kind}\n${expires}`)
      .digest('base64url')
  }

  url(origin: string, importId: string, kind: ImportFileKind): string {
    const expires = Math.floor(this.#now() / 1000) + FILE_URL_TTL_SECONDS
    const signature = this.#sign(importId, kind, expires)
    return `${origin}/graphql/files/imports/${importId}/${kind}?expires=${expires}&signature=${signature}`
  }

  /** 'ok', or why the link does not open the file */
  check(
    importId: string,
    kind: ImportFileKind,
    expires: string | undefined,
    signature: string | undefined,
  ): 'ok' | 'missing' | 'expired' | 'invalid' {
    if (!expires || !signature) return 'missing'
    const when = Number(expires)
    if (!Number.isInteger(when)) return 'invalid'
    const expected = Buffer.from(this.#sign(importId, kind, when))
    const given = Buffer.from(signature)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid'
    return when * 1000 < this.#now() ? 'expired' : 'ok'
  }
}
