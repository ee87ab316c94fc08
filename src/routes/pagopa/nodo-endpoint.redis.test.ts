// The station's answers to the nodo, operation by operation (pagopa/FACTS.md §8): each OK path, every
// fault code, receipts recorded once and exactly. Every envelope sent and every …Res received is
// validated against the real paForNode.xsd by call() (test/support/nodo-station.ts).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { aReceipt, aTransfer, getPaymentCall, nodoEnvelope, sendRTCall, verifyCall } from '../../../test/support/nodo-calls.ts'
import { createNodoStation, stationA, stationB, stationC } from '../../../test/support/nodo-station.ts'
import type { PaymentStatus, Receipt } from '../../payments/payment.ts'

let s: Awaited<ReturnType<typeof createNodoStation>>
beforeAll(async () => {
  s = await createNodoStation('pagoPA nodo station (paForNode.xsd)')
})
afterAll(() => s.close())

const qr = (noticeNumber: string, fiscalCode = stationA.idPA) => ({ fiscalCode, noticeNumber })
const receiptFor = (
  p: { data: { noticeNumber: string; iuv: string; amountCents: number } },
  receiptId: string,
  paymentAmount = (p.data.amountCents / 100).toFixed(2),
) => aReceipt({ receiptId, noticeNumber: p.data.noticeNumber, fiscalCode: stationA.idPA, creditorReferenceId: p.data.iuv, paymentAmount })

describe('paVerifyPaymentNotice', () => {
  it('describes a published payment: one option, amount due, EQ, due date, the tenant as creditor', async () => {
    const p = await s.aPayment()
    const { status, contentType, answer } = await s.call(verifyCall(stationA, qr(p.data.noticeNumber)), { soapAction: 'paVerifyPaymentNotice' })
    expect(status).toBe(200)
    expect(contentType).toMatch(/^text\/xml/)
    expect(answer.element).toBe('paVerifyPaymentNoticeRes')
    expect(answer.outcome).toBe('OK')
    expect(answer.content).toEqual({
      paymentList: { paymentOptionDescription: { amount: '10.50', options: 'EQ', dueDate: '2025-12-31', allCCP: 'false' } },
      paymentDescription: 'TARI 2025 rata unica',
      fiscalCodePA: stationA.idPA,
      companyName: 'Comune A',
    })
  })

  it('says allCCP true only when every transfer can go to a postal account', async () => {
    const postal = { idTransfer: '1' as const, amountCents: 600, postalIban: 'IT60X0760111101000000123456', remittance: 'a', category: '9/0101100IM/' }
    const bank = { idTransfer: '2' as const, amountCents: 450, iban: 'IT60X0542811101000000123456', remittance: 'b', category: '9/0101100IM/' }
    const allPostal = await s.aPayment({ transfers: [postal, { ...bank, iban: undefined, postalIban: 'IT02L0760103200000000001234' }] })
    const mixed = await s.aPayment({ transfers: [postal, bank] })
    const ccp = async (n: string) =>
      ((await s.call(verifyCall(stationA, qr(n)))).answer.content.paymentList as { paymentOptionDescription: { allCCP: string } }).paymentOptionDescription
        .allCCP
    expect(await ccp(allPostal.data.noticeNumber)).toBe('true')
    expect(await ccp(mixed.data.noticeNumber)).toBe('false')
  })

  it('gives the due date of an instant as the day in Italy, and expiry when there is no due date', async () => {
    const late = await s.aPayment({ dueDate: '2025-12-31T23:30:00Z' })
    const byExpiry = await s.aPayment({ dueDate: undefined, expiresAt: '2099-03-01T10:00:00Z' })
    const due = async (n: string) =>
      ((await s.call(verifyCall(stationA, qr(n)))).answer.content.paymentList as { paymentOptionDescription: { dueDate: string } }).paymentOptionDescription
        .dueDate
    expect(await due(late.data.noticeNumber)).toBe('2026-01-01')
    expect(await due(byExpiry.data.noticeNumber)).toBe('2099-03-01')
  })
})

