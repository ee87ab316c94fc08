// Builds signed requests for app.request(), with a hook to break any part on purpose. Every call
// signs anew: Snodo takes each bearer, voucher and Agid-JWT-Signature jti once.
import { randomUUID } from 'node:crypto'
import { type JWTPayload, SignJWT } from 'jose'
import { importSigningKey, signRequest } from '../../src/client/index.ts'
import type { SignedHeaders } from '../../src/trust/modi.ts'
import { publicUrl, type TestClient } from './test-app.ts'
import { nowSeconds } from './tokens.ts'

export async function signedInit(
  client: TestClient,
  init: { method?: string; body?: string | object; contentType?: string; headers?: Record<string, string> } = {},
): Promise<RequestInit> {
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body)
  const key = await importSigningKey(client.privateJwk)
  const headers = await signRequest(key, { clientId: client.clientId, audience: publicUrl }, body, init.contentType)
  return { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers: { ...headers, ...init.headers }, body }
}

/**
 * An Agid-JWT-Signature by `signer` over `headers` with any claim changed (undefined drops it),
 * otherwise as the TypeScript client signs it.
 */
export async function anIntegritySignature(signer: TestClient, headers: SignedHeaders, claims: JWTPayload = {}): Promise<string> {
  const key = await importSigningKey(signer.privateJwk)
  const iat = nowSeconds()
  const signedHeaders = [{ digest: headers.digest }, { 'content-type': headers['content-type'] }]
  const payload = { iss: signer.clientId, aud: publicUrl, iat, exp: iat + 60, jti: randomUUID(), signed_headers: signedHeaders, ...claims }
  const defined = Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined))
  return new SignJWT(defined).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.key)
}
