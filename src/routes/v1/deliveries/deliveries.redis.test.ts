// Ops on deliveries through the whole app, with workers running: find, inspect, replay one or many,
// pause and resume, read events and the audit log. Every answer is checked against the contract.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../../../../test/support/contract.ts'
import { signedInit } from '../../../../test/support/signed.ts'
import { createTestApp, type TestApp, type TestClient } from '../../../../test/support/test-app.ts'
import { eventually, startWebhookReceiver, type WebhookReceiver } from '../../../../test/support/webhook-receiver.ts'
import { hashRecord } from '../../../audit/audit-log.ts'
import { startWorkers } from '../../../workers.ts'

let t: TestApp
let receiver: WebhookReceiver
let workers: { close(): Promise<void> }
let endpointId: string

beforeAll(async () => {
  t = await createTestApp({
    // No retries: a failure is dead at once, which is what these tests replay.
    config: {
      delivery: { targets: { webhooks: { retry: { scheduleMs: [] }, circuit: { failureThreshold: 1000, cooldownMs: 1000 } } } },
      webhooks: { allowedPrivate: ['127.0.0.1'] },
    },
  })
  receiver = await startWebhookReceiver()
  // Registered directly: the route refuses http in live mode; the send-time guard allows the allow-listed loopback.
  const endpoint = await t.deps.endpoints.create('comune-a', { url: receiver.url, events: ['*'], description: 'test receiver' })
  endpointId = endpoint.id
  receiver.secrets.push(endpoint.secrets[0]?.value as string)
  workers = await startWorkers(t.deps)
})
afterAll(async () => {
  await workers.close()
  await receiver.close()
  await t.close()
})
beforeEach(() => {
  receiver.answer = () => 200
})

async function call(method: string, path: string, template: string, body?: object, client: TestClient = t.clients.ops) {
  const res = await t.app.request(path, await signedInit(client, { method, body }))
  await expectConforms(res, method, template)
  return res
}
const getDelivery = async (id: string) => (await call('GET', `/v1/deliveries/${id}`, '/v1/deliveries/{deliveryId}')).json()

async function aDeadDelivery(): Promise<string> {
  receiver.answer = () => 500
  const ping = await call(
    'POST',
    `/v1/tenants/comune-a/webhook-endpoints/${endpointId}/ping`,
    '/v1/tenants/{tenantId}/webhook-endpoints/{endpointId}/ping',
    undefined,
    t.clients.portal,
  )
  expect(ping.status).toBe(202)
  const [id] = (await ping.json()).deliveryIds
  await eventually(async () => (await t.deps.deliveries.get(id))?.status === 'dead')
  return id
}

