// Pausing a target, for one tenant or all: jobs stay queued (delayed, "parked"), never failed, and
// resume releases them at once (design §5). Pauses live in Redis, so every worker sees them.
import type { Redis } from 'ioredis'
import { pauseField, pausesKey as pausesKeyOf } from './lua/pause.ts'

export type Pause = { target: string; tenant?: string; reason: string; by: string; at: string }

export type Parked = { jobId: string; tenant: string; operation: string }

export type Pauses = {
  pause(p: Pause): Promise<void>
  /** Answers the jobs parked under the lifted pause, for the engine to release. */
  resume(target: string, tenant?: string): Promise<{ wasPaused: boolean; parked: Parked[] }>
  park(target: string, parked: Parked): Promise<void>
  /** Takes a job off the parked list without a resume (its own worker released it). */
  unpark(target: string, jobId: string): Promise<void>
  /** Whether a pause covers the target for this tenant: the whole target's or the tenant's own. */
  covers(target: string, tenant: string): Promise<boolean>
  list(): Promise<Pause[]>
}

export function createPauses(redis: Redis, prefix: string): Pauses {
  // The delivery processor's claim script reads the same hash (lua/pause.ts).
  const pausesKey = pausesKeyOf(prefix)
  const field = pauseField
  const parkedKey = (target: string) => `${prefix}:parked:${target}`
  return {
    async pause(p) {
      await redis.hset(pausesKey, field(p.target, p.tenant), JSON.stringify(p))
    },
    async resume(target, tenant) {
      const removed = await redis.hdel(pausesKey, field(target, tenant))
      const parked = Object.values(await redis.hgetall(parkedKey(target))).map((v) => JSON.parse(v) as Parked)
      const stillPaused = new Set(await redis.hkeys(pausesKey))
      // A job stays parked while a pause still covers it (the global one, or its tenant's).
      const released = parked.filter((p) => !stillPaused.has(field(target)) && !stillPaused.has(field(target, p.tenant)))
      if (released.length > 0) await redis.hdel(parkedKey(target), ...released.map((p) => p.jobId))
      return { wasPaused: removed === 1, parked: released }
    },
    async park(target, parked) {
      await redis.hset(parkedKey(target), parked.jobId, JSON.stringify(parked))
    },
    async unpark(target, jobId) {
      await redis.hdel(parkedKey(target), jobId)
    },
    async covers(target, tenant) {
      return (await redis.hmget(pausesKey, field(target), field(target, tenant))).some((found) => found !== null)
    },
    async list() {
      return Object.values(await redis.hgetall(pausesKey)).map((v) => JSON.parse(v) as Pause)
    },
  }
}
