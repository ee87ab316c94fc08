// Redis crashes while deliveries wait for their retries, and comes back from its AOF (appendfsync
// always) on the same port and directory: every delivery completes, none lost, none sent twice.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Deps } from '../src/deps.ts'
import { queueNames } from '../src/queues/names.ts'
import { startWorkers } from '../src/workers.ts'
import { createDeliveryDeps, waitFor } from './support/delivery-deps.ts'
import { startDeliveryReceiver } from './support/delivery-receiver.ts'
import { type RedisServer, startRedisServer } from './support/redis-server.ts'

const events = 100

let redis: RedisServer
let harness: Awaited<ReturnType<typeof createDeliveryDeps>>
let deps: Deps
let receiver: Awaited<ReturnType<typeof startDeliveryReceiver>>
let workers: { close(): Promise<void> } | undefined
let down = true

beforeAll(async () => {
  redis = await startRedisServer({ appendonly: 'yes', appendfsync: 'always', 'maxmemory-policy': 'noeviction' })
  harness = await createDeliveryDeps({
    redisUrl: redis.url,
    // Retries a few seconds out, so every job sits delayed in Redis when it dies; no breaker in the way.
    delivery: {
      targets: { webhooks: { retry: { scheduleMs: [4000, 1000, 1000, 1000, 1000, 1000] }, circuit: { failureThreshold: 100_000, cooldownMs: 500 } } },
    },
  })
  deps = harness.deps
  receiver = await startDeliveryReceiver(() => (down ? 503 : 200))
})

afterAll(async () => {
  await workers?.close()
  await receiver?.close()
  await harness?.close()
  await redis?.stop()
})

it('loses no delivery when Redis is killed and restarted from its AOF', { timeout: 60_000 }, async () => {
  const endpoint = await deps.endpoints.create('comune-a', { url: receiver.url('/hooks'), events: ['payment.paid'], description: 'restart' })
  receiver.trust('/hooks', endpoint.secrets[0]?.value as string)
  const published: { eventId: string; deliveryId: string }[] = []
  for (let i = 0; i < events; i++) {
    const { event, deliveryIds } = await deps.events.publish('comune-a', 'payment.paid', { n: i })
    published.push({ eventId: event.id, deliveryId: deliveryIds[0] as string })
  }
  // Started on a full queue, so all first attempts fail together, seconds before any retry is due.
  workers = await startWorkers(deps)
  // Every delivery has failed once and its job waits, delayed, for its retry: nothing is in flight.
  const queue = deps.engine.queue(queueNames.webhooks)
  await waitFor(async () => (await queue.getJobCounts('delayed')).delayed === events)
  expect(await queue.getJobCounts('delayed', 'active', 'wait')).toEqual({ delayed: events, active: 0, wait: 0 })
  expect(new Set(receiver.log.map((r) => r.webhookId)).size).toBe(events)

  await redis.kill('SIGKILL')
  await redis.restart()

  // What the AOF brought back: every record still retrying, every job still delayed.
  await waitFor(async () => (await deps.redis.ping()) === 'PONG')
  const records = await Promise.all(published.map((p) => deps.deliveries.get(p.deliveryId)))
  expect(records.map((d) => d?.status)).toEqual(published.map(() => 'retrying'))
  expect((await queue.getJobCounts('delayed')).delayed).toBe(events)

  down = false
  const allSucceeded = async () => (await Promise.all(published.map((p) => deps.deliveries.get(p.deliveryId)))).every((d) => d?.status === 'succeeded')
  await waitFor(allSucceeded, 40_000, 200)

  expect(receiver.log.filter((r) => !r.verified)).toEqual([])
  const counts = receiver.successCounts()
  expect(published.filter((p) => counts.get(p.eventId) !== 1)).toEqual([])
  for (const { deliveryId } of published) {
    const attempts = await deps.deliveries.attempts(deliveryId)
    expect(attempts.map((a) => a.upstreamStatus)).toEqual([...attempts.slice(0, -1).map(() => 503), 200])
  }
  const feed = await deps.events.read('comune-a', { limit: events })
  expect(feed.items.map((e) => e.id)).toEqual(published.map((p) => p.eventId))
})
