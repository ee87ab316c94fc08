import { Payment } from '../../../contracts/payment-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { type Receipt, receiptOf, type StoredPayment } from '../../../payments/payment.ts'
import { deliverySummary } from '../views.ts'

/** The payment as its tenant's clients see it, with its receipts once paid (in full, or of each installment) and its GPD delivery. */
export async function paymentView(deps: Pick<Deps, 'deliveries'>, p: StoredPayment) {
  const { deliveryId, tenantId, notifyIo: _notify, installments, ...data } = p.data
  const receipt = receiptOf(p)
  const delivery = await deliverySummary(deps.deliveries, deliveryId)
  return Payment.parse({
    id: p.id,
    tenantId,
    status: p.status,
    ...data,
    ...(installments
      ? {
          installments: installments.map((i) => {
            const paid = receiptOf(p, i.index)
            return { ...i, status: paid ? 'paid' : 'unpaid', ...(paid?.paidAt ? { paidAt: paid.paidAt } : {}), ...(paid ? { receipt: receiptView(paid) } : {}) }
          }),
        }
      : {}),
    ...(p.fields.cancelRequested ? { cancelRequested: true } : {}),
    ...(receipt ? { receipt: receiptView(receipt) } : {}),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    history: p.history,
    ...(delivery ? { delivery } : {}),
  })
}

const receiptView = (r: Receipt) => ({
  receiptId: r.receiptId,
  amountCents: r.amountCents,
  pspId: r.pspId,
  pspName: r.pspName,
  ...pick(r, ['channelId', 'paymentMethod', 'feeCents', 'paidAt']),
})

const pick = <T extends object, K extends keyof T>(value: T, keys: K[]) =>
  Object.fromEntries(keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]])) as Partial<Pick<T, K>>
