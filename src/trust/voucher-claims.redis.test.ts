// Voucher claims PDND's simulator never signs (a jti that is not a string, an iat ahead of the
// clock), signed here with a PDND key this test owns, served as PDND serves its JWKS.
import { randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../../test/support/contract.ts'
import { anIntegritySignature } from '../../test/support/signed.ts'
import { createTestApp, publicUrl, type TestApp } from '../../test/support/test-app.ts'
import { aToken, bearer, nowSeconds } from '../../test/support/tokens.ts'
import { type RunningSimulator, startSimulator } from '../adapters/simulator/harness.ts'
import { digestOf } from './modi.ts'

const issuer = 'pdnd-claims.test'
const audience = `${publicUrl}/eservice`
const purposeId = randomUUID()
let t: TestApp
let jwks: RunningSimulator
let sign: (claims: JWTPayload) => Promise<string>

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256')
  const publicJwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  jwks = await startSimulator(new Hono().get('/.well-known/jwks.json', (c) => c.json({ keys: [{ ...publicJwk, kid, alg: 'RS256', use: 'sig' }] })))
  t = await createTestApp({
    tenantOverrides: { pdnd: { issuer, jwksUrl: `${jwks.url}/.well-known/jwks.json`, audience, purposes: { [purposeId]: 'portal' } } },
  })
  sign = async (claims) => {
    const iat = nowSeconds()
    const payload = {
      jti: randomUUID(),
      iss: issuer,
      aud: audience,
      client_id: 'pdnd-client',
      sub: 'pdnd-client',
      purposeId,
      iat,
      nbf: iat,
      exp: iat + 600,
      ...claims,
    }
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', use: 'sig', typ: 'at+jwt', kid } as { alg: string }).sign(privateKey)
  }
})
afterAll(async () => {
  await t.close()
  await jwks.close()
})

async function getTenant(token: string) {
  const res = await t.app.request('/v1/tenants/comune-a', bearer(token))
  await expectConforms(res, 'GET', '/v1/tenants/{tenantId}')
  return res
}

describe('voucher claims', () => {
  it('a well-formed voucher is accepted, with a 600 s lifetime (PDND sets it, not the consumer)', async () => {
    expect((await getTenant(await sign({}))).status).toBe(200)
  })

  it('a jti that is an object, empty or a number → voucher_invalid', async () => {
    const notStrings: unknown[] = [{ a: 1 }, '', 42]
    for (const jti of notStrings) {
      const problem = await expectProblem(await getTenant(await sign({ jti } as JWTPayload)), 401, 'voucher_invalid')
      expect(problem.detail).toBe('The voucher jti must be a non-empty string')
    }
  })

  it('an iat ahead of the clock beyond the leeway → voucher_invalid', async () => {
    const iat = nowSeconds() + 120
    const problem = await expectProblem(await getTenant(await sign({ iat, nbf: iat - 120, exp: iat + 600 })), 401, 'voucher_invalid')
    expect(problem.detail).toMatch(/^The voucher iat \d+ is after now/)
  })

  it('PDND may sign the e-service audience list: an array with Snodo’s e-service audience is accepted', async () => {
    expect((await getTenant(await sign({ aud: [audience, `${publicUrl}/eservice-v2`] }))).status).toBe(200)
  })

  it('a voucher jti lives apart from client bearer jtis: the same value in both is no replay', async () => {
    const jti = randomUUID()
    expect((await getTenant(await aToken(t.clients.portal, { jti }))).status).toBe(200)
    expect((await getTenant(await sign({ jti }))).status).toBe(200)
    await expectProblem(await getTenant(await sign({ jti })), 401, 'token_replayed')
  })

  it('under a voucher the Agid-JWT-Signature may carry INTEGRITY_REST_02’s iss and aud (PDND client_id, e-service); nobody else’s', async () => {
    const body = JSON.stringify({ hello: 'voucher' })
    const headers = { digest: digestOf(body), 'content-type': 'application/json' }
    const echo = async (claims: JWTPayload) => {
      const signature = await anIntegritySignature(t.clients.portal, headers, claims)
      return t.app.request('/v1/tenants/comune-a/echo', {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${await sign({})}`, ...headers, 'agid-jwt-signature': signature },
      })
    }
    expect((await echo({ iss: 'pdnd-client', aud: audience })).status).toBe(200)
    expect((await echo({})).status).toBe(200)
    const foreign = await expectProblem(await echo({ iss: 'another-pdnd-client' }), 401, 'signature_invalid')
    expect(foreign.detail).toBe('Agid-JWT-Signature: iss must be portal or pdnd-client, the client that sent the bearer token')
    await expectProblem(await echo({ aud: 'https://another-eservice.test' }), 401, 'signature_invalid')
  })
})
