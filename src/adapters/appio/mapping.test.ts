import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromNewMessage, statusOf, toNewMessage } from './mapping.ts'
import type { IoMessage } from './port.ts'

describe('App IO mapping', () => {
  it("writes an IoMessage as IO's NewMessage, fiscal code in the body (FACTS §2.2, §3)", () => {
    const message: IoMessage = {
      fiscalCode: 'IOUSER00A00Y001X',
      subject: 'Avviso di pagamento',
      markdown: 'testo',
      dueDate: '2026-06-30T22:00:00.000Z',
      payment: { noticeNumber: '301000000000012345', amountCents: 54_000, invalidAfterDueDate: true, payeeFiscalCode: '00000000000' },
    }
    expect(toNewMessage(message)).toEqual({
      fiscal_code: 'IOUSER00A00Y001X',
      content: {
        subject: 'Avviso di pagamento',
        markdown: 'testo',
        due_date: '2026-06-30T22:00:00.000Z',
        payment_data: { amount: 54_000, notice_number: '301000000000012345', invalid_after_due_date: true, payee: { fiscal_code: '00000000000' } },
      },
    })
    expect(toNewMessage({ fiscalCode: 'X', subject: 's', markdown: 'm' })).toEqual({ fiscal_code: 'X', content: { subject: 's', markdown: 'm' } })
  })

  it('reads back what it wrote, whatever the message', () => {
    const payment = fc.record(
      {
        noticeNumber: fc.stringMatching(/^[0123][0-9]{17}$/),
        amountCents: fc.integer({ min: 1, max: 9_999_999_999 }),
        invalidAfterDueDate: fc.boolean(),
        payeeFiscalCode: fc.stringMatching(/^[0-9]{11}$/),
      },
      { requiredKeys: ['noticeNumber', 'amountCents'] },
    )
    const message = fc.record(
      { fiscalCode: fc.string(), subject: fc.string(), markdown: fc.string(), dueDate: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), payment },
      { requiredKeys: ['fiscalCode', 'subject', 'markdown'] },
    )
    fc.assert(
      fc.property(message, (m) => {
        expect(fromNewMessage(toNewMessage(m))).toEqual(m)
      }),
    )
  })

  it('reads the status of an ExternalMessageResponseWithContent (FACTS §4)', () => {
    const message = { id: '01BX9NSMKVXXS5PSP2FATZMYYY', fiscal_code: 'IOUSER00A00Y001X', created_at: '2026-01-01T00:00:00.000Z', sender_service_id: 's' }
    for (const status of ['ACCEPTED', 'THROTTLED', 'FAILED', 'PROCESSED', 'REJECTED']) expect(statusOf({ message, status })).toBe(status)
    expect(statusOf({ message })).toBe('ACCEPTED')
    expect(statusOf({ message, status: 'QUEUED' })).toBeUndefined()
    expect(statusOf({ status: 'PROCESSED' })).toBeUndefined()
    expect(statusOf(null)).toBeUndefined()
  })
})
