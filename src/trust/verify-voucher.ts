// PDND voucher acceptance, per tenant (pdnd/FACTS.md "Voucher claims, as PDND signs them"):
// RS256, typ at+jwt, iss = the PDND issuer, aud = Snodo's e-service audience, purposeId → client.
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose'
import type { TenantConfig } from '../config/schema.ts'
import { SnodoError } from '../errors.ts'
import { isJti } from './claims.ts'
import type { ReplayCache } from './replay-cache.ts'

export type VoucherVerifier = (
  token: string,
  tenant: TenantConfig,
  replay: ReplayCache,
) => Promise<{ clientId: string; purposeId: string; pdndClientId: string; audience: string }>

/**
 * With PDND the voucher *is* the ID_AUTH_REST_02 token (pdnd/FACTS.md "ModI patterns"), so its jti
 * is one-use like a client bearer's: a consumer asks PDND for a voucher per request. Its lifetime is
 * not held to auth.maxTokenLifetimeSeconds: PDND sets it from the e-service's voucher lifespan (the
 * sandbox's PDND gives 600 s), the consumer cannot choose it, and the jti is remembered until exp
 * whatever it is. aud may be an array: PDND signs the e-service's audience list, which the provider
 * (Snodo's operator) registered, so any other entry is Snodo's too.
 */
export function createVoucherVerifier(leewaySeconds: number): VoucherVerifier {
  const keySets = new Map<string, JWTVerifyGetKey>()
  const keysFor = (url: string) => {
    let keys = keySets.get(url)
    if (!keys) keySets.set(url, (keys = createRemoteJWKSet(new URL(url))))
    return keys
  }
  return async (token, tenant, replay) => {
    const pdnd = tenant.pdnd
    if (!pdnd) throw new SnodoError('voucher_invalid', `Tenant ${tenant.id} does not accept PDND vouchers`)
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, keysFor(pdnd.jwksUrl), {
        algorithms: ['RS256'],
        typ: 'at+jwt',
        issuer: pdnd.issuer,
        audience: pdnd.audience,
        clockTolerance: leewaySeconds,
        requiredClaims: ['exp', 'iat', 'jti', 'purposeId', 'client_id'],
      }))
    } catch (error) {
      throw new SnodoError('voucher_invalid', voucherFailure(error))
    }
    if (!isJti(payload.jti)) throw new SnodoError('voucher_invalid', 'The voucher jti must be a non-empty string')
    const now = Math.floor(Date.now() / 1000)
    if ((payload.iat as number) > now + leewaySeconds)
      throw new SnodoError('voucher_invalid', `The voucher iat ${payload.iat} is after now (${now}) plus the leeway`)
    const purposeId = String(payload.purposeId)
    const clientId = Object.hasOwn(pdnd.purposes, purposeId) ? pdnd.purposes[purposeId] : undefined
    if (!clientId) throw new SnodoError('voucher_invalid', `purposeId ${purposeId} is not mapped to a client of tenant ${tenant.id}`)
    // Last, so that a voucher refused for another reason leaves its jti unspent.
    if (!(await replay.firstUse('voucher', pdnd.issuer, payload.jti, (payload.exp as number) + leewaySeconds))) {
      throw new SnodoError('token_replayed', 'This voucher was already used: ask PDND for a new voucher for every request')
    }
    return { clientId, purposeId, pdndClientId: String(payload.client_id), audience: pdnd.audience }
  }
}

function voucherFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The voucher has expired: request a new one from PDND'
  if (error instanceof errors.JWTClaimValidationFailed) return `Voucher claim ${error.claim} rejected: ${error.message}`
  if (error instanceof errors.JWKSNoMatchingKey) return 'The voucher kid is not among the PDND keys'
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The voucher signature does not verify with the PDND keys'
  if (error instanceof errors.JOSEError) return `The voucher could not be verified: ${error.message}`
  return 'The voucher could not be verified'
}
