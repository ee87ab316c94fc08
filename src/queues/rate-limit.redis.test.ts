// The token bucket on real Redis with an injected clock: a burst, then one token per 1/perSecond.
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, expect, it } from 'vitest'
import { readEnv } from '../config.ts'
import { createTokenBucket } from './rate-limit.ts'

const prefix = `test-${randomUUID().slice(0, 8)}`
const redis = new Redis(readEnv().REDIS_URL)
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
})

it('answers 0 while tokens last, then how long until the next one', async () => {
  let now = 1_000_000
  const bucket = createTokenBucket(redis, prefix, () => now)
  const limit = { perSecond: 2, burst: 2 }
  expect([await bucket.take('k', limit), await bucket.take('k', limit), await bucket.take('k', limit)]).toEqual([0, 0, 500])
  now += 250
  expect(await bucket.take('k', limit)).toBe(250)
  now += 250
  expect(await bucket.take('k', limit)).toBe(0)
  now += 10_000 // refill stops at the burst
  expect([await bucket.take('k', limit), await bucket.take('k', limit), await bucket.take('k', limit)]).toEqual([0, 0, 500])
})
