// ModI INTEGRITY_REST_01 (pdnd/FACTS.md "ModI patterns"): Digest must match the raw bytes, and
// Agid-JWT-Signature, by the same client, must sign digest and content-type with the values actually
// sent. The signature is bound to this request and used once: aud = Snodo, iss = the caller, a jti
// of its own (modi/02_integrity_rest.rst: "jti … per evitare replay attack"), iat/exp held to the
// bearer's bounds.
import { decodeJwt, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose'
import { SnodoError } from '../errors.ts'
import { isJti, isOnlyAudience, lifetimeProblem } from './claims.ts'
import { allowedAlgorithms, digestOf, signedHeadersMismatch } from './modi.ts'
import type { ReplayCache } from './replay-cache.ts'
import { type BearerPolicy, classifyJoseError, requireKid } from './verify-bearer.ts'

export type IntegrityInput = {
  body: Uint8Array
  digest: string | undefined
  signature: string | undefined
  contentType: string | undefined
  /** The request's Authorization header: the signature must be a JWS of its own, not that token. */
  authorization: string | undefined
}

/**
 * The client the request authenticated as: for a PDND voucher, the client its purposeId maps to,
 * whose key signs. `pdnd`: under a voucher, INTEGRITY_REST_02 (pdnd/FACTS.md "ModI patterns") has
 * iss = the PDND client_id and aud = the e-service; either that pair or Snodo's own is taken.
 */
export type Signer = { clientId: string; keys: JWTVerifyGetKey; pdnd?: { clientId: string; audience: string } }
export type IntegrityChecks = BearerPolicy & { replay: ReplayCache; now?: () => number }

export async function verifyIntegrity(input: IntegrityInput, signer: Signer, checks: IntegrityChecks): Promise<void> {
  if (!input.signature) throw new SnodoError('signature_missing', 'A request with a body needs Agid-JWT-Signature (INTEGRITY_REST_01)')
  if (!input.digest) throw new SnodoError('digest_missing', 'A request with a body needs Digest: SHA-256=<base64 of the body>')
  if (input.digest !== digestOf(input.body)) throw new SnodoError('digest_mismatch', 'Digest is not the SHA-256 of the bytes received')
  await verifySignedHeaders(input, signer, checks)
}

const invalid = (detail: string) => new SnodoError('signature_invalid', `Agid-JWT-Signature: ${detail}`)

/**
 * The headers half of INTEGRITY_REST_01, for a body too large to hold: the Digest is compared by the
 * caller once the bytes have streamed past (a mismatch then is `digest_mismatch`, nothing kept).
 */
export async function verifySignedHeaders(input: Omit<IntegrityInput, 'body'>, signer: Signer, checks: IntegrityChecks): Promise<void> {
  if (!input.signature) throw new SnodoError('signature_missing', 'A request with a body needs Agid-JWT-Signature (INTEGRITY_REST_01)')
  if (!input.digest) throw new SnodoError('digest_missing', 'A request with a body needs Digest: SHA-256=<base64 of the body>')
  const bearer = /^Bearer (\S+)$/.exec(input.authorization ?? '')?.[1]
  if (input.signature === bearer) throw invalid('it is the bearer token itself; sign a JWS of its own over the signed headers')
  const now = checks.now?.() ?? Math.floor(Date.now() / 1000)
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(input.signature, requireKid(signer.keys, 'its header'), {
      algorithms: [...allowedAlgorithms],
      clockTolerance: checks.leewaySeconds,
      currentDate: new Date(now * 1000),
      requiredClaims: ['iss', 'iat', 'exp', 'jti'],
    }))
  } catch (error) {
    throw invalid(classifyJoseError(error, checks.audience).message)
  }
  const audiences = [checks.audience, ...(signer.pdnd ? [signer.pdnd.audience] : [])]
  if (!audiences.some((audience) => isOnlyAudience(payload.aud, audience)))
    throw invalid(`aud must be ${audiences.join(' or ')} alone (a string, or an array holding only it)`)
  // INTEGRITY_REST_02: iss = the client id (pdnd/FACTS.md "ModI patterns"), the one whose key signed.
  const issuers = [signer.clientId, ...(signer.pdnd ? [signer.pdnd.clientId] : [])]
  if (!issuers.includes(payload.iss as string)) throw invalid(`iss must be ${issuers.join(' or ')}, the client that sent the bearer token`)
  if (!isJti(payload.jti)) throw invalid('jti must be a non-empty string')
  if (bearer && payload.jti === jtiOf(bearer)) throw invalid('its jti is the bearer token’s; give each JWS a jti of its own')
  const iat = payload.iat as number
  const exp = payload.exp as number
  const lifetime = lifetimeProblem(iat, exp, now, checks)
  if (lifetime === 'issued_in_future') throw invalid(`iat ${iat} is after now (${now}) plus the leeway`)
  if (lifetime === 'lifetime_too_long') throw invalid(`exp must be at most ${checks.maxTokenLifetimeSeconds} s after iat`)
  const mismatch = signedHeadersMismatch(payload.signed_headers, { digest: input.digest, 'content-type': input.contentType }, ['digest', 'content-type'])
  if (mismatch) throw new SnodoError('signed_headers_mismatch', mismatch)
  // Last, so that a signature refused for another reason leaves its jti unspent.
  if (!(await checks.replay.firstUse('signature', signer.clientId, payload.jti, exp + checks.leewaySeconds))) {
    throw new SnodoError('signature_replayed', 'This Agid-JWT-Signature jti was already used: sign a fresh signature for every request')
  }
}

/** The bearer was verified before this runs; its jti is only read here. */
function jtiOf(token: string): unknown {
  try {
    return decodeJwt(token).jti
  } catch {
    return undefined
  }
}
