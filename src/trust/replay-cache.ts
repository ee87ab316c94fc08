// Remembers every jti until its token expires, shared by all instances through Redis: ModI
// ID_AUTH_REST_02 wants the provider to enforce jti uniqueness (pdnd/FACTS.md "ModI patterns").
import type { Redis } from 'ioredis'

/**
 * Which kind of JWS a jti belongs to; each has its own keys, so that a jti chosen by one party can
 * never burn one of another's: client bearers per client, PDND vouchers per PDND issuer,
 * Agid-JWT-Signatures per client.
 */
export type ReplayNamespace = 'bearer' | 'voucher' | 'signature'

export type ReplayCache = {
  /** True the first time a (namespace, issuer, jti) is seen; false for a replay. */
  firstUse(namespace: ReplayNamespace, issuer: string, jti: string, expiresAtSeconds: number): Promise<boolean>
}

// Bearers keep the key they always had, so that instances of the previous release, running beside
// this one during a rolling deploy, still see each other's bearer jtis.
const roots: Record<ReplayNamespace, string> = { bearer: 'jti', voucher: 'voucher-jti', signature: 'signature-jti' }

export function createReplayCache(redis: Redis, prefix: string): ReplayCache {
  return {
    async firstUse(namespace, issuer, jti, expiresAtSeconds) {
      const ttlMs = Math.max(1000, expiresAtSeconds * 1000 - Date.now())
      return (await redis.set(`${prefix}:${roots[namespace]}:${issuer}:${jti}`, '1', 'PX', ttlMs, 'NX')) === 'OK'
    },
  }
}
