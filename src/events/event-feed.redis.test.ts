// The events feed's retention on real Redis: events older than it leave every tenant's feed, the rest
// stay in order, and a fact published twice stays one event for as long.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDeliveryDeps } from '../../test/support/delivery-deps.ts'
import type { Deps } from '../deps.ts'
import { startSweeper } from '../queues/sweeper.ts'
import { createEventFeed } from './event-feed.ts'

let harness: Awaited<ReturnType<typeof createDeliveryDeps>>
let deps: Deps
beforeAll(async () => {
  harness = await createDeliveryDeps()
  deps = harness.deps
})
afterAll(() => harness?.close())

const readAll = async (tenantId: string) => (await deps.events.read(tenantId, { limit: 1000 })).items

it('the sweeper drops events older than events.retentionSeconds from every tenant feed, and keeps the rest', async () => {
  await deps.events.publish('comune-b', 'payment.paid', { i: 0 })
  const published: string[] = []
  for (let i = 0; i < 250; i++) published.push((await deps.events.publish('comune-a', 'payment.paid', { i })).event.id)
  const feed = await readAll('comune-a')
  expect(feed.map((e) => e.id)).toEqual(published)
  // A clock one retention past event 200: everything before it is out of retention.
  const cutMs = Number(String(feed[200]?.cursor).split('-')[0])
  const retentionSeconds = deps.config.events.retentionSeconds
  const later = createEventFeed({ ...deps, prefix: harness.prefix, clock: () => new Date(cutMs + retentionSeconds * 1000), retentionSeconds })
  await startSweeper({
    store: deps.deliveries,
    engine: deps.engine,
    config: deps.config.delivery,
    trimEvents: () => later.trim(['comune-a', 'comune-b']),
    onError: (e) => expect.fail(String(e)),
  }).stop()

  const inRetention = feed.filter((e) => Number(e.cursor.split('-')[0]) >= cutMs).map((e) => e.id)
  expect(inRetention.length).toBeGreaterThanOrEqual(50)
  expect((await readAll('comune-a')).map((e) => e.id)).toEqual(inRetention)
  expect(await readAll('comune-b')).toEqual([]) // published before all of them
})

it('a fact published twice is one event for as long as the feed keeps events', async () => {
  const first = await deps.events.publish('comune-a', 'payment.paid', { iuv: '01' }, { dedupeKey: 'paid|01' })
  const again = await deps.events.publish('comune-a', 'payment.paid', { iuv: '01' }, { dedupeKey: 'paid|01' })
  expect(again).toMatchObject({ duplicate: true, event: { id: first.event.id } })
  const ttl = await deps.redis.ttl(`${harness.prefix}:evt:seen:${first.event.id}`)
  expect(ttl).toBeGreaterThan(deps.config.events.retentionSeconds - 60)
  expect(ttl).toBeLessThanOrEqual(deps.config.events.retentionSeconds)
})
