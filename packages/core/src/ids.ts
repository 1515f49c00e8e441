/**
 * Ids are 25-character cuid-shaped strings (`c` + 24 lowercase base36 chars), so the
 * ids users copy from Labelbox scripts (`dataRow.id`, `schemaId`) keep their shape.
 * They start with a time part, so they sort roughly by creation time.
 */
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'
let counter = 0

export const ID_PATTERN = /^c[0-9a-z]{24}$/

// one getRandomValues call per 4 KiB of ids: the import creates an id per annotation
const pool = new Uint8Array(4096)
let poolOffset = pool.length

function randomBase36(length: number): string {
  if (poolOffset + length > pool.length) {
    crypto.getRandomValues(pool)
    poolOffset = 0
  }
  let out = ''
  // 252 = 7 × 36: bytes above it would bias the alphabet, so they are skipped
  for (let i = 0; i < length;) {
    if (poolOffset >= pool.length) {
      crypto.getRandomValues(pool)
      poolOffset = 0
    }
    const b = pool[poolOffset++] ?? 0
    if (b < 252) {
      out += ALPHABET[b % 36]
      i++
    }
  }
  return out
}

export function newId(): string {
  const time = Date.now().toString(36).padStart(9, '0').slice(-9)
  counter = (counter + 1) % 1296
  const count = counter.toString(36).padStart(2, '0')
  return `c${time}${count}${randomBase36(13)}`
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value)
}

/** A random uuid v4 (lowercase, dashed). */
export function newUuid(): string {
  return crypto.randomUUID()
}

const UUID_LOOSE =
  /^\{?([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})\}?$/

/**
 * Canonical form of a user-given uuid: Labelbox accepts upper case, braces and no dashes,
 * so do we, and they all name the same annotation. Returns undefined when it is not a uuid.
 */
export function canonicalUuid(value: string): string | undefined {
  const m = UUID_LOOSE.exec(value)
  if (!m) return undefined
  return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase()
}
