// ModI ID_AUTH_REST_02 verification of a client-signed bearer token (pdnd/FACTS.md "ModI patterns").
import { decodeJwt, decodeProtectedHeader, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose'
import { type ProblemCode, SnodoError } from '../errors.ts'
import { isJti, isOnlyAudience, lifetimeProblem } from './claims.ts'
import type { ClientRegistry } from './clients.ts'
import { allowedAlgorithms } from './modi.ts'
import type { ReplayCache } from './replay-cache.ts'

export type BearerPolicy = { audience: string; leewaySeconds: number; maxTokenLifetimeSeconds: number }

export type VerifiedBearer = { clientId: string; payload: JWTPayload }

export function parseBearerHeader(header: string | undefined): string {
  if (!header) throw new SnodoError('token_missing', 'Send Authorization: Bearer <JWT signed with your client key>')
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/.exec(header)
  if (!match?.[1]) throw new SnodoError('token_malformed', 'Authorization must be "Bearer" followed by a compact JWS')
  return match[1]
}

/** Reads the unverified header and claims only to choose the key; nothing is trusted before jwtVerify. */
export function peekToken(token: string): { alg: string; typ?: string; iss?: string } {
  try {
    const header = decodeProtectedHeader(token)
    const payload = decodeJwt(token)
    if (typeof header.alg !== 'string') throw new Error('no alg')
    if (!(allowedAlgorithms as readonly string[]).includes(header.alg)) {
      throw new SnodoError('token_algorithm_not_allowed', `alg "${header.alg}" is not one of ${allowedAlgorithms.join(', ')}`)
    }
    return { alg: header.alg, typ: header.typ, iss: payload.iss }
  } catch (error) {
    if (error instanceof SnodoError) throw error
    throw new SnodoError('token_malformed', 'The token is not a decodable JWS with a JSON header and claims')
  }
}

/** The kid must name a key of the client's JWKS: without one, jose would fall back on any key of the client. */
export function requireKid(keys: JWTVerifyGetKey, what: string): JWTVerifyGetKey {
  return (header, jws) => {
    if (!header.kid) throw new SnodoError('token_key_unknown', `${what} has no kid: put the kid of your key in the client JWKS in it`)
    return keys(header, jws)
  }
}

export async function verifyBearer(
  token: string,
  issuer: string | undefined,
  deps: { clients: ClientRegistry; replay: ReplayCache; policy: BearerPolicy; now?: () => number },
): Promise<VerifiedBearer> {
  const client = issuer ? deps.clients.get(issuer) : undefined
  if (!client) throw new SnodoError('token_issuer_unknown', 'The token iss is not a client registered with Snodo')
  const { policy } = deps
  const now = deps.now?.() ?? Math.floor(Date.now() / 1000)
  const keyOfKid = requireKid(client.keys, 'The token header')
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(token, keyOfKid, {
      algorithms: [...allowedAlgorithms],
      issuer: client.id,
      subject: client.id,
      audience: policy.audience,
      clockTolerance: policy.leewaySeconds,
      currentDate: new Date(now * 1000),
      requiredClaims: ['iat', 'exp', 'jti'],
    }))
  } catch (error) {
    throw classifyJoseError(error, policy.audience)
  }
  if (!isOnlyAudience(payload.aud, policy.audience))
    throw new SnodoError('token_audience_invalid', `aud must be ${policy.audience} alone (a string, or an array holding only it)`)
  if (!isJti(payload.jti)) throw new SnodoError('token_claims_invalid', 'jti must be a non-empty string')
  const iat = payload.iat as number
  const exp = payload.exp as number
  const lifetime = lifetimeProblem(iat, exp, now, policy)
  if (lifetime === 'issued_in_future') throw new SnodoError('token_issued_in_future', `iat ${iat} is after now (${now}) plus the leeway`)
  if (lifetime === 'lifetime_too_long') throw new SnodoError('token_lifetime_too_long', `exp must be at most ${policy.maxTokenLifetimeSeconds} s after iat`)
  if (!(await deps.replay.firstUse('bearer', client.id, payload.jti, exp + policy.leewaySeconds))) {
    throw new SnodoError('token_replayed', 'This jti was already used: sign a fresh token for every request')
  }
  return { clientId: client.id, payload }
}

export function classifyJoseError(error: unknown, audience: string): SnodoError {
  if (error instanceof SnodoError) return error
  const [code, detail] = joseErrorCode(error, audience)
  return new SnodoError(code, detail)
}

function joseErrorCode(error: unknown, audience: string): [ProblemCode, string] {
  if (error instanceof errors.JWKSNoMatchingKey) return ['token_key_unknown', 'No key with this kid in the client JWKS']
  if (error instanceof errors.JWKSMultipleMatchingKeys) return ['token_key_unknown', 'The kid matches several keys; give each key its own kid']
  if (error instanceof errors.JWSSignatureVerificationFailed) return ['token_signature_invalid', 'The signature does not verify with the client key']
  if (error instanceof errors.JOSEAlgNotAllowed) return ['token_algorithm_not_allowed', 'The algorithm is not allowed']
  if (error instanceof errors.JWTExpired) return ['token_expired', 'The token has expired']
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return ['token_audience_invalid', `aud must be ${audience}`]
    if (error.claim === 'nbf') return ['token_issued_in_future', 'nbf is in the future']
    return ['token_claims_invalid', error.message]
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return ['token_key_unknown', 'The client JWKS could not be read']
  if (error instanceof errors.JOSEError) return ['token_malformed', error.message]
  return ['token_malformed', 'The token could not be verified']
}
