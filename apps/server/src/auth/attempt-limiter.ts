/**
 * Counts failed authentications per bucket (a client address, a key prefix, an email) in a fixed
 * window; a bucket with `maxFailures` failures is refused until its window ends. In memory, per
 * server process: with several servers each one limits on its own.
 */
export interface AttemptLimits {
  maxFailures: number
  windowMs: number
}

interface Bucket {
  failures: number
  resetAt: number
}

const MAX_BUCKETS = 100_000

export class AttemptLimiter {
  readonly #limits: AttemptLimits
  readonly #buckets = new Map<string, Bucket>()
  readonly #now: () => number

  constructor(limits: AttemptLimits, now: () => number = Date.now) {
    this.#limits = limits
    this.#now = now
  }

  /** Seconds until the first of these buckets accepts attempts again; 0 when none is locked. */
  retryAfterSeconds(buckets: readonly string[]): number {
    const now = this.#now()
    let waitMs = 0
    for (const name of buckets) {
      const b = this.#buckets.get(name)
      if (!b) continue
      if (b.resetAt <= now) {
        this.#buckets.delete(name)
        continue
      }
      if (b.failures >= this.#limits.maxFailures) waitMs = Math.max(waitMs, b.resetAt - now)
    }
    return Math.ceil(waitMs / 1000)
  }

  recordFailure(buckets: readonly string[]): void {
    const now = this.#now()
    if (this.#buckets.size > MAX_BUCKETS) this.#prune(now)
    for (const name of buckets) {
      const b = this.#buckets.get(name)
      if (!b || b.resetAt <= now)
        this.#buckets.set(name, { failures: 1, resetAt: now + this.#limits.windowMs })
      else b.failures++
    }
  }

  /** A success clears the credential's bucket (not the address's: one good key must not unlock guessing). */
  clear(bucket: string): void {
    this.#buckets.delete(bucket)
  }

  #prune(now: number): void {
    for (const [name, b] of this.#buckets) if (b.resetAt <= now) this.#buckets.delete(name)
  }
}
