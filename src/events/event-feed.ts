// Publishing an event: appended to the tenant's stream (the /events pull feed) and fanned out as one
// webhook delivery per matching endpoint, in one atomic write (delivery-store's script), then queued.
import { createHash, randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { type DeliveryEngine, deliveryIdFor } from '../queues/engine.ts'
import { queueNames } from '../queues/names.ts'
import type { Endpoint, EndpointStore } from '../webhooks/endpoint-store.ts'
import { type EventType, operationalEventTypes, type SnodoEvent } from './event-types.ts'

export type EventFeed = {
  /**
   * With a `dedupeKey`, publishing the same fact twice is a no-op answering the first event's id.
   * `endpointId` sends to that one endpoint only; `endpoint` too, when the caller has just read it
   * (the ping route does, to answer 404): it is not read again. `except` leaves those endpoints out
   * of the fan-out to subscribers (a supplier's endpoint never gets another service's practices).
   */
  publish(
    tenantId: string,
    type: EventType,
    data: Record<string, unknown>,
    options?: { dedupeKey?: string; endpointId?: string; endpoint?: Endpoint; except?: ReadonlySet<string> },
  ): Promise<{ event: SnodoEvent; deliveryIds: string[]; duplicate: boolean }>
  read(
    tenantId: string,
    page: { after?: string; limit: number; types?: ReadonlySet<string> },
  ): Promise<{ items: (SnodoEvent & { cursor: string })[]; nextCursor?: string }>
  /** Drops the events older than the retention from these tenants' feeds (the sweeper's job). */
  trim(tenantIds: readonly string[]): Promise<void>
}

/** A bound on a tenant's feed whatever its rate; the retention is what normally trims it. */
const streamMaxLen = 1_000_000
const operational = new Set<string>(operationalEventTypes)

export function createEventFeed(deps: {
  redis: Redis
  prefix: string
  engine: DeliveryEngine
  endpoints: EndpointStore
  clock: () => Date
  retentionSeconds: number
}): EventFeed {
  const stream = (tenantId: string) => `${deps.prefix}:events:${tenantId}`
  // A fact published again is recognised as long as its first event can still be in the feed.
  const dedupeTtlSeconds = deps.retentionSeconds
  return {
    async publish(tenantId, type, data, options = {}) {
      const id = options.dedupeKey
        ? `evt_${createHash('sha256').update(`${tenantId}|${options.dedupeKey}`).digest('base64url').slice(0, 26)}`
        : `evt_${randomUUID().replaceAll('-', '')}`
      const event: SnodoEvent = { id, type, tenantId, occurredAt: deps.clock().toISOString(), data }
      // A ping goes to its one endpoint, whatever that endpoint subscribes to.
      const targets = options.endpoint
        ? [options.endpoint]
        : options.endpointId
          ? [await deps.endpoints.get(tenantId, options.endpointId)].filter((e) => e !== undefined)
          : (await deps.endpoints.matching(tenantId, type)).filter((e) => !options.except?.has(e.id))
      const deliveries = targets.map((endpoint) => ({
        id: deliveryIdFor(`webhook|${event.id}|${endpoint.id}`),
        tenant: tenantId,
        target: 'webhooks' as const,
        operation: queueNames.webhooks,
        resourceId: event.id,
        payload: event,
        meta: { endpointId: endpoint.id, eventType: type },
        operational: operational.has(type),
      }))
      const json = JSON.stringify(event)
      const result = await deps.engine.enqueue(deliveries, {
        stream: stream(tenantId),
        json,
        maxLen: streamMaxLen,
        dedupeKey: options.dedupeKey ? id : undefined,
        dedupeTtlSeconds,
      })
      return { event, deliveryIds: deliveries.map((d) => d.id), duplicate: result.duplicate }
    },

    async read(tenantId, page) {
      const items: (SnodoEvent & { cursor: string })[] = []
      let start = page.after ? `(${page.after}` : '-'
      // Filtering by type may need more than one read; each read is bounded.
      for (let reads = 0; items.length < page.limit && reads < 20; reads++) {
        const rows = await deps.redis.xrange(stream(tenantId), start, '+', 'COUNT', page.limit * 2)
        for (const [cursor, fields] of rows) {
          start = `(${cursor}`
          const event = JSON.parse(fields[1] as string) as SnodoEvent
          if (!page.types || page.types.has(event.type)) items.push({ ...event, cursor })
          if (items.length === page.limit) break
        }
        if (rows.length < page.limit * 2) break
      }
      const last = items.at(-1)?.cursor ?? (start === '-' ? page.after : start.slice(1))
      return { items, nextCursor: last }
    },

    async trim(tenantIds) {
      // Stream ids start with their time in ms: MINID drops every entry older than the cut. Exact, not
      // `~` (whole nodes only, never the newest): a quiet tenant's old events would outlive the retention.
      const cut = `${deps.clock().getTime() - deps.retentionSeconds * 1000}-0`
      const pipeline = deps.redis.pipeline()
      for (const tenantId of tenantIds) pipeline.xtrim(stream(tenantId), 'MINID', cut)
      await pipeline.exec()
    },
  }
}