describe('paGetPayment and paGetPaymentV2', () => {
  it('V1 gives the payment data in ctPaymentPA, amounts as %.2f, the debtor and the transfers', async () => {
    const p = await s.aPayment({ amountCents: 1050, metadata: { pratica: 'TARI-2025-42' } })
    const { answer } = await s.call(getPaymentCall(1, stationA, qr(p.data.noticeNumber), { amount: '10.50', transferType: 'PAGOPA', paymentNote: 'cart-1' }), {
      soapAction: 'paGetPayment',
    })
    expect(answer).toMatchObject({ element: 'paGetPaymentRes', outcome: 'OK' })
    expect(answer.content.data).toEqual({
      creditorReferenceId: p.data.iuv,
      paymentAmount: '10.50',
      dueDate: '2025-12-31',
      description: 'TARI 2025 rata unica',
      companyName: 'Comune A',
      debtor: {
        uniqueIdentifier: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RSSMRA80A01H501U' },
        fullName: 'Mario Rossi',
        'e-mail': 'mario.rossi@example.it',
      },
      transferList: {
        transfer: {
          idTransfer: '1',
          transferAmount: '10.50',
          fiscalCodePA: stationA.idPA,
          IBAN: 'IT60X0542811101000000123456',
          remittanceInformation: 'TARI 2025',
          transferCategory: '9/0101100IM/',
        },
      },
      metadata: { mapEntry: { key: 'pratica', value: 'TARI-2025-42' } },
    })
  })

  it('V2 names the creditor on its own transfers, leaves out an e-mail the XSD would refuse, and offers postal IBANs to a POSTAL PSP', async () => {
    const p = await s.aPayment({
      amountCents: 1000,
      debtor: { type: 'G', fiscalCode: '01234567890', fullName: 'Rossi S.r.l.', email: 'not an e-mail' },
      transfers: [
        { idTransfer: '1', amountCents: 700, postalIban: 'IT60X0760111101000000123456', remittance: 'quota comune', category: '9/0101100IM/' },
        {
          idTransfer: '2',
          amountCents: 300,
          iban: 'IT60X0542811101000000999999',
          remittance: 'quota provincia',
          category: '9/0201133IM/',
          organizationFiscalCode: '80000000001',
        },
      ],
    })
    const { answer } = await s.call(getPaymentCall(2, stationA, qr(p.data.noticeNumber), { transferType: 'POSTAL' }), { soapAction: 'paGetPaymentV2' })
    expect(answer).toMatchObject({ element: 'paGetPaymentV2Response', outcome: 'OK' })
    const data = answer.content.data as Record<string, unknown>
    expect(data.debtor).toEqual({ uniqueIdentifier: { entityUniqueIdentifierType: 'G', entityUniqueIdentifierValue: '01234567890' }, fullName: 'Rossi S.r.l.' })
    expect((data.transferList as { transfer: unknown[] }).transfer).toEqual([
      {
        idTransfer: '1',
        transferAmount: '7.00',
        fiscalCodePA: stationA.idPA,
        companyName: 'Comune A',
        IBAN: 'IT60X0760111101000000123456',
        remittanceInformation: 'quota comune',
        transferCategory: '9/0101100IM/',
      },
      {
        idTransfer: '2',
        transferAmount: '3.00',
        fiscalCodePA: '80000000001',
        IBAN: 'IT60X0542811101000000999999',
        remittanceInformation: 'quota provincia',
        transferCategory: '9/0201133IM/',
      },
    ])
  })

  it('refuses an amount other than the one due: PAA_ATTIVA_RPT_IMPORTO_NON_VALIDO', async () => {
    const p = await s.aPayment({ amountCents: 1050 })
    for (const version of [1, 2] as const) {
      const { answer } = await s.call(getPaymentCall(version, stationA, qr(p.data.noticeNumber), { amount: '10.49' }))
      expect(answer.outcome).toBe('KO')
      expect(answer.fault).toMatchObject({ faultCode: 'PAA_ATTIVA_RPT_IMPORTO_NON_VALIDO', id: stationA.idPA, description: expect.stringContaining('10.49') })
    }
    expect((await s.stored(p)).history).toHaveLength(p.history.length)
  })
})

