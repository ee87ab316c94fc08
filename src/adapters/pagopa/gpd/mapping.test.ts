// Snodo's DebtPosition → GPD's PaymentPositionModel, and Snodo's cart → Checkout's CartRequestV2.
import { describe, expect, it } from 'vitest'
import { toCartRequest } from '../checkout/mapping.ts'
import type { DebtPosition } from '../port.ts'
import { iuvsOf, statusOf, toPaymentPositionModel } from './mapping.ts'

const position: DebtPosition = {
  iupd: '01234567890-tari-1',
  debtor: { type: 'F', fiscalCode: 'GPDCTZ00A00Y001X', fullName: 'Maria Rossi' },
  companyName: 'Comune di Prova',
  expiresAt: '2026-12-31T23:00:00+01:00',
  switchToExpired: true,
  option: {
    iuv: '01000000000012345',
    noticeNumber: '301000000000012345',
    amountCents: 5_000,
    description: 'TARI',
    dueDate: '2026-06-30T23:59:59+02:00',
    transfers: [
      { idTransfer: '1', amountCents: 3_000, postalIban: 'IT60X0760111101000000123456', remittance: 'TARI', category: '9/0101100IM/' },
      {
        idTransfer: '2',
        amountCents: 2_000,
        iban: 'IT02L1234512345123456789012',
        remittance: 'TEFA',
        category: '9/0201102IM/',
        organizationFiscalCode: '00000000018',
      },
    ],
  },
}

describe('GPD mapping', () => {
  it('sends one option in full, dates in UTC, no validityDate (VALID at once with toPublish), no empty fields', () => {
    expect(toPaymentPositionModel(position)).toEqual({
      iupd: '01234567890-tari-1',
      type: 'F',
      fiscalCode: 'GPDCTZ00A00Y001X',
      fullName: 'Maria Rossi',
      companyName: 'Comune di Prova',
      switchToExpired: true,
      paymentOption: [
        {
          iuv: '01000000000012345',
          nav: '301000000000012345',
          amount: 5_000,
          description: 'TARI',
          dueDate: '2026-06-30T21:59:59.000Z',
          isPartialPayment: false,
          retentionDate: '2026-12-31T22:00:00.000Z',
          transfer: [
            { idTransfer: '1', amount: 3_000, remittanceInformation: 'TARI', category: '9/0101100IM/', postalIban: 'IT60X0760111101000000123456' },
            {
              idTransfer: '2',
              amount: 2_000,
              remittanceInformation: 'TEFA',
              category: '9/0201102IM/',
              iban: 'IT02L1234512345123456789012',
              organizationFiscalCode: '00000000018',
            },
          ],
        },
      ],
    })
  })

  it('sends the option in full, then one option per installment (isPartialPayment), each with its notice, due date and transfers', () => {
    const installment = (k: number, amountCents: number, dueDate: string) => ({
      iuv: `0100000000001234${k}`,
      noticeNumber: `30100000000001234${k}`,
      amountCents,
      description: `TARI rata ${k}`,
      dueDate,
      transfers: [{ idTransfer: '1' as const, amountCents, iban: 'IT60X0542811101000000123456', remittance: 'TARI', category: '9/0101100IM/' }],
    })
    const options = toPaymentPositionModel({
      ...position,
      installments: [installment(6, 2_000, '2026-06-30T23:59:59+02:00'), installment(7, 3_000, '2026-09-30T23:59:59+02:00')],
    }).paymentOption
    expect(options.map((o) => [o.nav, o.amount, o.isPartialPayment, o.dueDate, o.retentionDate])).toEqual([
      ['301000000000012345', 5_000, false, '2026-06-30T21:59:59.000Z', '2026-12-31T22:00:00.000Z'],
      ['301000000000012346', 2_000, true, '2026-06-30T21:59:59.000Z', '2026-12-31T22:00:00.000Z'],
      ['301000000000012347', 3_000, true, '2026-09-30T21:59:59.000Z', '2026-12-31T22:00:00.000Z'],
    ])
    expect(options[2]).toMatchObject({
      iuv: '01000000000012347',
      description: 'TARI rata 7',
      transfer: [{ idTransfer: '1', amount: 3_000, iban: 'IT60X0542811101000000123456' }],
    })
  })

  it("reads the status and the IUVs of GPD's answers, and nothing from what is not one", () => {
    expect(statusOf({ status: 'VALID' })).toBe('VALID')
    expect(statusOf({ status: 'SOMETHING' })).toBeUndefined()
    expect(iuvsOf({ paymentOption: [{ iuv: 'a' }, {}, { iuv: 'b' }] })).toEqual(['a', 'b'])
    expect(iuvsOf([])).toBeUndefined()
  })
})

describe('Checkout mapping', () => {
  it('names the creditor fiscalCode and passes idCart and emailNotice only when given', () => {
    const notice = {
      noticeNumber: '301000000000012345',
      organizationFiscalCode: '01234567890',
      amountCents: 5_000,
      companyName: 'Comune di Prova',
      description: 'TARI',
    }
    const urls = { returnOkUrl: 'https://a/ok', returnCancelUrl: 'https://a/ko', returnErrorUrl: 'https://a/err', returnWaitingUrl: 'https://a/wait' }
    expect(toCartRequest({ notices: [notice], returnUrls: urls })).toEqual({
      paymentNotices: [{ noticeNumber: '301000000000012345', fiscalCode: '01234567890', amount: 5_000, companyName: 'Comune di Prova', description: 'TARI' }],
      returnUrls: urls,
    })
    expect(toCartRequest({ notices: [notice], returnUrls: urls, idCart: 'c1', emailNotice: 'a@b.it' })).toMatchObject({ idCart: 'c1', emailNotice: 'a@b.it' })
  })
})
