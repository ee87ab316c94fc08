import { Hono } from 'hono'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type RunningSimulator, startSimulator } from '../adapters/simulator/harness.ts'
import { freePort } from '../sandbox/private-redis.ts'
import { createHealthProbe } from './health.ts'

let up: RunningSimulator
let failing: RunningSimulator
let hits = 0
const at = new Date('2026-11-22T10:00:00Z')

beforeAll(async () => {
  up = await startSimulator(new Hono().get('/', (c) => (hits++, c.text('ok', 401))))
  failing = await startSimulator(new Hono().get('/', (c) => c.text('down', 503)))
})
afterAll(async () => {
  await up.close()
  await failing.close()
})

const appio = (baseUrl: string, enabled = true) => ({ enabled, baseUrl, services: [{ name: 'tributi', apiKey: 'env:K', default: true }] })

it('reports each configured platform: reachable (any answer below 500), down, or disabled', async () => {
  const probe = createHealthProbe({ clock: () => at })
  const dead = `http://127.0.0.1:${await freePort()}`
  const health = await probe.platformsOf({
    appio: appio(up.url),
    cie: { enabled: true, baseUrl: failing.url },
    backoffice: { enabled: true, baseUrl: dead, protocol: { profile: 'docarea' }, services: [] },
    send: undefined,
  })
  expect(health).toEqual([
    { platform: 'appio', enabled: true, status: 'up', checkedAt: at.toISOString() },
    { platform: 'backoffice', enabled: true, status: 'down', checkedAt: at.toISOString(), detail: expect.any(String) },
    { platform: 'cie', enabled: true, status: 'down', checkedAt: at.toISOString(), detail: 'HTTP 503' },
  ])
  expect(await probe.platformsOf({ appio: appio(up.url, false) })).toEqual([
    { platform: 'appio', enabled: false, status: 'disabled', checkedAt: at.toISOString() },
  ])
})

it('asks a platform at most once per cache interval', async () => {
  let now = at.getTime()
  const probe = createHealthProbe({ clock: () => new Date(now), cacheMs: 30_000 })
  const before = hits
  await probe.platformsOf({ appio: appio(up.url) })
  await probe.platformsOf({ appio: appio(up.url) })
  expect(hits - before).toBe(1)
  now += 30_001
  await probe.platformsOf({ appio: appio(up.url) })
  expect(hits - before).toBe(2)
})
