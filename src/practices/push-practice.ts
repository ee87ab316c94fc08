// The backoffice-soap-push target: a registered practice whose service routes to a supplier's SOAP
// service (routing mode soap) is handed over there, as its own delivery — retried, dead, replayed,
// paused and rate limited like every other, with a circuit per (tenant, service). When the supplier
// accepts it, the practice keeps when and under which id, and `practice.forwarded` tells the portal.
// The adapter asks the supplier before a re-send where the profile can, so a retry after a lost answer
// never hands it over twice; a retry after the supplier accepted it only finishes what the stopped
// attempt left undone (the event). A withdrawn practice is not handed over.
import type { SupplierPort } from '../adapters/supplier/port.ts'
import type { TenantConfig } from '../config/schema.ts'
import type { DocumentStore } from '../documents/document-store.ts'
import { UpstreamError } from '../errors.ts'
import type { EventFeed } from '../events/event-feed.ts'
import { type DeliveryEngine, deliveryIdFor } from '../queues/engine.ts'
import { queueNames } from '../queues/names.ts'
import { type DeliveryHandler, tenantCredential } from '../queues/run-delivery.ts'
import { practiceServiceOf } from './accept-practice.ts'
import type { PracticeStore, StoredPractice } from './practice.ts'
import { fetchDocuments } from './practice-documents.ts'
import { otherSuppliers } from './practice-events.ts'

/** Queues the push of a registered practice, once: the delivery id derives from the practice. */
export async function enqueuePush(deps: { engine: DeliveryEngine; practices: PracticeStore }, practice: StoredPractice) {
  if (practice.fields.supplierDeliveryId) return
  const id = deliveryIdFor(`supplier-push|${practice.data.tenantId}|${practice.id}`)
  const { serviceCode } = practice.data
  await deps.engine.enqueue([
    {
      id,
      tenant: practice.data.tenantId,
      target: 'backoffice',
      operation: queueNames.backofficeSoapPush,
      resourceId: practice.id,
      payload: {},
      meta: { serviceCode },
    },
  ])
  await deps.practices.setFields(practice.id, { supplierDeliveryId: id })
}

type PusherDeps = {
  practices: PracticeStore
  documents: DocumentStore
  events: EventFeed
  tenants: ReadonlyMap<string, TenantConfig>
  publicUrl: string
  clock: () => Date
  supplier(tenant: TenantConfig, serviceCode: string): SupplierPort
}

export function createPracticePusher(deps: PusherDeps): DeliveryHandler {
  return {
    target: 'backoffice',
    operation: queueNames.backofficeSoapPush,
    // Its own circuit and rate limit per (tenant, service): a supplier down never holds the protocollo back.
    credentialKey: tenantCredential('serviceCode'),
    async send(d, { attempt }) {
      const practice = await deps.practices.get(d.resourceId)
      const tenant = deps.tenants.get(d.tenant)
      if (!practice || !tenant) throw new UpstreamError({ kind: 'protocol', platform: 'backoffice', message: `practice ${d.resourceId} or its tenant is gone` })
      const { serviceCode } = practice.data
      const registration = deps.practices.registration(practice)
      // Accepted by an attempt that stopped before the portal was told (a crash, a failed publish): told now.
      if (practice.fields.forwardedAt) {
        await tellForwarded(deps, practice, registration, practice.fields.supplierPracticeId)
        return { detail: `already accepted by the supplier on ${practice.fields.forwardedAt}` }
      }
      const routing = practiceServiceOf(tenant, serviceCode).routing
      if (routing.mode !== 'soap')
        throw new UpstreamError({
          kind: 'protocol',
          platform: 'backoffice',
          message: `service ${serviceCode} no longer routes to a SOAP service (now ${routing.mode}): nothing was sent`,
        })
      // A withdrawn practice is not handed over (a retry, an operator's replay). An earlier attempt may
      // have reached the supplier all the same (a timeout): where it can be asked, that is recorded.
      if (practice.status === 'withdrawn') {
        const port = deps.supplier(tenant, serviceCode)
        const earlier = (attempt > 1 || d.replays > 0) && port.findByCorrelationKey ? await port.findByCorrelationKey(practice.id) : undefined
        const withdrawnAt = practice.history.findLast((h) => h.status === 'withdrawn')?.at ?? practice.updatedAt
        if (!earlier) return { detail: `not sent: the practice was withdrawn on ${withdrawnAt}` }
        await accepted(deps, practice, registration, earlier.supplierPracticeId)
        return {
          detail: `not sent: the practice was withdrawn on ${withdrawnAt}, but the supplier already had it${earlier.supplierPracticeId ? ` as ${earlier.supplierPracticeId}` : ''}`,
        }
      }
      const [main, ...attachments] = await fetchDocuments(
        deps,
        practice,
        practice.data.attachments,
        routing.documents === 'reference' ? { publicUrl: deps.publicUrl } : undefined,
      )
      if (!main) throw new UpstreamError({ kind: 'rejected', platform: 'backoffice', message: 'a practice needs at least one document' })
      const { applicant, subject, data, submittedAt, channel } = practice.data
      const receipt = await deps.supplier(tenant, serviceCode).push({
        correlationKey: practice.id,
        serviceCode,
        subject,
        applicant,
        data,
        submittedAt,
        channel,
        ...(registration ? { registration } : {}),
        main,
        attachments,
      })
      await accepted(deps, practice, registration, receipt.supplierPracticeId)
      const as = receipt.supplierPracticeId ? ` as ${receipt.supplierPracticeId}` : ''
      return { detail: receipt.found ? `the supplier already had it${as}: not sent again` : `accepted by the supplier${as}` }
    },
  }
}

type Registration = ReturnType<PracticeStore['registration']>

/** The supplier has it: kept with the practice, then told to the portal. */
async function accepted(deps: PusherDeps, practice: StoredPractice, registration: Registration, supplierPracticeId: string | undefined) {
  await deps.practices.setFields(practice.id, { forwardedAt: deps.clock().toISOString(), ...(supplierPracticeId ? { supplierPracticeId } : {}) })
  await tellForwarded(deps, practice, registration, supplierPracticeId)
}

/** `practice.forwarded` (via soap); the same fact told again (a retry finishing a stopped attempt) is the same event. */
async function tellForwarded(deps: PusherDeps, practice: StoredPractice, registration: Registration, supplierPracticeId: string | undefined) {
  const { tenantId, serviceCode } = practice.data
  const data = {
    practiceId: practice.id,
    serviceCode,
    via: 'soap',
    ...(supplierPracticeId ? { supplierPracticeId } : {}),
    ...(registration ? { registration } : {}),
  }
  await deps.events.publish(tenantId, 'practice.forwarded', data, {
    dedupeKey: `${practice.id}|forwarded`,
    except: otherSuppliers(deps.tenants.get(tenantId), serviceCode),
  })
}
