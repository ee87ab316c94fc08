// A worker process (`node src/main.ts --role worker`, LIVE mode) is killed with SIGKILL while webhooks
// are in flight; a second worker takes its jobs over once their locks expire. Every delivery completes;
// a request the dead worker had sent may reach the receiver twice (at-least-once), never more than the
// number of jobs the dead worker held. The measured count is printed.
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { stringify } from 'yaml'
import type { Deps } from '../src/deps.ts'
import { createDeliveryDeps, waitFor } from './support/delivery-deps.ts'
import { startDeliveryReceiver } from './support/delivery-receiver.ts'
import { writeLiveConfig } from './support/live-config.ts'
import { type RedisServer, startRedisServer } from './support/redis-server.ts'
import { type SnodoProcess, startSnodo } from './support/sandbox-process.ts'

const events = 300
const concurrency = 20
const delivery = { lockMs: 1500, targets: { webhooks: { concurrency, retry: { scheduleMs: [200, 400, 800, 1000, 1000] } } } }
const webhooks = { allowedPrivate: ['127.0.0.1'] }
const prefix = `crash-${Date.now().toString(36)}`

let redis: RedisServer
let live: Awaited<ReturnType<typeof writeLiveConfig>>
let configPath: string
let harness: Awaited<ReturnType<typeof createDeliveryDeps>>
let deps: Deps
let receiver: Awaited<ReturnType<typeof startDeliveryReceiver>>
const workers: SnodoProcess[] = []

beforeAll(async () => {
  // Live mode refuses a Redis without AOF and noeviction (src/redis/checks.ts): this test brings its own.
  redis = await startRedisServer({ appendonly: 'yes', 'maxmemory-policy': 'noeviction' })
  live = await writeLiveConfig()
  configPath = join(live.dir, 'worker.yaml')
  writeFileSync(configPath, stringify({ ...live.config, delivery, webhooks }))
  // The test publishes through the same composition root, on the same Redis and prefix as the workers.
  harness = await createDeliveryDeps({ mode: 'live', redisUrl: redis.url, prefix, delivery, webhooks })
  deps = harness.deps
  // A slow receiver, so that many requests are in flight when the worker dies.
  receiver = await startDeliveryReceiver(() => new Promise((resolve) => setTimeout(() => resolve(200), 100)))
})

afterAll(async () => {
  for (const worker of workers) await worker.stop()
  await receiver?.close()
  await harness?.close()
  await redis?.stop()
  if (live) rmSync(live.dir, { recursive: true, force: true })
})

const startWorker = async () => {
  const worker = await startSnodo({
    args: ['--role', 'worker'],
    env: { SNODO_CONFIG: configPath, REDIS_URL: redis.url, SNODO_REDIS_PREFIX: prefix },
    waitReady: false,
  })
  workers.push(worker)
  await worker.waitForOutput('Snodo is running in LIVE mode (role worker)')
  return worker
}

it('every delivery completes after a worker is killed mid-flight; duplicates bounded by what was in flight', { timeout: 90_000 }, async () => {
  const endpoint = await deps.endpoints.create('comune-a', { url: receiver.url('/hooks'), events: ['payment.paid'], description: 'crash' })
  receiver.trust('/hooks', endpoint.secrets[0]?.value as string)
  const published: { eventId: string; deliveryId: string }[] = []
  for (let i = 0; i < events; i++) {
    const { event, deliveryIds } = await deps.events.publish('comune-a', 'payment.paid', { n: i })
    published.push({ eventId: event.id, deliveryId: deliveryIds[0] as string })
  }

  const first = await startWorker()
  // The kill comes while at least half the worker's requests are open at the receiver.
  let inFlight = 0
  await waitFor(
    () => {
      const open = receiver.pending()
      if (receiver.successCounts().size < 60 || open < concurrency / 2) return false
      inFlight = open
      return true
    },
    20_000,
    5,
  )
  // waitFor does not throw: the kill must really have caught requests in flight, or the test proves nothing.
  expect(inFlight).toBeGreaterThanOrEqual(concurrency / 2)
  const deliveredBefore = receiver.successCounts().size
  expect(deliveredBefore).toBeGreaterThanOrEqual(60)
  expect(deliveredBefore).toBeLessThan(events)
  await first.stop('SIGKILL')

  await startWorker()
  const succeeded = async () => (await Promise.all(published.map((p) => deps.deliveries.get(p.deliveryId)))).every((d) => d?.status === 'succeeded')
  await waitFor(succeeded, 45_000, 200)

  const statuses = await Promise.all(published.map(async (p) => (await deps.deliveries.get(p.deliveryId))?.status))
  expect(statuses.filter((s) => s !== 'succeeded')).toEqual([])
  expect(receiver.log.filter((r) => !r.verified)).toEqual([])
  const counts = receiver.successCounts()
  expect(published.filter((p) => (counts.get(p.eventId) ?? 0) < 1)).toEqual([])
  const duplicates = published.filter((p) => (counts.get(p.eventId) ?? 0) > 1).length
  console.log(
    `worker crash: ${deliveredBefore}/${events} delivered before SIGKILL, ${inFlight} requests open at the kill, ${duplicates} duplicate(s) after takeover`,
  )
  // Only jobs the dead worker held can be sent again, each at most once more: the requests open at the
  // kill, and at most its concurrency in all (some may have been answered between the read and the kill).
  expect(duplicates).toBeLessThanOrEqual(concurrency)
  expect([...counts.values()].every((n) => n <= 2)).toBe(true)
})
