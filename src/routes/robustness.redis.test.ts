// Property: whatever arrives — junk headers, junk bodies, any method and path — Snodo answers
// with a 4xx problem (or a success), never a 5xx.
import fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { aToken } from '../../test/support/tokens.ts'
import { createTestApp, type TestApp } from '../../test/support/test-app.ts'
import { digestOf } from '../trust/modi.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const junk = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', 'Bearer', 'Bearer a.b.c', 'SHA-256=', 'application/json'))
const headerValue = junk.map((s) => s.replace(/[^\x20-\x7e]/g, ''))
const authorization = fc.oneof(headerValue, fc.constant('__valid__'), headerValue.map((s) => `Bearer ${s}`))

it('never answers 5xx, and every failure is problem+json', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
      fc.constantFrom('/v1/tenants/comune-a', '/v1/tenants/comune-a/echo', '/v1/tenants/%00', '/v1/x', '/v1', '/health/live'),
      fc.record({ authorization, digest: headerValue, 'agid-jwt-signature': headerValue, 'content-type': headerValue, 'idempotency-key': headerValue }, { requiredKeys: [] }),
      fc.option(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), { nil: undefined }),
      async (method, path, headers, body) => {
        const sent: Record<string, string> = { ...headers }
        // A fresh, valid token now and then, so the checks past authentication see junk too.
        if (sent.authorization === '__valid__') sent.authorization = `Bearer ${await aToken(t.clients.portal)}`
        if (body !== undefined && sent.digest === '') sent.digest = digestOf(body)
        const withBody = method !== 'GET' && body !== undefined
        const res = await t.app.request(path, { method, headers: sent, body: withBody ? body : undefined })
        expect(res.status).toBeLessThan(500)
        if (res.status >= 400) expect(res.headers.get('content-type')).toBe('application/problem+json')
      },
    ),
    { numRuns: 250 },
  )
})
