// The station's answers about payments in installments (pagopa/FACTS.md §5, §8): each installment's
// notice is verified and activated with its own amount, due date and transfers; receipts are matched
// to their notice; once an installment is paid only the others can be (as GPD). Every envelope sent
// and every …Res received is validated against the real paForNode.xsd by call().
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { aReceipt, getPaymentCall, sendRTCall, verifyCall } from '../../../test/support/nodo-calls.ts'
import { createNodoStation, stationA, stationB } from '../../../test/support/nodo-station.ts'
import type { Installment, StoredPayment } from '../../payments/payment.ts'

let s: Awaited<ReturnType<typeof createNodoStation>>
beforeAll(async () => {
  s = await createNodoStation('pagoPA nodo station, installments (paForNode.xsd)')
})
afterAll(() => s.close())

const qr = (noticeNumber: string, fiscalCode = stationA.idPA) => ({ fiscalCode, noticeNumber })
const euro = (cents: number) => (cents / 100).toFixed(2)
const nth = (p: StoredPayment, n: number) => p.data.installments?.[n - 1] as Installment
const receiptOn = (on: { noticeNumber: string; iuv: string; amountCents: number }, receiptId: string, fiscalCode = stationA.idPA) =>
  aReceipt({ receiptId, noticeNumber: on.noticeNumber, fiscalCode, creditorReferenceId: on.iuv, paymentAmount: euro(on.amountCents) })
const faultOf = async (envelope: string) => (await s.call(envelope)).answer.fault?.faultCode

describe('verify and activation of an installment', () => {
  it("paVerifyPaymentNotice gives the installment's amount, due day and description; the notice in full gives the whole", async () => {
    const p = await s.aPaymentInInstallments([400, 650])
    const option = async (noticeNumber: string) =>
      (await s.call(verifyCall(stationA, qr(noticeNumber)), { soapAction: 'paVerifyPaymentNotice' })).answer.content
    expect(await option(nth(p, 2).noticeNumber)).toEqual({
      paymentList: { paymentOptionDescription: { amount: '6.50', options: 'EQ', dueDate: '2026-02-28', allCCP: 'false' } },
      paymentDescription: 'TARI 2025 rata 2',
      fiscalCodePA: stationA.idPA,
      companyName: 'Comune A',
    })
    expect(await option(p.data.noticeNumber)).toMatchObject({
      paymentList: { paymentOptionDescription: { amount: '10.50', dueDate: '2025-12-31' } },
      paymentDescription: 'TARI 2025 rata unica',
    })
  })

  it("paGetPaymentV2 gives the installment's IUV, amount and transfers, and refuses another amount", async () => {
    const p = await s.aPaymentInInstallments([400, 650])
    const { answer } = await s.call(getPaymentCall(2, stationA, qr(nth(p, 1).noticeNumber)), { soapAction: 'paGetPaymentV2' })
    expect(answer.content.data).toMatchObject({
      creditorReferenceId: nth(p, 1).iuv,
      paymentAmount: '4.00',
      dueDate: '2026-01-28',
      description: 'TARI 2025 rata 1',
      transferList: {
        transfer: {
          idTransfer: '1',
          transferAmount: '4.00',
          fiscalCodePA: stationA.idPA,
          companyName: 'Comune A',
          IBAN: 'IT60X0542811101000000123456',
          remittanceInformation: 'TARI 2025 rata 1',
        },
      },
    })
    expect(await faultOf(getPaymentCall(1, stationA, qr(nth(p, 1).noticeNumber), { amount: '10.50' }))).toBe('PAA_ATTIVA_RPT_IMPORTO_NON_VALIDO')
  })
})