describe('a delivery, its attempts and its replay', () => {
  it('shows a dead delivery with its attempt and the upstream status, and finds it by filter', async () => {
    const id = await aDeadDelivery()
    const detail = await getDelivery(id)
    expect(detail).toMatchObject({
      id,
      tenant: 'comune-a',
      target: 'webhooks',
      status: 'dead',
      attemptCount: 1,
      lastError: { kind: 'unavailable', upstreamStatus: 500 },
    })
    expect(detail.attempts).toEqual([expect.objectContaining({ number: 1, outcome: 'failed', upstreamStatus: 500, errorKind: 'unavailable' })])
    const page = await (
      await call('GET', '/v1/deliveries?status=dead&platform=webhooks&tenant=comune-a&since=1h&errorCode=unavailable', '/v1/deliveries')
    ).json()
    expect(page.items.map((d: { id: string }) => d.id)).toContain(id)
    expect(receiver.received.filter((r) => !r.verified)).toEqual([])
  })

  it('replays a dead delivery once, audited; it succeeds and raises delivery.recovered', async () => {
    const id = await aDeadDelivery()
    receiver.answer = () => 200
    const replayed = await call('POST', `/v1/deliveries/${id}/replay`, '/v1/deliveries/{deliveryId}/replay', { reason: 'receiver fixed' })
    expect(replayed.status).toBe(202)
    expect(await replayed.json()).toMatchObject({ id, status: 'queued', replays: 1 })
    await eventually(async () => (await getDelivery(id)).status === 'succeeded')
    const events = await (
      await call('GET', '/v1/tenants/comune-a/events?types=delivery.recovered', '/v1/tenants/{tenantId}/events', undefined, t.clients.portal)
    ).json()
    expect(events.items.map((e: { data: { deliveryId: string } }) => e.data.deliveryId)).toContain(id)
    const audit = (await t.deps.audit.read({ count: 10_000 })).map((r) => r.record)
    expect(audit).toContainEqual(
      expect.objectContaining({
        who: 'ops-console',
        tenant: 'comune-a',
        action: 'delivery.replay',
        outcome: 'ok',
        detail: expect.stringContaining('receiver fixed'),
      }),
    )
  })

  it('a replay that fails again goes back to dead, with no retry loop', async () => {
    const id = await aDeadDelivery()
    await call('POST', `/v1/deliveries/${id}/replay`, '/v1/deliveries/{deliveryId}/replay', { reason: 'try again' })
    await eventually(async () => (await getDelivery(id)).attemptCount === 2)
    await eventually(async () => (await getDelivery(id)).status === 'dead')
    const detail = await getDelivery(id)
    expect(detail.attempts).toHaveLength(2)
    expect(detail.lastError.message).toContain('replay_failed')
  })

  it("refuses to replay what is not dead, a missing delivery, and another tenant's delivery", async () => {
    const id = await aDeadDelivery()
    receiver.answer = () => 200
    await call('POST', `/v1/deliveries/${id}/replay`, '/v1/deliveries/{deliveryId}/replay', { reason: 'first' })
    await eventually(async () => (await getDelivery(id)).status === 'succeeded')
    await expectProblem(await call('POST', `/v1/deliveries/${id}/replay`, '/v1/deliveries/{deliveryId}/replay', { reason: 'again' }), 409, 'delivery_not_dead')
    await expectProblem(await call('POST', '/v1/deliveries/dlv_nope/replay', '/v1/deliveries/{deliveryId}/replay', { reason: 'x' }), 404, 'not_found')
    await expectProblem(await call('GET', `/v1/deliveries/${id}`, '/v1/deliveries/{deliveryId}', undefined, t.clients.other), 404, 'not_found')
    await expectProblem(await call('GET', '/v1/deliveries?tenant=comune-a', '/v1/deliveries', undefined, t.clients.other), 403, 'tenant_forbidden')
    await expectProblem(await call('POST', `/v1/deliveries/${id}/replay`, '/v1/deliveries/{deliveryId}/replay', { reason: '' }), 400, 'validation_failed')
    expect((await getDelivery(id)).replays).toBe(1)
  })
})

describe('bulk replay', () => {
  it('dry run counts, a filter matching nothing is 422, the batch replays every match and reports progress', async () => {
    const ids = [await aDeadDelivery(), await aDeadDelivery()]
    const filter = { tenant: 'comune-a', platform: 'webhooks', since: '10m' }
    const preview = await (await call('POST', '/v1/deliveries/replay', '/v1/deliveries/replay', { filter, reason: 'check', dryRun: true })).json()
    expect(preview.matched).toBeGreaterThanOrEqual(2)
    expect(preview.sample).toEqual(expect.arrayContaining(ids))
    await expectProblem(
      await call('POST', '/v1/deliveries/replay', '/v1/deliveries/replay', { filter: { ...filter, errorCode: 'no_such_code' }, reason: 'x' }),
      422,
      'replay_filter_matches_nothing',
    )
    await expectProblem(
      await call('POST', '/v1/deliveries/replay', '/v1/deliveries/replay', { filter: { since: 'yesterday' }, reason: 'x' }),
      400,
      'validation_failed',
    )

    receiver.answer = () => 200
    const started = await call('POST', '/v1/deliveries/replay', '/v1/deliveries/replay', { filter, reason: 'receiver back' })
    expect(started.status).toBe(202)
    const location = started.headers.get('location') as string
    await eventually(async () => (await (await call('GET', location, '/v1/replay-batches/{batchId}')).json()).status === 'done')
    const batch = await (await call('GET', location, '/v1/replay-batches/{batchId}')).json()
    expect(batch).toMatchObject({ total: preview.matched, replayed: preview.matched, skipped: 0 })
    for (const id of ids) await eventually(async () => (await getDelivery(id)).status === 'succeeded')
    await expectProblem(await call('GET', location, '/v1/replay-batches/{batchId}', undefined, t.clients.portal), 404, 'not_found')
  })
})

