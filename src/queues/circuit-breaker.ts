// Circuit breaker per (target, credential), shared in Redis: after `failureThreshold` consecutive
// retryable failures it opens for `cooldownMs`; jobs wait meanwhile; then one probe is let through
// (half-open) and its outcome closes or re-opens it (design §5). The Lua is in lua/circuit.ts, which
// the delivery processor's claim and finish scripts share.
import type { Redis } from 'ioredis'
import { defineScript } from '../redis/script.ts'
import { circuitKey, circuitLua } from './lua/circuit.ts'

export type CircuitSettings = { failureThreshold: number; cooldownMs: number }
export type CircuitBreaker = {
  /** 0: go ahead; otherwise how long to wait before asking again. */
  admit(key: string, settings: CircuitSettings): Promise<number>
  success(key: string): Promise<void>
  failure(key: string, settings: CircuitSettings): Promise<void>
}

const admitScript = `${circuitLua}
return circuit_admit(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))`

const failureScript = `${circuitLua}
return circuit_failure(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))`

export function createCircuitBreaker(redis: Redis, prefix: string, now: () => number = Date.now): CircuitBreaker {
  const key = (k: string) => circuitKey(prefix, k)
  const admit = defineScript<number>(redis, 'circuit_admit', admitScript, 1)
  const failure = defineScript<number>(redis, 'circuit_failure', failureScript, 1)
  return {
    async admit(k, settings) {
      return Number(await admit(key(k), now(), settings.cooldownMs))
    },
    async success(k) {
      await redis.del(key(k))
    },
    async failure(k, settings) {
      await failure(key(k), now(), settings.failureThreshold, settings.cooldownMs)
    },
  }
}