describe('what makes a notice not payable', () => {
  const cases: [PaymentStatus | 'unknown', string, RegExp][] = [
    ['unknown', 'PAA_PAGAMENTO_SCONOSCIUTO', /unknown/],
    ['queued', 'PAA_PAGAMENTO_SCONOSCIUTO', /not payable yet/],
    ['failed', 'PAA_PAGAMENTO_SCONOSCIUTO', /not payable yet/],
    ['expired', 'PAA_PAGAMENTO_SCADUTO', /expired/],
    ['cancelled', 'PAA_PAGAMENTO_ANNULLATO', /cancelled/],
    ['paid', 'PAA_PAGAMENTO_DUPLICATO', /already paid/],
  ]
  it.each(cases)('%s → %s, for verify and both activations', async (status, faultCode, description) => {
    const notice = status === 'unknown' ? '301999999999999999' : (await s.aPayment({}, status)).data.noticeNumber
    for (const envelope of [verifyCall(stationA, qr(notice)), getPaymentCall(1, stationA, qr(notice)), getPaymentCall(2, stationA, qr(notice))]) {
      const { status: http, answer } = await s.call(envelope)
      expect(http).toBe(200)
      expect(answer).toMatchObject({ outcome: 'KO', fault: { faultCode, id: stationA.idPA, description: expect.stringMatching(description) } })
    }
  })

  it('a published payment past its expiry is expired when the nodo asks: PAA_PAGAMENTO_SCADUTO', async () => {
    const p = await s.aPayment({ expiresAt: '2020-01-01T00:00:00Z' })
    const { answer } = await s.call(verifyCall(stationA, qr(p.data.noticeNumber)))
    expect(answer.fault?.faultCode).toBe('PAA_PAGAMENTO_SCADUTO')
    expect((await s.stored(p)).status).toBe('expired')
  })
})

