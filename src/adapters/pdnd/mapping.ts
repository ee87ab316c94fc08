// Snodo's voucher request ↔ PDND's token endpoint (authorizationServerApi.yml, pdnd/FACTS.md "Voucher
// (access token) request" and "client_assertion JWT"). Upstream shapes stay in this file.
import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'

/** The client's private key, as jose signs with it. */
export type SigningKey = Parameters<SignJWT['sign']>[0]

export type AssertionIdentity = {
  clientId: string
  /** The PDND key id: the JWK thumbprint assigned when the public key was uploaded. */
  kid: string
  /** Audience of the client assertion, e.g. auth.interop.pagopa.it/client-assertion. */
  audience: string
}

/** The client assertion for one purpose, signed at `iat` (seconds). */
export function signClientAssertion(identity: AssertionIdentity, purposeId: string, key: SigningKey, iat: number): Promise<string> {
  // PDND accepts only RS256 assertions and allows no clock skew: iat = now, short exp.
  return new SignJWT({ purposeId })
    .setProtectedHeader({ alg: 'RS256', kid: identity.kid, typ: 'JWT' })
    .setIssuer(identity.clientId)
    .setSubject(identity.clientId)
    .setAudience(identity.audience)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + 300)
    .sign(key)
}

/** The AccessTokenRequest form: client_id is optional on the wire but must equal `sub`, so it is sent. */
export function tokenRequestForm(clientId: string, assertion: string): URLSearchParams {
  return new URLSearchParams({
    client_id: clientId,
    client_assertion: assertion,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    grant_type: 'client_credentials',
  })
}

/** A 200 answer's ClientCredentialsResponse: the voucher and its lifetime in seconds. */
export function readTokenAnswer(text: string): { token: string; expiresIn: number } {
  const body = JSON.parse(text) as { access_token: string; expires_in: number }
  return { token: body.access_token, expiresIn: body.expires_in }
}
