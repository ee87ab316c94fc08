// Idempotency-Key on POST: replay, reuse with another body, concurrency, per-client keys, and the lease:
// an attempt whose process died is taken over, a live one is not, a failed one leaves its key to its request.
import { type Context, Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../../../test/support/contract.ts'
import { poll } from '../../../test/support/poll.ts'
import { signedInit } from '../../../test/support/signed.ts'
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts'
import type { AppEnv } from '../app-env.ts'
import { commandId, idempotency } from './idempotency.ts'
import { createErrorHandler } from './problems.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

// signedInit signs a fresh bearer token (new jti) every time, as a real retry would.
const post = async (client: TestApp['clients']['portal'], body: object, key: string, tenantId = 'comune-a') => {
  const res = await t.app.request(`/v1/tenants/${tenantId}/echo`, await signedInit(client, { body, headers: { 'idempotency-key': key } }))
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
    expect((await post(t.clients.portal, { n: 1 }, 'key-reused')).status).toBe(200)
    await expectProblem(await post(t.clients.portal, { n: 2 }, 'key-reused'), 409, 'idempotency_key_reused')
  })

  it('the request is the path with its query and the content-type too: same key, same body, another query or content-type → 409', async () => {
    const send = async (path: string, key: string, contentType = 'application/json') =>
      t.app.request(path, await signedInit(t.clients.portal, { body: '{"n":1}', contentType, headers: { 'idempotency-key': key } }))
    expect((await send('/v1/tenants/comune-a/echo?dryRun=true', 'key-query')).status).toBe(200)
    await expectProblem(await send('/v1/tenants/comune-a/echo', 'key-query'), 409, 'idempotency_key_reused')
    await expectProblem(await send('/v1/tenants/comune-a/echo?dryRun=false', 'key-query'), 409, 'idempotency_key_reused')
    expect((await send('/v1/tenants/comune-a/echo?dryRun=true', 'key-query')).headers.get('idempotent-replayed')).toBe('true')

    // A 415 is an answer, kept for replay: the corrected retry under the same key must not get it back.
    await expectProblem(await send('/v1/tenants/comune-a/echo', 'key-content-type', 'text/plain'), 415, 'unsupported_media_type')
    await expectProblem(await send('/v1/tenants/comune-a/echo', 'key-content-type'), 409, 'idempotency_key_reused')
  })

  it('keys belong to one client: another client may use the same key', async () => {
    const portal = await post(t.clients.portal, { n: 1 }, 'key-shared')
    const other = await post(t.clients.other, { n: 1 }, 'key-shared', 'comune-b')
    expect(portal.status).toBe(200)
    expect(other.status).toBe(200)
    expect(other.headers.get('idempotent-replayed')).toBeNull()
    expect((await other.json()).clientId).toBe('other-comune-portal')
  })

  it('a key that is not 1-255 visible ASCII characters → 400 validation_failed', async () => {
    for (const key of ['has space', 'x'.repeat(256)]) {
      const problem = await expectProblem(await post(t.clients.portal, { n: 1 }, key), 400, 'validation_failed')
      expect(problem.detail).toBe('Idempotency-Key must be 1-255 visible ASCII characters')
    }
  })
})

describe('two requests with one key at the same time', () => {
  it('one runs, the other gets 409 request_in_progress; afterwards the key replays', async () => {
    // The echo route cannot be held open: it answers as soon as the body is verified, so two real
    // echo requests would overlap only by chance. Instead the real middleware, on the real Redis,
    // guards a handler that waits on a promise: the first request is certainly still running
    // (its claim stored) when the second arrives, and finishes only when the test releases it.
    let entered: () => void = () => undefined
    let release: () => void = () => undefined
    const inHandler = new Promise<void>((resolve) => (entered = resolve))
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
    app.post('/slow', async (c) => {
      entered()
      await held
      return c.json({ done: true }, 202)
    })
    const init = { method: 'POST', headers: { 'idempotency-key': 'key-concurrent' } }
    const first = app.request('/slow', init)
    await inHandler
    await expectProblem(await app.request('/slow', init), 409, 'request_in_progress')
    release()
    expect((await first).status).toBe(202)
    const third = await app.request('/slow', init)
    expect(third.status).toBe(202)
    expect(third.headers.get('idempotent-replayed')).toBe('true')
    expect(await third.json()).toEqual({ done: true })
  })
})