describe('who is calling', () => {
  const callers = [
    ['an unknown idPA', 'PAA_ID_DOMINIO_ERRATO', { ...stationA, idPA: '99999999999' }],
    ['a tenant whose pagoPA is disabled', 'PAA_ID_DOMINIO_ERRATO', stationC],
    ["another broker's idBrokerPA", 'PAA_ID_INTERMEDIARIO_ERRATO', { ...stationA, idBrokerPA: '00000000009' }],
    ["another tenant's idStation", 'PAA_STAZIONE_INT_ERRATA', { ...stationA, idStation: stationB.idStation }],
  ] as const
  it.each(callers)('%s → %s, on every operation, nothing stored', async (_, faultCode, ids) => {
    const p = await s.aPayment()
    const envelopes = [
      verifyCall(ids, qr(p.data.noticeNumber, ids.idPA)),
      getPaymentCall(1, ids, qr(p.data.noticeNumber, ids.idPA)),
      getPaymentCall(2, ids, qr(p.data.noticeNumber, ids.idPA)),
      sendRTCall(1, ids, receiptFor(p, 'rt-ids-1')),
      sendRTCall(2, ids, receiptFor(p, 'rt-ids-2')),
    ]
    for (const envelope of envelopes) expect((await s.call(envelope)).answer.fault?.faultCode).toBe(faultCode)
    expect((await s.stored(p)).status).toBe('published')
  })

  it('a qrCode of another creditor → PAA_ID_DOMINIO_ERRATO', async () => {
    const p = await s.aPayment()
    const { answer } = await s.call(verifyCall(stationA, qr(p.data.noticeNumber, stationB.idPA)))
    expect(answer.fault).toMatchObject({ faultCode: 'PAA_ID_DOMINIO_ERRATO', id: stationA.idPA })
  })

  it("a 'gpd' tenant's verify and activation are not served here → PAA_SYSTEM_ERROR; its receipts are", async () => {
    const p = await s.aPayment({ tenantId: 'comune-b' })
    for (const envelope of [
      verifyCall(stationB, qr(p.data.noticeNumber, stationB.idPA)),
      getPaymentCall(2, stationB, qr(p.data.noticeNumber, stationB.idPA)),
    ]) {
      expect((await s.call(envelope)).answer.fault).toMatchObject({
        faultCode: 'PAA_SYSTEM_ERROR',
        id: stationB.idPA,
        description: expect.stringMatching(/GPD/),
      })
    }
    const receipt = aReceipt({
      receiptId: 'rt-gpd-1',
      noticeNumber: p.data.noticeNumber,
      fiscalCode: stationB.idPA,
      creditorReferenceId: p.data.iuv,
      paymentAmount: '10.50',
    })
    // The Node collects on GPD, then sends the receipt (GPD's side of it: nodo-gpd-receipt.redis.test.ts).
    s.payOnGpd(p)
    expect((await s.call(sendRTCall(2, stationB, receipt))).answer.outcome).toBe('OK')
    expect((await s.stored(p)).status).toBe('paid')
  })

  it('paDemandPaymentNotice (spontaneous payments) is not offered → PAA_SYSTEM_ERROR', async () => {
    const envelope = nodoEnvelope('paDemandPaymentNoticeRequest', {
      ...stationA,
      idServizio: '00001',
      idSoggettoServizio: '00001',
      datiSpecificiServizioRequest: 'PGE+PC9hPg==',
    })
    const { status, answer } = await s.call(envelope, { soapAction: 'paDemandPaymentNotice' })
    expect(status).toBe(200)
    expect(answer).toMatchObject({ element: 'paDemandPaymentNoticeResponse', outcome: 'KO', fault: { faultCode: 'PAA_SYSTEM_ERROR' } })
  })
})

