// Payments in installments through the whole app, on loopback, against the GPD, Checkout and Node
// simulators and App IO: one position with the option in full and one per installment; the citizen
// pays installment 1 (partially_paid, payment.installment_paid), then 2 (paid, payment.paid).
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem } from '../../../../test/support/contract.ts'
import { citizen, type PaymentLoop, paymentsPath as payments, returnUrls, startPaymentLoop, station } from '../../../../test/support/payment-loop.ts'
import { eventually } from '../../../../test/support/webhook-receiver.ts'
import { isValidNoticeNumber } from '../../../payments/notice-number.ts'

let loop: PaymentLoop
beforeAll(async () => {
  loop = await startPaymentLoop()
})
afterAll(() => loop.close())

const day = 86_400_000
const due = (days: number) => new Date(Date.now() + days * day).toISOString()
const accounts = { bank: 'IT60X0542811101000000123456', postal: 'IT10X0760111101000000123456' }
const aPayment = (over: Record<string, unknown> = {}) => ({
  debtor: { type: 'F', fiscalCode: citizen, fullName: 'Mario Rossi' },
  amountCents: 10_000,
  description: 'TARI 2026',
  transfers: [
    { iban: accounts.bank, amountCents: 6_000, remittance: 'TARI', category: '9/0101100IM/' },
    { postalIban: accounts.postal, amountCents: 4_000, remittance: 'TEFA', category: '9/0201102IM/', organizationFiscalCode: '00000000018' },
  ],
  installments: [
    { amountCents: 3_000, dueDate: due(30) },
    { amountCents: 7_000, dueDate: due(60), description: 'TARI 2026 - saldo' },
  ],
  ...over,
})
const create = (body: object) => loop.call('POST', payments, '/v1/tenants/{tenantId}/payments', body)
const checkout = (id: string, extra: object = {}) =>
  loop.call('POST', `${payments}/${id}/checkout`, '/v1/tenants/{tenantId}/payments/{paymentId}/checkout', { returnUrls, ...extra })
/** The citizen opens the Checkout page and presses "Paga". */
async function pay(id: string, installment?: number) {
  const { redirectUrl } = await (await checkout(id, installment ? { installment } : {})).json()
  const paid = await fetch(`${redirectUrl}/pay`, { method: 'POST', redirect: 'manual' })
  expect(paid.headers.get('location')).toBe(returnUrls.ok)
}
const ioMessage = (paymentId: string, step: string) =>
  loop.t.deps.messages.get(`msg_${createHash('sha256').update(`${paymentId}|${step}`).digest('hex').slice(0, 32)}`)

