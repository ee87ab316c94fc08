// INTEGRITY_REST_01: every way the Digest / Agid-JWT-Signature pair can disagree with the body.
import { randomUUID } from 'node:crypto'
import { decodeJwt, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../../../test/support/contract.ts'
import { anIntegritySignature, signedInit } from '../../../test/support/signed.ts'
import { createTestApp, publicUrl, type TestApp, type TestClient } from '../../../test/support/test-app.ts'
import { nowSeconds } from '../../../test/support/tokens.ts'
import { importSigningKey } from '../../client/index.ts'
import { digestOf, type SignedHeaders, signIntegrity } from '../../trust/modi.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const echoPath = '/v1/tenants/comune-a/echo'
const body = JSON.stringify({ practice: 'residenza', note: 'àèìòù' })

async function post(headers: Record<string, string | undefined>, sent = body) {
  const init = await signedInit(t.clients.portal, { body })
  const merged = Object.fromEntries(Object.entries({ ...(init.headers as Record<string, string>), ...headers }).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >
  const res = await t.app.request(echoPath, { method: 'POST', headers: merged, body: sent })
  await expectConforms(res, 'POST', '/v1/tenants/{tenantId}/echo')
  return res
}

/** An Agid-JWT-Signature by `signer` over the given signed headers, otherwise well-formed. */
async function aSignature(signer: TestClient, headers: SignedHeaders, issuer = signer.clientId) {
  return signIntegrity(await importSigningKey(signer.privateJwk), { issuer, audience: publicUrl, headers })
}

const refused = async (res: Response, code: string) => expectProblem(res, 401, code)

describe('body integrity', () => {
  it('accepts a body whose digest and signed headers match, and echoes the digest', async () => {
    const res = await post({})
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ clientId: 'portal', via: 'client-jwt', digest: digestOf(body), body: JSON.parse(body) })
  })

  it('body without Agid-JWT-Signature → signature_missing', async () => {
    await refused(await post({ 'agid-jwt-signature': undefined }), 'signature_missing')
  })

  it('body without Digest → digest_missing', async () => {
    await refused(await post({ digest: undefined }), 'digest_missing')
  })

  it('bytes other than the digested ones → digest_mismatch', async () => {
    await refused(await post({}, JSON.stringify({ practice: 'residenza', note: 'changed' })), 'digest_mismatch')
  })

  it('signed_headers naming another content-type → signed_headers_mismatch', async () => {
    const signature = await aSignature(t.clients.portal, { digest: digestOf(body), 'content-type': 'text/plain' })
    const problem = await refused(await post({ 'agid-jwt-signature': signature }), 'signed_headers_mismatch')
    expect(problem.detail).toBe('signed content-type "text/plain" differs from the one sent "application/json"')
  })

  it('signed_headers naming another digest → signed_headers_mismatch', async () => {
    const signature = await aSignature(t.clients.portal, { digest: digestOf('{}'), 'content-type': 'application/json' })
    const problem = await refused(await post({ 'agid-jwt-signature': signature }), 'signed_headers_mismatch')
    expect(problem.detail).toBe(`signed digest "${digestOf('{}')}" differs from the one sent "${digestOf(body)}"`)
  })

  it('signature by another client → signature_invalid', async () => {
    const signature = await aSignature(t.clients.other, { digest: digestOf(body), 'content-type': 'application/json' }, 'portal')
    await refused(await post({ 'agid-jwt-signature': signature }), 'signature_invalid')
  })

  it('signature without a kid → signature_invalid, never tried against every key of the client', async () => {
    const key = await importSigningKey(t.clients.portal.privateJwk)
    const payload = decodeJwt(await aSignature(t.clients.portal, { digest: digestOf(body), 'content-type': 'application/json' }))
    const signature = await new SignJWT(payload).setProtectedHeader({ alg: key.alg, typ: 'JWT' }).sign(key.key)
    const problem = await refused(await post({ 'agid-jwt-signature': signature }), 'signature_invalid')
    expect(problem.detail).toMatch(/has no kid/)
  })

  it('signature with another iss than the caller → signature_invalid', async () => {
    const signature = await aSignature(t.clients.portal, { digest: digestOf(body), 'content-type': 'application/json' }, 'other-comune-portal')
    await refused(await post({ 'agid-jwt-signature': signature }), 'signature_invalid')
  })
})

