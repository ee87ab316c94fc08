// A receiver that is down (503) for its first ~2 s and then recovers: 1,000 webhooks, workers in
// process on real Redis. Every event is delivered once as a success, every request carries a valid
// Standard Webhooks signature, and every failure is on the delivery's record.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Deps } from '../src/deps.ts'
import { startWorkers } from '../src/workers.ts'
import { createDeliveryDeps, waitFor } from './support/delivery-deps.ts'
import { startDeliveryReceiver } from './support/delivery-receiver.ts'

const events = 1_000
const outageMs = 2_000

let harness: Awaited<ReturnType<typeof createDeliveryDeps>>
let deps: Deps
let receiver: Awaited<ReturnType<typeof startDeliveryReceiver>>
let workers: { close(): Promise<void> }
let downUntil: number | undefined

beforeAll(async () => {
  harness = await createDeliveryDeps({
    delivery: {
      targets: {
        // Short retries so recovery comes within seconds. The breaker (tested in src/queues/) is kept
        // out of the way, so every delivery goes through its own retries.
        webhooks: { retry: { scheduleMs: [100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000, 1000] }, circuit: { failureThreshold: 100_000, cooldownMs: 500 } },
      },
    },
  })
  deps = harness.deps
  // The outage starts with the first request, so it is seen whatever the speed of publishing.
  receiver = await startDeliveryReceiver(() => {
    downUntil ??= Date.now() + outageMs
    return Date.now() < downUntil ? 503 : 200
  })
})

afterAll(async () => {
  await workers?.close()
  await receiver?.close()
  await harness?.close()
})

it('delivers all 1,000 events once each after the receiver recovers, every request signed', { timeout: 60_000 }, async () => {
  const endpoint = await deps.endpoints.create('comune-a', { url: receiver.url('/hooks'), events: ['payment.paid'], description: 'outage' })
  receiver.trust('/hooks', endpoint.secrets[0]?.value as string)

  const published: { eventId: string; deliveryId: string }[] = []
  for (let i = 0; i < events; i++) {
    const { event, deliveryIds } = await deps.events.publish('comune-a', 'payment.paid', { n: i })
    expect(deliveryIds).toHaveLength(1)
    published.push({ eventId: event.id, deliveryId: deliveryIds[0] as string })
  }
  // Workers start on a full queue, so the outage meets every delivery, not only the first few.
  workers = await startWorkers(deps)

  const succeeded = async () => (await Promise.all(published.map((p) => deps.deliveries.get(p.deliveryId)))).every((d) => d?.status === 'succeeded')
  await waitFor(async () => receiver.successCounts().size === events && (await succeeded()), 45_000, 200)

  // The outage happened, and no request was ever unsigned or wrongly signed.
  expect(receiver.log.some((r) => r.status === 503)).toBe(true)
  expect(receiver.log.filter((r) => !r.verified)).toEqual([])

  // Each webhook-id (the event id) answered 2xx exactly once: nothing lost, nothing twice.
  const counts = receiver.successCounts()
  expect(new Set(counts.keys())).toEqual(new Set(published.map((p) => p.eventId)))
  expect([...counts.values()].filter((n) => n !== 1)).toEqual([])

  // Every record ends succeeded and tells the same story as the receiver, failed attempts included.
  for (const { eventId, deliveryId } of published) {
    const [delivery, attempts] = await Promise.all([deps.deliveries.get(deliveryId), deps.deliveries.attempts(deliveryId)])
    const seen = receiver.requests(eventId)
    expect(delivery).toMatchObject({ status: 'succeeded', attemptCount: attempts.length, resourceId: eventId })
    expect(delivery?.lastError).toBeUndefined()
    expect(attempts.map((a) => a.number)).toEqual(attempts.map((_, i) => i + 1))
    expect(attempts.at(-1)).toMatchObject({ outcome: 'succeeded', upstreamStatus: 200 })
    expect(attempts.filter((a) => a.outcome === 'succeeded')).toHaveLength(1)
    const failed = attempts.filter((a) => a.upstreamStatus === 503)
    expect(failed).toHaveLength(seen.filter((r) => r.status === 503).length)
    for (const a of failed) expect(a).toMatchObject({ outcome: 'failed', errorKind: 'unavailable', nextTryAt: expect.any(String) })
  }
  const withFailures = published.filter((p) => receiver.requests(p.eventId).some((r) => r.status === 503)).length
  console.log(`webhook outage: ${receiver.log.length} requests for ${events} events, ${withFailures} events saw at least one 503`)

  // The pull feed lists the same 1,000 events in publishing order.
  const feed = await deps.events.read('comune-a', { limit: events })
  expect(feed.items.map((e) => e.id)).toEqual(published.map((p) => p.eventId))
})
