// Accepting a payment: its IUV and notice number are assigned at once (a per-tenant counter, never
// reused), the record is written, then its delivery to GPD is queued under the IUPD as business key.
import { randomUUID } from 'node:crypto'
import type { Transfer } from '../adapters/pagopa/port.ts'
import type { Timeline } from '../citizens/timeline.ts'
import type { TenantConfig } from '../config-schema.ts'
import { SnodoError } from '../errors.ts'
import type { DeliveryEngine } from '../queues/engine.ts'
import { deliveryIdFor } from '../queues/engine.ts'
import { queueNames } from '../queues/names.ts'
import { iuvFor } from './notice-number.ts'
import type { Debtor, PaymentData, PaymentStore } from './payment.ts'

export type PaymentRequest = {
  debtor: Debtor
  amountCents: number
  description: string
  dueDate?: string
  expiresAt?: string
  transfers?: Omit<Transfer, 'idTransfer'>[]
  metadata?: Record<string, string>
  notifyIo?: { service: string }
}

export function pagopaOf(tenant: TenantConfig) {
  const pagopa = tenant.platforms.pagopa
  if (!pagopa?.enabled) throw new SnodoError('platform_not_configured', `Tenant ${tenant.id} does not take pagoPA payments`)
  return pagopa
}

export async function acceptPayment(deps: { payments: PaymentStore; engine: DeliveryEngine; timeline: Timeline }, tenant: TenantConfig, request: PaymentRequest) {
  const pagopa = pagopaOf(tenant)
  const transfers = transfersOf(tenant, request)
  const { iuv, noticeNumber } = iuvFor(pagopa.segregationCode, await deps.payments.nextSequence(tenant.id))
  const id = `pay_${randomUUID().replaceAll('-', '')}`
  // GPD leaves IUPD uniqueness to the organization (FACTS §5) and suggests its fiscal code + a unique id.
  const iupd = `${tenant.fiscalCode}-${iuv}`
  const deliveryId = deliveryIdFor(`gpd|${tenant.id}|${iupd}`)
  const data: PaymentData = { tenantId: tenant.id, iuv, noticeNumber, iupd, ...request, transfers, deliveryId }
  await deps.payments.create(id, data)
  await deps.timeline.record(tenant.id, request.debtor.fiscalCode, 'payment', id, new Date())
  await deps.engine.enqueue([{ id: deliveryId, tenant: tenant.id, target: 'pagopa', operation: queueNames.pagopaPositions, resourceId: id, payload: {}, meta: { iupd, noticeNumber } }])
  return id
}

/** The transfers as GPD numbers them; with none given, the whole amount to the tenant's default account. */
function transfersOf(tenant: TenantConfig, request: PaymentRequest): Transfer[] {
  const given = request.transfers ?? []
  if (given.length === 0) {
    const fallback = pagopaOf(tenant).defaultTransfer
    if (!fallback) throw new SnodoError('validation_failed', 'This tenant has no default account: name the transfers', { errors: [{ path: 'transfers', message: 'required for this tenant' }] })
    return [{ idTransfer: '1', amountCents: request.amountCents, ...(fallback.iban ? { iban: fallback.iban } : { postalIban: fallback.postalIban as string }), remittance: request.description.slice(0, 140), category: fallback.category }]
  }
  return given.map((t, i) => ({ ...t, idTransfer: String(i + 1) as Transfer['idTransfer'] }))
}
