// The processor's two scripts on real Redis: claim (record, pause, circuit, bucket, in_progress) and
// finish (circuit, attempt, next status), including records whose data the claim must decode whole.
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, expect, it } from 'vitest'
import { readEnv } from '../config.ts'
import { createCircuitBreaker } from './circuit-breaker.ts'
import type { NewDelivery } from './delivery.ts'
import { type ClaimRules, createDeliveryStore } from './delivery-store.ts'
import { createPauses } from './pauses.ts'

const prefix = `test-dlvstore-${randomUUID().slice(0, 8)}`
const redis = new Redis(readEnv().REDIS_URL)
const now = 1_000_000
const store = createDeliveryStore(
  redis,
  prefix,
  () => new Date(now),
  () => now,
)
const breaker = createCircuitBreaker(redis, prefix, () => now)
const circuit = { failureThreshold: 2, cooldownMs: 1000 }
const byEndpoint: ClaimRules = { credential: { metaField: 'endpointId' }, circuit, prefetch: { keyPrefix: `${prefix}:things:`, metaField: 'endpointId' } }

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
})

const aDelivery = (id: string, tenant = 'comune-a', endpointId = 'we_1'): NewDelivery => ({
  id,
  tenant,
  target: 'webhooks',
  operation: 'webhooks',
  resourceId: `evt_${id}`,
  payload: { meta: { endpointId: 'we_payload' }, x: '{' },
  meta: { endpointId, eventType: 'payment.paid' },
})

it('claims a delivery: in_progress, one more attempt, credential and prefetched value worked out from the record', async () => {
  await store.create([aDelivery('d1')])
  await redis.hset(`${prefix}:things:comune-a`, 'we_1', 'the endpoint')
  const claim = await store.claim('d1', { replay: 0 }, byEndpoint)
  expect(claim).toMatchObject({
    kind: 'go',
    attempt: 1,
    credential: 'webhooks|comune-a|we_1',
    prefetched: { value: 'the endpoint' },
    delivery: { id: 'd1', status: 'queued', attemptCount: 0, payload: { x: '{' } },
  })
  expect(await store.get('d1')).toMatchObject({ status: 'in_progress', attemptCount: 1 })
  expect(await redis.zscore(`${prefix}:dlv:idx:in_progress`, 'd1')).not.toBeNull()
  // Nothing stored under the prefetched field: the value is undefined, the claim goes on.
  await store.create([aDelivery('d1b', 'comune-a', 'we_gone')])
  expect(await store.claim('d1b', { replay: 0 }, byEndpoint)).toMatchObject({ kind: 'go', prefetched: { value: undefined } })
})

it('decodes the whole data when the quick read does not apply: older key order, braces or escapes in ids', async () => {
  const older = {
    tenant: 'comune-b',
    target: 'webhooks',
    operation: 'webhooks',
    resourceId: 'evt_old',
    createdAt: new Date(now).toISOString(),
    payload: { meta: { endpointId: 'we_payload' } },
    meta: { endpointId: 'we_old' },
    operational: false,
  }
  await redis.hset(`${prefix}:dlv:old`, 'data', JSON.stringify(older), 'status', 'queued', 'score', now, 'updatedAt', 'x', 'attemptCount', 0, 'replays', 0)
  await store.create([aDelivery('braces', 'comune-b', 'we_}{"x'), aDelivery('escaped', 'comune-"c', 'we_2')])
  const credentialOf = async (id: string) => ((await store.claim(id, { replay: 0 }, byEndpoint)) as { credential?: string }).credential
  expect(await credentialOf('old')).toBe('webhooks|comune-b|we_old')
  expect(await credentialOf('braces')).toBe('webhooks|comune-b|we_}{"x')
  expect(await credentialOf('escaped')).toBe('webhooks|comune-"c|we_2')
})

