// A step the back-office (or the portal, for the citizen's integration) reports: the practice moves at
// once, the portal hears of it (practice.status_changed) and the applicant on App IO. Documents the
// step carries are checked like a practice's attachments — all of them before anything is written, so
// a step with one bad document is refused whole — recorded with the step in the same script, and get
// a protocol registration of their own, queued (backoffice-documents): the step never waits for it.
import type { DocumentStore } from '../documents/document-store.ts'
import { SnodoError } from '../errors.ts'
import type { EventFeed } from '../events/event-feed.ts'
import type { DeliveryEngine } from '../queues/engine.ts'
import { queueNames } from '../queues/names.ts'
import { type Direction, type PracticeStatus, type PracticeStore, practiceTransitions, type StoredPractice, stepDeliveryId } from './practice.ts'
import { type DocumentInput, resolveDocuments } from './practice-documents.ts'
import type { PracticeMessages } from './practice-messages.ts'
import { forwarded } from './register-practice.ts'

export type ReportedStatus = Exclude<PracticeStatus, 'submitted' | 'registered'>
export type StepReport = { status: ReportedStatus; message?: string; documents?: DocumentInput[] }

/** What the office sends the citizen goes out ("in uscita"); what the citizen adds comes in ("in entrata"). */
export const stepDirection: Record<ReportedStatus, Direction> = {
  taken_in_charge: 'outgoing',
  integration_requested: 'outgoing',
  integration_submitted: 'incoming',
  accepted: 'outgoing',
  rejected: 'outgoing',
  withdrawn: 'incoming',
}

type Deps = { practices: PracticeStore; documents: DocumentStore; engine: DeliveryEngine; events: EventFeed; practiceMessages: PracticeMessages }

export async function reportStep(deps: Deps, practice: StoredPractice, report: StepReport, reportedBy: string | undefined): Promise<StoredPractice> {
  const { status, message } = report
  const tenantId = practice.data.tenantId
  // Checked before any byte is kept, so the usual refusal writes nothing; the script below decides.
  if (!practiceTransitions[practice.status].includes(status)) throw notAllowed(practice, practice.status, status)
  const resolved = report.documents ? await resolveDocuments(deps.documents, tenantId, report.documents, 'documents') : undefined
  if (resolved) await deps.practices.keepDocuments(practice.id, resolved.inline)
  const direction = stepDirection[status]
  const entryFields = resolved ? { stepDocuments: JSON.stringify({ status, direction, documents: resolved.attachments }) } : undefined
  const moved = await deps.practices.transition(practice.id, status, { detail: message ?? `reported by ${reportedBy}`, entryFields })
  if (!moved.ok || moved.position === undefined) throw notAllowed(practice, moved.from ?? practice.status, status)
  if (resolved) {
    const step = moved.position
    await deps.engine.enqueue([
      { id: stepDeliveryId(tenantId, practice.id, step), tenant: tenantId, target: 'backoffice', operation: queueNames.backofficeDocuments, resourceId: practice.id, payload: { step }, meta: { serviceCode: practice.data.serviceCode, step: String(step), status } },
    ])
  }
  const now = (await deps.practices.get(practice.id)) as StoredPractice
  const documents = resolved ? { documents: resolved.attachments, direction } : {}
  await deps.events.publish(tenantId, 'practice.status_changed', { practiceId: practice.id, from: moved.from, to: status, ...(message ? { message } : {}), ...documents, practice: forwarded(now) })
  const registration = deps.practices.registration(now)
  await deps.practiceMessages.tell(now, status, { message, number: registration?.number, year: registration ? String(registration.year) : undefined })
  return now
}

function notAllowed(practice: StoredPractice, from: PracticeStatus, to: PracticeStatus) {
  const allowed = practiceTransitions[from]
  return new SnodoError('practice_transition_not_allowed', `Practice ${practice.id} is ${from}: it can go to ${allowed.join(', ') || 'nothing more (it has ended)'}, not ${to}`, { errors: [{ path: 'status', message: `allowed: ${allowed.join(', ') || 'none'}` }] })
}
