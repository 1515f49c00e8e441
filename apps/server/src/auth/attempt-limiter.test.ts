import assert from 'node:assert/strict'
import { it } from 'node:test'
import { AttemptLimiter } from './attempt-limiter.ts'

it('locks a bucket after maxFailures in its window, each bucket on its own, until the window ends', () => {
  let now = 1_000_000
  const limiter = new AttemptLimiter({ maxFailures: 3, windowMs: 60_000 }, () => now)
  for (let i = 0; i < 2; i++) limiter.recordFailure(['address:a', 'key:lp_abc'])
  assert.equal(limiter.retryAfterSeconds(['address:a', 'key:lp_abc']), 0)
  limiter.recordFailure(['address:a', 'key:lp_abc'])
  assert.equal(limiter.retryAfterSeconds(['key:lp_abc']), 60)
  assert.equal(limiter.retryAfterSeconds(['address:a']), 60)
  // another key prefix from another address is not locked
  assert.equal(limiter.retryAfterSeconds(['address:b', 'key:lp_xyz']), 0)
  now += 45_000
  assert.equal(limiter.retryAfterSeconds(['address:a']), 15)
  now += 15_000
  assert.equal(limiter.retryAfterSeconds(['address:a', 'key:lp_abc']), 0)
  limiter.recordFailure(['address:a'])
  assert.equal(limiter.retryAfterSeconds(['address:a']), 0, 'a new window starts from one failure')
})

it('clear() forgets a credential bucket after a success', () => {
  const limiter = new AttemptLimiter({ maxFailures: 2, windowMs: 1000 }, () => 0)
  limiter.recordFailure(['email:x'])
  limiter.recordFailure(['email:x'])
  assert.ok(limiter.retryAfterSeconds(['email:x']) > 0)
  limiter.clear('email:x')
  assert.equal(limiter.retryAfterSeconds(['email:x']), 0)
})
