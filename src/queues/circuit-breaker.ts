// Circuit breaker per (target, credential), shared in Redis: after `failureThreshold` consecutive
// retryable failures it opens for `cooldownMs`; jobs wait meanwhile; then one probe is let through
// (half-open) and its outcome closes or re-opens it (design §5).
import type { Redis } from 'ioredis'

export type CircuitSettings = { failureThreshold: number; cooldownMs: number }
export type CircuitBreaker = {
  /** 0: go ahead; otherwise how long to wait before asking again. */
  admit(key: string, settings: CircuitSettings): Promise<number>
  success(key: string): Promise<void>
  failure(key: string, settings: CircuitSettings): Promise<void>
}

const admitScript = `
local k, now, cooldown = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
local openUntil = tonumber(redis.call('HGET', k, 'openUntil') or 0)
if openUntil == 0 then return 0 end
if now < openUntil then return openUntil - now end
-- Half-open: the first caller becomes the probe; the others wait for its outcome.
if redis.call('HSETNX', k, 'probe', now) == 1 then return 0 end
local probeAt = tonumber(redis.call('HGET', k, 'probe'))
if now - probeAt > cooldown then redis.call('HSET', k, 'probe', now) return 0 end
return math.max(100, math.floor(cooldown / 4))`

const failureScript = `
local k, now, threshold, cooldown = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local failures = redis.call('HINCRBY', k, 'failures', 1)
if failures >= threshold or redis.call('HEXISTS', k, 'probe') == 1 then
  redis.call('HSET', k, 'openUntil', now + cooldown)
  redis.call('HDEL', k, 'probe')
end
redis.call('PEXPIRE', k, cooldown * 10)
return failures`

export function createCircuitBreaker(redis: Redis, prefix: string, now: () => number = Date.now): CircuitBreaker {
  const key = (k: string) => `${prefix}:circuit:${k}`
  return {
    async admit(k, settings) {
      return Number(await redis.eval(admitScript, 1, key(k), now(), settings.cooldownMs))
    },
    async success(k) {
      await redis.del(key(k))
    },
    async failure(k, settings) {
      await redis.eval(failureScript, 1, key(k), now(), settings.failureThreshold, settings.cooldownMs)
    },
  }
}
