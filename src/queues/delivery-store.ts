// Delivery records in Redis: one hash per delivery, its attempts in a list, and time-ordered indexes
// (all, and one per status) for ops queries. Creation and status changes are Lua scripts, so a
// record, its indexes and the "not yet enqueued" marker never disagree, and status never goes back.
import type { Redis } from 'ioredis'
import { createScriptBatcher } from '../redis/batch.ts'
import { defineScript } from '../redis/script.ts'
import { type Attempt, allowedTransitions, type Delivery, type DeliveryFilter, type DeliveryStatus, deliveryStatuses, type NewDelivery } from './delivery.ts'
import { createDeliveryIntents, intentKeys } from './delivery-intents.ts'
import { recordLua } from './lua/record.ts'
import { stepsLua } from './lua/steps.ts'

export type PublishedEvent = { stream: string; json: string; maxLen: number; dedupeKey?: string; dedupeTtlSeconds: number }

export type DeliveryStore = {
  /** Writes new deliveries (existing ids are left alone) and, optionally, the event they carry, atomically. */
  create(deliveries: NewDelivery[], event?: PublishedEvent): Promise<{ created: string[]; streamId?: string; duplicate: boolean }>
  get(id: string): Promise<Delivery | undefined>
  /** Several records in one round trip, in the order asked (undefined where there is none). */
  getMany(ids: string[]): Promise<(Delivery | undefined)[]>
  attempts(id: string): Promise<Attempt[]>
  /** Moves to `to` if the current status allows it; answers the status found (undefined: no such delivery). */
  transition(
    id: string,
    to: DeliveryStatus,
    fields?: Record<string, string | number | undefined>,
    expireSeconds?: number,
  ): Promise<{ ok: boolean; from?: DeliveryStatus }>
  /**
   * Before a send, as one atomic step: reads the record; skips it if it is not to be worked (or the
   * job is an overtaken replay's); parks it as paused if its target is paused for its tenant; answers
   * a wait if the circuit is open or the bucket empty; otherwise moves it to in_progress, one more attempt.
   */
  claim(id: string, job: { replay: number }, rules: ClaimRules): Promise<Claim>
  /** After a send, as one atomic step: tells the circuit, appends the attempt, moves to the next status. */
  finish(id: string, outcome: Finish): Promise<{ ok: boolean; from?: DeliveryStatus }>
  list(filter: DeliveryFilter, page: { cursor?: string; limit: number }): Promise<{ items: Delivery[]; nextCursor?: string }>
  /** Ids created but whose job is not yet known to be in the queue, older than `olderThanMs`. */
  pendingEnqueue(olderThanMs: number, count: number): Promise<string[]>
  /** Marks ids as waiting for their job (by this store's clock, the one pendingEnqueue reads). */
  markPending(ids: string[]): Promise<void>
  /** The job is in the queue: drops the pending marker, and the intent if there was one. */
  confirmEnqueued(ids: string[]): Promise<void>
  /** Delivery intents (delivery-intents.ts): written before a resource, dropped once enqueued, swept after a stop. */
  intend(delivery: NewDelivery, guardKey: string): Promise<void>
  staleIntents(olderThanMs: number, count: number): Promise<{ delivery: NewDelivery; written: boolean }[]>
  dropIntents(ids: string[]): Promise<void>
  trim(retention: { succeededSeconds: number; deadSeconds: number }): Promise<void>
}

/** What the claim checks a delivery against: its credential (rate limit and circuit are per credential). */
export type ClaimRules = {
  /** The credential key, or how the script works it out from the record: `<target>|<tenant>[|<meta[metaField]>]`. */
  credential: string | { metaField?: string }
  circuit: { failureThreshold: number; cooldownMs: number }
  rateLimit?: { perSecond: number; burst: number }
  /** A stored value the send needs, read in the same round trip: field `meta[metaField]` of hash `<keyPrefix><tenant>`. */
  prefetch?: { keyPrefix: string; metaField: string }
}

