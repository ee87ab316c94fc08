// The conventions every route shares: one problem shape for 400/404/405/413/415, X-Request-Id,
// and Snodo's own signature on every /v1 answer.
import { createLocalJWKSet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../../test/support/contract.ts'
import { signedInit } from '../../test/support/signed.ts'
import { createTestApp, publicUrl, type TestApp } from '../../test/support/test-app.ts'
import { verifyResponse } from '../client/index.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ bodyBytes: 4096 })
})
afterAll(() => t.close())

const echo = '/v1/tenants/comune-a/echo'
const postEcho = async (init: RequestInit) => {
  const res = await t.app.request(echo, init)
  await expectConforms(res, 'POST', '/v1/tenants/{tenantId}/echo')
  return res
}

describe('problems', () => {
  it('unknown paths → 404 not_found, behind authentication under /v1 and without it elsewhere', async () => {
    const v1 = await t.app.request('/v1/tenants/comune-a/nothing-here', await signedInit(t.clients.portal))
    expect(await expectProblem(v1, 404, 'not_found')).toMatchObject({ detail: 'No resource at GET /v1/tenants/comune-a/nothing-here' })
    await expectProblem(await t.app.request('/v1/tenants/comune-a/nothing-here'), 401, 'token_missing')
    await expectProblem(await t.app.request('/nothing-here'), 404, 'not_found')
  })

  it('a known path with another method → 405 method_not_allowed with Allow', async () => {
    const res = await t.app.request('/v1/tenants/comune-a', await signedInit(t.clients.portal, { method: 'PUT', body: { name: 'x' } }))
    await expectConforms(res, 'GET', '/v1/tenants/{tenantId}')
    await expectProblem(res, 405, 'method_not_allowed')
    expect(res.headers.get('allow')).toBe('GET, HEAD')
    const health = await t.app.request('/health/live', { method: 'DELETE' })
    await expectProblem(health, 405, 'method_not_allowed')
    expect(health.headers.get('allow')).toBe('GET, HEAD')
  })

  it('a signed body that is not JSON → 415 unsupported_media_type', async () => {
    await expectProblem(await postEcho(await signedInit(t.clients.portal, { body: 'hello', contentType: 'text/plain' })), 415, 'unsupported_media_type')
  })

  it('broken JSON → 400 malformed_request; JSON of the wrong shape → 400 validation_failed with field errors', async () => {
    await expectProblem(await postEcho(await signedInit(t.clients.portal, { body: '{"a":' })), 400, 'malformed_request')
    const array = await expectProblem(await postEcho(await signedInit(t.clients.portal, { body: '[1,2]' })), 400, 'validation_failed')
    expect(array.errors).toEqual([{ path: '(body)', message: expect.any(String) }])
  })
})

describe('oversized bodies', () => {
  it('Content-Length over the limit → 413 payload_too_large', async () => {
    const body = JSON.stringify({ text: 'x'.repeat(4989) })
    expect(Buffer.byteLength(body)).toBe(5000)
    const init = await signedInit(t.clients.portal, { body, headers: { 'content-length': String(Buffer.byteLength(body)) } })
    await expectProblem(await postEcho(init), 413, 'payload_too_large')
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
    expect(new Headers(init.headers).has('content-length')).toBe(false)
    await expectProblem(await postEcho({ method: 'POST', headers: init.headers, body: tenMegabytes, duplex: 'half' } as RequestInit), 413, 'payload_too_large')
    // 4096 bytes is 4 chunks of 1 KiB: the fifth passes the limit, and nothing much after it is pulled.
    expect(pulled).toBeLessThan(16)
  })
})

describe('on every answer', () => {
  it('X-Request-Id is echoed when sent and generated when not', async () => {
    const echoed = await t.app.request('/health/live', { headers: { 'x-request-id': 'portal-trace-42' } })
    expect(echoed.headers.get('x-request-id')).toBe('portal-trace-42')
    const generated = await t.app.request('/v1/tenants/comune-a')
    await expectConforms(generated, 'GET', '/v1/tenants/{tenantId}')
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect((await expectProblem(generated, 401, 'token_missing')).requestId).toBe(generated.headers.get('x-request-id'))
  })

  it('every /v1 answer, success or failure, carries a Snodo signature that verifies with the JWKS', async () => {
    const keys = createLocalJWKSet(t.deps.keys.jwks())
    const answers = [
      await t.app.request('/v1/tenants/comune-a', await signedInit(t.clients.portal)),
      await t.app.request('/v1/tenants/comune-b', await signedInit(t.clients.portal)),
      await t.app.request(echo, await signedInit(t.clients.portal, { body: { a: 1 } })),
      await t.app.request(echo, await signedInit(t.clients.portal, { body: '{"a":' })),
      await t.app.request('/v1/tenants/comune-a/nothing-here', await signedInit(t.clients.portal)),
      await t.app.request('/v1/tenants/comune-a', await signedInit(t.clients.portal, { method: 'PUT', body: { a: 1 } })),
      await t.app.request('/v1/tenants/comune-a'),
    ]
    expect(answers.map((res) => res.status)).toEqual([200, 403, 200, 400, 404, 405, 401])
    for (const res of answers) {
      const bytes = new Uint8Array(await res.arrayBuffer())
      const verdict = await verifyResponse(res.headers, bytes, { issuer: publicUrl, clientId: 'portal', keys })
      expect(verdict, `${res.status} answer`).toEqual({ verified: true, kid: t.deps.keys.current().kid })
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
