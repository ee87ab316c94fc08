// The delivery engine's rules on real Redis, workers in process: webhooks to a loopback receiver, and
// fake handlers for other targets (their tuning is per target, so each rule gets its own).
import { Job, type Queue } from 'bullmq'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { createDeliveryDeps, waitFor } from '../../test/support/delivery-deps.ts'
import { startDeliveryReceiver } from '../../test/support/delivery-receiver.ts'
import type { Deps } from '../deps.ts'
import { UpstreamError } from '../errors.ts'
import { startWorkers } from '../workers.ts'
import type { DeliveryStatus, NewDelivery } from './delivery.ts'
import { deliveryIdFor } from './engine.ts'
import { queueNames } from './names.ts'
import type { DeliveryHandler } from './run-delivery.ts'
import { startSweeper } from './sweeper.ts'

const appioCircuit = { failureThreshold: 3, cooldownMs: 3000 }
const operations = { pagopa: queueNames.pagopaPositions, appio: queueNames.appioMessages, backoffice: queueNames.backofficePractices } as const
const sends: Record<string, string[]> = { pagopa: [], appio: [], backoffice: [] }
const bucketWaits: number[] = []
const answers: Record<string, (nth: number) => number> = {}
let appioUp = false
let harness: Awaited<ReturnType<typeof createDeliveryDeps>>
let deps: Deps
let receiver: Awaited<ReturnType<typeof startDeliveryReceiver>>
let workers: { close(): Promise<void> }

const fake = (target: keyof typeof operations, down = () => false): DeliveryHandler => ({
  ...{ target, operation: operations[target], credentialKey: () => 'cred' },
  async send(d) {
    sends[target]?.push(d.id)
    if (down()) throw new UpstreamError({ kind: 'unavailable', platform: target, message: 'down' })
    return { upstreamStatus: 200 }
  },
})

beforeAll(async () => {
  harness = await createDeliveryDeps({
    delivery: {
      targets: {
        webhooks: { retry: { scheduleMs: [50, 50], jitter: 0 }, circuit: { failureThreshold: 1000, cooldownMs: 1000 } },
        pagopa: { rateLimit: { perSecond: 20, burst: 1 } },
        appio: { retry: { scheduleMs: Array(30).fill(50), jitter: 0 }, circuit: appioCircuit },
      },
    },
  })
  deps = harness.deps
  // Every wait the shared token bucket answers (inside the processor's claim script) is recorded, to see it make jobs wait.
  const { claim } = deps.deliveries
  deps.deliveries.claim = async (...args) => {
    const answer = await claim(...args)
    if (answer.kind === 'wait' && answer.reason === 'rate_limit') bucketWaits.push(answer.ms)
    return answer
  }
  receiver = await startDeliveryReceiver(({ path, nth }) => answers[path]?.(nth) ?? 200)
  workers = await startWorkers(deps, [fake('pagopa'), fake('appio', () => !appioUp), fake('backoffice')])
})
// Events fan out to every matching endpoint of the tenant: each test has only its own.
afterEach(async () => {
  for (const tenant of ['comune-a', 'comune-b']) for (const e of await deps.endpoints.list(tenant)) await deps.endpoints.remove(tenant, e.id)
})
afterAll(async () => {
  await workers?.close()
  await receiver?.close()
  await harness?.close()
})

const aDelivery = (target: keyof typeof operations, key: string): NewDelivery => ({
  id: deliveryIdFor(`${target}|${key}`),
  tenant: 'comune-a',
  target,
  operation: operations[target],
  resourceId: key,
  payload: { key },
  meta: {},
})
const statusOf = async (id: string) => (await deps.deliveries.get(id))?.status
const settle = (id: string, status: DeliveryStatus) => waitFor(async () => (await statusOf(id)) === status)
const queueOf = (target: 'webhooks' | keyof typeof operations): Queue => deps.engine.queue(target === 'webhooks' ? queueNames.webhooks : operations[target])
const isDelayed = async (queue: Queue, jobId: string) => (await (await Job.fromId(queue, jobId))?.isDelayed()) ?? false
const jobGone = (queue: Queue, jobId: string) => waitFor(async () => (await Job.fromId(queue, jobId)) === undefined)
const hook = async (path: string, answer: (nth: number) => number, tenant = 'comune-a') => {
  answers[path] = answer
  const endpoint = await deps.endpoints.create(tenant, { url: receiver.url(path), events: ['payment.paid'], description: path })
  receiver.trust(path, endpoint.secrets[0]?.value as string)
  return endpoint
}
const publish = async (tenant = 'comune-a') => {
  const { event, deliveryIds } = await deps.events.publish(tenant, 'payment.paid', {})
  expect(deliveryIds).toHaveLength(1)
  return { eventId: event.id, deliveryId: deliveryIds[0] as string }
}