describe('pause and resume', () => {
  it("keeps a paused tenant's deliveries queued, sends nothing, and releases them at once on resume", async () => {
    await call('POST', '/v1/platforms/webhooks/pause', '/v1/platforms/{platform}/pause', { tenant: 'comune-a', reason: 'receiver maintenance' })
    const pauses = await (await call('GET', '/v1/platforms/pauses', '/v1/platforms/pauses')).json()
    expect(pauses.items).toContainEqual(expect.objectContaining({ platform: 'webhooks', tenant: 'comune-a', paused: true }))
    const before = receiver.received.length
    const { event, deliveryIds } = await t.deps.events.publish('comune-a', 'payment.paid', { iuv: '01' })
    await eventually(async () => (await getDelivery(deliveryIds[0] as string)).status === 'paused')
    expect(receiver.received.length).toBe(before)
    await call('POST', '/v1/platforms/webhooks/resume', '/v1/platforms/{platform}/resume', { tenant: 'comune-a', reason: 'back' })
    await eventually(() => receiver.successes(event.id) === 1, 5_000)
    expect((await getDelivery(deliveryIds[0] as string)).attemptCount).toBe(1)
  })

  it('refuses unknown platforms, a global pause by a client limited to some tenants, and unknown tenants', async () => {
    await expectProblem(await call('POST', '/v1/platforms/fax/pause', '/v1/platforms/{platform}/pause', { reason: 'x' }), 404, 'not_found')
    await expectProblem(
      await call('POST', '/v1/platforms/webhooks/pause', '/v1/platforms/{platform}/pause', { reason: 'x' }, t.clients.portal),
      403,
      'tenant_forbidden',
    )
    await expectProblem(
      await call('POST', '/v1/platforms/webhooks/pause', '/v1/platforms/{platform}/pause', { tenant: 'comune-zz', reason: 'x' }),
      404,
      'tenant_not_found',
    )
    expect(await t.deps.pauses.list()).toEqual([])
  })
})

describe('events feed and audit log', () => {
  it('pages through events in order with a resumable cursor; a bad cursor is 400', async () => {
    for (const n of [1, 2, 3]) await t.deps.events.publish('comune-a', 'message.sent', { n })
    const all = await (
      await call('GET', '/v1/tenants/comune-a/events?types=message.sent&limit=500', '/v1/tenants/{tenantId}/events', undefined, t.clients.portal)
    ).json()
    const first = await (
      await call('GET', '/v1/tenants/comune-a/events?types=message.sent&limit=2', '/v1/tenants/{tenantId}/events', undefined, t.clients.portal)
    ).json()
    const rest = await (
      await call(
        'GET',
        `/v1/tenants/comune-a/events?types=message.sent&limit=500&after=${first.nextCursor}`,
        '/v1/tenants/{tenantId}/events',
        undefined,
        t.clients.portal,
      )
    ).json()
    expect([...first.items, ...rest.items].map((e: { data: { n: number } }) => e.data.n)).toEqual(all.items.map((e: { data: { n: number } }) => e.data.n))
    expect(all.items.map((e: { data: { n: number } }) => e.data.n)).toEqual([1, 2, 3])
    await expectProblem(
      await call('GET', '/v1/tenants/comune-a/events?after=abc', '/v1/tenants/{tenantId}/events', undefined, t.clients.portal),
      400,
      'validation_failed',
    )
  })

  it('serves the audit log as a verifiable chain, only to clients allowed for every tenant', async () => {
    const page = await (await call('GET', '/v1/audit?limit=500', '/v1/audit')).json()
    expect(page.items.length).toBeGreaterThan(3)
    page.items.forEach((record: { id: string; hash: string; prev: string }, i: number) => {
      const { id: _id, hash, ...unhashed } = record
      expect(hashRecord(unhashed as never)).toBe(hash)
      if (i > 0) expect(record.prev).toBe(page.items[i - 1].hash)
    })
    await expectProblem(await call('GET', '/v1/audit', '/v1/audit', undefined, t.clients.portal), 403, 'tenant_forbidden')
  })
})
