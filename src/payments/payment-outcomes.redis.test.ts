// What a receipt tells, with the real outcomes (event feed, App IO messages through the messages port)
// on Redis: a receipt sent again finishes what its first time left undone and never tells anything
// twice; an installment paid after the whole debt publishes its event but sends the citizen nothing;
// payment.paid always carries the receipt that settled the debt.
import { createHash, randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestApp, type TestApp } from '../../test/support/test-app.ts'
import { iuvFor } from './notice-number.ts'
import type { Installment, PaymentData, Receipt, StoredPayment } from './payment.ts'

let t: TestApp
beforeAll(async () => {
  process.env.TEST_OUTCOMES_KEY ??= 'test-key'
  t = await createTestApp({
    tenantOverrides: {
      platforms: {
        pagopa: {
          enabled: true,
          mode: 'gpd',
          baseUrl: 'https://gpd.invalid',
          subscriptionKey: 'env:TEST_OUTCOMES_KEY',
          idBrokerPA: '00000000001',
          idStation: '00000000001_01',
          segregationCode: '01',
        },
        appio: { enabled: true, baseUrl: 'https://io.invalid/api/v1', services: [{ name: 'tributi', apiKey: 'env:TEST_OUTCOMES_KEY', default: true }] },
      },
    },
  })
})
afterEach(() => void vi.restoreAllMocks())
afterAll(() => t.close())

let sequence = 0
const transfer = (amountCents: number) => ({
  idTransfer: '1' as const,
  amountCents,
  iban: 'IT60X0542811101000000123456',
  remittance: 'TARI',
  category: '9/0101100IM/',
})
/** A published payment of 90,00 € of comune-a, to a citizen on IO, in `installments` equal installments (or none). */
async function aPayment(installments = 0): Promise<StoredPayment> {
  const id = `pay-${randomUUID()}`
  const data: PaymentData = {
    tenantId: 'comune-a',
    ...iuvFor('01', ++sequence),
    iupd: `comune-a-${id}`,
    debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' },
    amountCents: 9_000,
    description: 'TARI 2026',
    transfers: [transfer(9_000)],
    ...(installments > 0
      ? {
          installments: Array.from(
            { length: installments },
            (_, k): Installment => ({
              index: k + 1,
              ...iuvFor('01', ++sequence),
              amountCents: 9_000 / installments,
              dueDate: `2026-0${k + 3}-01T00:00:00Z`,
              description: `rata ${k + 1}`,
              transfers: [transfer(9_000 / installments)],
            }),
          ),
        }
      : {}),
    notifyIo: { service: 'tributi' },
    deliveryId: `delivery-${id}`,
  }
  await t.deps.payments.create(id, data)
  await t.deps.payments.transition(id, 'published')
  return (await t.deps.payments.get(id)) as StoredPayment
}
const nth = (p: StoredPayment, n: number) => p.data.installments?.[n - 1] as Installment
const receipt = (receiptId: string, on: { noticeNumber: string; iuv: string; amountCents: number }): Receipt => ({
  receiptId,
  noticeNumber: on.noticeNumber,
  creditorReferenceId: on.iuv,
  amountCents: on.amountCents,
  outcome: 'OK',
  pspId: 'psp',
  pspName: 'PSP',
  version: 'paSendRTV2',
})
/** As the nodo sends it: the payment read by its notice first. */
const send = async (r: Receipt) => t.deps.station.recordReceipt((await t.deps.station.paymentByNotice('comune-a', r.noticeNumber)) as StoredPayment, r)
type PaymentEventData = Record<string, unknown> & { installment?: { index: number }; receipt?: Receipt; paidInstallments?: number }
/** The payment's payment.installment_paid and payment.paid events, in order. */
const events = async (p: StoredPayment) =>
  (await t.deps.events.read('comune-a', { limit: 500, types: new Set(['payment.installment_paid', 'payment.paid']) })).items
    .filter((e) => e.data.paymentId === p.id)
    .map((e) => ({ type: e.type, data: e.data as PaymentEventData }))
/** The App IO message of a step of the payment (its id is one per (payment, step)), if it was accepted. */
const ioMessage = (p: StoredPayment, step: string) => t.deps.messages.get(`msg_${createHash('sha256').update(`${p.id}|${step}`).digest('hex').slice(0, 32)}`)