it('a duplicate enqueue (same delivery id) is a no-op: one record, one job, one send — also after the job is gone', async () => {
  const d = aDelivery('backoffice', 'dup')
  expect((await deps.engine.enqueue([d])).created).toEqual([d.id])
  expect((await deps.engine.enqueue([d])).created).toEqual([])
  await settle(d.id, 'succeeded')
  await jobGone(queueOf('backoffice'), d.id)
  expect((await deps.engine.enqueue([d])).created).toEqual([])
  expect(await Job.fromId(queueOf('backoffice'), d.id)).toBeUndefined()
  expect((await deps.deliveries.list({ target: 'backoffice' }, { limit: 100 })).items.filter((x) => x.id === d.id)).toHaveLength(1)
  expect(sends.backoffice?.filter((id) => id === d.id)).toHaveLength(1)
})

it('410 goes straight to dead with upstream status and code, disables the endpoint, publishes endpoint.disabled', async () => {
  const endpoint = await hook('/gone', () => 410)
  const { eventId, deliveryId } = await publish()
  await settle(deliveryId, 'dead')
  expect(await deps.deliveries.get(deliveryId)).toMatchObject({
    attemptCount: 1,
    lastError: { kind: 'rejected', upstreamStatus: 410, upstreamCode: 'gone', message: expect.stringContaining('not_retryable') },
  })
  expect(receiver.requests(eventId)).toHaveLength(1)
  const mine = (e: { data: Record<string, unknown> }) => e.data.endpointId === endpoint.id || e.data.deliveryId === deliveryId
  const operational = async () =>
    (await deps.events.read('comune-a', { limit: 100, types: new Set(['endpoint.disabled', 'delivery.dead']) })).items.filter(mine)
  await waitFor(async () => (await operational()).length === 2)
  expect((await operational()).map((e) => [e.type, e.data.endpointId ?? e.data.deliveryId])).toEqual([
    ['endpoint.disabled', endpoint.id],
    ['delivery.dead', deliveryId],
  ])
  expect(await deps.endpoints.get('comune-a', endpoint.id)).toMatchObject({ enabled: false, disabledReason: 'the endpoint answered 410 Gone' })
})

it('400 is retried, and a later 200 succeeds; replaying a delivery that is not dead is refused', async () => {
  await hook('/flaky', (nth) => (nth === 1 ? 400 : 200))
  const { deliveryId } = await publish()
  await settle(deliveryId, 'succeeded')
  const attempts = await deps.deliveries.attempts(deliveryId)
  expect(attempts.map((a) => [a.outcome, a.upstreamStatus])).toEqual([
    ['failed', 400],
    ['succeeded', 200],
  ])
  expect(await deps.engine.replay(deliveryId)).toEqual({ ok: false, status: 'succeeded' })
  expect(await deps.engine.replay(deliveryIdFor('never published'))).toEqual({ ok: false, status: undefined })
})

it('a replayed delivery that fails again goes back to dead, with no further retries', async () => {
  await hook('/down', () => 503)
  const { eventId, deliveryId } = await publish()
  await settle(deliveryId, 'dead')
  expect(await deps.deliveries.get(deliveryId)).toMatchObject({
    attemptCount: 3,
    replays: 0,
    lastError: { upstreamStatus: 503, message: expect.stringContaining('attempts_exhausted') },
  })
  expect(await deps.engine.replay(deliveryId)).toMatchObject({ ok: true, delivery: { status: 'queued', replays: 1 } })
  await settle(deliveryId, 'dead')
  await jobGone(queueOf('webhooks'), `${deliveryId}-r1`)
  expect(await Job.fromId(queueOf('webhooks'), deliveryId)).toBeUndefined()
  expect(await deps.deliveries.get(deliveryId)).toMatchObject({
    status: 'dead',
    attemptCount: 4,
    replays: 1,
    lastError: { message: expect.stringContaining('replay_failed') },
  })
  expect((await deps.deliveries.attempts(deliveryId)).map((a) => a.replay)).toEqual([false, false, false, true])
  expect(receiver.requests(eventId)).toHaveLength(4)
})

