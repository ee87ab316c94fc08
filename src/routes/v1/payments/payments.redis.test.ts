// Payments through the whole app, served on loopback, against the GPD, Checkout and Node simulators
// and App IO: create → publish → checkout → the citizen pays → paSendRT → payment.paid → IO message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem } from '../../../../test/support/contract.ts'
import { citizen, type PaymentLoop, paymentsPath as payments, returnUrls, startPaymentLoop, station } from '../../../../test/support/payment-loop.ts'
import { signedInit } from '../../../../test/support/signed.ts'
import { eventually } from '../../../../test/support/webhook-receiver.ts'
import { gpdMagicDebtors } from '../../../adapters/pagopa/simulator/magic.ts'
import type { TenantConfig } from '../../../config/schema.ts'
import { acceptPayment } from '../../../payments/accept-payment.ts'
import { startSweeper } from '../../../queues/sweeper.ts'

let loop: PaymentLoop
beforeAll(async () => {
  loop = await startPaymentLoop()
})
afterAll(() => loop.close())

const aPayment = (over: Record<string, unknown> = {}) => ({
  debtor: { type: 'F', fiscalCode: citizen, fullName: 'Mario Rossi' },
  amountCents: 5400,
  description: 'TARI 2026 prima rata',
  ...over,
})
const call = (method: string, path: string, template: string, body?: object) => loop.call(method, path, template, body)
const get = (id: string) => loop.get(id)

describe('the whole loop', () => {
  it('notice number at once, published on GPD, paid through Checkout and the Node, then told to the portal and the citizen', async () => {
    const accepted = await call('POST', payments, '/v1/tenants/{tenantId}/payments', aPayment({ notify: { io: {} } }))
    expect(accepted.status).toBe(202)
    const created = await accepted.json()
    expect(created).toMatchObject({ status: 'queued', noticeNumber: expect.stringMatching(/^301\d{15}$/), iuv: created.noticeNumber.slice(1) })
    await eventually(async () => (await get(created.id)).status === 'published')
    expect(loop.gpd.positions.get(`${station.idPA}/${created.iupd}`)).toBeDefined()

    const cart = await call('POST', `${payments}/${created.id}/checkout`, '/v1/tenants/{tenantId}/payments/{paymentId}/checkout', { returnUrls })
    const { redirectUrl } = await cart.json()
    expect((await fetch(redirectUrl)).status).toBe(200) // the checkout page the citizen sees
    const paid = await fetch(`${redirectUrl}/pay`, { method: 'POST', redirect: 'manual' })
    expect(paid.headers.get('location')).toBe('https://portale.example/ok')

    await eventually(async () => (await get(created.id)).status === 'paid')
    const payment = await get(created.id)
    expect(payment.receipt).toMatchObject({ amountCents: 5400, receiptId: expect.any(String), pspName: expect.any(String) })
    expect(payment.history.map((h: { status: string }) => h.status)).toEqual(['queued', 'published', 'paid'])
    const events = (await loop.t.deps.events.read('comune-a', { limit: 500, types: new Set(['payment.published', 'payment.paid']) })).items.filter(
      (e) => e.data.paymentId === created.id,
    )
    expect(events.map((e) => e.type)).toEqual(['payment.published', 'payment.paid'])
    // The citizen heard of it twice on IO: the notice (with payment data) once published, the receipt once paid.
    const sentFor = async () =>
      (await loop.t.deps.events.read('comune-a', { limit: 500, types: new Set(['message.sent']) })).items
        .map((e) => e.data.reference)
        .filter((r) => String(r).startsWith(created.id))
    await eventually(async () => (await sentFor()).length === 2)
    expect((await sentFor()).sort()).toEqual([`${created.id}#paid`, `${created.id}#published`])
    await expectProblem(
      await call('POST', `${payments}/${created.id}/cancel`, '/v1/tenants/{tenantId}/payments/{paymentId}/cancel'),
      409,
      'payment_already_paid',
    )
  })

  it('GPD failing for a while: the position is published once it recovers, and only once', async () => {
    const outage = loop.gpd.outage(1_000)
    const { id, iupd } = await (await call('POST', payments, '/v1/tenants/{tenantId}/payments', aPayment())).json()
    await eventually(async () => (await get(id)).status === 'published', 10_000)
    outage.end()
    const payment = await get(id)
    expect(payment.delivery.attempts.some((a: { upstreamStatus?: number }) => a.upstreamStatus === 503)).toBe(true)
    expect([...loop.gpd.positions.keys()].filter((k) => k.endsWith(iupd))).toHaveLength(1)
  })

  it('a GPD that keeps refusing (422) → failed; cancel before publication cancels; Checkout refuses a payment not published', async () => {
    const refused = (
      await (
        await call(
          'POST',
          payments,
          '/v1/tenants/{tenantId}/payments',
          aPayment({ debtor: { type: 'F', fiscalCode: gpdMagicDebtors.unprocessable, fullName: 'Non Elaborabile' } }),
        )
      ).json()
    ).id
    await eventually(async () => (await get(refused)).status === 'failed')
    await expectProblem(
      await call('POST', `${payments}/${refused}/checkout`, '/v1/tenants/{tenantId}/payments/{paymentId}/checkout', {
        returnUrls: { ok: 'https://p.example/ok', cancel: 'https://p.example/ko', error: 'https://p.example/err' },
      }),
      409,
      'payment_not_payable',
    )
    const published = (await (await call('POST', payments, '/v1/tenants/{tenantId}/payments', aPayment())).json()).id
    await eventually(async () => (await get(published)).status === 'published')
    expect((await call('POST', `${payments}/${published}/cancel`, '/v1/tenants/{tenantId}/payments/{paymentId}/cancel')).status).toBe(202)
    await eventually(async () => (await get(published)).status === 'cancelled')
    const { iupd } = await get(published)
    expect([...loop.gpd.positions.values()].find((p) => p.iupd === iupd)?.status).toBe('INVALID')
  })
})

