// Idempotency-Key on POST: replay, reuse with another body, concurrency, per-client keys.
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms } from '../../../test/support/contract.ts'
import { signedInit } from '../../../test/support/signed.ts'
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts'
import type { AppEnv } from '../app-env.ts'
import { idempotency } from './idempotency.ts'
import { createErrorHandler } from './problems.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const echo = '/v1/tenants/comune-a/echo'
const post = async (client: TestApp['clients']['portal'], body: object, key: string) => {
  const res = await t.app.request(echo, await signedInit(client, { body, headers: { 'idempotency-key': key } }))
  await expectConforms(res, 'POST', '/v1/tenants/{tenantId}/echo')
  return res
}

describe('Idempotency-Key', () => {
  it('same key and same body → the stored answer again, marked as replayed', async () => {
    const first = await post(t.clients.portal, { n: 1 }, 'key-replay')
    const second = await post(t.clients.portal, { n: 1 }, 'key-replay')
    expect(first.status).toBe(200)
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    expect(second.status).toBe(200)
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    expect(await second.json()).toEqual(await first.json())
  })

  it('same key and another body → 409 idempotency_key_reused', async () => {
    await post(t.clients.portal, { n: 1 }, 'key-reused')
    const res = await post(t.clients.portal, { n: 2 }, 'key-reused')
    expect(res.status).toBe(409)
    expect((await res.json()).code).toBe('idempotency_key_reused')
  })

  it('keys belong to one client: another client may use the same key', async () => {
    const portal = await post(t.clients.portal, { n: 1 }, 'key-shared')
    const other = await t.app.request('/v1/tenants/comune-b/echo', await signedInit(t.clients.other, { body: { n: 1 }, headers: { 'idempotency-key': 'key-shared' } }))
    expect(portal.status).toBe(200)
    expect(other.status).toBe(200)
    expect(other.headers.get('idempotent-replayed')).toBeNull()
    expect((await other.json()).clientId).toBe('other-comune-portal')
  })

  it('a key that is not 1-255 visible ASCII characters → 400 validation_failed', async () => {
    for (const key of ['has space', 'x'.repeat(256)]) {
      const res = await post(t.clients.portal, { n: 1 }, key)
      expect(res.status).toBe(400)
      expect((await res.json()).code).toBe('validation_failed')
    }
  })
})

describe('two requests with one key at the same time', () => {
  it('one runs, the other gets 409 request_in_progress; afterwards the key replays', async () => {
    // A handler held open on a promise makes the overlap certain instead of racy.
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    const app = new Hono<AppEnv>()
    app.onError(createErrorHandler(t.deps.logger))
    app.use(async (c, next) => {
      c.set('requestId', 'r')
      c.set('caller', { clientId: 'portal', via: 'client-jwt' })
      c.set('rawBody', new TextEncoder().encode('{"n":1}'))
      await next()
    })
    app.use(idempotency({ redis: t.deps.redis, prefix: t.prefix, ttlSeconds: 60 }))
    app.post('/slow', async (c) => (await held, c.json({ done: true }, 202)))
    const init = { method: 'POST', headers: { 'idempotency-key': 'key-concurrent' } }

    const first = app.request('/slow', init)
    while (!(await t.deps.redis.exists(`${t.prefix}:idem:portal:key-concurrent`))) await new Promise((resolve) => setTimeout(resolve, 5))
    const second = await app.request('/slow', init)
    expect(second.status).toBe(409)
    expect((await second.json()).code).toBe('request_in_progress')

    release()
    expect((await first).status).toBe(202)
    const third = await app.request('/slow', init)
    expect(third.status).toBe(202)
    expect(third.headers.get('idempotent-replayed')).toBe('true')
  })
})
