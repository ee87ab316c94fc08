// ModI wire helpers shared by Snodo, its CLI and its TypeScript client (pdnd/FACTS.md "ModI patterns"):
// ID_AUTH_REST_02 bearer tokens and INTEGRITY_REST_01 Digest + Agid-JWT-Signature.
import { createHash, randomUUID } from 'node:crypto'
import { type CryptoKey, type JWK, type KeyObject, SignJWT } from 'jose'

export const allowedAlgorithms = ['RS256', 'ES256', 'EdDSA'] as const
export type AllowedAlgorithm = (typeof allowedAlgorithms)[number]

export type SigningKey = { kid: string; alg: AllowedAlgorithm; key: CryptoKey | KeyObject }

/** RFC 3230 instance digest, base64 as in the ModI example (not hex). */
export function digestOf(body: Uint8Array | string): string {
  return `SHA-256=${createHash('sha256').update(body).digest('base64')}`
}

/** The same Digest from a SHA-256 already known as hex (a stored document's name). */
export function digestOfSha256(hex: string): string {
  return `SHA-256=${Buffer.from(hex, 'hex').toString('base64')}`
}

export function algorithmOf(jwk: JWK): AllowedAlgorithm {
  if (jwk.alg && (allowedAlgorithms as readonly string[]).includes(jwk.alg)) return jwk.alg as AllowedAlgorithm
  if (jwk.kty === 'RSA') return 'RS256'
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256'
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA'
  throw new Error(`unsupported key type ${jwk.kty}/${jwk.crv ?? ''}`)
}

/** ID_AUTH_REST_02: iss = sub = client id, aud = Snodo, short exp, fresh jti. */
export function signBearerToken(key: SigningKey, claims: { clientId: string; audience: string; lifetimeSeconds?: number; now?: number }) {
  const iat = claims.now ?? Math.floor(Date.now() / 1000)
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(claims.clientId)
    .setSubject(claims.clientId)
    .setAudience(claims.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (claims.lifetimeSeconds ?? 60))
    .setJti(randomUUID())
    .sign(key.key)
}

export type SignedHeaders = { digest: string; 'content-type': string }

/**
 * INTEGRITY_REST_01: a JWS whose signed_headers bind the Digest and Content-Type actually sent, with
 * a jti of its own (never the bearer's). A client signing a request keeps the lifetime as short as
 * its bearer's, within auth.maxTokenLifetimeSeconds; Snodo's answers keep 300 s.
 */
export function signIntegrity(key: SigningKey, claims: { issuer: string; audience: string; headers: SignedHeaders; lifetimeSeconds?: number; now?: number }) {
  const iat = claims.now ?? Math.floor(Date.now() / 1000)
  return new SignJWT({ signed_headers: [{ digest: claims.headers.digest }, { 'content-type': claims.headers['content-type'] }] })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (claims.lifetimeSeconds ?? 300))
    .setJti(randomUUID())
    .sign(key.key)
}

/**
 * Compares signed_headers with what was actually sent: every header we require must be signed, and
 * every signed header must equal the one received. Returns the first disagreement, or undefined.
 */
export function signedHeadersMismatch(signed: unknown, actual: Record<string, string | undefined>, required: string[]): string | undefined {
  if (!Array.isArray(signed)) return 'signed_headers is not an array'
  const values = new Map<string, string>()
  for (const entry of signed) {
    if (!entry || typeof entry !== 'object' || Object.keys(entry).length !== 1) return 'each signed_headers entry must be a single-key object'
    const [name, value] = Object.entries(entry)[0] as [string, unknown]
    if (typeof value !== 'string') return `signed header ${name} is not a string`
    // Which of two values was signed for the header? Neither is trusted, rather than the last one.
    if (values.has(name.toLowerCase())) return `signed_headers names ${name.toLowerCase()} more than once`
    values.set(name.toLowerCase(), value)
  }
  for (const name of required) if (!values.has(name)) return `${name} is not among the signed headers`
  for (const [name, value] of values) {
    if (actual[name] !== value) return `signed ${name} "${value}" differs from the one sent "${actual[name] ?? ''}"`
  }
  return undefined
}
