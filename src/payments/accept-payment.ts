// Accepting a payment: its IUV and notice number — and one per installment — are assigned at once (a
// per-tenant counter, never reused, reserved once per payment id), the record is written, then its
// delivery to GPD is queued under the IUPD as business key.
import { randomUUID } from 'node:crypto'
import type { Transfer } from '../adapters/pagopa/port.ts'
import type { Timeline } from '../citizens/timeline.ts'
import type { TenantConfig } from '../config/schema.ts'
import { SnodoError } from '../errors.ts'
import type { DeliveryEngine } from '../queues/engine.ts'
import { deliveryIdFor } from '../queues/engine.ts'
import { queueNames } from '../queues/names.ts'
import { type InstallmentRequest, shareTransfers } from './installments.ts'
import { iuvFor } from './notice-number.ts'
import type { Debtor, Installment, PaymentData, PaymentStore, StoredPayment } from './payment.ts'

export type PaymentRequest = {
  debtor: Debtor
  amountCents: number
  description: string
  dueDate?: string
  expiresAt?: string
  transfers?: Omit<Transfer, 'idTransfer'>[]
  installments?: InstallmentRequest[]
  metadata?: Record<string, string>
  notifyIo?: { service: string }
}

export function pagopaOf(tenant: TenantConfig) {
  const pagopa = tenant.platforms.pagopa
  if (!pagopa?.enabled) throw new SnodoError('platform_not_configured', `Tenant ${tenant.id} does not take pagoPA payments`)
  return pagopa
}

export const newPaymentId = () => `pay_${randomUUID().replaceAll('-', '')}`

type AcceptDeps = { payments: PaymentStore; engine: DeliveryEngine; timeline: Timeline; clock: () => Date }

/**
 * Idempotent for a given id (the route derives it from the Idempotency-Key): a payment already written
 * is answered as it is, its delivery queued again if a stop left it out (a no-op otherwise), and its
 * IUVs are reserved once per id, so a run after a crash at any point makes no second debt position.
 * Answers the payment as stored: the one written now, or the one that was there.
 */
export async function acceptPayment(deps: AcceptDeps, tenant: TenantConfig, request: PaymentRequest, id = newPaymentId()): Promise<StoredPayment> {
  const pagopa = pagopaOf(tenant)
  const existing = await deps.payments.get(id)
  if (existing) {
    await finishAccept(deps, id, existing.data, new Date(existing.createdAt))
    return existing
  }
  if (pagopa.mode === 'gpd') refusePastDueDates(request, deps.clock())
  const transfers = transfersOf(tenant, request)
  const { installments: requested, ...rest } = request
  const first = await deps.payments.reserveSequences(tenant.id, 1 + (requested?.length ?? 0), id)
  const { iuv, noticeNumber } = iuvFor(pagopa.segregationCode, first)
  const installments = requested && installmentsOf(tenant, request, requested, transfers, first + 1)
  // GPD leaves IUPD uniqueness to the organization (FACTS §5) and suggests its fiscal code + a unique id.
  const iupd = `${tenant.fiscalCode}-${iuv}`
  const deliveryId = deliveryIdFor(`gpd|${tenant.id}|${iupd}`)
  // Paid in full, the debt falls due with its first installment unless the portal says otherwise.
  const dueDate = rest.dueDate ?? installments?.[0]?.dueDate
  const data: PaymentData = {
    tenantId: tenant.id,
    iuv,
    noticeNumber,
    iupd,
    ...rest,
    ...(dueDate ? { dueDate } : {}),
    transfers,
    ...(installments ? { installments } : {}),
    deliveryId,
  }
  // Intent and timeline first: a stop after the record is written never leaves it without its delivery
  // (the sweeper enqueues the intent) nor missing from the timeline (which skips what was never written).
  // Sent together on the one connection, ahead of the record: one round trip, still written before it.
  const at = new Date()
  await Promise.all([
    deps.engine.intend(deliveryOf(id, data), deps.payments.keyOf(id)),
    deps.timeline.record(tenant.id, request.debtor.fiscalCode, 'payment', id, at),
  ])
  let stored: StoredPayment
  try {
    stored = (await deps.payments.create(id, data)).record
  } catch (error) {
    // Nothing half-written stays visible: the timeline entry goes unless the record made it after all.
    // The intent stays for the sweeper, which forgets it while no record names its delivery; the
    // reservation stays too, so a retry of this id gets the same IUVs (and the same delivery).
    if (!(await deps.payments.get(id).catch(() => 'unknown')))
      await deps.timeline.forget(tenant.id, request.debtor.fiscalCode, 'payment', id).catch(() => undefined)
    throw error
  }
  await finishAccept(deps, id, data, at)
  return stored
}