describe('the Agid-JWT-Signature is bound to one request (ModI INTEGRITY_REST_01/02)', () => {
  const sent = { digest: digestOf(body), 'content-type': 'application/json' }
  const withClaims = async (claims: Record<string, unknown>) => post({ 'agid-jwt-signature': await anIntegritySignature(t.clients.portal, sent, claims) })
  const invalid = async (res: Response, detail: string | RegExp) => expect((await refused(res, 'signature_invalid')).detail).toMatch(detail)

  it('as the TypeScript client signs it: iss = the client, aud = Snodo, its own jti, iat, exp 60 s later', async () => {
    const init = await signedInit(t.clients.portal, { body })
    const headers = init.headers as Record<string, string>
    const claims = decodeJwt(headers['agid-jwt-signature'] as string)
    expect(claims).toMatchObject({ iss: 'portal', aud: publicUrl, jti: expect.any(String) })
    expect((claims.exp as number) - (claims.iat as number)).toBe(60)
    expect(claims.jti).not.toBe(decodeJwt((headers.authorization as string).slice('Bearer '.length)).jti)
  })

  it('the bearer token itself as Agid-JWT-Signature → signature_invalid', async () => {
    const init = await signedInit(t.clients.portal, { body })
    const token = (init.headers as Record<string, string>).authorization as string
    const res = await t.app.request(echoPath, {
      method: 'POST',
      headers: { ...(init.headers as Record<string, string>), 'agid-jwt-signature': token.slice('Bearer '.length) },
      body,
    })
    await invalid(res, 'Agid-JWT-Signature: it is the bearer token itself; sign a JWS of its own over the signed headers')
  })

  it('a signature carrying the bearer’s jti → signature_invalid', async () => {
    const init = await signedInit(t.clients.portal, { body })
    const headers = init.headers as Record<string, string>
    const { jti } = decodeJwt((headers.authorization as string).slice('Bearer '.length))
    const signature = await anIntegritySignature(t.clients.portal, sent, { jti })
    await invalid(
      await t.app.request(echoPath, { method: 'POST', headers: { ...headers, 'agid-jwt-signature': signature }, body }),
      /its jti is the bearer token’s/,
    )
  })

  it('without jti, iss, iat or exp → signature_invalid', async () => {
    for (const claim of ['jti', 'iss', 'iat', 'exp']) await invalid(await withClaims({ [claim]: undefined }), `missing required "${claim}" claim`)
  })

  it('a jti that is an object, empty or a number → signature_invalid', async () => {
    for (const jti of [{ a: 1 }, '', 7]) await invalid(await withClaims({ jti }), 'Agid-JWT-Signature: jti must be a non-empty string')
  })

  it('an iat ahead of the clock beyond the leeway, or exp more than 300 s after iat → signature_invalid', async () => {
    const ahead = nowSeconds() + 120
    await invalid(await withClaims({ iat: ahead, exp: ahead + 60 }), /iat \d+ is after now/)
    const iat = nowSeconds()
    await invalid(await withClaims({ iat, exp: iat + 301 }), 'Agid-JWT-Signature: exp must be at most 300 s after iat')
    await invalid(await withClaims({ iat: iat - 400, exp: iat - 100 }), /expired/)
  })

  it('aud: Snodo alone, as a string or a one-element array; an array with another audience → signature_invalid', async () => {
    expect((await withClaims({ aud: [publicUrl] })).status).toBe(200)
    await invalid(await withClaims({ aud: [publicUrl, 'https://another-hub.test'] }), /aud must be https:\/\/snodo\.test alone/)
    await invalid(await withClaims({ aud: 'https://another-hub.test' }), /aud must be/)
  })

  it('iss is required and must be the calling client', async () => {
    await invalid(await withClaims({ iss: 'other-comune-portal' }), 'Agid-JWT-Signature: iss must be portal, the client that sent the bearer token')
  })

  it('a signed_headers entry named twice, in any case → signed_headers_mismatch, not "last wins"', async () => {
    const twice = [
      [{ digest: sent.digest }, { 'content-type': 'application/json' }, { Digest: digestOf('{}') }],
      [{ digest: sent.digest }, { 'content-type': 'text/plain' }, { 'Content-Type': 'application/json' }],
      [{ digest: sent.digest }, { digest: sent.digest }, { 'content-type': 'application/json' }],
    ]
    for (const signedHeaders of twice) {
      const problem = await refused(await withClaims({ signed_headers: signedHeaders }), 'signed_headers_mismatch')
      expect(problem.detail).toMatch(/^signed_headers names (digest|content-type) more than once$/)
    }
  })

  it('a signature refused for another reason leaves its jti unspent; used once, it is spent', async () => {
    const jti = randomUUID()
    await refused(await withClaims({ jti, signed_headers: [{ digest: sent.digest }] }), 'signed_headers_mismatch')
    expect((await withClaims({ jti })).status).toBe(200)
    await refused(await withClaims({ jti }), 'signature_replayed')
  })
})