describe('a stop between the record and its delivery', () => {
  it('the payment written but never enqueued is published by the sweeper once the grace period is over, once', async () => {
    const { t } = loop
    const failingEnqueue = { ...t.deps.engine, enqueue: () => Promise.reject(new Error('the process stopped here')) }
    const request = { ...aPayment({ description: 'Accettazione interrotta' }), transfers: undefined } as Parameters<typeof acceptPayment>[2]
    await expect(acceptPayment({ ...t.deps, engine: failingEnqueue }, t.deps.tenants.get('comune-a') as TenantConfig, request)).rejects.toThrow(
      'the process stopped here',
    )
    const [intent] = await t.deps.deliveries.staleIntents(0, 1000)
    expect(intent).toMatchObject({ written: true, delivery: { target: 'pagopa' } })
    const id = intent?.delivery.resourceId as string
    expect((await get(id)).status).toBe('queued')
    await startSweeper({
      store: t.deps.deliveries,
      engine: t.deps.engine,
      config: t.deps.config.delivery,
      onError: (e) => expect.fail(String(e)),
      graceMs: 0,
    }).stop()
    await eventually(async () => (await get(id)).status === 'published')
    expect([...loop.gpd.positions.values()].filter((p) => p.iupd === intent?.delivery.meta.iupd)).toHaveLength(1)
    expect(await t.deps.deliveries.staleIntents(0, 1000)).toEqual([])
  })
})

describe('due dates already passed', () => {
  it('are refused for GPD, which would refuse the position; a station takes them (its notices may be paid late)', async () => {
    const { t } = loop
    const gpdTenant = t.deps.tenants.get('comune-a') as TenantConfig
    const pagopa = gpdTenant.platforms.pagopa as NonNullable<TenantConfig['platforms']['pagopa']>
    const late = { ...aPayment({ dueDate: '2020-01-01T00:00:00Z' }), transfers: undefined } as Parameters<typeof acceptPayment>[2]
    await expect(acceptPayment(t.deps, gpdTenant, late)).rejects.toMatchObject({ code: 'validation_failed', errors: [{ path: 'dueDate' }] })
    const stationTenant = { ...gpdTenant, platforms: { ...gpdTenant.platforms, pagopa: { ...pagopa, mode: 'station' as const } } }
    const { id } = await acceptPayment(t.deps, stationTenant, late)
    expect((await t.deps.payments.get(id))?.data.dueDate).toBe('2020-01-01T00:00:00Z')
  })
})

describe('bad input: 400 with the field, nothing created', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['amount 0', { amountCents: 0 }, 'amountCents'],
    ['amount in euros with decimals', { amountCents: 54.5 }, 'amountCents'],
    ['a description of 141 characters', { description: 'x'.repeat(141) }, 'description'],
    ['a debtor F with an 11-digit code', { debtor: { type: 'F', fiscalCode: '00000000001', fullName: 'X' } }, 'debtor.fiscalCode'],
    ['a debtor G with a personal code', { debtor: { type: 'G', fiscalCode: citizen, fullName: 'X' } }, 'debtor.fiscalCode'],
    [
      'an IBAN with wrong check digits',
      { transfers: [{ iban: 'IT61X0542811101000000123456', amountCents: 5400, remittance: 'TARI', category: '9/0101108TS/' }] },
      'transfers.0.iban',
    ],
    [
      'an IBAN and a postal IBAN',
      { transfers: [{ iban: 'IT60X0542811101000000123456', postalIban: 'IT60X0542811101000000123456', amountCents: 5400, remittance: 'TARI', category: 'c' }] },
      'transfers.0.iban',
    ],
    ['transfers not adding up', { transfers: [{ iban: 'IT60X0542811101000000123456', amountCents: 5000, remittance: 'TARI', category: 'c' }] }, 'transfers'],
    ['six transfers', { transfers: Array(6).fill({ iban: 'IT60X0542811101000000123456', amountCents: 900, remittance: 'TARI', category: 'c' }) }, 'transfers'],
    ['an unknown IO service', { notify: { io: { service: 'anagrafe' } } }, 'notify.io.service'],
    ['a due date already passed (GPD would refuse the position)', { dueDate: '2020-01-01T00:00:00Z' }, 'dueDate'],
    ['no due date and an expiry already passed', { expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
  ]
  it.each(cases)('%s', async (_, over, path) => {
    const before = loop.gpd.positions.size
    const problem = await expectProblem(await call('POST', payments, '/v1/tenants/{tenantId}/payments', aPayment(over)), 400, 'validation_failed')
    expect(problem.errors?.map((e) => e.path)).toContain(path)
    expect(loop.gpd.positions.size).toBe(before)
  })

  it("another tenant's payment is not found; a tenant without pagoPA is 422", async () => {
    const { id } = await (await call('POST', payments, '/v1/tenants/{tenantId}/payments', aPayment())).json()
    await expectProblem(await loop.t.app.request(`/v1/tenants/comune-b/payments/${id}`, await signedInit(loop.t.clients.other)), 404, 'not_found')
    await expectProblem(
      await loop.t.app.request('/v1/tenants/comune-b/payments', await signedInit(loop.t.clients.other, { body: aPayment() })),
      422,
      'platform_not_configured',
    )
  })
})
