import { Payment } from '../../../contracts/payment-schemas.ts'
import type { Deps } from '../../../deps.ts'
import type { Receipt, StoredPayment } from '../../../payments/payment.ts'
import { deliverySummary } from '../views.ts'

/** The payment as its tenant's clients see it, with its receipt once paid and its GPD delivery. */
export async function paymentView(deps: Pick<Deps, 'deliveries'>, p: StoredPayment) {
  const { deliveryId, tenantId, notifyIo: _notify, ...data } = p.data
  const receipt = p.fields.receipt ? (JSON.parse(p.fields.receipt) as Receipt) : undefined
  const delivery = await deliverySummary(deps.deliveries, deliveryId)
  return Payment.parse({
    id: p.id,
    tenantId,
    status: p.status,
    ...data,
    ...(p.fields.cancelRequested ? { cancelRequested: true } : {}),
    ...(receipt ? { receipt: { receiptId: receipt.receiptId, amountCents: receipt.amountCents, pspId: receipt.pspId, pspName: receipt.pspName, ...pick(receipt, ['channelId', 'paymentMethod', 'feeCents', 'paidAt']) } } : {}),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    history: p.history,
    ...(delivery ? { delivery } : {}),
  })
}

const pick = <T extends object, K extends keyof T>(value: T, keys: K[]) => Object.fromEntries(keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]])) as Partial<Pick<T, K>>
