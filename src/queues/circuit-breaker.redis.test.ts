// The breaker's states on real Redis with an injected clock: closed → open after N failures → half-open
// (one probe, the others wait) → closed by a successful probe or open again by a failed one.
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, expect, it } from 'vitest'
import { readEnv } from '../config.ts'
import { createCircuitBreaker } from './circuit-breaker.ts'

const prefix = `test-${randomUUID().slice(0, 8)}`
const redis = new Redis(readEnv().REDIS_URL)
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
})

it('opens after N failures, lets one probe through after the cooldown; the probe closes or re-opens it', async () => {
  let now = 1_000_000
  const breaker = createCircuitBreaker(redis, prefix, () => now)
  const s = { failureThreshold: 3, cooldownMs: 1000 }
  await breaker.failure('k', s)
  await breaker.failure('k', s)
  expect(await breaker.admit('k', s)).toBe(0)
  await breaker.failure('k', s)
  expect(await breaker.admit('k', s)).toBe(1000)
  now += 400
  expect(await breaker.admit('k', s)).toBe(600)
  now += 600
  expect([await breaker.admit('k', s), await breaker.admit('k', s)]).toEqual([0, 250]) // the probe, then one who waits
  await breaker.failure('k', s) // the probe failed: open for a whole cooldown again
  expect(await breaker.admit('k', s)).toBe(1000)
  now += 1000
  expect(await breaker.admit('k', s)).toBe(0)
  await breaker.success('k')
  expect([await breaker.admit('k', s), await breaker.admit('k', s)]).toEqual([0, 0])
})

it('a probe that never reports back is replaced after a cooldown', async () => {
  let now = 2_000_000
  const breaker = createCircuitBreaker(redis, prefix, () => now)
  const s = { failureThreshold: 1, cooldownMs: 1000 }
  await breaker.failure('lost', s)
  now += 1000
  expect(await breaker.admit('lost', s)).toBe(0)
  now += 1001
  expect(await breaker.admit('lost', s)).toBe(0)
})
