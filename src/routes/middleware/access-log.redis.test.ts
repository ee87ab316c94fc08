import { Writable } from 'node:stream'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { signedInit } from '../../../test/support/signed.ts'
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts'
import { createApp } from '../../app.ts'
import { createLogger } from '../../logger.ts'

let t: TestApp
const lines: Record<string, unknown>[] = []
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  t = await createTestApp()
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(
        ...String(chunk)
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      )
      done()
    },
  })
  app = createApp({ ...t.deps, logger: createLogger('info', sink) })
})
afterAll(() => t.close())

it('logs one JSON line per request with route, status, client, tenant and requestId, fiscal codes masked', async () => {
  const res = await app.request(
    '/v1/tenants/comune-a/citizens/RSSMRA85T10A562S/timeline',
    await signedInit(t.clients.portal, { headers: { 'x-request-id': 'trace-1' } }),
  )
  expect(res.status).toBe(200)
  const line = lines.find((l) => l.requestId === 'trace-1')
  expect(line).toMatchObject({
    msg: 'request',
    method: 'GET',
    route: '/v1/tenants/:tenantId/citizens/:fiscalCode/timeline',
    status: 200,
    client: 'portal',
    tenant: 'comune-a',
  })
  expect(typeof line?.ms).toBe('number')
  expect(JSON.stringify(lines)).not.toContain('RSSMRA85T10A562S')
  expect(line?.path).toBe('/v1/tenants/comune-a/citizens/RSS************S/timeline')
})

it('masks a fiscal code glued to other characters in the path or the request id, percent-encoded too', async () => {
  const paths = [
    '/v1/tenants/comune-a/citizens/RSSMRA80A01H501U_x/timeline',
    '/v1/tenants/comune-a/citizens/xRSSMRA80A01H501U/timeline',
    '/v1/tenants/comune-a/citizens/%52SSMRA80A01H501U%5Fx/timeline',
  ]
  for (const [i, path] of paths.entries()) {
    await app.request(path, await signedInit(t.clients.portal, { headers: { 'x-request-id': `glued-${i}-RSSMRA80A01H501Uabc` } }))
  }
  const logged = lines.filter((l) => String(l.requestId).startsWith('glued-'))
  expect(logged).toHaveLength(3)
  expect(JSON.stringify(logged)).not.toMatch(/RSSMRA80A01H501U|52SSMRA80A01H501U/)
  expect(logged.map((l) => l.requestId)).toEqual([0, 1, 2].map((i) => `glued-${i}-RSS************Uabc`))
})

it('counts requests by route pattern and status for Prometheus', async () => {
  await app.request('/v1/tenants/comune-a', await signedInit(t.clients.reader))
  const metrics = await (await app.request('/metrics')).text()
  expect(metrics).toContain('snodo_http_requests_total{method="GET",route="/v1/tenants/:tenantId",status="200"} 1')
  expect(metrics).toMatch(/snodo_http_request_duration_seconds_bucket\{le="[0-9.]+",method="GET",route="\/v1\/tenants\/:tenantId"\} 1/)
})
