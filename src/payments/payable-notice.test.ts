// The one rule of which notice is payable now, shared by the Checkout cart (REST) and the nodo's verify
// and activation (SOAP): any notice of a published payment; once an installment is paid, only the
// installments still unpaid; nothing of a payment paid, expired, cancelled or not on pagoPA.
import { describe, expect, it } from 'vitest'
import { whyNotPayable } from './payable-notice.ts'
import { type Installment, noticeOf, type PaymentNotice, type PaymentStatus, receiptField, type StoredPayment } from './payment.ts'

const installment = (index: number): Installment => ({
  index,
  iuv: `0100000000000000${index}`,
  noticeNumber: `30100000000000000${index}`,
  amountCents: 100,
  dueDate: '2026-03-01',
  description: `rata ${index}`,
  transfers: [],
})
const payment = (status: PaymentStatus, paid: number[] = []): StoredPayment => ({
  id: 'pay-1',
  status,
  data: {
    tenantId: 'comune-a',
    iuv: '01000000000000000',
    noticeNumber: '301000000000000000',
    iupd: 'x',
    debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'M' },
    amountCents: 300,
    description: 'd',
    transfers: [],
    installments: [1, 2, 3].map(installment),
    deliveryId: 'd',
  },
  createdAt: '',
  updatedAt: '',
  fields: Object.fromEntries(paid.map((n) => [receiptField(n), '{}'])),
  history: [],
})
const whole = (p: StoredPayment) => noticeOf(p.data, p.data.noticeNumber) as PaymentNotice
const nth = (p: StoredPayment, n: number) => noticeOf(p.data, installment(n).noticeNumber) as PaymentNotice

describe('whyNotPayable', () => {
  it('a published payment: the whole and every installment', () => {
    const p = payment('published')
    expect([whole(p), nth(p, 1), nth(p, 3)].map((n) => whyNotPayable(p, n))).toEqual([undefined, undefined, undefined])
  })

  it('partially paid: the installments still unpaid only', () => {
    const p = payment('partially_paid', [1, 3])
    expect(whyNotPayable(p, whole(p))).toEqual({ reason: 'installments_paid', paidInstallments: [1, 3] })
    expect(whyNotPayable(p, nth(p, 3))).toEqual({ reason: 'installment_paid', installment: 3 })
    expect(whyNotPayable(p, nth(p, 2))).toBeUndefined()
  })

  it.each([
    ['queued', { reason: 'not_published', status: 'queued' }],
    ['failed', { reason: 'not_published', status: 'failed' }],
    ['expired', { reason: 'expired' }],
    ['cancelled', { reason: 'cancelled' }],
    ['paid', { reason: 'paid' }],
  ] as const)('%s: no notice', (status, reason) => {
    const p = payment(status)
    expect(whyNotPayable(p, whole(p))).toEqual(reason)
    expect(whyNotPayable(p, nth(p, 2))).toEqual(reason)
  })
})