describe('the whole loop, in installments', () => {
  it('notices at once, one GPD position with every option, installment 1 then 2 paid through Checkout and the Node', async () => {
    const accepted = await create(aPayment({ notify: { io: {} } }))
    expect(accepted.status).toBe(202)
    const created = await accepted.json()
    const [first, second] = created.installments
    expect(created).toMatchObject({ status: 'queued', dueDate: first.dueDate })
    expect(created.installments.map((i: { index: number; status: string }) => [i.index, i.status])).toEqual([
      [1, 'unpaid'],
      [2, 'unpaid'],
    ])
    // One per notice, from the tenant's counter, in a row: the full payment's, then each installment's.
    const notices = [created.noticeNumber, first.noticeNumber, second.noticeNumber]
    expect(notices.every(isValidNoticeNumber)).toBe(true)
    expect(notices.map((n) => Number(n.slice(3, 16)) - Number(created.noticeNumber.slice(3, 16)))).toEqual([0, 1, 2])
    expect(first).toMatchObject({ iuv: first.noticeNumber.slice(1), amountCents: 3_000, description: 'Rata 1 di 2 - TARI 2026' })
    expect(second.description).toBe('TARI 2026 - saldo')
    // Each beneficiary's share of each installment: 60 % and 40 %.
    expect(created.installments.map((i: { transfers: { amountCents: number }[] }) => i.transfers.map((t) => t.amountCents))).toEqual([
      [1_800, 1_200],
      [4_200, 2_800],
    ])
    expect(second.transfers[1]).toEqual({
      idTransfer: '2',
      postalIban: accounts.postal,
      amountCents: 2_800,
      remittance: 'TEFA',
      category: '9/0201102IM/',
      organizationFiscalCode: '00000000018',
    })

    await eventually(async () => (await loop.get(created.id)).status === 'published')
    const position = loop.gpd.positions.get(`${station.idPA}/${created.iupd}`)
    expect(position?.options.map((o) => [o.nav, o.model.amount, o.model.isPartialPayment])).toEqual([
      [created.noticeNumber, 10_000, false],
      [first.noticeNumber, 3_000, true],
      [second.noticeNumber, 7_000, true],
    ])
    // IO's payment_data holds the payment in full; the message lists the installments.
    const notice = await ioMessage(created.id, 'published')
    expect(notice?.data.payment).toMatchObject({ noticeNumber: created.noticeNumber, amountCents: 10_000 })
    expect(notice?.data.markdown).toContain(`- rata 2: 70,00 € entro il`)
    expect(notice?.data.markdown).toContain(`codice avviso ${second.noticeNumber}`)

    await pay(created.id, 1)
    await eventually(async () => (await loop.get(created.id)).status === 'partially_paid')
    const partly = await loop.get(created.id)
    expect(partly.installments[0]).toMatchObject({ status: 'paid', paidAt: expect.any(String), receipt: { amountCents: 3_000, receiptId: expect.any(String) } })
    expect(partly.installments[1].status).toBe('unpaid')
    expect(partly.receipt).toBeUndefined()
    expect(position?.status).toBe('PARTIALLY_PAID')
    const installmentPaid = (await loop.eventsOf(created.id, ['payment.installment_paid']))[0]
    expect(installmentPaid?.data).toMatchObject({
      installment: { index: 1, noticeNumber: first.noticeNumber, amountCents: 3_000 },
      receipt: { amountCents: 3_000 },
      paidInstallments: 1,
      installmentCount: 2,
    })

    await expectProblem(await checkout(created.id, { installment: 1 }), 409, 'payment_not_payable')
    const whole = await expectProblem(await checkout(created.id), 409, 'payment_not_payable')
    expect(whole.detail).toMatch(/Installments 1 of payment .* are paid: pay the others/)
    await expectProblem(
      await loop.call('POST', `${payments}/${created.id}/cancel`, '/v1/tenants/{tenantId}/payments/{paymentId}/cancel'),
      409,
      'payment_already_paid',
    )

    await pay(created.id, 2)
    await eventually(async () => (await loop.get(created.id)).status === 'paid')
    const paid = await loop.get(created.id)
    expect(paid.history.map((h: { status: string }) => h.status)).toEqual(['queued', 'published', 'partially_paid', 'paid'])
    expect(position?.status).toBe('PAID')
    const events = await loop.eventsOf(created.id, ['payment.published', 'payment.installment_paid', 'payment.paid'])
    expect(events.map((e) => [e.type, e.data.installment?.index])).toEqual([
      ['payment.published', undefined],
      ['payment.installment_paid', 1],
      ['payment.installment_paid', 2],
      ['payment.paid', undefined],
    ])
    expect(events[3]?.data.installments).toEqual([
      { index: 1, receiptId: paid.installments[0].receipt.receiptId },
      { index: 2, receiptId: paid.installments[1].receipt.receiptId },
    ])
    // The receipt that settled it (the last installment's), as when paid in full: the shape consumers of payment.paid read.
    expect(events[3]?.data.receipt).toMatchObject({ receiptId: paid.installments[1].receipt.receiptId, noticeNumber: second.noticeNumber, amountCents: 7_000 })
    // The citizen heard of the notice, then of each installment; the last one says the debt is paid.
    expect((await ioMessage(created.id, 'installment-2'))?.data.markdown).toContain('Con questa rata il pagamento è completo.')
    expect(await ioMessage(created.id, 'paid')).toBeUndefined()
  })

  it('paid in full, it is paid: the installments stay unpaid and can no longer be paid', async () => {
    const { id } = await (await create(aPayment())).json()
    await eventually(async () => (await loop.get(id)).status === 'published')
    await pay(id)
    await eventually(async () => (await loop.get(id)).status === 'paid')
    const payment = await loop.get(id)
    expect(payment.receipt).toMatchObject({ amountCents: 10_000 })
    expect(payment.installments.map((i: { status: string }) => i.status)).toEqual(['unpaid', 'unpaid'])
    await expectProblem(await checkout(id, { installment: 2 }), 409, 'payment_not_payable')
  })
})

