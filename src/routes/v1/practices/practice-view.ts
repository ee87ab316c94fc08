import { Practice } from '../../../contracts/practice-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { SnodoError } from '../../../errors.ts'
import type { StoredPractice } from '../../../practices/practice.ts'
import { deliverySummary } from '../views.ts'

export async function practiceOf(deps: Pick<Deps, 'practices'>, tenantId: string, id: string) {
  const practice = await deps.practices.get(id)
  if (!practice || practice.data.tenantId !== tenantId) throw new SnodoError('not_found', `No practice ${id}`)
  return practice
}

/** The practice as its tenant's clients (portal and back-office) see it, with its protocol delivery and its SOAP push. */
export async function practiceView(deps: Pick<Deps, 'practices' | 'deliveries'>, p: StoredPractice) {
  const { deliveryId, tenantId, ...data } = p.data
  const registration = deps.practices.registration(p)
  const { supplierDeliveryId, forwardedAt, supplierPracticeId } = p.fields
  const [delivery, pushDelivery] = await Promise.all([deliverySummary(deps.deliveries, deliveryId), supplierDeliveryId ? deliverySummary(deps.deliveries, supplierDeliveryId) : undefined])
  const supplierPush = supplierDeliveryId ? { ...(pushDelivery ? { delivery: pushDelivery } : {}), ...(forwardedAt ? { forwardedAt } : {}), ...(supplierPracticeId ? { supplierPracticeId } : {}) } : undefined
  return Practice.parse({
    id: p.id,
    tenantId,
    status: p.status,
    ...data,
    ...(registration ? { registration } : {}),
    ...(p.fields.ackedAt ? { ackedAt: p.fields.ackedAt } : {}),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    history: p.history,
    ...(delivery ? { protocolDelivery: delivery } : {}),
    ...(supplierPush ? { supplierPush } : {}),
    cursor: p.fields.seq ?? '0',
  })
}
