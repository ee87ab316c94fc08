// PDND voucher acceptance, per tenant (pdnd/FACTS.md "Voucher claims, as PDND signs them"):
// RS256, typ at+jwt, iss = the PDND issuer, aud = Snodo's e-service audience, purposeId → client.
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose'
import type { TenantConfig } from '../config-schema.ts'
import { SnodoError } from '../errors.ts'

export type VoucherVerifier = (token: string, tenant: TenantConfig) => Promise<{ clientId: string; purposeId: string }>

export function createVoucherVerifier(leewaySeconds: number): VoucherVerifier {
  const keySets = new Map<string, JWTVerifyGetKey>()
  const keysFor = (url: string) => {
    let keys = keySets.get(url)
    if (!keys) keySets.set(url, (keys = createRemoteJWKSet(new URL(url))))
    return keys
  }
  return async (token, tenant) => {
    const pdnd = tenant.pdnd
    if (!pdnd) throw new SnodoError('voucher_invalid', `Tenant ${tenant.id} does not accept PDND vouchers`)
    let payload
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
    const purposeId = String(payload.purposeId)
    const clientId = pdnd.purposes[purposeId]
    if (!clientId) throw new SnodoError('voucher_invalid', `purposeId ${purposeId} is not mapped to a client of tenant ${tenant.id}`)
    return { clientId, purposeId }
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
