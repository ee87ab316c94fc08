// INTEGRITY_REST_01: every way the Digest / Agid-JWT-Signature pair can disagree with the body.
import { decodeJwt, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importSigningKey } from '../../client/index.ts'
import { expectConforms, expectProblem } from '../../../test/support/contract.ts'
import { signedInit } from '../../../test/support/signed.ts'
import { createTestApp, publicUrl, type TestApp, type TestClient } from '../../../test/support/test-app.ts'
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
  const merged = Object.fromEntries(Object.entries({ ...(init.headers as Record<string, string>), ...headers }).filter(([, v]) => v !== undefined)) as Record<string, string>
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
