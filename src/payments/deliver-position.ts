// The pagopa-positions target: create and publish the debt position on GPD (a 409 on a retried
// create means it is already there, FACTS §5), then the payment is published. And the
// pagopa-cancellations target: invalidate it on GPD, then the payment is cancelled.
import type { DebtPosition, GpdPort, PagopaCredentials } from '../adapters/pagopa/port.ts'
import type { TenantConfig } from '../config/schema.ts'
import { readSecret } from '../config/secret-ref.ts'
import { UpstreamError } from '../errors.ts'
import type { Delivery } from '../queues/delivery.ts'
import type { DeliveryStore } from '../queues/delivery-store.ts'
import { queueNames } from '../queues/names.ts'
import { type DeliveryHandler, tenantCredential } from '../queues/run-delivery.ts'
import { pagopaOf } from './accept-payment.ts'
import type { PaymentStore, StoredPayment } from './payment.ts'
import type { PaymentOutcomes } from './payment-outcomes.ts'

type Deps = {
  payments: PaymentStore
  deliveries: DeliveryStore
  outcomes: PaymentOutcomes
  tenants: ReadonlyMap<string, TenantConfig>
  gpd(tenant: TenantConfig): GpdPort
}

/** The key is read at the moment of use, so a rotated secret file is picked up without a restart. */
export const credentialsOf = (tenant: TenantConfig): PagopaCredentials => ({
  organizationFiscalCode: tenant.fiscalCode,
  subscriptionKey: readSecret(pagopaOf(tenant).subscriptionKey),
})

export function toDebtPosition(p: StoredPayment, tenant: TenantConfig): DebtPosition {
  const { data } = p
  const dueDate = data.dueDate ?? data.expiresAt ?? new Date(Date.parse(p.createdAt) + 365 * 86_400_000).toISOString()
  return {
    iupd: data.iupd,
    debtor: data.debtor,
    companyName: tenant.name.slice(0, 140),
    ...(data.expiresAt ? { expiresAt: data.expiresAt } : {}),
    switchToExpired: data.expiresAt !== undefined,
    option: {
      iuv: data.iuv,
      noticeNumber: data.noticeNumber,
      amountCents: data.amountCents,
      description: data.description,
      dueDate,
      transfers: data.transfers,
    },
    ...(data.installments ? { installments: data.installments.map(({ index: _index, ...option }) => option) } : {}),
  }
}

async function context(deps: Deps, d: Delivery) {
  const payment = await deps.payments.get(d.resourceId)
  const tenant = deps.tenants.get(d.tenant)
  if (!payment || !tenant) throw new UpstreamError({ kind: 'protocol', platform: 'pagopa', message: `payment ${d.resourceId} or its tenant is gone` })
  return { payment, tenant }
}

/** Whether the payment went through `published` (it may have moved on since: paid, cancelled…). */
const wasPublished = (p: StoredPayment) => p.status === 'published' || (p.status !== 'queued' && p.history.some((h) => h.status === 'published'))

/** payment.published (and, still published, the citizen's notice on IO): each idempotent, so telling again is safe. */
const tellPublished = (deps: Deps, p: StoredPayment) => deps.outcomes.published(p, { notify: p.status === 'published' })

export function createPositionSender(deps: Deps): DeliveryHandler {
  return {
    target: 'pagopa',
    operation: queueNames.pagopaPositions,
    credentialKey: tenantCredential(),
    async send(d) {
      let { payment, tenant } = await context(deps, d)
      // An operator replaying the dead delivery asks for one more real attempt: the payment its death
      // failed goes back to queued, and what GPD says now decides (not "already failed").
      if (d.replays > 0 && payment.status === 'failed' && payment.fields.failedBy === 'delivery') {
        await deps.payments.reopen(payment.id, 'failed', 'queued', 'delivery replayed by an operator')
        ;({ payment } = await context(deps, d))
      }
      // Published by an attempt that stopped before telling (a crash, Redis lost): told now, as the same event.
      if (wasPublished(payment)) {
        await tellPublished(deps, payment)
        return { detail: `already ${payment.status}` }
      }
      if (payment.status !== 'queued') return { detail: `already ${payment.status}` }
      // Cancelled before it ever reached GPD: nothing to create.
      if (payment.fields.cancelRequested) return { detail: 'cancel requested before publication' }
      const created = await deps.gpd(tenant).createAndPublish(credentialsOf(tenant), toDebtPosition(payment, tenant))
      const moved = await deps.payments.transition(payment.id, 'published', {
        detail: `GPD ${created.status}${created.alreadyThere ? ' (already there)' : ''}`,
        fields: { gpdStatus: created.status },
      })
      // As the move left it, whether this move or a concurrent one made it published: the outcome is idempotent.
      if (moved.record && wasPublished(moved.record)) await tellPublished(deps, moved.record)
      return { detail: `GPD ${created.status}` }
    },
    async onDead(d) {
      // Only a payment never published can fail (paymentTransitions): a published one stays payable.
      const payment = await deps.payments.get(d.resourceId)
      if (payment?.status === 'queued')
        await deps.payments.transition(payment.id, 'failed', { detail: 'GPD did not take the position; see its delivery', fields: { failedBy: 'delivery' } })
    },
  }
}

export function createCancellationSender(deps: Deps): DeliveryHandler {
  return {
    target: 'pagopa',
    operation: queueNames.pagopaCancellations,
    credentialKey: tenantCredential(),
    async send(d) {
      const { payment, tenant } = await context(deps, d)
      // Cancelled by an attempt that stopped before telling (a crash, Redis lost): told now, as the same event.
      if (payment.status === 'cancelled') {
        await deps.outcomes.cancelled(payment)
        return { detail: 'already cancelled' }
      }
      // Paid meanwhile, even one installment: GPD keeps the position (not invalidable) and so does Snodo.
      if (payment.status === 'paid' || payment.status === 'partially_paid') return { detail: `already ${payment.status}` }
      // A creation under way right now may publish the position after all: let it finish first.
      if ((await deps.deliveries.get(payment.data.deliveryId))?.status === 'in_progress') {
        throw new UpstreamError({ kind: 'unavailable', platform: 'pagopa', message: 'the position is being created right now; cancelling after that' })
      }
      if (payment.status !== 'queued') {
        try {
          await deps.gpd(tenant).invalidate(credentialsOf(tenant), payment.data.iupd)
        } catch (error) {
          // Never created on GPD (a 404): there is nothing to invalidate.
          if (!(error instanceof UpstreamError && error.upstreamStatus === 404)) throw error
        }
      }
      const moved = await deps.payments.transition(payment.id, 'cancelled', { detail: "invalidated on GPD at the portal's request" })
      if (moved.record && (moved.ok || moved.from === 'cancelled')) await deps.outcomes.cancelled(moved.record)
      return { detail: moved.ok ? 'cancelled' : `not cancelled: ${moved.from}` }
    },
  }
}
