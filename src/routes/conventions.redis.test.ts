// The conventions every route shares: one problem shape for 400/404/405/413/415, X-Request-Id,
// and Snodo's own signature on every /v1 answer.
import { createLocalJWKSet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms } from '../../test/support/contract.ts'
import { signedInit } from '../../test/support/signed.ts'
import { createTestApp, publicUrl, type TestApp } from '../../test/support/test-app.ts'
import { verifyResponse } from '../client/index.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ bodyBytes: 4096 })
})
afterAll(() => t.close())

const echo = '/v1/tenants/comune-a/echo'
const problemOf = async (res: Response) => {
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  return res.json()
}

describe('problems', () => {
  it('unknown paths → 404 not_found, behind authentication under /v1 and without it elsewhere', async () => {
    const v1 = await t.app.request('/v1/tenants/comune-a/nothing-here', await signedInit(t.clients.portal))
    expect(v1.status).toBe(404)
    expect((await problemOf(v1)).code).toBe('not_found')
    expect((await t.app.request('/v1/tenants/comune-a/nothing-here')).status).toBe(401)
    const outside = await t.app.request('/nothing-here')
    expect(outside.status).toBe(404)
    expect((await problemOf(outside)).code).toBe('not_found')
  })

  it('a known path with another method → 405 method_not_allowed with Allow', async () => {
    const res = await t.app.request('/v1/tenants/comune-a', await signedInit(t.clients.portal, { method: 'PUT', body: { name: 'x' } }))
    await expectConforms(res, 'GET', '/v1/tenants/{tenantId}')
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, HEAD')
    expect((await problemOf(res)).code).toBe('method_not_allowed')
    expect((await t.app.request('/health/live', { method: 'DELETE' })).status).toBe(405)
  })

  it('a signed body that is not JSON → 415 unsupported_media_type', async () => {
    const res = await t.app.request(echo, await signedInit(t.clients.portal, { body: 'hello', contentType: 'text/plain' }))
    await expectConforms(res, 'POST', '/v1/tenants/{tenantId}/echo')
    expect(res.status).toBe(415)
    expect((await problemOf(res)).code).toBe('unsupported_media_type')
  })

  it('broken JSON → 400 malformed_request; JSON of the wrong shape → 400 validation_failed with field errors', async () => {
    const broken = await t.app.request(echo, await signedInit(t.clients.portal, { body: '{"a":' }))
    await expectConforms(broken, 'POST', '/v1/tenants/{tenantId}/echo')
    expect((await problemOf(broken)).code).toBe('malformed_request')
    const array = await t.app.request(echo, await signedInit(t.clients.portal, { body: '[1,2]' }))
    await expectConforms(array, 'POST', '/v1/tenants/{tenantId}/echo')
    expect(await problemOf(array)).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ path: '(body)', message: expect.any(String) }] })
  })
})

describe('oversized bodies', () => {
  it('Content-Length over the limit → 413 payload_too_large', async () => {
    const res = await t.app.request(echo, await signedInit(t.clients.portal, { body: { text: 'x'.repeat(5000) } }))
    await expectConforms(res, 'POST', '/v1/tenants/{tenantId}/echo')
    expect(res.status).toBe(413)
    expect((await problemOf(res)).code).toBe('payload_too_large')
  })

  it('a streamed body without Content-Length is cut off as soon as it passes the limit', async () => {
    let pulled = 0
    const tenMegabytes = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        if (pulled > 10_240) controller.close()
        else controller.enqueue(new Uint8Array(1024).fill(97))
      },
    })
    const init = await signedInit(t.clients.portal, { body: '{}' })
    const res = await t.app.request(echo, { method: 'POST', headers: init.headers, body: tenMegabytes, duplex: 'half' } as RequestInit)
    expect(res.status).toBe(413)
    expect((await problemOf(res)).code).toBe('payload_too_large')
    expect(pulled).toBeLessThan(64)
  })
})

describe('on every answer', () => {
  it('X-Request-Id is echoed when sent and generated when not', async () => {
    const echoed = await t.app.request('/health/live', { headers: { 'x-request-id': 'portal-trace-42' } })
    expect(echoed.headers.get('x-request-id')).toBe('portal-trace-42')
    const generated = await t.app.request('/v1/tenants/comune-a')
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect((await generated.json()).requestId).toBe(generated.headers.get('x-request-id'))
  })

  it('every /v1 answer, success or failure, carries a Snodo signature that verifies with the JWKS', async () => {
    const keys = createLocalJWKSet(t.deps.keys.jwks())
    const answers = [
      await t.app.request('/v1/tenants/comune-a', await signedInit(t.clients.portal)),
      await t.app.request('/v1/tenants/comune-b', await signedInit(t.clients.portal)),
      await t.app.request(echo, await signedInit(t.clients.portal, { body: { a: 1 } })),
    ]
    for (const res of answers) {
      const bytes = new Uint8Array(await res.arrayBuffer())
      expect(await verifyResponse(res.headers, bytes, { issuer: publicUrl, clientId: 'portal', keys })).toEqual({ verified: true, kid: expect.any(String) })
    }
    const tampered = await t.app.request('/v1/tenants/comune-a', await signedInit(t.clients.portal))
    const verdict = await verifyResponse(tampered.headers, new TextEncoder().encode('{"id":"forged"}'), { issuer: publicUrl, clientId: 'portal', keys })
    expect(verdict).toEqual({ verified: false, reason: 'the response Digest does not match its body' })
  })

  it('the JWKS publishes public keys only', async () => {
    const res = await t.app.request('/.well-known/jwks.json')
    await expectConforms(res, 'GET', '/.well-known/jwks.json')
    const { keys } = await res.json()
    expect(keys).toHaveLength(1)
    expect(keys[0]).not.toHaveProperty('d')
  })
})
