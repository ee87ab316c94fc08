// Delivery records in Redis: one hash per delivery, its attempts in a list, and time-ordered indexes
// (all, and one per status) for ops queries. Creation and status changes are Lua scripts, so a
// record, its indexes and the "not yet enqueued" marker never disagree, and status never goes back.
import type { Redis } from 'ioredis'
import { type Attempt, allowedTransitions, type Delivery, type DeliveryFilter, type DeliveryStatus, deliveryStatuses, type NewDelivery } from './delivery.ts'

export type PublishedEvent = { stream: string; json: string; maxLen: number; dedupeKey?: string; dedupeTtlSeconds: number }

export type DeliveryStore = {
  /** Writes new deliveries (existing ids are left alone) and, optionally, the event they carry, atomically. */
  create(deliveries: NewDelivery[], event?: PublishedEvent): Promise<{ created: string[]; streamId?: string; duplicate: boolean }>
  get(id: string): Promise<Delivery | undefined>
  attempts(id: string): Promise<Attempt[]>
  /** Moves to `to` if the current status allows it; answers the status found (undefined: no such delivery). */
  transition(id: string, to: DeliveryStatus, fields?: Record<string, string | number | undefined>, expireSeconds?: number): Promise<{ ok: boolean; from?: DeliveryStatus }>
  addAttempt(id: string, attempt: Attempt): Promise<void>
  list(filter: DeliveryFilter, page: { cursor?: string; limit: number }): Promise<{ items: Delivery[]; nextCursor?: string }>
  /** Ids created but whose job is not yet known to be in the queue, older than `olderThanMs`. */
  pendingEnqueue(olderThanMs: number, count: number): Promise<string[]>
  confirmEnqueued(ids: string[]): Promise<void>
  trim(retention: { succeededSeconds: number; deadSeconds: number }): Promise<void>
}

const createScript = `
local p, now, stream = ARGV[1], ARGV[2], ARGV[3]
local dedupe = ARGV[6]
if dedupe ~= '' then
  if redis.call('SET', p .. ':evt:seen:' .. dedupe, '1', 'NX', 'EX', ARGV[7]) == false then return {'', 1} end
end
local out = {'', 0}
if stream ~= '' then out[1] = redis.call('XADD', stream, 'MAXLEN', '~', ARGV[5], '*', 'event', ARGV[4]) end
local n = tonumber(ARGV[8])
for i = 0, n - 1 do
  local id, data, score = ARGV[9 + i * 3], ARGV[10 + i * 3], ARGV[11 + i * 3]
  local k = p .. ':dlv:' .. id
  if redis.call('EXISTS', k) == 0 then
    redis.call('HSET', k, 'data', data, 'status', 'queued', 'score', score, 'updatedAt', now, 'attemptCount', 0, 'replays', 0)
    redis.call('ZADD', p .. ':dlv:idx', score, id)
    redis.call('ZADD', p .. ':dlv:idx:queued', score, id)
    redis.call('ZADD', p .. ':dlv:pending', score, id)
    table.insert(out, id)
  end
end
return out`

const transitionScript = `
local p, id, to, now, allowed, expire = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local k = p .. ':dlv:' .. id
local cur = redis.call('HGET', k, 'status')
if not cur then return {0, ''} end
if not string.find(',' .. allowed .. ',', ',' .. cur .. ',', 1, true) then return {0, cur} end
redis.call('HSET', k, 'status', to, 'updatedAt', now)
for i = 7, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', k, ARGV[i]) else redis.call('HSET', k, ARGV[i], ARGV[i + 1]) end
end
if cur ~= to then
  local score = redis.call('HGET', k, 'score')
  redis.call('ZREM', p .. ':dlv:idx:' .. cur, id)
  redis.call('ZADD', p .. ':dlv:idx:' .. to, score, id)
end
if expire > 0 then
  redis.call('EXPIRE', k, expire)
  redis.call('EXPIRE', k .. ':att', expire)
else
  redis.call('PERSIST', k)
  redis.call('PERSIST', k .. ':att')
end
return {1, cur}`

/** Statuses from which `to` may be reached, as the script wants them. */
const allowedFrom = Object.fromEntries(
  deliveryStatuses.map((to) => [to, deliveryStatuses.filter((from) => allowedTransitions[from].includes(to)).join(',')]),
) as Record<DeliveryStatus, string>

/** Index entries read per list call at most, so a sparse filter cannot make one request scan everything. */
const maxScanPerPage = 5_000
const scanChunk = 500

