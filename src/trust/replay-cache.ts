// Remembers every bearer jti until its token expires, shared by all instances through Redis.
import type { Redis } from 'ioredis'

export type ReplayCache = {
  /** True the first time a (issuer, jti) pair is seen; false for a replay. */
  firstUse(issuer: string, jti: string, expiresAtSeconds: number): Promise<boolean>
}

export function createReplayCache(redis: Redis, prefix: string): ReplayCache {
  return {
    async firstUse(issuer, jti, expiresAtSeconds) {
      const ttlMs = Math.max(1000, expiresAtSeconds * 1000 - Date.now())
      return (await redis.set(`${prefix}:jti:${issuer}:${jti}`, '1', 'PX', ttlMs, 'NX')) === 'OK'
    },
  }
}