describe('bad input: 400 with the field, nothing created', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['one installment', { installments: [{ amountCents: 10_000, dueDate: due(30) }] }, 'installments'],
    [
      '37 installments',
      { amountCents: 3_700, transfers: undefined, installments: Array.from({ length: 37 }, (_, k) => ({ amountCents: 100, dueDate: due(k + 1) })) },
      'installments',
    ],
    [
      'installments not adding up',
      {
        installments: [
          { amountCents: 3_000, dueDate: due(30) },
          { amountCents: 6_999, dueDate: due(60) },
        ],
      },
      'installments',
    ],
    [
      'due dates not increasing',
      {
        installments: [
          { amountCents: 3_000, dueDate: due(60) },
          { amountCents: 7_000, dueDate: due(30) },
        ],
      },
      'installments.1.dueDate',
    ],
    ['an installment due after expiresAt', { expiresAt: due(45) }, 'installments.1.dueDate'],
    [
      'an installment already due',
      {
        installments: [
          { amountCents: 3_000, dueDate: due(-1) },
          { amountCents: 7_000, dueDate: due(60) },
        ],
      },
      'installments.0.dueDate',
    ],
    [
      'an installment of less than a cent per transfer',
      {
        installments: [
          { amountCents: 1, dueDate: due(30) },
          { amountCents: 9_999, dueDate: due(60) },
        ],
      },
      'installments.0.amountCents',
    ],
    [
      'a transfer of less than a cent per installment',
      {
        transfers: [
          { iban: accounts.bank, amountCents: 9_999, remittance: 'TARI', category: 'c' },
          { iban: accounts.bank, amountCents: 1, remittance: 'TEFA', category: 'c' },
        ],
      },
      'transfers.1.amountCents',
    ],
    [
      'an installment of 0 cents',
      {
        installments: [
          { amountCents: 0, dueDate: due(30) },
          { amountCents: 10_000, dueDate: due(60) },
        ],
      },
      'installments.0.amountCents',
    ],
    ['an installment without its due date', { installments: [{ amountCents: 3_000 }, { amountCents: 7_000, dueDate: due(60) }] }, 'installments.0.dueDate'],
    [
      'a field installments do not have',
      {
        installments: [
          { amountCents: 3_000, dueDate: due(30), iuv: '01000000000000144' },
          { amountCents: 7_000, dueDate: due(60) },
        ],
      },
      'installments.0',
    ],
  ]
  it.each(cases)('%s', async (_, over, path) => {
    const before = loop.gpd.positions.size
    const problem = await expectProblem(await create(aPayment(over)), 400, 'validation_failed')
    expect(problem.errors?.map((e) => e.path)).toContain(path)
    expect(loop.gpd.positions.size).toBe(before)
  })

  it('an installment the payment does not have, or any installment of a payment without them: 400 on installment', async () => {
    const { id } = await (await create(aPayment())).json()
    const single = (await (await create(aPayment({ transfers: undefined, installments: undefined }))).json()).id
    await eventually(async () => (await loop.get(id)).status === 'published' && (await loop.get(single)).status === 'published')
    expect((await expectProblem(await checkout(id, { installment: 3 }), 400, 'validation_failed')).errors).toEqual([
      { path: 'installment', message: `payment ${id} has installments 1 to 2` },
    ])
    expect((await expectProblem(await checkout(single, { installment: 1 }), 400, 'validation_failed')).errors?.[0]?.message).toMatch(/has no installments/)
  })

  it('nothing paid yet, a payment in installments is cancelled as any other: the whole position invalidated', async () => {
    const { id, iupd } = await (await create(aPayment())).json()
    await eventually(async () => (await loop.get(id)).status === 'published')
    expect((await loop.call('POST', `${payments}/${id}/cancel`, '/v1/tenants/{tenantId}/payments/{paymentId}/cancel')).status).toBe(202)
    await eventually(async () => (await loop.get(id)).status === 'cancelled')
    expect(loop.gpd.positions.get(`${station.idPA}/${iupd}`)?.status).toBe('INVALID')
  })
})
