// Token bucket per (target, credential) in Redis, shared by every worker (design §5). An empty
// bucket answers how long to wait: the engine delays the job by that much instead of failing it.
// The Lua is in lua/bucket.ts, which the delivery processor's claim script shares.
import type { Redis } from 'ioredis'
import { defineScript } from '../redis/script.ts'
import { bucketKey, bucketLua } from './lua/bucket.ts'

export type RateLimit = { perSecond: number; burst: number }
export type TokenBucket = { take(key: string, limit: RateLimit): Promise<number> }

const takeScript = `${bucketLua}
return bucket_take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))`

export function createTokenBucket(redis: Redis, prefix: string, now: () => number = Date.now): TokenBucket {
  const take = defineScript<number>(redis, 'bucket_take', takeScript, 1)
  return {
    async take(key, limit) {
      return Number(await take(bucketKey(prefix, key), limit.perSecond, limit.burst, now()))
    },
  }
}
