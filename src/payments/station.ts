// What the nodo SOAP endpoint (/pagopa/nodo) needs from the payments domain: which tenant an idPA is,
// a payment by notice number, and recording a receipt. The endpoint owns the SOAP and the fault
// codes; this owns the state.
import type { TenantConfig } from '../config-schema.ts'
import type { PaymentStore, Receipt, StoredPayment } from './payment.ts'

export type ReceiptOutcome = 'recorded' | 'duplicate' | 'already_final'

export type Station = {
  /** The tenant whose fiscal code is this idPA and that uses pagoPA, if any. */
  tenantByIdPA(idPA: string): TenantConfig | undefined
  /** The payment with this notice number, its expiry applied (a published payment past expiresAt is expired). */
  paymentByNotice(tenantId: string, noticeNumber: string): Promise<StoredPayment | undefined>
  /**
   * Makes the payment paid with this receipt, once: the same receipt again is `duplicate`, a payment
   * already paid with another receipt or otherwise final is `already_final`; neither changes anything.
   */
  recordReceipt(payment: StoredPayment, receipt: Receipt): Promise<ReceiptOutcome>
}

export function createStation(deps: {
  tenants: ReadonlyMap<string, TenantConfig>
  payments: PaymentStore
  expireIfDue(payment: StoredPayment): Promise<StoredPayment>
  paid(payment: StoredPayment, receipt: Receipt): Promise<void>
}): Station {
  const byFiscalCode = new Map([...deps.tenants.values()].filter((t) => t.platforms.pagopa?.enabled).map((t) => [t.fiscalCode, t]))
  return {
    tenantByIdPA: (idPA) => byFiscalCode.get(idPA),
    async paymentByNotice(tenantId, noticeNumber) {
      const payment = await deps.payments.byNotice(tenantId, noticeNumber)
      return payment && deps.expireIfDue(payment)
    },
    async recordReceipt(payment, receipt) {
      if (payment.status === 'paid') return payment.fields.receiptId === receipt.receiptId ? 'duplicate' : 'already_final'
      const moved = await deps.payments.transition(payment.id, 'paid', { detail: `receipt ${receipt.receiptId} from ${receipt.pspName}`, fields: { receiptId: receipt.receiptId, receipt: JSON.stringify(receipt) } })
      if (!moved.ok) {
        const now = await deps.payments.get(payment.id)
        return now?.fields.receiptId === receipt.receiptId ? 'duplicate' : 'already_final'
      }
      const fields = { ...payment.fields, receiptId: receipt.receiptId, receipt: JSON.stringify(receipt) }
      await deps.paid({ ...payment, status: 'paid', fields }, receipt)
      return 'recorded'
    },
  }
}
