// INTEGRITY_REST_01: every way the Digest / Agid-JWT-Signature pair can disagree with the body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importSigningKey } from '../../client/index.ts'
import { expectConforms } from '../../../test/support/contract.ts'
import { signedInit } from '../../../test/support/signed.ts'
import { createTestApp, publicUrl, type TestApp } from '../../../test/support/test-app.ts'
import { digestOf, signIntegrity } from '../../trust/modi.ts'

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

async function expectCode(res: Response, status: number, code: string) {
  expect(res.status).toBe(status)
  expect((await res.json()).code).toBe(code)
}

describe('body integrity', () => {
  it('accepts a body whose digest and signed headers match, and echoes the digest', async () => {
    const res = await post({})
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ clientId: 'portal', via: 'client-jwt', digest: digestOf(body), body: JSON.parse(body) })
  })

  it('body without Agid-JWT-Signature → signature_missing', async () => expectCode(await post({ 'agid-jwt-signature': undefined }), 401, 'signature_missing'))

  it('body without Digest → digest_missing', async () => expectCode(await post({ digest: undefined }), 401, 'digest_missing'))

  it('bytes other than the digested ones → digest_mismatch', async () => {
    await expectCode(await post({}, JSON.stringify({ practice: 'residenza', note: 'changed' })), 401, 'digest_mismatch')
  })

  it('signed_headers naming another content-type → signed_headers_mismatch', async () => {
    const key = await importSigningKey(t.clients.portal.privateJwk)
    const signature = await signIntegrity(key, { issuer: 'portal', audience: publicUrl, headers: { digest: digestOf(body), 'content-type': 'text/plain' } })
    await expectCode(await post({ 'agid-jwt-signature': signature }), 401, 'signed_headers_mismatch')
  })

  it('signed_headers naming another digest → signed_headers_mismatch', async () => {
    const key = await importSigningKey(t.clients.portal.privateJwk)
    const signature = await signIntegrity(key, { issuer: 'portal', audience: publicUrl, headers: { digest: digestOf('{}'), 'content-type': 'application/json' } })
    await expectCode(await post({ 'agid-jwt-signature': signature }), 401, 'signed_headers_mismatch')
  })

  it('signature by another client → signature_invalid', async () => {
    const key = await importSigningKey(t.clients.other.privateJwk)
    const signature = await signIntegrity(key, { issuer: 'portal', audience: publicUrl, headers: { digest: digestOf(body), 'content-type': 'application/json' } })
    await expectCode(await post({ 'agid-jwt-signature': signature }), 401, 'signature_invalid')
  })

  it('signature with another iss than the caller → signature_invalid', async () => {
    const key = await importSigningKey(t.clients.portal.privateJwk)
    const signature = await signIntegrity(key, { issuer: 'other-comune-portal', audience: publicUrl, headers: { digest: digestOf(body), 'content-type': 'application/json' } })
    await expectCode(await post({ 'agid-jwt-signature': signature }), 401, 'signature_invalid')
  })
})
