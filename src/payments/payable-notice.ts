// Which notice of a payment can be paid now — one rule for both edges: the Checkout cart (REST, a
// SnodoError) and the nodo's verify and activation (SOAP, a PAA_ fault). Each edge says why in its
// own terms; the rule only names the reason.
import { type PaymentNotice, receiptOf, type StoredPayment, settlement } from './payment.ts'

export type NotPayable =
  /** Not on pagoPA: still being published (`queued`), or its publication failed. */
  | { reason: 'not_published'; status: 'queued' | 'failed' }
  | { reason: 'expired' }
  | { reason: 'cancelled' }
  | { reason: 'paid' }
  /** The payment in full, once installments are paid: only the other installments can be. */
  | { reason: 'installments_paid'; paidInstallments: number[] }
  | { reason: 'installment_paid'; installment: number }

/**
 * Why `notice` (of `payment`) cannot be paid now, or undefined when it can: any notice of a published
 * payment; once an installment is paid, only the installments still unpaid — as GPD, which refuses the
 * payment in full of a PARTIALLY_PAID position (pagopa-debt-position DebtPositionValidation).
 */
export function whyNotPayable(payment: StoredPayment, notice: PaymentNotice): NotPayable | undefined {
  const { status } = payment
  switch (status) {
    case 'published':
      return undefined
    case 'partially_paid':
      if (!notice.installment) return { reason: 'installments_paid', paidInstallments: settlement(payment).paidInstallments }
      if (receiptOf(payment, notice.installment.index)) return { reason: 'installment_paid', installment: notice.installment.index }
      return undefined
    case 'queued':
    case 'failed':
      return { reason: 'not_published', status }
    case 'expired':
    case 'cancelled':
    case 'paid':
      return { reason: status }
    default:
      return status satisfies never
  }
}
