// Delivery intents: before a resource (a practice, a payment) is written, the delivery it will need is
// written as an intent; enqueueing it drops the intent. A stop in between leaves the intent, and the
// sweeper enqueues it once the resource's record exists and names it, or forgets it if the resource was
// never written (or was written with another delivery).
import type { Redis } from 'ioredis'
import type { NewDelivery } from './delivery.ts'

/** The delivery a resource record (status-store `data`) names; undefined when there is no record. */
function deliveryIdOf(data: string | null): string | undefined {
  if (!data) return undefined
  try {
    return (JSON.parse(data) as { deliveryId?: string }).deliveryId
  } catch {
    return undefined
  }
}

/** The intents hash (id → {delivery, guardKey}) and its time index. */
export const intentKeys = (prefix: string) => ({ hash: `${prefix}:dlv:intent`, index: `${prefix}:dlv:intents` })

export function createDeliveryIntents(redis: Redis, prefix: string, clock: () => Date) {
  const keys = intentKeys(prefix)
  return {
    async intend(delivery: NewDelivery, guardKey: string) {
      await redis.multi().hset(keys.hash, delivery.id, JSON.stringify({ delivery, guardKey })).zadd(keys.index, clock().getTime(), delivery.id).exec()
    },

    async staleIntents(olderThanMs: number, count: number): Promise<{ delivery: NewDelivery; written: boolean }[]> {
      const ids = await redis.zrangebyscore(keys.index, '-inf', clock().getTime() - olderThanMs, 'LIMIT', 0, count)
      if (ids.length === 0) return []
      const intents = (await redis.hmget(keys.hash, ...ids)).map((json) =>
        json ? (JSON.parse(json) as { delivery: NewDelivery; guardKey: string }) : undefined,
      )
      const found = intents.filter((i) => i !== undefined)
      // Written means the record exists and names this delivery: an intent left by an attempt whose
      // resource was then written with another delivery (other IUVs, say) must never be sent as well.
      // A guard that is not a record hash (WRONGTYPE) counts as written once it exists, as it always did.
      const written = await Promise.all(
        found.map((i) =>
          redis.hget(i.guardKey, 'data').then(
            (data) => deliveryIdOf(data) === i.delivery.id,
            async () => (await redis.exists(i.guardKey)) === 1,
          ),
        ),
      )
      // An id whose intent is gone (dropped meanwhile) still leaves the index.
      const orphans = ids.filter((_, i) => intents[i] === undefined)
      if (orphans.length > 0) await redis.zrem(keys.index, ...orphans)
      return found.map((i, n) => ({ delivery: i.delivery, written: written[n] === true }))
    },

    async dropIntents(ids: string[]) {
      if (ids.length > 0)
        await redis
          .multi()
          .zrem(keys.index, ...ids)
          .hdel(keys.hash, ...ids)
          .exec()
    },
  }
}
