// One test per way a bearer token can be wrong (ModI ID_AUTH_REST_02), each with its exact code.
import { createPublicKey, randomUUID } from 'node:crypto'
import { type JWTPayload, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../../../test/support/contract.ts'
import { aClientKey, createTestApp, publicUrl, type TestApp } from '../../../test/support/test-app.ts'
import { aToken, base64url, bearer, nowSeconds } from '../../../test/support/tokens.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const tenantPath = '/v1/tenants/comune-a'

async function getTenant(init: RequestInit, path = tenantPath) {
  const res = await t.app.request(path, init)
  await expectConforms(res, 'GET', '/v1/tenants/{tenantId}')
  return res
}

async function expectRefused(init: RequestInit, code: string, path = tenantPath) {
  const problem = await expectProblem(await getTenant(init, path), 401, code)
  expect(problem.detail).not.toMatch(/\n\s+at /)
}

describe('bearer token checks', () => {
  it('accepts a well-formed token', async () => {
    const res = await getTenant(bearer(await aToken(t.clients.portal)))
    expect(res.status).toBe(200)
    expect((await res.json()).access.clientId).toBe('portal')
  })

  it('no token → token_missing', () => expectRefused({}, 'token_missing'))

  it('not a bearer JWS → token_malformed', async () => {
    await expectRefused({ headers: { authorization: 'Basic dXNlcjpwYXNz' } }, 'token_malformed')
    await expectRefused(bearer('abc.def.ghi'), 'token_malformed')
  })

  it('alg none → token_algorithm_not_allowed', async () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ iss: 'portal', sub: 'portal', aud: publicUrl, jti: randomUUID(), iat: nowSeconds(), exp: nowSeconds() + 60 })}.`
    await expectRefused(bearer(unsigned), 'token_algorithm_not_allowed')
  })

  it('HS256 keyed with the bytes of the client public key → token_algorithm_not_allowed', async () => {
    // The classic key-confusion attack: the public key, which anyone has, used as an HMAC secret.
    const pem = createPublicKey({ key: t.clients.portal.publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' })
    const token = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: t.clients.portal.publicJwk.kid })
      .setIssuer('portal')
      .setSubject('portal')
      .setAudience(publicUrl)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(String(pem)))
    await expectRefused(bearer(token), 'token_algorithm_not_allowed')
  })

  it('unknown kid → token_key_unknown', async () => {
    await expectRefused(bearer(await aToken(t.clients.portal, {}, { kid: 'not-a-registered-kid' })), 'token_key_unknown')
  })

  it('no kid → token_key_unknown, even though the client has a key that would verify it', async () => {
    // ID_AUTH_REST_02: the kid names the key in the client's JWKS; Snodo never guesses one.
    const token = await aToken(t.clients.portal, {}, { kid: undefined })
    expect(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString())).not.toHaveProperty('kid')
    const problem = await expectProblem(await getTenant(bearer(token)), 401, 'token_key_unknown')
    expect(problem.detail).toBe('The token header has no kid: put the kid of your key in the client JWKS in it')
  })

  it('unknown issuer → token_issuer_unknown', async () => {
    const stranger = await aClientKey('stranger')
    await expectRefused(bearer(await aToken(stranger)), 'token_issuer_unknown')
  })

  it('signed by another key with the registered kid → token_signature_invalid', async () => {
    const impostor = await aClientKey('portal')
    const token = await aToken(t.clients.portal, {}, { kid: t.clients.portal.publicJwk.kid }, impostor)
    await expectRefused(bearer(token), 'token_signature_invalid')
  })

  it('wrong aud → token_audience_invalid', async () => {
    await expectRefused(bearer(await aToken(t.clients.portal, { aud: 'https://another-hub.test' })), 'token_audience_invalid')
  })

  it('aud an array holding Snodo and another audience → token_audience_invalid; holding Snodo alone → accepted', async () => {
    const problem = await expectProblem(
      await getTenant(bearer(await aToken(t.clients.portal, { aud: [publicUrl, 'https://another-hub.test'] }))),
      401,
      'token_audience_invalid',
    )
    expect(problem.detail).toBe(`aud must be ${publicUrl} alone (a string, or an array holding only it)`)
    await expectRefused(bearer(await aToken(t.clients.portal, { aud: [] })), 'token_audience_invalid')
    expect((await getTenant(bearer(await aToken(t.clients.portal, { aud: [publicUrl] })))).status).toBe(200)
  })

  it('a jti that is an object, empty or a number → token_claims_invalid (no two objects collide as one jti)', async () => {
    const notStrings: unknown[] = [{ a: 1 }, { b: 2 }, '', 42]
    for (const jti of notStrings) {
      const problem = await expectProblem(await getTenant(bearer(await aToken(t.clients.portal, { jti } as JWTPayload))), 401, 'token_claims_invalid')
      expect(problem.detail).toBe('jti must be a non-empty string')
    }
  })

  it('expired (beyond the leeway) → token_expired', async () => {
    const iat = nowSeconds() - 400
    await expectRefused(bearer(await aToken(t.clients.portal, { iat, exp: iat + 300 })), 'token_expired')
  })

  it('iat in the future (beyond the leeway) → token_issued_in_future', async () => {
    const iat = nowSeconds() + 120
    await expectRefused(bearer(await aToken(t.clients.portal, { iat, exp: iat + 60 })), 'token_issued_in_future')
  })

  it('exp more than 300 s after iat → token_lifetime_too_long', async () => {
    const iat = nowSeconds()
    await expectRefused(bearer(await aToken(t.clients.portal, { iat, exp: iat + 301 })), 'token_lifetime_too_long')
  })

  it('iss different from sub, or no jti → token_claims_invalid', async () => {
    await expectRefused(bearer(await aToken(t.clients.portal, { sub: 'someone-else' })), 'token_claims_invalid')
    await expectRefused(bearer(await aToken(t.clients.portal, { jti: undefined })), 'token_claims_invalid')
  })

  it('the same jti twice → token_replayed', async () => {
    const token = await aToken(t.clients.portal)
    expect((await getTenant(bearer(token))).status).toBe(200)
    await expectRefused(bearer(token), 'token_replayed')
  })

  it('a leeway-tolerated clock skew is accepted', async () => {
    const iat = nowSeconds() + 20
    expect((await getTenant(bearer(await aToken(t.clients.portal, { iat, exp: iat + 60 })))).status).toBe(200)
  })

  it('a voucher-typed token on a tenant segment that does not percent-decode → voucher_invalid, not a 500', async () => {
    await expectRefused(bearer(await aToken(t.clients.portal, {}, { typ: 'at+jwt' })), 'voucher_invalid', '/v1/tenants/%E0%A4%A')
  })
})
