// The receipt is the last word: recorded once per notice, even on a payment Snodo saw expire or be
// cancelled; installments make the payment partially_paid, then paid once every one is.
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { readEnv } from '../config.ts'
import { iuvFor } from './notice-number.ts'
import { createPaymentStore, type Installment, type PaymentData, type Receipt, type StoredPayment } from './payment.ts'
import { createStation } from './station.ts'

const redis = new Redis(readEnv().REDIS_URL)
const prefix = `test-station-${randomUUID().slice(0, 8)}`
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
})

const payments = createPaymentStore(redis, prefix, () => new Date())
/** The outcomes that completed, in order. */
let told: string[] = []
/** Outcomes that fail the next time they are called (Redis gone for a moment, a crash): nothing is told. */
let failing = new Set<'paid' | 'installmentPaid'>()
beforeEach(() => {
  told = []
  failing = new Set()
})
const tell = (outcome: 'paid' | 'installmentPaid', line: string) => {
  if (failing.delete(outcome)) throw new Error(`${outcome} failed`)
  told.push(line)
}
const station = createStation({
  tenants: new Map(),
  payments,
  expireIfDue: async (p) => p,
  outcomes: {
    paid: async (p, r) => tell('paid', `paid ${p.id} ${r.receiptId}`),
    installmentPaid: async (p, i) => tell('installmentPaid', `installment ${i.index} ${p.id} ${p.status}`),
  },
})
let sequence = 0
const notice = () => iuvFor('01', ++sequence)
const transfer = (amountCents: number) => ({
  idTransfer: '1' as const,
  amountCents,
  iban: 'IT60X0542811101000000123456',
  remittance: 'TARI',
  category: '9/0101100IM/',
})
const data = (installments = 0): PaymentData => ({
  tenantId: 'comune-a',
  ...notice(),
  iupd: `x-${sequence}`,
  debtor: { type: 'F', fiscalCode: 'IOUSER00A00Y001X', fullName: 'M' },
  amountCents: 300,
  description: 'd',
  transfers: [transfer(300)],
  ...(installments > 0
    ? {
        installments: Array.from(
          { length: installments },
          (_, k): Installment => ({
            index: k + 1,
            ...notice(),
            amountCents: 300 / installments,
            dueDate: `2026-0${k + 3}-01T00:00:00Z`,
            description: `rata ${k + 1}`,
            transfers: [transfer(300 / installments)],
          }),
        ),
      }
    : {}),
  deliveryId: `d${sequence}`,
})
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

async function aPayment(installments = 0, status: 'published' | 'expired' | 'cancelled' = 'published') {
  const id = `p-${randomUUID()}`
  await payments.create(id, data(installments))
  await payments.transition(id, status)
  return (await payments.get(id)) as StoredPayment
}
const now = async (p: StoredPayment) => (await payments.get(p.id)) as StoredPayment
const record = async (p: StoredPayment, r: Receipt) => station.recordReceipt(await now(p), r)
const installment = (p: StoredPayment, n: number) => p.data.installments?.[n - 1] as Installment

describe('a payment in full', () => {
  it('records a receipt once; the same again is a duplicate, another one changes nothing', async () => {
    const p = await aPayment()
    expect(await record(p, receipt('r1', p.data))).toBe('recorded')
    expect(await record(p, receipt('r1', p.data))).toBe('duplicate')
    expect(await record(p, receipt('r2', p.data))).toBe('already_final')
    expect((await now(p)).fields).toEqual({ receipt: expect.stringContaining('"r1"'), settledBy: 'receipt' })
    // The duplicate tells again (the outcomes are idempotent), another receipt does not.
    expect(told).toEqual([`paid ${p.id} r1`, `paid ${p.id} r1`])
  })

  it('paid, but telling it failed: the receipt sent again tells it', async () => {
    const p = await aPayment()
    failing.add('paid')
    await expect(record(p, receipt('f1', p.data))).rejects.toThrow('paid failed')
    expect([(await now(p)).status, told]).toEqual(['paid', []])
    expect(await record(p, receipt('f1', p.data))).toBe('duplicate')
    expect(told).toEqual([`paid ${p.id} f1`])
  })

  it.each(['expired', 'cancelled'] as const)('a receipt for a payment already %s still makes it paid: the money was collected', async (status) => {
    const p = await aPayment(0, status)
    expect(await record(p, receipt(`r-${status}`, p.data))).toBe('recorded')
    expect((await now(p)).history.map((h) => h.status)).toEqual(['queued', status, 'paid'])
  })
})

