// The claim checks jose leaves to us, shared by the bearer, the PDND voucher and the
// Agid-JWT-Signature.

/**
 * A jti is a non-empty string. jose's requiredClaims checks only that one is present, and a replay
 * key built from an object made every object the same jti ("[object Object]").
 */
export function isJti(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

/**
 * aud names Snodo and nobody else: the string itself, or an array holding only it (RFC 7519 §4.1.3
 * allows either). jose accepts an array that merely contains it, i.e. a token meant for another
 * service as well.
 */
export function isOnlyAudience(aud: unknown, audience: string): boolean {
  return aud === audience || (Array.isArray(aud) && aud.length === 1 && aud[0] === audience)
}

export type LifetimePolicy = { leewaySeconds: number; maxTokenLifetimeSeconds: number }

/** The bounds of a client-signed JWS (DESIGN §4: exp ≤ 5 min after iat), or what breaks them. */
export function lifetimeProblem(iat: number, exp: number, now: number, policy: LifetimePolicy): 'issued_in_future' | 'lifetime_too_long' | undefined {
  if (iat > now + policy.leewaySeconds) return 'issued_in_future'
  if (exp - iat > policy.maxTokenLifetimeSeconds) return 'lifetime_too_long'
  return undefined
}