describe('receipts of installments', () => {
  it('are matched to their notice: partially_paid, then paid with the last; the same receipt again changes nothing', async () => {
    const p = await s.aPaymentInInstallments([400, 650])
    expect((await s.call(sendRTCall(2, stationA, receiptOn(nth(p, 1), 'rt-i1')), { soapAction: 'paSendRTV2' })).answer.outcome).toBe('OK')
    const partly = await s.stored(p)
    expect(partly.status).toBe('partially_paid')
    expect(JSON.parse(partly.fields['receipt:1'] as string)).toMatchObject({
      receiptId: 'rt-i1',
      noticeNumber: nth(p, 1).noticeNumber,
      creditorReferenceId: nth(p, 1).iuv,
      amountCents: 400,
    })
    expect((await s.call(sendRTCall(1, stationA, receiptOn(nth(p, 1), 'rt-i1')))).answer.outcome).toBe('OK')
    expect(await s.stored(p)).toEqual(partly)
    expect((await s.call(sendRTCall(1, stationA, receiptOn(nth(p, 2), 'rt-i2')))).answer.outcome).toBe('OK')
    expect((await s.stored(p)).history.map((h) => h.status)).toEqual(['queued', 'published', 'partially_paid', 'paid'])
  })

  it.each([
    [
      "the IUV of the payment in full on an installment's notice",
      'creditorReferenceId',
      (p: StoredPayment) => ({ ...receiptOn(nth(p, 1), 'rt-x'), creditorReferenceId: p.data.iuv }),
    ],
    [
      "the whole amount on an installment's notice",
      'paymentAmount 10\\.50',
      (p: StoredPayment) => ({ ...receiptOn(nth(p, 1), 'rt-x'), paymentAmount: '10.50' }),
    ],
  ])('with %s → PAA_SEMANTICA, nothing stored', async (_, description, receipt) => {
    const p = await s.aPaymentInInstallments([400, 650])
    expect((await s.call(sendRTCall(1, stationA, receipt(p)))).answer.fault).toMatchObject({
      faultCode: 'PAA_SEMANTICA',
      description: expect.stringMatching(new RegExp(description)),
    })
    expect(await s.stored(p)).toEqual(p)
  })
})

describe('once something is paid', () => {
  it('an installment paid: the notice in full and that installment are PAA_PAGAMENTO_DUPLICATO, the others payable', async () => {
    const p = await s.aPaymentInInstallments([300, 300, 450])
    await s.call(sendRTCall(2, stationA, receiptOn(nth(p, 2), 'rt-dup-2')))
    for (const notice of [p.data.noticeNumber, nth(p, 2).noticeNumber]) {
      for (const envelope of [verifyCall(stationA, qr(notice)), getPaymentCall(1, stationA, qr(notice)), getPaymentCall(2, stationA, qr(notice))])
        expect(await faultOf(envelope)).toBe('PAA_PAGAMENTO_DUPLICATO')
    }
    expect((await s.call(verifyCall(stationA, qr(nth(p, 3).noticeNumber)))).answer.outcome).toBe('OK')
    expect((await s.call(getPaymentCall(2, stationA, qr(nth(p, 1).noticeNumber)))).answer.outcome).toBe('OK')
  })

  it('paid in full: every installment is PAA_PAGAMENTO_DUPLICATO', async () => {
    const p = await s.aPaymentInInstallments([400, 650])
    await s.call(sendRTCall(2, stationA, receiptOn(p.data, 'rt-full')))
    expect(await faultOf(verifyCall(stationA, qr(nth(p, 1).noticeNumber)))).toBe('PAA_PAGAMENTO_DUPLICATO')
  })

  it("a 'gpd' tenant: an installment's receipt after the payment in full is kept, and logged as money collected twice", async () => {
    const p = await s.aPaymentInInstallments([400, 650], { tenantId: 'comune-b' })
    const errors = vi.spyOn(s.t.deps.logger, 'error')
    // GPD shows both collected (the Node collected both), so both receipts are borne out there.
    s.payOnGpd(p)
    s.payOnGpd(p, nth(p, 1).noticeNumber)
    await s.call(sendRTCall(2, stationB, receiptOn(p.data, 'rt-gpd-full', stationB.idPA)))
    expect((await s.call(sendRTCall(2, stationB, receiptOn(nth(p, 1), 'rt-gpd-i1', stationB.idPA)))).answer.outcome).toBe('OK')
    const now = await s.stored(p)
    expect([now.status, JSON.parse(now.fields['receipt:1'] as string).receiptId]).toEqual(['paid', 'rt-gpd-i1'])
    expect(errors).toHaveBeenCalledWith(
      expect.objectContaining({ outcome: 'recorded_overpaid', installment: 1, receiptId: 'rt-gpd-i1' }),
      expect.stringMatching(/refund is due/),
    )
  })

  it('another receipt for an installment already paid is not recorded, and logged as money collected twice', async () => {
    const p = await s.aPaymentInInstallments([400, 650])
    await s.call(sendRTCall(2, stationA, receiptOn(nth(p, 1), 'rt-twice-a')))
    const errors = vi.spyOn(s.t.deps.logger, 'error')
    expect((await s.call(sendRTCall(2, stationA, receiptOn(nth(p, 1), 'rt-twice-b')))).answer.outcome).toBe('OK')
    expect(JSON.parse((await s.stored(p)).fields['receipt:1'] as string).receiptId).toBe('rt-twice-a')
    expect(errors).toHaveBeenCalledWith(
      expect.objectContaining({ outcome: 'already_final', status: 'partially_paid', installment: 1, receiptId: 'rt-twice-b' }),
      expect.stringMatching(/collected twice.*refund is due/),
    )
    errors.mockRestore()
  })
})