describe('a receipt sent again', () => {
  it('tells nothing twice: one event and one IO message per step', async () => {
    const p = await aPayment(2)
    for (const r of [receipt('d1', nth(p, 1)), receipt('d1', nth(p, 1)), receipt('d2', nth(p, 2)), receipt('d2', nth(p, 2)), receipt('d1', nth(p, 1))])
      await send(r)
    expect((await events(p)).map((e) => [e.type, e.data.installment?.index])).toEqual([
      ['payment.installment_paid', 1],
      ['payment.installment_paid', 2],
      ['payment.paid', undefined],
    ])
    expect([(await ioMessage(p, 'installment-1'))?.data.markdown, (await ioMessage(p, 'installment-2'))?.data.markdown]).toEqual([
      expect.stringContaining('Rate pagate: 1 di 2.'),
      expect.stringContaining('Con questa rata il pagamento è completo.'),
    ])
  })

  it('installment 2 of 3, its event lost to a Redis hiccup: the resend publishes it and sends the IO message', async () => {
    const p = await aPayment(3)
    await send(receipt('h1', nth(p, 1)))
    vi.spyOn(t.deps.events, 'publish').mockRejectedValueOnce(new Error('Connection is closed.'))
    await expect(send(receipt('h2', nth(p, 2)))).rejects.toThrow('Connection is closed.')
    expect([(await t.deps.payments.get(p.id))?.status, (await events(p)).length, await ioMessage(p, 'installment-2')]).toEqual(['partially_paid', 1, undefined])
    expect(await send(receipt('h2', nth(p, 2)))).toBe('duplicate')
    expect((await events(p)).map((e) => [e.type, e.data.installment?.index, e.data.paidInstallments])).toEqual([
      ['payment.installment_paid', 1, 1],
      ['payment.installment_paid', 2, 2],
    ])
    expect((await ioMessage(p, 'installment-2'))?.data.markdown).toContain('Rate pagate: 2 di 3.')
  })

  it('the last installment, its IO message lost: the resend sends it and publishes payment.paid once', async () => {
    const p = await aPayment(2)
    await send(receipt('x1', nth(p, 1)))
    vi.spyOn(t.deps.messages, 'create').mockRejectedValueOnce(new Error('Connection is closed.'))
    await expect(send(receipt('x2', nth(p, 2)))).rejects.toThrow('Connection is closed.')
    expect([(await t.deps.payments.get(p.id))?.status, (await events(p)).map((e) => e.type)]).toEqual([
      'paid',
      ['payment.installment_paid', 'payment.installment_paid'],
    ])
    expect(await send(receipt('x2', nth(p, 2)))).toBe('duplicate')
    expect((await events(p)).map((e) => e.type)).toEqual(['payment.installment_paid', 'payment.installment_paid', 'payment.paid'])
    expect((await ioMessage(p, 'installment-2'))?.data.markdown).toContain('Con questa rata il pagamento è completo.')
  })

  it('paid in full, payment.paid lost: the resend publishes it and sends the IO message', async () => {
    const p = await aPayment()
    vi.spyOn(t.deps.events, 'publish').mockRejectedValueOnce(new Error('Connection is closed.'))
    await expect(send(receipt('f1', p.data))).rejects.toThrow('Connection is closed.')
    expect([(await t.deps.payments.get(p.id))?.status, await events(p), await ioMessage(p, 'paid')]).toEqual(['paid', [], undefined])
    expect(await send(receipt('f1', p.data))).toBe('duplicate')
    expect((await events(p)).map((e) => [e.type, e.data.receipt?.receiptId])).toEqual([['payment.paid', 'f1']])
    expect((await ioMessage(p, 'paid'))?.data.markdown).toContain('ricevuta f1')
  })
})

describe('an installment paid after the whole debt', () => {
  it('publishes payment.installment_paid but sends the citizen no "Rata n ricevuta", even sent again', async () => {
    const p = await aPayment(2)
    expect(await send(receipt('a-full', p.data))).toBe('recorded')
    expect(await send(receipt('a1', nth(p, 1)))).toBe('recorded_overpaid')
    expect(await send(receipt('a1', nth(p, 1)))).toBe('duplicate')
    expect((await events(p)).map((e) => [e.type, e.data.receipt?.receiptId])).toEqual([
      ['payment.paid', 'a-full'],
      ['payment.installment_paid', 'a1'],
    ])
    expect((await ioMessage(p, 'paid'))?.data.markdown).toContain('ricevuta a-full')
    expect(await ioMessage(p, 'installment-1')).toBeUndefined()
  })

  it('an installment paid before the whole was told as usual', async () => {
    const p = await aPayment(2)
    await send(receipt('b1', nth(p, 1)))
    expect(await send(receipt('b-full', p.data))).toBe('recorded_overpaid')
    expect((await ioMessage(p, 'installment-1'))?.data.markdown).toContain('Rate pagate: 1 di 2.')
    expect((await events(p)).at(-1)?.data).toMatchObject({ receipt: { receiptId: 'b-full' } })
  })
})

describe('payment.paid', () => {
  it('settled by installments: the last receipt (as when paid in full) and every installment', async () => {
    const p = await aPayment(3)
    for (const n of [2, 3, 1]) await send(receipt(`s${n}`, nth(p, n)))
    const paid = (await events(p)).find((e) => e.type === 'payment.paid')
    expect(paid?.data).toEqual({
      paymentId: p.id,
      iuv: p.data.iuv,
      noticeNumber: p.data.noticeNumber,
      amountCents: 9_000,
      receipt: receipt('s1', nth(p, 1)),
      installments: [
        { index: 1, receiptId: 's1' },
        { index: 2, receiptId: 's2' },
        { index: 3, receiptId: 's3' },
      ],
    })
  })

  it('paid in full: the receipt, no installments', async () => {
    const p = await aPayment(2)
    await send(receipt('w-full', p.data))
    expect((await events(p)).find((e) => e.type === 'payment.paid')?.data).toEqual({
      paymentId: p.id,
      iuv: p.data.iuv,
      noticeNumber: p.data.noticeNumber,
      amountCents: 9_000,
      receipt: receipt('w-full', p.data),
    })
  })
})