describe('paSendRT and paSendRTV2', () => {
  const storedReceipt = async (p: Parameters<typeof s.stored>[0]) => JSON.parse((await s.stored(p)).fields.receipt as string) as Receipt

  it('records the receipt and makes the payment paid; the receipt is kept as Snodo speaks of it', async () => {
    const p = await s.aPayment()
    const { status, answer } = await s.call(sendRTCall(1, stationA, receiptFor(p, 'rt-v1-ok')), { soapAction: 'paSendRT' })
    expect(status).toBe(200)
    expect(answer).toEqual({ element: 'paSendRTRes', outcome: 'OK', fault: undefined, content: {} })
    expect((await s.stored(p)).status).toBe('paid')
    expect(await storedReceipt(p)).toEqual({
      receiptId: 'rt-v1-ok',
      noticeNumber: p.data.noticeNumber,
      creditorReferenceId: p.data.iuv,
      amountCents: 1050,
      outcome: 'OK',
      pspId: 'BCITITMM',
      pspName: 'Intesa Sanpaolo S.p.A',
      channelId: '00799960158_01',
      paymentMethod: 'creditCard',
      feeCents: 100,
      paidAt: '2025-06-01T10:15:30',
      version: 'paSendRT',
    })
  })

  it('V2, with a digital-stamp transfer and a paymentNote', async () => {
    const p = await s.aPayment({ amountCents: 1660 })
    const receipt = receiptFor(p, 'rt-v2-ok', '16.60')
    receipt.transferList = {
      transfer: [
        aTransfer({ transferAmount: '0.60', fiscalCodePA: stationA.idPA }),
        aTransfer({ idTransfer: '2', transferAmount: '16.00', companyName: 'Comune A', IBAN: undefined, MBDAttachment: 'PG1hcmNhRGFCb2xsbz4=' }),
      ],
    }
    receipt.paymentNote = 'cart-42'
    const { answer } = await s.call(sendRTCall(2, stationA, receipt), { soapAction: 'paSendRTV2' })
    expect(answer).toMatchObject({ element: 'paSendRTV2Response', outcome: 'OK' })
    expect(await storedReceipt(p)).toMatchObject({ receiptId: 'rt-v2-ok', amountCents: 1660, version: 'paSendRTV2' })
  })

  it.each([
    ['0.10', 10],
    ['1234567.89', 123456789],
    ['0.29', 29],
  ])('maps %s euro to exactly %i cents, both ways', async (euro, cents) => {
    const p = await s.aPayment({ amountCents: cents })
    const verified = await s.call(verifyCall(stationA, qr(p.data.noticeNumber)))
    expect((verified.answer.content.paymentList as { paymentOptionDescription: { amount: string } }).paymentOptionDescription.amount).toBe(euro)
    expect((await s.call(sendRTCall(1, stationA, receiptFor(p, `rt-amount-${cents}`, euro)))).answer.outcome).toBe('OK')
    expect((await storedReceipt(p)).amountCents).toBe(cents)
  })

  it('answers OK to the same receipt again and changes nothing', async () => {
    const p = await s.aPayment()
    await s.call(sendRTCall(2, stationA, receiptFor(p, 'rt-twice')))
    const before = await s.stored(p)
    for (const version of [2, 1] as const) expect((await s.call(sendRTCall(version, stationA, receiptFor(p, 'rt-twice')))).answer.outcome).toBe('OK')
    expect(await s.stored(p)).toEqual(before)
  })

  it('answers OK to another receipt for a paid payment and keeps the first, logging an error: the money was collected twice', async () => {
    const p = await s.aPayment()
    await s.call(sendRTCall(1, stationA, receiptFor(p, 'rt-first')))
    const before = await s.stored(p)
    const errors = vi.spyOn(s.t.deps.logger, 'error')
    expect((await s.call(sendRTCall(1, stationA, receiptFor(p, 'rt-first')))).answer.outcome).toBe('OK')
    expect(errors).not.toHaveBeenCalled()
    expect((await s.call(sendRTCall(1, stationA, receiptFor(p, 'rt-second')))).answer.outcome).toBe('OK')
    expect(await s.stored(p)).toEqual(before)
    expect((await storedReceipt(p)).receiptId).toBe('rt-first')
    expect(errors).toHaveBeenCalledWith(
      expect.objectContaining({ outcome: 'already_final', status: 'paid', noticeNumber: p.data.noticeNumber, receiptId: 'rt-second' }),
      expect.stringMatching(/collected twice.*refund is due/),
    )
    errors.mockRestore()
  })

  it.each([
    ['another IUV', 'PAA_SEMANTICA', { creditorReferenceId: '01000000000099999' }, /creditorReferenceId/],
    ['another amount', 'PAA_SEMANTICA', { paymentAmount: '10.49' }, /paymentAmount 10\.49 .* 10\.50/],
    ['a failed payment', 'PAA_SEMANTICA', { outcome: 'KO' }, /outcome KO/],
    [
      'another creditor',
      'PAA_ID_DOMINIO_ERRATO',
      { fiscalCode: stationB.idPA, transferList: { transfer: [aTransfer({ fiscalCodePA: stationB.idPA })] } },
      /receipt\.fiscalCode/,
    ],
    ['an unknown notice', 'PAA_PAGAMENTO_SCONOSCIUTO', { noticeNumber: '301999999999999999' }, /unknown/],
  ])('a receipt of %s → %s, nothing stored', async (_, faultCode, change, description) => {
    const p = await s.aPayment()
    const receipt = { ...receiptFor(p, 'rt-wrong'), ...change }
    const { answer } = await s.call(sendRTCall(1, stationA, receipt))
    expect(answer).toMatchObject({ outcome: 'KO', fault: { faultCode, id: stationA.idPA, description: expect.stringMatching(description) } })
    expect(await s.stored(p)).toEqual(p)
  })

  it("acknowledges a receipt of another creditor's notice where idPA is a beneficiary, and records nothing", async () => {
    const p = await s.aPayment()
    const receipt = {
      ...receiptFor(p, 'rt-beneficiary'),
      fiscalCode: stationB.idPA,
      transferList: {
        transfer: [
          aTransfer({ fiscalCodePA: stationB.idPA, transferAmount: '5.50' }),
          aTransfer({ idTransfer: '2', fiscalCodePA: stationA.idPA, transferAmount: '5.00' }),
        ],
      },
    }
    expect((await s.call(sendRTCall(2, stationA, receipt))).answer.outcome).toBe('OK')
    expect(await s.stored(p)).toEqual(p)
  })
})

