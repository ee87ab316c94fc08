// Each create route under an Idempotency-Key, when its process dies after the command's effects but
// before the answer is stored (the key's record left running, its lease lapsed): the retry runs the
// route again and answers the resource the first attempt made, with nothing made twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms } from '../../../test/support/contract.ts'
import { signedInit } from '../../../test/support/signed.ts'
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts'
import { deliveryIdFor } from '../../queues/engine.ts'

let t: TestApp
beforeAll(async () => {
  process.env.TEST_IDEM_IO_KEY = 'io-key'
  // No workers: what the routes write is all there is to count.
  t = await createTestApp({
    bodyBytes: 1_048_576,
    tenantOverrides: {
      platforms: {
        appio: { enabled: true, baseUrl: 'http://127.0.0.1:9/api/v1', services: [{ name: 'generale', apiKey: 'env:TEST_IDEM_IO_KEY', default: true }] },
      },
    },
  })
})
afterAll(() => t.close())

const post = async (path: string, template: string, body: object, key: string) => {
  const res = await t.app.request(path, await signedInit(t.clients.portal, { body, headers: { 'idempotency-key': key } }))
  await expectConforms(res, 'POST', template)
  return res
}

/** What a kill -9 between the effects and the stored answer leaves: the request's record, running, its lease over. */
async function dieBeforeTheAnswer(key: string) {
  const storeKey = `${t.prefix}:idem:portal:${key}`
  const { fingerprint } = JSON.parse((await t.deps.redis.get(storeKey)) as string) as { fingerprint: string }
  await t.deps.redis.set(storeKey, JSON.stringify({ state: 'running', fingerprint, owner: 'a-dead-process', leaseUntil: 0 }), 'KEEPTTL')
}

const markdown = `Gentile cittadino, è disponibile un nuovo avviso nella sua area personale. ${'Lo trova nel portale. '.repeat(3)}`

describe('a create retried after its process died before answering', () => {
  it('message: the same id, one record, one delivery', async () => {
    const body = { fiscalCode: 'IOUSER00A00Y001X', subject: 'Avviso di prova', markdown }
    const first = await (await post('/v1/tenants/comune-a/messages', '/v1/tenants/{tenantId}/messages', body, 'idem-msg')).json()
    await dieBeforeTheAnswer('idem-msg')
    const retry = await post('/v1/tenants/comune-a/messages', '/v1/tenants/{tenantId}/messages', body, 'idem-msg')
    expect(retry.status).toBe(202)
    expect(retry.headers.get('idempotent-replayed')).toBeNull()
    expect((await retry.json()).id).toBe(first.id)
    expect((await t.deps.redis.keys(`${t.prefix}:msg:msg_*`)).filter((k) => !k.endsWith(':history'))).toEqual([`${t.prefix}:msg:${first.id}`])
    expect(await t.deps.deliveries.get(deliveryIdFor(`appio|comune-a|${first.id}`))).toMatchObject({ resourceId: first.id })
  })

  it('message batch: the same batch, its recipients listed once', async () => {
    const recipients = ['fiscalCode', 'IOUSER00A00Y101X', 'IOUSER00A00Y102X', 'IOUSER00A00Y103X'].join('\n')
    const body = { template: { subject: 'Avviso TARI 2026', markdown }, format: 'csv', recipients }
    const path = '/v1/tenants/comune-a/message-batches'
    const first = await (await post(path, '/v1/tenants/{tenantId}/message-batches', body, 'idem-batch')).json()
    await dieBeforeTheAnswer('idem-batch')
    const retry = await post(path, '/v1/tenants/{tenantId}/message-batches', body, 'idem-batch')
    expect(retry.status).toBe(202)
    expect((await retry.json()).id).toBe(first.id)
    expect(await t.deps.redis.keys(`${t.prefix}:mbatch:mb_*:todo`)).toHaveLength(1)
    expect(await t.deps.redis.llen(`${t.prefix}:mbatch:${first.id}:todo`)).toBe(3)
  })

  it('webhook endpoint: the same endpoint and secret, not a second one', async () => {
    const body = { url: 'https://93.184.215.14/hooks', events: ['*'] }
    const path = '/v1/tenants/comune-a/webhook-endpoints'
    const template = '/v1/tenants/{tenantId}/webhook-endpoints'
    const first = await (await post(path, template, body, 'idem-endpoint')).json()
    await dieBeforeTheAnswer('idem-endpoint')
    const retry = await post(path, template, body, 'idem-endpoint')
    expect(retry.status).toBe(201)
    expect(await retry.json()).toMatchObject({ id: first.id, secret: first.secret })
    expect((await t.deps.endpoints.list('comune-a')).map((e) => e.id)).toEqual([first.id])
  })
})
