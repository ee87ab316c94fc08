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

/**
 * What a move answers. The record is the resource as the script left it (the move applied, or the
 * status that refused it), read in the same script: whatever else writes the resource at that moment
 * is either wholly in it or wholly after it, so no caller has to read back what it just wrote.
 */
export type Transition<D, S extends string> =
  | { ok: true; from: S; position: number; record: StoredResource<D, S> }
  | { ok: false; from: S; record: StoredResource<D, S> }
  /** No such resource. */
  | { ok: false; from?: undefined; record?: undefined }

export type StatusStore<D, S extends string> = {
  /** The Redis key of a resource's record: it exists once create() wrote it. */
  keyOf(id: string): string
  /**
   * Writes the resource unless one with this id exists already (`created` false): the record answered
   * is the one written, or the one that was there, read in the same script.
   */
  create(id: string, data: D, status: S, detail?: string): Promise<{ created: boolean; record: StoredResource<D, S> }>
  get(id: string): Promise<StoredResource<D, S> | undefined>
  /**
   * `entryFields` are about the history entry this move adds: each is stored as `<name>:<position>`,
   * its position in the history, in the same script (so the entry and its fields exist together).
   * A move answers that position.
   */
  transition(id: string, to: S, options?: { detail?: string; fields?: Record<string, string>; entryFields?: Record<string, string> }): Promise<Transition<D, S>>
  /** The one way back: an operator's replay reopens a resource whose delivery had died. */
  reopen(id: string, from: S, to: S, detail: string): Promise<boolean>
  setFields(id: string, fields: Record<string, string>): Promise<void>
  /** Sets a field unless it holds a value already; answers the value it holds now. */
  keepField(id: string, name: string, value: string): Promise<string>
}

// One that exists already is answered as it is (its hash and history), in the same script.
const createScript = `
if redis.call('HSETNX', KEYS[1], 'data', ARGV[1]) == 0 then return {0, redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[1] .. ':history', 0, -1)} end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'createdAt', ARGV[3], 'updatedAt', ARGV[3])
redis.call('RPUSH', KEYS[1] .. ':history', ARGV[4])
return {1}`

// A field name ending in ':#' is about the new history entry: '#' becomes its position. The record
// (hash and history) comes back from the script itself, so it is exactly what this move left.
const transitionScript = `
local k, to, now, entry, allowed = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local cur = redis.call('HGET', k, 'status')
if not cur then return {0, ''} end
local function record() return redis.call('HGETALL', k), redis.call('LRANGE', k .. ':history', 0, -1) end
if not string.find(',' .. allowed .. ',', ',' .. cur .. ',', 1, true) then return {0, cur, -1, record()} end
redis.call('HSET', k, 'status', to, 'updatedAt', now)
local position = redis.call('RPUSH', k .. ':history', entry) - 1
for i = 5, #ARGV, 2 do
  local name = ARGV[i]
  if string.sub(name, -2) == ':#' then name = string.sub(name, 1, -2) .. position end
  redis.call('HSET', k, 'f:' .. name, ARGV[i + 1])
end
return {1, cur, position, record()}`

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

/** A resource from its hash and history, as HGETALL and LRANGE give them. */
function recordOf<D, S extends string>(id: string, hash: Record<string, string>, history: string[]): StoredResource<D, S> | undefined {
  if (!hash.data || !hash.status) return undefined
  const fields = Object.fromEntries(
    Object.entries(hash)
      .filter(([k]) => k.startsWith('f:'))
      .map(([k, v]) => [k.slice(2), v]),
  )
  return {
    id,
    data: JSON.parse(hash.data) as D,
    status: hash.status as S,
    createdAt: hash.createdAt as string,
    updatedAt: hash.updatedAt as string,
    fields,
    history: history.map((h) => JSON.parse(h) as HistoryEntry<S>),
  }
}

/** A hash as a script answers it (HGETALL inside Lua: a flat list of names and values). */
const hashOf = (flat: string[]) =>
  Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]])) as Record<string, string>

export function createStatusStore<D, S extends string>(redis: Redis, keyPrefix: string, next: Transitions<S>, clock: () => Date): StatusStore<D, S> {
  const key = (id: string) => `${keyPrefix}:${id}`
  const statuses = Object.keys(next) as S[]
  const allowedFrom = (to: S) => statuses.filter((s) => next[s].includes(to)).join(',')
  return {
    keyOf: key,
    async create(id, data, status, detail) {
      const now = clock().toISOString()
      const entry = { status, at: now, ...(detail ? { detail } : {}) }
      const [created, hash, history] = (await redis.eval(createScript, 1, key(id), JSON.stringify(data), status, now, JSON.stringify(entry))) as [
        number,
        string[]?,
        string[]?,
      ]
      if (created === 1) return { created: true, record: { id, data, status, createdAt: now, updatedAt: now, fields: {}, history: [entry] } }
      const existing = recordOf<D, S>(id, hashOf(hash ?? []), history ?? [])
      // HSETNX refused: the data is there, and the status with it (both written by this one script).
      if (!existing) throw new Error(`resource ${key(id)} has data but no status`)
      return { created: false, record: existing }
    },
    async get(id) {
      const [[, hash], [, history]] = (await redis
        .multi()
        .hgetall(key(id))
        .lrange(`${key(id)}:history`, 0, -1)
        .exec()) as [[null, Record<string, string>], [null, string[]]]
      return recordOf<D, S>(id, hash, history)
    },
    async transition(id, to, options = {}) {
      const now = clock().toISOString()
      const entry = JSON.stringify({ status: to, at: now, ...(options.detail ? { detail: options.detail } : {}) })
      const pairs = [...Object.entries(options.fields ?? {}), ...Object.entries(options.entryFields ?? {}).map(([k, v]) => [`${k}:#`, v])].flat()
      const [ok, from, position, hash, history] = (await redis.eval(transitionScript, 1, key(id), to, now, entry, allowedFrom(to), ...pairs)) as [
        number,
        string,
        number?,
        string[]?,
        string[]?,
      ]
      const record = hash && history ? recordOf<D, S>(id, hashOf(hash), history) : undefined
      // A status without data is no resource (as get() sees it): the move is answered as for none.
      if (!from || !record) return { ok: false }
      return ok === 1 ? { ok: true, from: from as S, position: position as number, record } : { ok: false, from: from as S, record }
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