it("a tenant's pause keeps its jobs queued and sends nothing; resume releases them at once", async () => {
  await hook('/a', () => 200)
  await hook('/b', () => 200, 'comune-b')
  await deps.pauses.pause({ target: 'webhooks', tenant: 'comune-a', reason: 'maintenance', by: 'ops', at: new Date().toISOString() })
  const held = [await publish(), await publish()]
  await settle((await publish('comune-b')).deliveryId, 'succeeded')
  await waitFor(async () => (await Promise.all(held.map((h) => isDelayed(queueOf('webhooks'), h.deliveryId)))).every(Boolean))
  for (const h of held) expect(await deps.deliveries.get(h.deliveryId)).toMatchObject({ status: 'paused', attemptCount: 0 })
  expect(held.flatMap((h) => receiver.requests(h.eventId))).toEqual([])
  const { wasPaused, parked } = await deps.pauses.resume('webhooks', 'comune-a')
  expect(wasPaused).toBe(true)
  expect(parked.map((p) => p.jobId).toSorted()).toEqual(held.map((h) => h.deliveryId).toSorted())
  await deps.engine.release(parked)
  // A parked job looks again by itself only after a minute: succeeding now is the release's doing.
  for (const h of held) await settle(h.deliveryId, 'succeeded')
  expect(held.map((h) => receiver.successCounts().get(h.eventId))).toEqual([1, 1])
})

it('a resume landing between a job being parked and being delayed still releases it at once', async () => {
  await hook('/resumed-mid-park', () => 200)
  await deps.pauses.pause({ target: 'webhooks', tenant: 'comune-a', reason: 'maintenance', by: 'ops', at: new Date().toISOString() })
  const { park } = deps.pauses
  // The resume runs right after the job is listed as parked, while it is still active: the release
  // it triggers finds nothing delayed to promote.
  deps.pauses.park = async (target, parked) => {
    deps.pauses.park = park
    await park(target, parked)
    await deps.engine.release((await deps.pauses.resume(target, parked.tenant)).parked)
  }
  const held = await publish()
  // Well before the parked job's own look a minute later.
  await settle(held.deliveryId, 'succeeded')
  expect(receiver.successCounts().get(held.eventId)).toBe(1)
  expect(await deps.redis.hlen(`${deps.env.SNODO_REDIS_PREFIX}:parked:webhooks`)).toBe(0)
})

it('an empty token bucket delays jobs (the processor waits), never fails them', async () => {
  const batch = ['1', '2', '3', '4', '5'].map((key) => aDelivery('pagopa', key))
  await deps.engine.enqueue(batch)
  for (const d of batch) await settle(d.id, 'succeeded')
  expect(bucketWaits.some((wait) => wait > 0)).toBe(true)
  for (const d of batch) expect((await deps.deliveries.attempts(d.id)).map((a) => a.outcome)).toEqual(['succeeded'])
  expect(sends.pagopa?.toSorted()).toEqual(batch.map((d) => d.id).toSorted())
})