describe('requests that break the schema → PAA_SINTASSI_EXTRAXSD, nothing stored', () => {
  it.each([
    ['no qrCode', () => nodoEnvelope('paVerifyPaymentNoticeReq', { ...stationA }), /qrCode: is missing/],
    ['a 17-digit notice number', () => verifyCall(stationA, qr('30100000000000001')), /qrCode\.noticeNumber/],
    ['an amount with one decimal', () => getPaymentCall(1, stationA, qr('301000000000000001'), { amount: '10.5' }), /amount/],
    [
      'qualified children',
      () =>
        nodoEnvelope('paVerifyPaymentNoticeReq', {
          'nod:idPA': stationA.idPA,
          idBrokerPA: stationA.idBrokerPA,
          idStation: stationA.idStation,
          qrCode: qr('301000000000000001'),
        }),
      /idPA: is missing/,
    ],
    [
      'six transfers',
      () =>
        sendRTCall(1, stationA, {
          ...aReceipt({ receiptId: 'x', noticeNumber: '301000000000000001', fiscalCode: stationA.idPA, creditorReferenceId: '01', paymentAmount: '1.00' }),
          transferList: { transfer: Array.from({ length: 6 }, () => aTransfer()) },
        }),
      /transfer/,
    ],
  ])('%s', async (_, envelope, description) => {
    const { status, answer } = await s.call(envelope(), { invalid: true })
    expect(status).toBe(200)
    expect(answer).toMatchObject({ outcome: 'KO', fault: { faultCode: 'PAA_SINTASSI_EXTRAXSD', description: expect.stringMatching(description) } })
  })

  it('a receipt without its amount records nothing', async () => {
    const p = await s.aPayment()
    const receipt = receiptFor(p, 'rt-no-amount')
    delete receipt.paymentAmount
    const { answer } = await s.call(sendRTCall(1, stationA, receipt), { invalid: true })
    expect(answer.fault).toMatchObject({
      faultCode: 'PAA_SINTASSI_EXTRAXSD',
      id: stationA.idPA,
      description: expect.stringMatching(/receipt\.paymentAmount: is missing/),
    })
    expect(await s.stored(p)).toEqual(p)
  })

  it('a request element outside the paForNode namespace', async () => {
    const p = await s.aPayment()
    const { answer } = await s.call(
      nodoEnvelope('paSendRTReq', { ...stationA, receipt: receiptFor(p, 'rt-ns') }, { namespace: 'http://example.org/not-pagopa' }),
      { invalid: true },
    )
    expect(answer).toMatchObject({
      element: 'paSendRTRes',
      outcome: 'KO',
      fault: { faultCode: 'PAA_SINTASSI_EXTRAXSD', description: expect.stringContaining('namespace') },
    })
    expect(await s.stored(p)).toEqual(p)
  })
})

it('logs every refusal with its fault code', async () => {
  const p = await s.aPayment()
  await s.call(verifyCall({ ...stationA, idStation: 'nope' }, qr(p.data.noticeNumber)))
  expect(s.logs).toContainEqual(
    expect.objectContaining({ level: 40, operation: 'paVerifyPaymentNotice', faultCode: 'PAA_STAZIONE_INT_ERRATA', msg: 'nodo call answered KO' }),
  )
})
