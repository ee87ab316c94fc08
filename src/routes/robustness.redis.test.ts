// Property: whatever arrives — junk headers, junk bodies, any method and path — Snodo answers
// with a 4xx problem (or a success), never a 5xx.
import fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/support/test-app.ts'
import { aToken } from '../../test/support/tokens.ts'
import { digestOf } from '../trust/modi.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const junk = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', 'Bearer', 'Bearer a.b.c', 'SHA-256=', 'application/json'))
const headerValue = junk.map((s) => s.replace(/[^\x20-\x7e]/g, ''))
// Placeholders become fresh signed tokens at run time, so the checks past authentication see junk too.
const authorization = fc.oneof(
  headerValue,
  headerValue.map((s) => `Bearer ${s}`),
  fc.constantFrom('__client__', '__voucher__'),
)

// Path segments: tenant ids, plain words, and percent escapes both valid and broken.
const segment = fc.oneof(
  fc.constantFrom('tenants', 'comune-a', 'comune-b', 'echo', '%41', '%2F', '%25', '%E0%A4%A', '%zz', '..', ''),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/),
)
const path = fc.oneof(
  fc.constantFrom('/v1/tenants/comune-a', '/v1/tenants/comune-a/echo', '/health/live'),
  fc.array(segment, { minLength: 0, maxLength: 4 }).map((parts) => `/v1/${parts.join('/')}`),
  fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/v1/tenants/${parts.join('/')}`),
)

it('never answers 5xx, and every non-2xx answer is problem+json', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
      path,
      fc.record(
        {
          authorization,
          digest: headerValue,
          'agid-jwt-signature': headerValue,
          'content-type': headerValue,
          'idempotency-key': headerValue,
          'x-request-id': headerValue,
        },
        { requiredKeys: [] },
      ),
      fc.option(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), { nil: undefined }),
      async (method, path, headers, body) => {
        const sent: Record<string, string> = { ...headers }
        if (sent.authorization === '__client__') sent.authorization = `Bearer ${await aToken(t.clients.portal)}`
        if (sent.authorization === '__voucher__') sent.authorization = `Bearer ${await aToken(t.clients.portal, {}, { typ: 'at+jwt' })}`
        // An empty digest becomes the right one now and then, so the checks past the digest see junk too.
        if (body !== undefined && sent.digest === '') sent.digest = digestOf(body)
        const withBody = method !== 'GET' && method !== 'HEAD' && body !== undefined
        const res = await t.app.request(path, { method, headers: sent, body: withBody ? body : undefined })
        expect(res.status, `${method} ${path}`).toBeLessThan(500)
        if (res.status < 200 || res.status >= 300) expect(res.headers.get('content-type'), `${method} ${path} → ${res.status}`).toBe('application/problem+json')
      },
    ),
    { numRuns: 200 },
  )
})
