// Resources with a business status (messages, payments, practices): one Redis hash per resource
// with its fixed data, its status and named fields, and a list holding its history. A status change
// and its history entry are one Lua script, and it refuses to move a status backwards (design §3:
// every resource has a status and a history of {status, at, detail}).
import type { Redis } from 'ioredis'

export type HistoryEntry<S extends string> = { status: S; at: string; detail?: string }

export type StoredResource<D, S extends string> = {
  id: string
  data: D
  status: S
  createdAt: string
  updatedAt: string
  /** Named values set along the way (an upstream id, a reason…). */
  fields: Record<string, string>
  history: HistoryEntry<S>[]
}

export type StatusStore<D, S extends string> = {
  /** Answers false when a resource with this id exists already. */
  /** The Redis key of a resource's record: it exists once create() wrote it. */
  keyOf(id: string): string
  create(id: string, data: D, status: S, detail?: string): Promise<boolean>
  get(id: string): Promise<StoredResource<D, S> | undefined>
  /**
   * `entryFields` are about the history entry this move adds: each is stored as `<name>:<position>`,
   * its position in the history, in the same script (so the entry and its fields exist together).
   * A move answers that position.
   */
  transition(id: string, to: S, options?: { detail?: string; fields?: Record<string, string>; entryFields?: Record<string, string> }): Promise<{ ok: boolean; from?: S; position?: number }>
  /** The one way back: an operator's replay reopens a resource whose delivery had died. */
  reopen(id: string, from: S, to: S, detail: string): Promise<boolean>
  setFields(id: string, fields: Record<string, string>): Promise<void>
  /** Sets a field unless it holds a value already; answers the value it holds now. */
  keepField(id: string, name: string, value: string): Promise<string>
}

const createScript = `
if redis.call('HSETNX', KEYS[1], 'data', ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'createdAt', ARGV[3], 'updatedAt', ARGV[3])
redis.call('RPUSH', KEYS[1] .. ':history', ARGV[4])
return 1`

// A field name ending in ':#' is about the new history entry: '#' becomes its position.
const transitionScript = `
local k, to, now, entry, allowed = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local cur = redis.call('HGET', k, 'status')
if not cur then return {0, ''} end
if not string.find(',' .. allowed .. ',', ',' .. cur .. ',', 1, true) then return {0, cur} end
redis.call('HSET', k, 'status', to, 'updatedAt', now)
local position = redis.call('RPUSH', k .. ':history', entry) - 1
for i = 5, #ARGV, 2 do
  local name = ARGV[i]
  if string.sub(name, -2) == ':#' then name = string.sub(name, 1, -2) .. position end
  redis.call('HSET', k, 'f:' .. name, ARGV[i + 1])
end
return {1, cur, position}`

/** Which statuses may follow which: `next[from]` lists the statuses `from` may move to. */
export type Transitions<S extends string> = Record<S, readonly S[]>

/**
 * Transitions from a rank: a move only to a higher rank, so nothing goes backwards; statuses of equal
 * rank are alternatives (several final states), never successors of each other.
 */
export function forwardOnly<S extends string>(rank: Record<S, number>): Transitions<S> {
  const statuses = Object.keys(rank) as S[]
  return Object.fromEntries(statuses.map((from) => [from, statuses.filter((to) => rank[to] > rank[from])])) as unknown as Transitions<S>
}

export function createStatusStore<D, S extends string>(redis: Redis, keyPrefix: string, next: Transitions<S>, clock: () => Date): StatusStore<D, S> {
  const key = (id: string) => `${keyPrefix}:${id}`
  const statuses = Object.keys(next) as S[]
  const allowedFrom = (to: S) => statuses.filter((s) => next[s].includes(to)).join(',')
  return {
    keyOf: key,
    async create(id, data, status, detail) {
      const now = clock().toISOString()
      const entry = JSON.stringify({ status, at: now, ...(detail ? { detail } : {}) })
      return (await redis.eval(createScript, 1, key(id), JSON.stringify(data), status, now, entry)) === 1
    },
    async get(id) {
      const [[, hash], [, history]] = (await redis.multi().hgetall(key(id)).lrange(`${key(id)}:history`, 0, -1).exec()) as [[null, Record<string, string>], [null, string[]]]
      if (!hash.data || !hash.status) return undefined
      const fields = Object.fromEntries(Object.entries(hash).filter(([k]) => k.startsWith('f:')).map(([k, v]) => [k.slice(2), v]))
      return { id, data: JSON.parse(hash.data) as D, status: hash.status as S, createdAt: hash.createdAt as string, updatedAt: hash.updatedAt as string, fields, history: history.map((h) => JSON.parse(h) as HistoryEntry<S>) }
    },
    async transition(id, to, options = {}) {
      const now = clock().toISOString()
      const entry = JSON.stringify({ status: to, at: now, ...(options.detail ? { detail: options.detail } : {}) })
      const pairs = [...Object.entries(options.fields ?? {}), ...Object.entries(options.entryFields ?? {}).map(([k, v]) => [`${k}:#`, v])].flat()
      const [ok, from, position] = (await redis.eval(transitionScript, 1, key(id), to, now, entry, allowedFrom(to), ...pairs)) as [number, string, number?]
      return { ok: ok === 1, from: (from || undefined) as S | undefined, ...(position === undefined ? {} : { position }) }
    },
    async reopen(id, from, to, detail) {
      const now = clock().toISOString()
      const entry = JSON.stringify({ status: to, at: now, detail })
      const [ok] = (await redis.eval(transitionScript, 1, key(id), to, now, entry, from)) as [number, string]
      return ok === 1
    },
    async setFields(id, fields) {
      const pairs = Object.entries(fields).flatMap(([k, v]) => [`f:${k}`, v])
      if (pairs.length > 0) await redis.hset(key(id), ...pairs)
    },
    async keepField(id, name, value) {
      const [, [, kept]] = (await redis.multi().hsetnx(key(id), `f:${name}`, value).hget(key(id), `f:${name}`).exec()) as [unknown, [null, string]]
      return kept
    },
  }
}