describe('an attempt that dies, fails or runs long', () => {
  // The real middleware on a Redis connection of its choosing, before a handler of the test's; the
  // body the request sends is what it fingerprints, as behind the integrity check.
  const appOn = (redis: TestApp['deps']['redis'], leaseMs: number, handler: (c: Context<AppEnv>) => Promise<Response>) => {
    const app = new Hono<AppEnv>()
    app.onError(createErrorHandler(t.deps.logger))
    app.use(async (c, next) => {
      c.set('requestId', 'r')
      c.set('caller', { clientId: 'portal', via: 'client-jwt' })
      c.set('rawBody', new TextEncoder().encode(await c.req.text()))
      await next()
    })
    app.use(idempotency({ redis, prefix: t.prefix, ttlSeconds: 60, leaseMs }))
    app.post('/cmd', handler)
    return app
  }
  const init = (key: string, body = '{"n":1}') => ({ method: 'POST', headers: { 'idempotency-key': key, 'content-type': 'application/json' }, body })

  it('a process killed mid-request: its key is taken over once the lease lapses, and the retry names the same command', async () => {
    const doomed = t.deps.redis.duplicate()
    const ids: string[] = []
    let entered: () => void = () => undefined
    const inHandler = new Promise<void>((resolve) => (entered = resolve))
    const dying = appOn(doomed, 300, async (c) => {
      ids.push(commandId(c, 'pay'))
      entered()
      return new Promise<Response>(() => undefined) // never answers: the process is about to die
    })
    void dying.request('/cmd', init('key-orphan'))
    await inHandler
    doomed.disconnect() // no heartbeat any more, as after kill -9
    const retrying = appOn(t.deps.redis, 300, async (c) => {
      ids.push(commandId(c, 'pay'))
      return c.json({ id: ids.at(-1) }, 202)
    })
    let answer: Response | undefined
    await poll(async () => (answer = await retrying.request('/cmd', init('key-orphan'))).status !== 409, { timeoutMs: 10_000, everyMs: 100 })
    expect(answer?.status).toBe(202)
    expect(ids).toHaveLength(2)
    expect(ids[1]).toBe(ids[0])
    expect(ids[0]).toMatch(/^pay_[0-9a-f]{32}$/)
    // Another body under the key is still refused, and the answer now replays.
    await expectProblem(await retrying.request('/cmd', init('key-orphan', '{"n":2}')), 409, 'idempotency_key_reused')
    expect((await retrying.request('/cmd', init('key-orphan'))).headers.get('idempotent-replayed')).toBe('true')
  })

  it('a live attempt keeps its key past its lease (heartbeat): a twin gets 409 request_in_progress with Retry-After', async () => {
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    let runs = 0
    const app = appOn(t.deps.redis, 200, async (c) => {
      runs++
      await held
      return c.json({ done: true }, 202)
    })
    const first = app.request('/cmd', init('key-long'))
    await poll(() => runs === 1, { timeoutMs: 5_000, everyMs: 20 })
    // Held until the heartbeat has renewed the lease well past three of its lengths.
    const leaseUntil = async () => (JSON.parse((await t.deps.redis.get(`${t.prefix}:idem:portal:key-long`)) as string) as { leaseUntil: number }).leaseUntil
    const firstLease = await leaseUntil()
    expect(await poll(async () => (await leaseUntil()) > firstLease + 600, { timeoutMs: 10_000, everyMs: 50 })).toBe(true)
    const twin = await app.request('/cmd', init('key-long'))
    await expectProblem(twin, 409, 'request_in_progress')
    expect(twin.headers.get('retry-after')).toBe('1')
    release()
    expect((await first).status).toBe(202)
    expect(runs).toBe(1)
  })

  it('after a 5xx the request may run again at once, but the key still belongs to that request', async () => {
    let runs = 0
    const app = appOn(t.deps.redis, 5_000, async (c) => (++runs === 1 ? c.json({ failed: true }, 503) : c.json({ done: runs }, 202)))
    expect((await app.request('/cmd', init('key-5xx'))).status).toBe(503)
    await expectProblem(await app.request('/cmd', init('key-5xx', '{"n":2}')), 409, 'idempotency_key_reused')
    expect((await app.request('/cmd', init('key-5xx'))).status).toBe(202)
    expect(runs).toBe(2)
  })

  it('commandId: the same key and request name one id; another key another; no key a random one', async () => {
    const app = appOn(t.deps.redis, 5_000, async (c) => c.json({ id: commandId(c, 'msg') }, 202))
    const idOf = async (i: RequestInit) => ((await (await app.request('/cmd', i)).json()) as { id: string }).id
    const [a, b, none1, none2] = [
      await idOf(init('key-id-a')),
      await idOf(init('key-id-b')),
      await idOf({ method: 'POST', body: '{}' }),
      await idOf({ method: 'POST', body: '{}' }),
    ]
    expect(new Set([a, b, none1, none2]).size).toBe(4)
    for (const id of [a, b, none1, none2]) expect(id).toMatch(/^msg_[0-9a-f]{32}$/)
  })
})
