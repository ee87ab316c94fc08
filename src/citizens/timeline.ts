// The "cartella del cittadino": everything of one citizen at one tenant — practices and the documents
// their steps registered, payments, messages — indexed by time as each is accepted, so the feed is one sorted read.
import type { Redis } from 'ioredis'

/** `practice_document`: the documents a later step of a practice added, once registered at the protocollo. */
export const timelineKinds = ['practice', 'practice_document', 'payment', 'message', 'notification'] as const
export type TimelineKind = (typeof timelineKinds)[number]

export function createTimeline(redis: Redis, prefix: string) {
  const key = (tenantId: string, fiscalCode: string) => `${prefix}:citizen:${tenantId}:${fiscalCode.toUpperCase()}`
  return {
    /** Places an item in time once: recording it again (a retried accept or follow-up) keeps its first place. */
    async record(tenantId: string, fiscalCode: string, kind: TimelineKind, id: string, at: Date) {
      await redis.zadd(key(tenantId, fiscalCode), 'NX', at.getTime(), `${kind}:${id}`)
    },
    /** Takes back an item whose resource was never written (an accept that failed half-way). */
    async forget(tenantId: string, fiscalCode: string, kind: TimelineKind, id: string) {
      await redis.zrem(key(tenantId, fiscalCode), `${kind}:${id}`)
    },
    /** Newest first, before a cursor (`<ms>:<kind>:<id>` of the last item seen). */
    async page(tenantId: string, fiscalCode: string, before: { at: number; member: string } | undefined, count: number) {
      const rows = await redis.zrange(key(tenantId, fiscalCode), before ? before.at : '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, count + 100, 'WITHSCORES')
      const out: { kind: TimelineKind; id: string; at: number }[] = []
      for (let i = 0; i < rows.length && out.length < count; i += 2) {
        const member = rows[i] as string
        const at = Number(rows[i + 1])
        // Same-millisecond entries come in reverse member order: skip those the last page already gave.
        if (before && at === before.at && member >= before.member) continue
        const [kind, ...rest] = member.split(':')
        out.push({ kind: kind as TimelineKind, id: rest.join(':'), at })
      }
      return out
    },
  }
}
export type Timeline = ReturnType<typeof createTimeline>