describe('a payment in installments', () => {
  it('is partially_paid with the first installment, paid with the last; each receipt kept on its own installment', async () => {
    const p = await aPayment(2)
    expect(await record(p, receipt('i1', installment(p, 1)))).toBe('recorded')
    expect((await now(p)).status).toBe('partially_paid')
    expect(await record(p, receipt('i1', installment(p, 1)))).toBe('duplicate')
    expect(await record(p, receipt('i1-other', installment(p, 1)))).toBe('already_final')
    expect(await record(p, receipt('i2', installment(p, 2)))).toBe('recorded')
    const paid = await now(p)
    expect(paid.history.map((h) => [h.status, h.detail])).toEqual([
      ['queued', undefined],
      ['published', undefined],
      ['partially_paid', 'installment 1 of 2 paid: receipt i1 from PSP'],
      ['paid', 'every installment paid (2); the last, 2, with receipt i2 from PSP'],
    ])
    expect([JSON.parse(paid.fields['receipt:1'] as string).receiptId, JSON.parse(paid.fields['receipt:2'] as string).receiptId, paid.fields.receipt]).toEqual([
      'i1',
      'i2',
      undefined,
    ])
    expect(told).toEqual([`installment 1 ${p.id} partially_paid`, `installment 1 ${p.id} partially_paid`, `installment 2 ${p.id} paid`, `paid ${p.id} i2`])
  })

  it('installment 2 of 3 kept and applied, but telling it failed: the receipt sent again tells it', async () => {
    const p = await aPayment(3)
    await record(p, receipt('m1', installment(p, 1)))
    failing.add('installmentPaid')
    await expect(record(p, receipt('m2', installment(p, 2)))).rejects.toThrow('installmentPaid failed')
    const after = await now(p)
    expect([after.status, JSON.parse(after.fields['receipt:2'] as string).receiptId, told]).toEqual([
      'partially_paid',
      'm2',
      [`installment 1 ${p.id} partially_paid`],
    ])
    expect(await record(p, receipt('m2', installment(p, 2)))).toBe('duplicate')
    expect(told).toEqual([`installment 1 ${p.id} partially_paid`, `installment 2 ${p.id} partially_paid`])
    expect((await now(p)).history).toEqual(after.history)
  })

  it.each(['installmentPaid', 'paid'] as const)(
    'the last installment applied, but %s failed: the receipt sent again tells both, paid once',
    async (outcome) => {
      const p = await aPayment(2)
      await record(p, receipt('l1', installment(p, 1)))
      failing.add(outcome)
      await expect(record(p, receipt('l2', installment(p, 2)))).rejects.toThrow(`${outcome} failed`)
      expect((await now(p)).status).toBe('paid')
      // An earlier installment sent again does not tell paid: the last one made the payment paid.
      expect(await record(p, receipt('l1', installment(p, 1)))).toBe('duplicate')
      expect(told.filter((t) => t.startsWith('paid'))).toEqual([])
      expect(await record(p, receipt('l2', installment(p, 2)))).toBe('duplicate')
      expect(told.slice(-2)).toEqual([`installment 2 ${p.id} paid`, `paid ${p.id} l2`])
      expect(told.filter((t) => t.startsWith('paid'))).toHaveLength(1)
    },
  )

  it('two installments paid at the same moment still end paid, told once', async () => {
    const p = await aPayment(3)
    await record(p, receipt('c1', installment(p, 1)))
    const before = await now(p)
    expect(
      await Promise.all([station.recordReceipt(before, receipt('c2', installment(p, 2))), station.recordReceipt(before, receipt('c3', installment(p, 3)))]),
    ).toEqual(['recorded', 'recorded'])
    expect((await now(p)).status).toBe('paid')
    expect(told.filter((t) => t.startsWith('paid'))).toHaveLength(1)
    expect((await now(p)).fields.settledBy).toBe(told.find((t) => t.startsWith('paid'))?.endsWith('c2') ? 'receipt:2' : 'receipt:3')
  })

  it('a receipt kept but not yet applied (a crash in between) is applied when the nodo sends it again', async () => {
    const p = await aPayment(2)
    await payments.keepReceipt(p.id, 1, receipt('k1', installment(p, 1)))
    expect(await record(p, receipt('k1', installment(p, 1)))).toBe('duplicate')
    expect((await now(p)).status).toBe('partially_paid')
    expect(told).toEqual([`installment 1 ${p.id} partially_paid`])
  })

  it('an installment of a payment already expired makes it partially_paid', async () => {
    const p = await aPayment(2, 'expired')
    expect(await record(p, receipt('e1', installment(p, 1)))).toBe('recorded')
    expect((await now(p)).status).toBe('partially_paid')
  })

  it('pagoPA collecting both the whole and an installment is recorded as overpaid, whichever came first', async () => {
    const wholeAfter = await aPayment(2)
    await record(wholeAfter, receipt('o1', installment(wholeAfter, 1)))
    expect(await record(wholeAfter, receipt('o-full', wholeAfter.data))).toBe('recorded_overpaid')
    expect((await now(wholeAfter)).status).toBe('paid')
    const installmentAfter = await aPayment(2)
    await record(installmentAfter, receipt('o2-full', installmentAfter.data))
    expect(await record(installmentAfter, receipt('o2', installment(installmentAfter, 2)))).toBe('recorded_overpaid')
    expect((await now(installmentAfter)).fields['receipt:2']).toContain('"o2"')
    const allThenWhole = await aPayment(2)
    await record(allThenWhole, receipt('o3', installment(allThenWhole, 1)))
    await record(allThenWhole, receipt('o4', installment(allThenWhole, 2)))
    expect(await record(allThenWhole, receipt('o3-full', allThenWhole.data))).toBe('recorded_overpaid')
    expect(await record(allThenWhole, receipt('o3-full', allThenWhole.data))).toBe('duplicate')
    expect(JSON.parse((await now(allThenWhole)).fields.receipt as string).receiptId).toBe('o3-full')
    // Paid by its installments: the whole, even sent again, never tells paid.
    expect(told.filter((t) => t.startsWith(`paid ${allThenWhole.id}`))).toEqual([`paid ${allThenWhole.id} o4`])
  })

  it('the whole and an installment at the same moment (the installment kept, not yet applied): the whole is recorded as overpaid', async () => {
    const p = await aPayment(2)
    await payments.keepReceipt(p.id, 1, receipt('s1', installment(p, 1)))
    expect(await record(p, receipt('s-full', p.data))).toBe('recorded_overpaid')
    expect((await now(p)).fields.settledBy).toBe('receipt')
  })

  it('the whole paid, then an installment (overpaid) sent again: the installment is told again, paid is not', async () => {
    const p = await aPayment(2)
    await record(p, receipt('w-full', p.data))
    expect(await record(p, receipt('w1', installment(p, 1)))).toBe('recorded_overpaid')
    expect(await record(p, receipt('w1', installment(p, 1)))).toBe('duplicate')
    expect(told).toEqual([`paid ${p.id} w-full`, `installment 1 ${p.id} paid`, `installment 1 ${p.id} paid`])
  })
})