it('an open circuit holds jobs without an attempt; once the target is back a probe closes it and all go through', async () => {
  const x = aDelivery('appio', 'x')
  await deps.engine.enqueue([x])
  await waitFor(async () => (await deps.deliveries.get(x.id))?.attemptCount === 3 && (await statusOf(x.id)) === 'retrying')
  expect(await deps.breaker.admit('appio|cred', appioCircuit)).toBeGreaterThan(0)
  const y = aDelivery('appio', 'y')
  await deps.engine.enqueue([y])
  await waitFor(() => isDelayed(queueOf('appio'), y.id))
  expect(await deps.deliveries.get(y.id)).toMatchObject({ status: 'queued', attemptCount: 0 })
  expect(await deps.deliveries.get(x.id)).toMatchObject({ status: 'retrying', attemptCount: 3 })
  appioUp = true
  for (const d of [x, y]) await settle(d.id, 'succeeded')
  expect(await deps.breaker.admit('appio|cred', appioCircuit)).toBe(0)
  const outcomes = (await deps.deliveries.attempts(x.id)).map((a) => a.outcome)
  expect([outcomes.slice(0, 3), outcomes.at(-1)]).toEqual([['failed', 'failed', 'failed'], 'succeeded'])
  expect(sends.appio?.filter((id) => id === y.id)).toHaveLength(1)
})

it('the sweeper re-adds the job of a delivery recorded but never enqueued, once its grace period is over', async () => {
  const lost = aDelivery('backoffice', 'lost')
  await deps.deliveries.create([lost])
  const errors: unknown[] = []
  const sweepOnce = (graceMs?: number) =>
    startSweeper({ store: deps.deliveries, engine: deps.engine, config: deps.config.delivery, onError: (e) => errors.push(e), graceMs }).stop()
  await sweepOnce() // default grace (30 s): an enqueue may still be under way
  expect(await Job.fromId(queueOf('backoffice'), lost.id)).toBeUndefined()
  await sweepOnce(0)
  await settle(lost.id, 'succeeded')
  expect(sends.backoffice?.filter((id) => id === lost.id)).toHaveLength(1)
  expect(await deps.deliveries.pendingEnqueue(0, 1000)).not.toContain(lost.id)
  expect(errors).toEqual([])
})

it('the sweeper enqueues the delivery of a resource written after its intent but never enqueued, and forgets one whose resource was never written', async () => {
  const written = aDelivery('backoffice', 'written')
  const never = aDelivery('backoffice', 'never')
  const resourceKey = (name: string) => `test-resource:${name}:${written.id}`
  await deps.engine.intend(written, resourceKey('written'))
  await deps.engine.intend(never, resourceKey('never'))
  await deps.redis.set(resourceKey('written'), '{}', 'EX', 60) // the resource was written; then the process stopped
  const sweepOnce = (graceMs?: number) =>
    startSweeper({ store: deps.deliveries, engine: deps.engine, config: deps.config.delivery, onError: (e) => expect.fail(String(e)), graceMs }).stop()
  await sweepOnce() // default grace (30 s): the accept may still be under way
  expect(await deps.deliveries.get(written.id)).toBeUndefined()
  await sweepOnce(0)
  await settle(written.id, 'succeeded')
  expect(sends.backoffice?.filter((id) => id === written.id)).toHaveLength(1)
  expect(await deps.deliveries.get(never.id)).toBeUndefined()
  expect(await deps.deliveries.staleIntents(0, 1000)).toEqual([])
  await deps.redis.del(resourceKey('written'))
})

it('status never goes backwards, and a stray job for a finished delivery sends nothing', async () => {
  const done = aDelivery('backoffice', 'done')
  const dead = aDelivery('backoffice', 'dead')
  await deps.deliveries.create([done, dead])
  expect(await deps.deliveries.transition(done.id, 'in_progress')).toEqual({ ok: true, from: 'queued' })
  expect(await deps.deliveries.transition(done.id, 'succeeded')).toEqual({ ok: true, from: 'in_progress' })
  for (const to of ['queued', 'in_progress', 'retrying', 'paused', 'dead'] as const)
    expect(await deps.deliveries.transition(done.id, to)).toEqual({ ok: false, from: 'succeeded' })
  expect(await deps.deliveries.transition(dead.id, 'dead')).toEqual({ ok: true, from: 'queued' })
  for (const to of ['in_progress', 'retrying', 'succeeded'] as const) expect(await deps.deliveries.transition(dead.id, to)).toEqual({ ok: false, from: 'dead' })
  const record = await deps.deliveries.get(done.id)
  if (record) await deps.engine.ensureJobs([record])
  await jobGone(queueOf('backoffice'), done.id)
  expect(await statusOf(done.id)).toBe('succeeded')
  expect(sends.backoffice).not.toContain(done.id)
})
