// The backoffice-documents target: the documents a later step of a practice added, registered at the
// protocollo as a registration of their own — outgoing for what the office sends the citizen, incoming
// for what the citizen adds — referring to the practice's original protocol where the profile can say
// so. Keyed by (practice, step): the job id, and the correlation key a vendor search finds it by, so a
// retry after a timeout never registers the step twice where the vendor can be searched; a retry after
// the registration only tells what the stopped attempt left untold (event, timeline).
import type { ProtocolPort, ProtocolRegistration } from '../adapters/protocollo/port.ts'
import type { Timeline } from '../citizens/timeline.ts'
import type { TenantConfig } from '../config/schema.ts'
import type { DocumentStore } from '../documents/document-store.ts'
import { UpstreamError } from '../errors.ts'
import type { EventFeed } from '../events/event-feed.ts'
import type { DeliveryStore } from '../queues/delivery-store.ts'
import { queueNames } from '../queues/names.ts'
import { type DeliveryHandler, tenantCredential } from '../queues/run-delivery.ts'
import { throughOutage } from '../queues/through-outage.ts'
import { type PracticeStatus, type PracticeStore, type StepDocuments, type StoredPractice, stepCorrelationKey } from './practice.ts'
import { fetchDocuments } from './practice-documents.ts'
import { otherSuppliers } from './practice-events.ts'
import { underRegistrationMark } from './registration-marker.ts'

/** What each step's documents are, in the protocol's subject ("oggetto") after the practice's own. */
const stepTitles: Record<PracticeStatus, string> = {
  submitted: 'domanda',
  registered: 'domanda',
  taken_in_charge: 'comunicazione di avvio del procedimento',
  integration_requested: 'richiesta di integrazione',
  integration_submitted: 'integrazione',
  accepted: 'provvedimento di accoglimento',
  rejected: 'provvedimento di diniego',
  withdrawn: 'rinuncia',
}

export const stepSubject = (p: StoredPractice, status: PracticeStatus) => `${p.data.subject} — ${stepTitles[status]}`

type Deps = {
  practices: PracticeStore
  documents: DocumentStore
  deliveries: Pick<DeliveryStore, 'get'>
  events: EventFeed
  timeline: Timeline
  tenants: ReadonlyMap<string, TenantConfig>
  protocol(tenant: TenantConfig): ProtocolPort
  clock: () => Date
}

/** How soon a step waiting for the practice's own registration looks again. */
const originalPendingMs = 1_000

export function createStepDocumentRegistrar(deps: Deps): DeliveryHandler {
  return {
    target: 'backoffice',
    operation: queueNames.backofficeDocuments,
    credentialKey: tenantCredential(),
    async send(d, { attempt }) {
      const { step } = d.payload as { step: number }
      const practice = await deps.practices.get(d.resourceId)
      const tenant = deps.tenants.get(d.tenant)
      const recorded = practice && deps.practices.stepDocuments(practice).find((s) => s.step === step)
      if (!practice || !tenant || !recorded)
        throw new UpstreamError({ kind: 'protocol', platform: 'backoffice', message: `step ${step} of practice ${d.resourceId}, or its tenant, is gone` })
      // Registered by an attempt that stopped before it was told (a crash, a failed publish): told now,
      // with the precedent it was registered with and at the instant it was.
      if (recorded.registration) {
        const kept = practice.fields[`stepRegisteredWith:${step}`]
        const { at, precedent } = kept
          ? (JSON.parse(kept) as RegisteredWith)
          : { at: deps.clock().toISOString(), precedent: deps.practices.registration(practice) }
        await tellRegistered(deps, practice, recorded, recorded.registration, { at, ...(precedent ? { precedent } : {}) })
        return { detail: `already registered as ${recorded.registration.number}/${recorded.registration.year}` }
      }
      // A practice withdrawn before its own registration has no protocol to refer to. One withdrawn while
      // that registration is at the protocollo may get one: this step waits for the attempt to end.
      const precedent = deps.practices.registration(practice)
      if (!precedent && (await deps.deliveries.get(practice.data.deliveryId))?.status === 'in_progress') {
        return { pendingRetryAfterMs: originalPendingMs, detail: `waiting for the practice's own registration (delivery ${practice.data.deliveryId}) to end` }
      }
      const [main, ...attachments] = await fetchDocuments(deps, practice, recorded.documents)
      if (!main) throw new UpstreamError({ kind: 'rejected', platform: 'backoffice', message: `step ${step} has no document to register` })
      const { applicant, serviceCode, channel } = practice.data
      const registration = await underRegistrationMark(deps.practices, practice, `stepRegistering:${step}`, { replays: d.replays, attempt }, (guard) =>
        deps.protocol(tenant).register({
          ...guard,
          correlationKey: stepCorrelationKey(practice.id, step),
          subject: stepSubject(practice, recorded.status),
          serviceCode,
          applicant,
          submittedAt: practice.history[step]?.at ?? practice.updatedAt,
          channel,
          main,
          attachments,
          direction: recorded.direction,
          ...(precedent ? { precedent } : {}),
        }),
      )
      const told: RegisteredWith = { at: deps.clock().toISOString(), ...(precedent ? { precedent } : {}) }
      await throughOutage(() =>
        deps.practices.setFields(practice.id, {
          [`stepRegistration:${step}`]: JSON.stringify(registration),
          [`stepRegisteredWith:${step}`]: JSON.stringify(told),
        }),
      )
      await tellRegistered(deps, practice, recorded, registration, told)
      return { detail: `registered as ${registration.number}/${registration.year}` }
    },
  }
}

/** When a step's documents were registered, and the original registration they referred to. */
type RegisteredWith = { at: string; precedent?: ProtocolRegistration }

/** `practice.document_registered` and the citizen's timeline item: told again, the same event and the same item. */
async function tellRegistered(
  deps: Deps,
  practice: StoredPractice,
  recorded: StepDocuments,
  registration: ProtocolRegistration,
  { at, precedent }: RegisteredWith,
) {
  const { step, documents, direction, status } = recorded
  const { tenantId, serviceCode, applicant } = practice.data
  await deps.events.publish(
    tenantId,
    'practice.document_registered',
    { practiceId: practice.id, serviceCode, step, status, direction, documents, registration, ...(precedent ? { precedent } : {}) },
    { dedupeKey: `${practice.id}|step-${step}|registered`, except: otherSuppliers(deps.tenants.get(tenantId), serviceCode) },
  )
  await deps.timeline.record(tenantId, applicant.fiscalCode, 'practice_document', `${practice.id}-${step}`, new Date(at))
}