/** The delivery to GPD of a payment: its id comes from the IUPD, so the same payment always names the same one. */
const deliveryOf = (id: string, data: PaymentData) => ({
  id: data.deliveryId,
  tenant: data.tenantId,
  target: 'pagopa' as const,
  operation: queueNames.pagopaPositions,
  resourceId: id,
  payload: {},
  meta: { iupd: data.iupd, noticeNumber: data.noticeNumber },
})

/** What follows the record: in the timeline (kept where it is), delivery queued (a no-op when it exists). */
async function finishAccept(deps: AcceptDeps, id: string, data: PaymentData, at: Date) {
  await Promise.all([
    deps.timeline.record(data.tenantId, data.debtor.fiscalCode, 'payment', id, at),
    deps.engine.enqueue([deliveryOf(id, data)]),
    deps.payments.forgetReservation(id),
  ])
}

/**
 * GPD refuses a position with an option due before the moment it is created ("due_date must be >=
 * current_date"): said now, by field, rather than as a failed payment once the delivery has run. A
 * station's own notices may be paid late (its paVerify answers until `expiresAt`), so it is GPD only.
 */
function refusePastDueDates(request: PaymentRequest, now: Date) {
  const past = (instant: string | undefined) => instant !== undefined && Date.parse(instant) <= now.getTime()
  const message = `must be after the payment is created (${now.toISOString()}): pagoPA refuses a position already due`
  const errors = [
    ...(past(request.dueDate) ? [{ path: 'dueDate', message }] : []),
    // Without a due date of its own or installments, the payment in full falls due at its expiry.
    ...(request.dueDate === undefined && !request.installments && past(request.expiresAt) ? [{ path: 'expiresAt', message }] : []),
    ...(request.installments ?? []).flatMap((installment, k) => (past(installment.dueDate) ? [{ path: `installments.${k}.dueDate`, message }] : [])),
  ]
  if (errors.length > 0) throw new SnodoError('validation_failed', 'A due date of the payment has passed', { errors })
}

/** The transfers as GPD numbers them; with none given, the whole amount to the tenant's default account. */
function transfersOf(tenant: TenantConfig, request: Pick<PaymentRequest, 'amountCents' | 'description' | 'transfers'>): Transfer[] {
  const given = request.transfers ?? []
  if (given.length === 0) {
    const fallback = pagopaOf(tenant).defaultTransfer
    if (!fallback)
      throw new SnodoError('validation_failed', 'This tenant has no default account: name the transfers', {
        errors: [{ path: 'transfers', message: 'required for this tenant' }],
      })
    return [
      {
        idTransfer: '1',
        amountCents: request.amountCents,
        ...(fallback.iban ? { iban: fallback.iban } : { postalIban: fallback.postalIban as string }),
        remittance: request.description.slice(0, 140),
        category: fallback.category,
      },
    ]
  }
  return given.map((t, i) => ({ ...t, idTransfer: String(i + 1) as Transfer['idTransfer'] }))
}

/**
 * Each installment with its own IUV from the sequence reserved with the payment's, and its transfers:
 * the payment's shared out in proportion (installments.ts), or the tenant's default account.
 */
function installmentsOf(
  tenant: TenantConfig,
  request: PaymentRequest,
  requested: InstallmentRequest[],
  transfers: Transfer[],
  firstSequence: number,
): Installment[] {
  const shares = request.transfers?.length
    ? shareTransfers(
        transfers,
        requested.map((i) => i.amountCents),
      )
    : undefined
  const { segregationCode } = pagopaOf(tenant)
  return requested.map((r, k) => {
    const description = r.description ?? `Rata ${k + 1} di ${requested.length} - ${request.description}`.slice(0, 140)
    return {
      index: k + 1,
      ...iuvFor(segregationCode, firstSequence + k),
      amountCents: r.amountCents,
      dueDate: r.dueDate,
      description,
      transfers: shares?.[k] ?? transfersOf(tenant, { amountCents: r.amountCents, description }),
    }
  })
}