export type Claim =
  | { kind: 'skip' }
  | { kind: 'paused'; delivery: Delivery }
  | { kind: 'wait'; reason: 'circuit' | 'rate_limit'; ms: number }
  /** `prefetched`: there when the rules asked for a prefetch; its value undefined when nothing is stored there. */
  | { kind: 'go'; delivery: Delivery; attempt: number; credential: string; prefetched?: { value?: string } }

export type Finish = {
  attempt: Attempt
  to: DeliveryStatus
  fields?: Record<string, string | number | undefined>
  expireSeconds?: number
  /** What the circuit of `credential` learns: a success, a (retryable) failure, or nothing. */
  circuit: { credential: string; outcome: 'success' | 'failure' | 'none'; failureThreshold: number; cooldownMs: number }
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

const transitionScript = `${recordLua}
local fields = {}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
local moved, from = transition(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), fields)
return {moved and 1 or 0, from or ''}`

/** Statuses from which `to` may be reached, as the script wants them. */
const allowedFrom = Object.fromEntries(
  deliveryStatuses.map((to) => [to, deliveryStatuses.filter((from) => allowedTransitions[from].includes(to)).join(',')]),
) as Record<DeliveryStatus, string>

/** Index entries read per list call at most, so a sparse filter cannot make one request scan everything. */
const maxScanPerPage = 5_000
const scanChunk = 500

const fieldPairs = (fields: Record<string, string | number | undefined>) => Object.entries(fields).flatMap(([k, v]) => [k, v === undefined ? '' : String(v)])

/** The fields the claim script answers of a record, in its order (record_values in lua/record.ts). */
const recordFields = ['data', 'status', 'updatedAt', 'attemptCount', 'replays', 'nextTryAt', 'lastError'] as const

/** The claim script's record values to the hash HGETALL would have given (missing fields left out). */
function hashOf(values: (string | null)[]): Record<string, string> {
  const hash: Record<string, string> = {}
  recordFields.forEach((field, i) => {
    if (values[i] !== null && values[i] !== undefined) hash[field] = values[i] as string
  })
  return hash
}

/** `nowMs`: the clock circuits and buckets count in (the same as circuit-breaker.ts and rate-limit.ts). */
export function createDeliveryStore(redis: Redis, prefix: string, clock: () => Date, nowMs: () => number = Date.now): DeliveryStore {
  const key = (id: string) => `${prefix}:dlv:${id}`
  const scripts = {
    create: defineScript<[string, number, ...string[]]>(redis, 'dlv_create', createScript),
    transition: defineScript<[number, string]>(redis, 'dlv_transition', transitionScript),
  }
  // The processor's claim and finish: those asked for in the same event-loop turn share one script run.
  const step = createScriptBatcher(redis, 'dlv_steps', stepsLua)
  const index = (status?: DeliveryStatus) => (status ? `${prefix}:dlv:idx:${status}` : `${prefix}:dlv:idx`)
  const intents = intentKeys(prefix)

  const readMany = async (ids: string[]): Promise<(Delivery | undefined)[]> => {
    const pipeline = redis.pipeline()
    for (const id of ids) pipeline.hgetall(key(id))
    const rows = (await pipeline.exec()) ?? []
    return rows.map(([, hash], i) => parse(ids[i] as string, hash as Record<string, string>))
  }

  return {
    async create(deliveries, event) {
      const now = clock()
      const args = [
        prefix,
        now.toISOString(),
        event?.stream ?? '',
        event?.json ?? '',
        String(event?.maxLen ?? 0),
        event?.dedupeKey ?? '',
        String(event?.dedupeTtlSeconds ?? 0),
        String(deliveries.length),
      ]
      for (const d of deliveries) {
        // tenant, target and meta first: the claim script reads them without decoding the payload (lua/record.ts).
        const data = {
          tenant: d.tenant,
          target: d.target,
          meta: d.meta,
          operation: d.operation,
          resourceId: d.resourceId,
          createdAt: now.toISOString(),
          operational: d.operational ?? false,
          payload: d.payload,
        }
        args.push(d.id, JSON.stringify(data), String(now.getTime()))
      }
      const [streamId, duplicate, ...created] = await scripts.create(...args)
      return { created, streamId: streamId || undefined, duplicate: duplicate === 1 }
    },

    async get(id) {
      // One plain HGETALL: the auto-pipelined connection batches it, no pipeline object per call.
      return parse(id, await redis.hgetall(key(id)))
    },

    getMany: readMany,
    ...createDeliveryIntents(redis, prefix, clock),

    async attempts(id) {
      return (await redis.lrange(`${key(id)}:att`, 0, -1)).map((row) => JSON.parse(row) as Attempt)
    },

    async transition(id, to, fields = {}, expireSeconds = 0) {
      const [ok, from] = await scripts.transition(prefix, id, to, clock().toISOString(), allowedFrom[to], String(expireSeconds), ...fieldPairs(fields))
      return { ok: ok === 1, from: (from || undefined) as DeliveryStatus | undefined }
    },

    async claim(id, job, rules) {
      // An empty credential asks the script to work it out (the processor's keys are never empty: `<target>|…`).
      const [credential, metaField] = typeof rules.credential === 'string' ? [rules.credential, ''] : ['', rules.credential.metaField ?? '']
      const rate = rules.rateLimit ? [rules.rateLimit.perSecond, rules.rateLimit.burst] : ['', '']
      const prefetch = rules.prefetch ? [rules.prefetch.keyPrefix, rules.prefetch.metaField] : ['', '']
      const answer = await step<[string, ...unknown[]]>('claim', [
        prefix,
        id,
        job.replay,
        nowMs(),
        clock().toISOString(),
        allowedFrom.in_progress,
        allowedFrom.paused,
        credential,
        metaField,
        rules.circuit.cooldownMs,
        ...rate,
        ...prefetch,
      ])
      switch (answer[0]) {
        case 'go': {
          const [, values, credentialKey, attempt, prefetched] = answer as [string, (string | null)[], string, number, string | null]
          const go = { kind: 'go', delivery: parse(id, hashOf(values)) as Delivery, attempt, credential: credentialKey } as const
          return rules.prefetch ? { ...go, prefetched: { value: prefetched ?? undefined } } : go
        }
        case 'paused':
          return { kind: 'paused', delivery: parse(id, hashOf(answer[1] as (string | null)[])) as Delivery }
        case 'wait':
          return { kind: 'wait', reason: answer[1] as 'circuit' | 'rate_limit', ms: answer[2] as number }
        default:
          return { kind: 'skip' }
      }
    },

    async finish(id, { attempt, to, fields = {}, expireSeconds = 0, circuit }) {
      const [ok, from] = await step<[number, string]>('finish', [
        ...[prefix, id, JSON.stringify(attempt), to, clock().toISOString(), allowedFrom[to], expireSeconds],
        ...[circuit.outcome === 'none' ? '' : circuit.outcome, circuit.credential, nowMs(), circuit.failureThreshold, circuit.cooldownMs],
        ...fieldPairs(fields),
      ])
      return { ok: ok === 1, from: (from || undefined) as DeliveryStatus | undefined }
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

    async markPending(ids) {
      const now = clock().getTime()
      if (ids.length > 0) await redis.zadd(`${prefix}:dlv:pending`, ...ids.flatMap((id) => [now, id]))
    },

    async confirmEnqueued(ids) {
      if (ids.length > 0)
        await redis
          .multi()
          .zrem(`${prefix}:dlv:pending`, ...ids)
          .zrem(intents.index, ...ids)
          .hdel(intents.hash, ...ids)
          .exec()
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