it('skips what is not to be worked; parks what is paused; waits on an open circuit or an empty bucket, counting no attempt', async () => {
  expect(await store.claim('missing', { replay: 0 }, byEndpoint)).toEqual({ kind: 'skip' })
  await store.create([aDelivery('d2', 'comune-p'), aDelivery('d3', 'comune-c'), aDelivery('d4', 'comune-r')])
  expect(await store.claim('d2', { replay: 1 }, byEndpoint)).toEqual({ kind: 'skip' }) // an overtaken replay's job
  const pauses = createPauses(redis, prefix)
  await pauses.pause({ target: 'webhooks', tenant: 'comune-p', reason: 'r', by: 'ops', at: 'x' })
  expect(await store.claim('d2', { replay: 0 }, byEndpoint)).toMatchObject({ kind: 'paused', delivery: { tenant: 'comune-p', operation: 'webhooks' } })
  expect(await store.get('d2')).toMatchObject({ status: 'paused', attemptCount: 0 })
  await breaker.failure('webhooks|comune-c|we_1', circuit)
  await breaker.failure('webhooks|comune-c|we_1', circuit)
  expect(await store.claim('d3', { replay: 0 }, byEndpoint)).toEqual({ kind: 'wait', reason: 'circuit', ms: 1000 })
  const limited = { ...byEndpoint, rateLimit: { perSecond: 10, burst: 1 } }
  expect((await store.claim('d4', { replay: 0 }, limited)).kind).toBe('go')
  await store.finish('d4', {
    attempt: { number: 1, at: 'x', durationMs: 1, outcome: 'failed' },
    to: 'retrying',
    circuit: { credential: 'webhooks|comune-r|we_1', outcome: 'none', ...circuit },
  })
  expect(await store.claim('d4', { replay: 0 }, limited)).toEqual({ kind: 'wait', reason: 'rate_limit', ms: 100 })
  for (const id of ['d3', 'd4']) expect(await store.get(id)).toMatchObject({ attemptCount: id === 'd4' ? 1 : 0 })
})

it('finishes: the circuit learns the outcome, the attempt is appended, the status moves with its fields and expiry', async () => {
  await store.create([aDelivery('d5', 'comune-f'), aDelivery('d6', 'comune-f')])
  const credential = 'webhooks|comune-f|we_1'
  await store.claim('d5', { replay: 0 }, byEndpoint)
  await store.claim('d6', { replay: 0 }, byEndpoint)
  const failed = { number: 1, at: 'x', durationMs: 1, outcome: 'failed' as const, errorKind: 'unavailable' as const }
  expect(
    await store.finish('d5', {
      attempt: failed,
      to: 'retrying',
      fields: { nextTryAt: 'later', lastError: '{"kind":"unavailable"}' },
      circuit: { credential, outcome: 'failure', ...circuit },
    }),
  ).toEqual({ ok: true, from: 'in_progress' })
  expect(await redis.hget(`${prefix}:circuit:${credential}`, 'failures')).toBe('1')
  expect(
    await store.finish('d6', {
      attempt: { ...failed, outcome: 'succeeded' },
      to: 'succeeded',
      fields: { nextTryAt: undefined, lastError: undefined },
      expireSeconds: 60,
      circuit: { credential, outcome: 'success', ...circuit },
    }),
  ).toEqual({ ok: true, from: 'in_progress' })
  expect(await redis.exists(`${prefix}:circuit:${credential}`)).toBe(0)
  expect(await store.get('d5')).toMatchObject({ status: 'retrying', nextTryAt: 'later', lastError: { kind: 'unavailable' } })
  expect(await store.get('d6')).toMatchObject({ status: 'succeeded' })
  expect(await store.attempts('d6')).toEqual([{ ...failed, outcome: 'succeeded' }])
  expect(await redis.ttl(`${prefix}:dlv:d6`)).toBeGreaterThan(0)
  expect(await redis.ttl(`${prefix}:dlv:d6:att`)).toBeGreaterThan(0)
  // succeeded is final: a later finish does not move it, and answers the status it found.
  expect(await store.finish('d6', { attempt: failed, to: 'dead', circuit: { credential, outcome: 'none', ...circuit } })).toEqual({
    ok: false,
    from: 'succeeded',
  })
})
