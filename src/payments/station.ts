// What the nodo SOAP endpoint (/pagopa/nodo) needs from the payments domain: which tenant an idPA is,
// a payment by notice number, and recording a receipt. The endpoint owns the SOAP and the fault
// codes; this owns the state.
import type { TenantConfig } from '../config/schema.ts'
import { type Installment, noticeOf, type PaymentStore, type Receipt, receiptField, receiptOf, type StoredPayment, settledBy, settlement } from './payment.ts'
import type { PaymentOutcomes } from './payment-outcomes.ts'

/** `recorded_overpaid`: kept, but other notices of the same debt were paid too — the tenant owes a refund. */
export type ReceiptOutcome = 'recorded' | 'recorded_overpaid' | 'duplicate' | 'already_final'

export type Station = {
  /** The tenant whose fiscal code is this idPA and that uses pagoPA, if any. */
  tenantByIdPA(idPA: string): TenantConfig | undefined
  /** The payment with this notice number (in full or an installment), its expiry applied (a published payment past expiresAt is expired). */
  paymentByNotice(tenantId: string, noticeNumber: string): Promise<StoredPayment | undefined>
  /**
   * Keeps the receipt on its notice (receipt.noticeNumber), once: the same receipt again is
   * `duplicate` and only finishes what the first time may have left undone (its status, its events
   * and IO messages); another one for a notice already paid is `already_final` and changes nothing.
   * The payment is then `paid` (in full, or every installment) or `partially_paid`.
   */
  recordReceipt(payment: StoredPayment, receipt: Receipt): Promise<ReceiptOutcome>
}

export function createStation(deps: {
  tenants: ReadonlyMap<string, TenantConfig>
  payments: PaymentStore
  expireIfDue(payment: StoredPayment): Promise<StoredPayment>
  outcomes: Pick<PaymentOutcomes, 'paid' | 'installmentPaid'>
}): Station {
  const byFiscalCode = new Map([...deps.tenants.values()].filter((t) => t.platforms.pagopa?.enabled).map((t) => [t.fiscalCode, t]))
  const { payments, outcomes } = deps

  /**
   * The outcomes (events, IO messages) follow the change of state, and a crash or a failing outcome in
   * between would lose them: a receipt sent again (`duplicate`) runs them again, finishing what its
   * first time left undone. They are idempotent: each event has a dedupeKey, each IO message an id per
   * (payment, step). `paid` only for the receipt that made the payment paid (settledBy).
   */
  async function inFull(payment: StoredPayment, receipt: Receipt): Promise<ReceiptOutcome> {
    const field = receiptField()
    if (receiptOf(payment)) return inFullAgain(payment, receipt)
    const fields = { [field]: JSON.stringify(receipt), settledBy: field }
    const moved = await payments.transition(payment.id, 'paid', { detail: `receipt ${receipt.receiptId} from ${receipt.pspName}`, fields })
    if (moved.ok) {
      // As the move left it: an installment paid too (before, or kept at this moment and not yet applied) means pagoPA collected both.
      const now = moved.record
      await outcomes.paid(now, receipt)
      return settlement(now).paidInstallments.length > 0 ? 'recorded_overpaid' : 'recorded'
    }
    const now = moved.record ?? payment
    if (receiptOf(now)) return inFullAgain(now, receipt)
    // Paid by its installments already: pagoPA should not have collected the whole too, but it did.
    return (await payments.keepReceipt(payment.id, undefined, receipt)).receiptId === receipt.receiptId ? 'recorded_overpaid' : 'already_final'
  }

  /** The payment in full has a receipt: this one again, or another. */
  async function inFullAgain(payment: StoredPayment, receipt: Receipt): Promise<ReceiptOutcome> {
    if (receiptOf(payment)?.receiptId !== receipt.receiptId) return 'already_final'
    if (settledBy(payment) === receiptField()) await outcomes.paid(payment, receipt)
    return 'duplicate'
  }

  /**
   * The receipt is kept first, then the status follows from every receipt kept (re-read, so two
   * installments paid at once still end `paid`). A repeated receipt repeats the second step and the
   * outcomes: a crash or a failure after the first is repaired by the nodo sending the receipt again.
   */
  async function ofInstallment(payment: StoredPayment, installment: Installment, receipt: Receipt): Promise<ReceiptOutcome> {
    const field = receiptField(installment.index)
    const duplicate = receiptOf(payment, installment.index)?.receiptId === receipt.receiptId
    if ((await payments.keepReceipt(payment.id, installment.index, receipt)).receiptId !== receipt.receiptId) return 'already_final'
    const kept = (await payments.get(payment.id)) as StoredPayment
    const { status } = settlement(kept)
    const count = kept.data.installments?.length
    const detail =
      status === 'paid' && !receiptOf(kept)
        ? `every installment paid (${count}); the last, ${installment.index}, with receipt ${receipt.receiptId} from ${receipt.pspName}`
        : `installment ${installment.index} of ${count} paid: receipt ${receipt.receiptId} from ${receipt.pspName}`
    const moved = status
      ? await payments.transition(payment.id, status, { detail, ...(status === 'paid' ? { fields: { settledBy: field } } : {}) })
      : { ok: false as const }
    const now = moved.ok ? moved.record : kept
    await outcomes.installmentPaid(now, installment, receipt)
    if (settledBy(now) === field) await outcomes.paid(now, receipt)
    if (duplicate) return 'duplicate'
    return receiptOf(kept) ? 'recorded_overpaid' : 'recorded'
  }

  return {
    tenantByIdPA: (idPA) => byFiscalCode.get(idPA),
    async paymentByNotice(tenantId, noticeNumber) {
      const payment = await payments.byNotice(tenantId, noticeNumber)
      return payment && deps.expireIfDue(payment)
    },
    async recordReceipt(payment, receipt) {
      const installment = noticeOf(payment.data, receipt.noticeNumber)?.installment
      return installment ? ofInstallment(payment, installment, receipt) : inFull(payment, receipt)
    },
  }
}
