// Crafts bearer tokens with any claim or header changed, to prove each check refuses what it must.
import { randomUUID } from 'node:crypto'
import { type JWTPayload, SignJWT } from 'jose'
import { createVoucherClient, type VoucherClientOptions } from '../../src/adapters/pdnd/client.ts'
import { importSigningKey } from '../../src/client/index.ts'
import { publicUrl, type TestClient } from './test-app.ts'

export const nowSeconds = () => Math.floor(Date.now() / 1000)

export async function aToken(client: TestClient, claims: JWTPayload = {}, header: Record<string, unknown> = {}, signer: TestClient = client): Promise<string> {
  const key = await importSigningKey(signer.privateJwk)
  const iat = nowSeconds()
  const payload = { iss: client.clientId, sub: client.clientId, aud: publicUrl, iat, exp: iat + 60, jti: randomUUID(), ...claims }
  return new SignJWT(dropUndefined(payload)).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header } as { alg: string }).sign(key.key)
}

export const base64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

export const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } })

function dropUndefined(payload: JWTPayload): JWTPayload {
  return Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined))
}

/**
 * A new PDND voucher on every call. A voucher is one-use at Snodo (its jti is the ID_AUTH_REST_02
 * jti, pdnd/FACTS.md "ModI patterns"), so a test never takes the voucher client's cached one twice.
 */
export const freshVouchers = (options: VoucherClientOptions) => (purposeId: string) => createVoucherClient(options).voucherFor(purposeId)