export function createDeliveryStore(redis: Redis, prefix: string, clock: () => Date): DeliveryStore {
  const key = (id: string) => `${prefix}:dlv:${id}`
  const index = (status?: DeliveryStatus) => (status ? `${prefix}:dlv:idx:${status}` : `${prefix}:dlv:idx`)

  const readMany = async (ids: string[]): Promise<(Delivery | undefined)[]> => {
    const pipeline = redis.pipeline()
    for (const id of ids) pipeline.hgetall(key(id))
    const rows = (await pipeline.exec()) ?? []
    return rows.map(([, hash], i) => parse(ids[i] as string, hash as Record<string, string>))
  }

  return {
    async create(deliveries, event) {
      const now = clock()
      const args = [prefix, now.toISOString(), event?.stream ?? '', event?.json ?? '', String(event?.maxLen ?? 0), event?.dedupeKey ?? '', String(event?.dedupeTtlSeconds ?? 0), String(deliveries.length)]
      for (const d of deliveries) {
        const data = { tenant: d.tenant, target: d.target, operation: d.operation, resourceId: d.resourceId, createdAt: now.toISOString(), payload: d.payload, meta: d.meta, operational: d.operational ?? false }
        args.push(d.id, JSON.stringify(data), String(now.getTime()))
      }
      const [streamId, duplicate, ...created] = (await redis.eval(createScript, 0, ...args)) as [string, number, ...string[]]
      return { created, streamId: streamId || undefined, duplicate: duplicate === 1 }
    },

    async get(id) {
      // One plain HGETALL: the auto-pipelined connection batches it, no pipeline object per call.
      return parse(id, await redis.hgetall(key(id)))
    },

    async attempts(id) {
      return (await redis.lrange(`${key(id)}:att`, 0, -1)).map((row) => JSON.parse(row) as Attempt)
    },

    async transition(id, to, fields = {}, expireSeconds = 0) {
      const pairs = Object.entries(fields).flatMap(([k, v]) => [k, v === undefined ? '' : String(v)])
      const [ok, from] = (await redis.eval(transitionScript, 0, prefix, id, to, clock().toISOString(), allowedFrom[to], String(expireSeconds), ...pairs)) as [number, string]
      return { ok: ok === 1, from: (from || undefined) as DeliveryStatus | undefined }
    },

    async addAttempt(id, attempt) {
      await redis.rpush(`${key(id)}:att`, JSON.stringify(attempt))
    },

    async list(filter, page) {
      const after = page.cursor ? decodeCursor(page.cursor) : undefined
      let max = after ? after.score : filter.until ? filter.until.getTime() : Number.POSITIVE_INFINITY
      if (filter.until) max = Math.min(max, filter.until.getTime())
      const min = filter.since ? filter.since.getTime() : Number.NEGATIVE_INFINITY
      const items: Delivery[] = []
      let scanned = 0
      let last: { score: number; id: string } | undefined
      for (let offset = 0; scanned < maxScanPerPage; offset += scanChunk) {
        const rows = await redis.zrange(index(filter.status), bound(max), bound(min), 'BYSCORE', 'REV', 'LIMIT', offset, scanChunk, 'WITHSCORES')
        const entries: { id: string; score: number }[] = []
        for (let i = 0; i < rows.length; i += 2) entries.push({ id: rows[i] as string, score: Number(rows[i + 1]) })
        // Same-score members come in reverse lexical order: skip those the previous page already gave.
        const fresh = entries.filter((e) => !after || e.score < after.score || e.id < after.id)
        const records = await readMany(fresh.map((e) => e.id))
        const gone = fresh.filter((_, i) => records[i] === undefined).map((e) => e.id)
        if (gone.length > 0) await redis.zrem(index(filter.status), ...gone) // expired by retention
        for (const [i, entry] of fresh.entries()) {
          scanned++
          last = entry
          const record = records[i]
          if (record && matches(record, filter)) items.push(record)
          if (items.length === page.limit) return { items, nextCursor: encodeCursor(entry) }
        }
        if (rows.length < scanChunk * 2) return { items }
      }
      return { items, nextCursor: last ? encodeCursor(last) : undefined }
    },

    async pendingEnqueue(olderThanMs, count) {
      return redis.zrangebyscore(`${prefix}:dlv:pending`, '-inf', clock().getTime() - olderThanMs, 'LIMIT', 0, count)
    },

    async confirmEnqueued(ids) {
      if (ids.length > 0) await redis.zrem(`${prefix}:dlv:pending`, ...ids)
    },

    async trim({ succeededSeconds, deadSeconds }) {
      const now = clock().getTime()
      await redis
        .pipeline()
        .zremrangebyscore(index('succeeded'), '-inf', now - succeededSeconds * 1000)
        .zremrangebyscore(index('dead'), '-inf', now - deadSeconds * 1000)
        .zremrangebyscore(index(), '-inf', now - Math.max(succeededSeconds, deadSeconds) * 1000)
        .exec()
    },
  }
}

const bound = (n: number) => (n === Number.POSITIVE_INFINITY ? '+inf' : n === Number.NEGATIVE_INFINITY ? '-inf' : String(n))

function matches(d: Delivery, f: DeliveryFilter): boolean {
  if (f.tenants && !f.tenants.has(d.tenant)) return false
  if (f.status && d.status !== f.status) return false
  if (f.target && d.target !== f.target) return false
  if (f.tenant && d.tenant !== f.tenant) return false
  if (f.operation && d.operation !== f.operation) return false
  if (f.errorCode && d.lastError?.upstreamCode !== f.errorCode && d.lastError?.kind !== f.errorCode) return false
  return true
}

function parse(id: string, hash: Record<string, string> | null): Delivery | undefined {
  if (!hash?.data) return undefined
  const data = JSON.parse(hash.data) as Omit<Delivery, 'id' | 'status' | 'updatedAt' | 'attemptCount' | 'replays'>
  return {
    id,
    ...data,
    status: hash.status as DeliveryStatus,
    updatedAt: hash.updatedAt as string,
    attemptCount: Number(hash.attemptCount ?? 0),
    replays: Number(hash.replays ?? 0),
    ...(hash.nextTryAt ? { nextTryAt: hash.nextTryAt } : {}),
    ...(hash.lastError ? { lastError: JSON.parse(hash.lastError) } : {}),
  }
}

const encodeCursor = (c: { score: number; id: string }) => Buffer.from(`${c.score}|${c.id}`).toString('base64url')

export function decodeCursor(cursor: string): { score: number; id: string } {
  const [score, id] = Buffer.from(cursor, 'base64url').toString().split('|')
  if (!id || !Number.isFinite(Number(score))) throw new RangeError('not a delivery cursor')
  return { score: Number(score), id }
}
