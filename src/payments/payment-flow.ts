// The synchronous steps of a payment the portal asks for: the Checkout redirect (the citizen is
// waiting: no queue), cancelling, and noticing that a payment's time to be paid is over.
import type { CheckoutPort } from '../adapters/pagopa/port.ts'
import type { TenantConfig } from '../config/schema.ts'
import { SnodoError, UpstreamError } from '../errors.ts'
import type { DeliveryEngine } from '../queues/engine.ts'
import { deliveryIdFor } from '../queues/engine.ts'
import { queueNames } from '../queues/names.ts'
import { credentialsOf } from './deliver-position.ts'
import { type NotPayable, whyNotPayable } from './payable-notice.ts'
import { noticeOf, type PaymentNotice, type PaymentStore, type StoredPayment, settlement } from './payment.ts'
import type { PaymentOutcomes } from './payment-outcomes.ts'

type Deps = { payments: PaymentStore; outcomes: PaymentOutcomes; engine: DeliveryEngine; clock: () => Date; checkout(tenant: TenantConfig): CheckoutPort }

export function createPaymentFlow(deps: Deps) {
  /**
   * The expiry is applied where a payment is read. `expiredTold` is set once payment.expired is out: a
   * stop between the move and the event leaves it unset, and the next read tells it (deduplicated).
   */
  const expireIfDue = async (p: StoredPayment): Promise<StoredPayment> => {
    if (p.status === 'expired' && p.fields.expiredTold === undefined) return toldExpired(p)
    if ((p.status !== 'queued' && p.status !== 'published') || !p.data.expiresAt || Date.parse(p.data.expiresAt) > deps.clock().getTime()) return p
    const moved = await deps.payments.transition(p.id, 'expired', { detail: `not paid by ${p.data.expiresAt}` })
    // Moved, or refused by a concurrent move (paid meanwhile, expired by another read): as it is now.
    if (!moved.record) return p
    return moved.ok ? toldExpired(moved.record) : moved.record
  }
  const toldExpired = async (p: StoredPayment) => {
    await deps.outcomes.expired(p)
    await deps.payments.setFields(p.id, { expiredTold: deps.clock().toISOString() })
    return { ...p, fields: { ...p.fields, expiredTold: deps.clock().toISOString() } }
  }

  /** The tenant's payment, its expiry applied; another tenant's payment does not exist for the caller. */
  const paymentOf = async (tenantId: string, id: string) => {
    const payment = await deps.payments.get(id)
    if (!payment || payment.data.tenantId !== tenantId) throw new SnodoError('not_found', `No payment ${id}`)
    return expireIfDue(payment)
  }

  return {
    expireIfDue,
    paymentOf,
    async checkout(
      tenant: TenantConfig,
      id: string,
      request: { returnUrls: { ok: string; cancel: string; error: string; waiting?: string }; emailNotice?: string; installment?: number },
    ) {
      const payment = await paymentOf(tenant.id, id)
      const notice = cartNotice(payment, request.installment)
      const { returnUrls: urls } = request
      try {
        return await deps.checkout(tenant).createCart(credentialsOf(tenant), {
          notices: [
            {
              noticeNumber: notice.noticeNumber,
              organizationFiscalCode: tenant.fiscalCode,
              amountCents: notice.amountCents,
              companyName: tenant.name.slice(0, 140),
              description: notice.description,
            },
          ],
          returnUrls: { returnOkUrl: urls.ok, returnCancelUrl: urls.cancel, returnErrorUrl: urls.error, returnWaitingUrl: urls.waiting ?? urls.ok },
          ...(request.emailNotice ? { emailNotice: request.emailNotice } : {}),
          idCart: payment.id,
        })
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error
        if (error.retryable)
          throw new SnodoError('service_unavailable', `pagoPA Checkout is not answering (${error.kind}); try again in a moment`, {
            headers: { 'retry-after': String(Math.ceil((error.retryAfterMs ?? 5_000) / 1000)) },
          })
        throw new SnodoError('upstream_rejected', `pagoPA Checkout refused the cart: ${error.message}`)
      }
    },
    async cancel(tenant: TenantConfig, id: string) {
      const payment = await paymentOf(tenant.id, id)
      if (payment.status === 'paid') throw new SnodoError('payment_already_paid', `Payment ${id} was paid: it cannot be cancelled`)
      if (payment.status === 'partially_paid')
        throw new SnodoError(
          'payment_already_paid',
          `Installments ${settlement(payment).paidInstallments.join(', ')} of payment ${id} are paid: it cannot be cancelled`,
        )
      if (payment.status !== 'queued' && payment.status !== 'published') return payment
      await deps.payments.setFields(id, { cancelRequested: '1' })
      const requested = { ...payment, fields: { ...payment.fields, cancelRequested: '1' } }
      const deliveryId = deliveryIdFor(`gpd-invalidate|${tenant.id}|${payment.data.iupd}`)
      await deps.engine.enqueue([
        {
          id: deliveryId,
          tenant: tenant.id,
          target: 'pagopa',
          operation: queueNames.pagopaCancellations,
          resourceId: id,
          payload: {},
          meta: { iupd: payment.data.iupd, noticeNumber: payment.data.noticeNumber },
        },
      ])
      return requested
    },
  }
}
export type PaymentFlow = ReturnType<typeof createPaymentFlow>

/** The notice the cart is to hold — an installment (`installment`) or the payment in full — if it can be paid now (payable-notice.ts). */
function cartNotice(payment: StoredPayment, installment: number | undefined): PaymentNotice {
  const { id, data } = payment
  const chosen = installment === undefined ? undefined : data.installments?.find((i) => i.index === installment)
  if (installment !== undefined && !chosen) {
    const has = data.installments ? `installments 1 to ${data.installments.length}` : 'no installments'
    throw new SnodoError('validation_failed', `Payment ${id} has ${has}`, { errors: [{ path: 'installment', message: `payment ${id} has ${has}` }] })
  }
  const notice = noticeOf(data, chosen?.noticeNumber ?? data.noticeNumber) as PaymentNotice
  const why = whyNotPayable(payment, notice)
  if (why) throw new SnodoError('payment_not_payable', notPayableDetail(id, why))
  return notice
}

function notPayableDetail(id: string, why: NotPayable): string {
  switch (why.reason) {
    case 'installments_paid':
      return `Installments ${why.paidInstallments.join(', ')} of payment ${id} are paid: pay the others (installment), not the whole amount`
    case 'installment_paid':
      return `Installment ${why.installment} of payment ${id} is already paid`
    case 'not_published':
      return `Payment ${id} is ${why.status}${why.status === 'queued' ? ': it is not on pagoPA yet, try again in a moment' : ''}`
    default:
      return `Payment ${id} is ${why.reason}`
  }
}
