// The SSRF guard at send time: an endpoint saved with an IP-literal private address (before a config
// change, or by a path that skipped the creation check) is refused in live mode, not contacted.
import { createServer } from 'node:http'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { UpstreamError } from '../errors.ts'
import type { Delivery } from '../queues/delivery.ts'
import type { Endpoint, EndpointStore } from './endpoint-store.ts'
import { createWebhookSender } from './send-webhook.ts'
import { createUrlGuard } from './url-guard.ts'

let hits = 0
const server = createServer((_req, res) => {
  hits++
  res.end()
})
let port: number
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as { port: number }).port
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const anEndpoint = (url: string): Endpoint => ({
  id: 'we_1',
  tenantId: 'comune-a',
  url,
  events: ['*'],
  description: '',
  enabled: true,
  createdAt: '',
  updatedAt: '',
  secrets: [{ value: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', createdAt: '' }],
})
const aDelivery = { id: 'dlv_1', tenant: 'comune-a', resourceId: 'evt_1', payload: { id: 'evt_1' }, meta: { endpointId: 'we_1' } } as unknown as Delivery

const send = async (url: string, mode: 'live' | 'sandbox', allowedPrivate: string[] = []) => {
  const endpoints = { get: async () => anEndpoint(url), activeSecrets: (e: Endpoint) => e.secrets.map((s) => s.value) } as unknown as EndpointStore
  const sender = createWebhookSender({
    endpoints,
    guard: createUrlGuard({ mode, allowedPrivate }),
    clock: () => new Date(),
    onEndpointDisabled: async () => undefined,
  })
  try {
    return await sender.send(aDelivery, { timeoutMs: 2000, attempt: 1 })
  } finally {
    await sender.close()
  }
}

it('live mode refuses a loopback IP literal without contacting it: rejected, address_forbidden', async () => {
  for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]']) {
    const error = await send(`http://${host}:${port}/hooks`, 'live').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UpstreamError)
    expect(error).toMatchObject({ kind: 'rejected', retryable: false, upstreamCode: 'address_forbidden' })
  }
  expect(hits).toBe(0)
})

it('an allow-listed address, or sandbox mode, is sent to', async () => {
  expect(await send(`http://127.0.0.1:${port}/hooks`, 'live', ['127.0.0.1'])).toEqual({ upstreamStatus: 200 })
  expect(await send(`http://127.0.0.1:${port}/hooks`, 'sandbox')).toEqual({ upstreamStatus: 200 })
  expect(hits).toBe(2)
})
