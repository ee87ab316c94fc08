import { Practice } from '../../../contracts/practice-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { SnodoError } from '../../../errors.ts'
import { type StoredPractice, stepDeliveryId } from '../../../practices/practice.ts'
import { deliverySummary } from '../views.ts'

export async function practiceOf(deps: Pick<Deps, 'practices'>, tenantId: string, id: string) {
  const practice = await deps.practices.get(id)
  if (!practice || practice.data.tenantId !== tenantId) throw new SnodoError('not_found', `No practice ${id}`)
  return practice
}

/** The practice as its tenant's clients (portal and back-office) see it, with its protocol deliveries and its SOAP push. */
export async function practiceView(deps: Pick<Deps, 'practices' | 'deliveries'>, p: StoredPractice) {
  const { deliveryId, tenantId, ...data } = p.data
  const registration = deps.practices.registration(p)
  const steps = deps.practices.stepDocuments(p)
  const { supplierDeliveryId, forwardedAt, supplierPracticeId } = p.fields
  const summaryOf = (id: string | undefined) => (id ? deliverySummary(deps.deliveries, id) : undefined)
  const [delivery, pushDelivery, ...stepDeliveries] = await Promise.all(
    [deliveryId, supplierDeliveryId, ...steps.map((s) => stepDeliveryId(tenantId, p.id, s.step))].map(summaryOf),
  )
  const original = {
    step: 0,
    status: 'submitted',
    direction: 'incoming',
    documents: data.attachments,
    ...(registration ? { registration } : {}),
    ...(delivery ? { delivery } : {}),
  }
  const later = steps.map((s, i) => ({ ...s, ...(stepDeliveries[i] ? { delivery: stepDeliveries[i] } : {}) }))
  const supplierPush = supplierDeliveryId
    ? { ...(pushDelivery ? { delivery: pushDelivery } : {}), ...(forwardedAt ? { forwardedAt } : {}), ...(supplierPracticeId ? { supplierPracticeId } : {}) }
    : undefined
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
    registrations: [original, ...later],
    ...(supplierPush ? { supplierPush } : {}),
    cursor: p.fields.seq ?? '0',
  })
}
