// Token bucket per (target, credential) in Redis, shared by every worker (design §5). An empty
// bucket answers how long to wait: the engine delays the job by that much instead of failing it.
import type { Redis } from 'ioredis'

export type RateLimit = { perSecond: number; burst: number }
export type TokenBucket = { take(key: string, limit: RateLimit): Promise<number> }

// Tokens and the time they were counted live in one hash; refill is computed on each take.
const takeScript = `
local k, rate, burst, now = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens = tonumber(redis.call('HGET', k, 't') or burst)
local at = tonumber(redis.call('HGET', k, 'at') or now)
tokens = math.min(burst, tokens + (now - at) * rate / 1000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
redis.call('HSET', k, 't', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', k, math.ceil(burst * 1000 / rate) + 1000)
return wait`

export function createTokenBucket(redis: Redis, prefix: string, now: () => number = Date.now): TokenBucket {
  return {
    async take(key, limit) {
      return Number(await redis.eval(takeScript, 1, `${prefix}:bucket:${key}`, limit.perSecond, limit.burst, now()))
    },
  }
}
