/** API keys: stored as sha256 hashes, each acting for one organization. */
import { createHash, randomBytes } from 'node:crypto'
import { AppError, newId } from '@labelport/core'
import type { Store } from '@labelport/db'

export const DEFAULT_ORGANIZATION_ID = 'cdefaultorganization00000'

export interface Caller {
  organizationId: string
  apiKeyId: string
  apiKeyName: string
  role: 'admin' | 'member'
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

export function generateApiKey(): string {
  return `lp_${randomBytes(32).toString('base64url')}`
}

export class AuthService {
  readonly #store: Store

  constructor(store: Store) {
    this.#store = store
  }

  /**
   * Makes sure the default organization exists and has an admin key: the bootstrap key when given,
   * else a generated one on first start. Returns the key when one was generated.
   */
  async bootstrap(bootstrapKey: string | null): Promise<{ generatedKey: string | null }> {
    await this.#store.ensureOrganization(DEFAULT_ORGANIZATION_ID, 'Default organization')
    if (bootstrapKey) {
      await this.#store.insertApiKey({
        id: newId(),
        organizationId: DEFAULT_ORGANIZATION_ID,
        name: 'bootstrap',
        role: 'admin',
        keyHash: hashApiKey(bootstrapKey),
      })
      return { generatedKey: null }
    }
    if ((await this.#store.countApiKeys(DEFAULT_ORGANIZATION_ID)) > 0) return { generatedKey: null }
    const key = generateApiKey()
    await this.#store.insertApiKey({
      id: newId(),
      organizationId: DEFAULT_ORGANIZATION_ID,
      name: 'initial admin key',
      role: 'admin',
      keyHash: hashApiKey(key),
    })
    return { generatedKey: key }
  }

  async authenticate(authorization: string | undefined): Promise<Caller> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')
    if (!match?.[1])
      throw new AppError('unauthenticated', 'Send your API key as "Authorization: Bearer <key>"', {
        path: ['headers', 'authorization'],
      })
    const key = await this.#store.findApiKey(hashApiKey(match[1]))
    if (!key)
      throw new AppError('unauthenticated', 'This API key is not valid', {
        path: ['headers', 'authorization'],
      })
    return {
      organizationId: key.organizationId,
      apiKeyId: key.id,
      apiKeyName: key.name,
      role: key.role,
    }
  }

  async whoAmI(caller: Caller): Promise<{
    organization: { id: string; name: string }
    apiKey: { id: string; name: string; role: 'admin' | 'member' }
  }> {
    const org = await this.#store.getOrganization(caller.organizationId)
    if (!org) throw new AppError('unauthenticated', 'The organization of this key no longer exists')
    return {
      organization: org,
      apiKey: { id: caller.apiKeyId, name: caller.apiKeyName, role: caller.role },
    }
  }
}
