// The backoffice-practices target: register the practice at the comune's protocollo (no vendor is
// idempotent: the adapter searches for the practice before a re-send where the vendor can), then hand
// it to the office that handles it — a signed webhook to the supplier, a SOAP push to the supplier's
// service (its own delivery, push-practice.ts), or left for it to pull. Every step after the
// registration is idempotent, so an attempt that stopped half way is finished by the next one.
import type { ProtocolPort } from '../adapters/protocollo/port.ts'
import type { TenantConfig } from '../config/schema.ts'
import type { DocumentStore } from '../documents/document-store.ts'
import { UpstreamError } from '../errors.ts'
import type { EventFeed } from '../events/event-feed.ts'
import type { DeliveryEngine } from '../queues/engine.ts'
import { queueNames } from '../queues/names.ts'
import { type DeliveryHandler, tenantCredential } from '../queues/run-delivery.ts'
import { throughOutage } from '../queues/through-outage.ts'
import { practiceServiceOf } from './accept-practice.ts'
import type { PracticeStore, StoredPractice } from './practice.ts'
import { fetchDocuments } from './practice-documents.ts'
import { otherSuppliers } from './practice-events.ts'
import type { PracticeMessages } from './practice-messages.ts'
import { enqueuePush } from './push-practice.ts'
import { underRegistrationMark } from './registration-marker.ts'

type RegistrarDeps = {
  practices: PracticeStore
  documents: DocumentStore
  events: EventFeed
  messages: PracticeMessages
  engine: DeliveryEngine
  tenants: ReadonlyMap<string, TenantConfig>
  protocol(tenant: TenantConfig): ProtocolPort
}

export function createPracticeRegistrar(deps: RegistrarDeps): DeliveryHandler {
  return {
    target: 'backoffice',
    operation: queueNames.backofficePractices,
    credentialKey: tenantCredential(),
    async send(d, { attempt }) {
      const practice = await deps.practices.get(d.resourceId)
      const tenant = deps.tenants.get(d.tenant)
      if (!practice || !tenant) throw new UpstreamError({ kind: 'protocol', platform: 'backoffice', message: `practice ${d.resourceId} or its tenant is gone` })
      if (practice.status !== 'submitted' && practice.status !== 'registered') {
        // Moved on since its registration (taken in charge, withdrawn…): an attempt that stopped before
        // telling may have left practice.registered untold — told now, as the same event; what else
        // followed the registration (the applicant's message, the hand-over) the later steps superseded.
        const registration = deps.practices.registration(practice)
        if (registration && practice.history.some((h) => h.status === 'registered')) await tellRegistered(deps, tenant, practice, registration)
        return { detail: `already ${practice.status}` }
      }
      // Registered already (an attempt that stopped after its move): as read; otherwise as the move left it.
      let registered = practice
      if (practice.status === 'submitted') {
        const [main, ...attachments] = await fetchDocuments(deps, practice, practice.data.attachments)
        if (!main) throw new UpstreamError({ kind: 'rejected', platform: 'backoffice', message: 'a practice needs at least one document to register' })
        const { applicant, subject, serviceCode, submittedAt, channel } = practice.data
        const registration = await underRegistrationMark(deps.practices, practice, 'registering', { replays: d.replays, attempt }, (guard) =>
          deps.protocol(tenant).register({ correlationKey: practice.id, subject, serviceCode, applicant, submittedAt, channel, main, attachments, ...guard }),
        )
        const fields = { registration: JSON.stringify(registration) }
        // What the protocollo just gave exists nowhere else: a Redis blip must not turn it into an unknown outcome.
        const moved = await throughOutage(() =>
          deps.practices.transition(practice.id, 'registered', { detail: `protocol n. ${registration.number}/${registration.year}`, fields }),
        )
        if (!moved.ok && moved.from !== 'registered') {
          // Withdrawn while the protocollo registered it: the protocol number is kept all the same (what
          // the withdrawal's own registration refers to), though the practice never shows registered.
          await throughOutage(() => deps.practices.setFields(practice.id, fields))
          return { detail: `registered as ${registration.number}/${registration.year}; already ${moved.from}` }
        }
        if (!moved.record) throw new UpstreamError({ kind: 'protocol', platform: 'backoffice', message: `practice ${practice.id} is gone` })
        registered = moved.record
      }
      const registration = deps.practices.registration(registered)
      if (!registration)
        throw new UpstreamError({ kind: 'protocol', platform: 'backoffice', message: `practice ${practice.id} is registered without its registration` })
      await afterRegistration(deps, tenant, registered, registration)
      return { detail: `registered as ${registration.number}/${registration.year}` }
    },
  }
}

/** The portal and the applicant are told, and the practice goes on to its office. */
async function afterRegistration(deps: RegistrarDeps, tenant: TenantConfig, registered: StoredPractice, registration: Registration) {
  const { serviceCode } = registered.data
  await tellRegistered(deps, tenant, registered, registration)
  await deps.messages.tell(registered, 'registered', { number: registration.number, year: String(registration.year) })
  const routing = practiceServiceOf(tenant, serviceCode).routing
  if (routing.mode === 'webhook') {
    // The supplier's endpoint alone gets the practice, signed like every webhook, and retried likewise.
    await deps.events.publish(
      tenant.id,
      'practice.forwarded',
      { practiceId: registered.id, serviceCode, via: 'webhook', registration, practice: forwarded(registered) },
      { dedupeKey: `${registered.id}|forwarded`, endpointId: routing.endpointId },
    )
  }
  if (routing.mode === 'soap') await enqueuePush(deps, registered)
}

type Registration = NonNullable<ReturnType<PracticeStore['registration']>>

/** practice.registered, one event per practice (told again, it is the same event). */
async function tellRegistered(deps: RegistrarDeps, tenant: TenantConfig, practice: StoredPractice, registration: Registration) {
  const { serviceCode } = practice.data
  await deps.events.publish(
    tenant.id,
    'practice.registered',
    { practiceId: practice.id, serviceCode, registration },
    { dedupeKey: `${practice.id}|registered`, except: otherSuppliers(tenant, serviceCode) },
  )
}

/** What the back-office receives: the structured practice, documents by reference (sha256). */
export function forwarded(p: StoredPractice) {
  const { deliveryId: _delivery, ...data } = p.data
  return { id: p.id, status: p.status, ...data }
}
