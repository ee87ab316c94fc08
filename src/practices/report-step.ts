// A step the back-office (or the portal, for the citizen's integration) reports: the practice moves at
// once, the portal hears of it (practice.status_changed) and the applicant on App IO. Documents the
// step carries are checked like a practice's attachments — all of them before anything is written, so
// a step with one bad document is refused whole — recorded with the step in the same script, and get
// a protocol registration of their own, queued (backoffice-documents): the step never waits for it.
// Reporting the practice's last step again, identically, is answered like the first report and redoes
// what follows it (each part idempotent): a report whose answer was lost, or that failed after the
// step was recorded, can simply be retried.
import type { TenantConfig } from '../config/schema.ts'
import type { DocumentStore } from '../documents/document-store.ts'
import { SnodoError } from '../errors.ts'
import type { EventFeed } from '../events/event-feed.ts'
import type { DeliveryEngine } from '../queues/engine.ts'
import { queueNames } from '../queues/names.ts'
import {
  type Attachment,
  type Direction,
  type PracticeStatus,
  type PracticeStore,
  practiceTransitions,
  type StoredPractice,
  stepDeliveryId,
} from './practice.ts'
import { type DocumentInput, resolveDocuments } from './practice-documents.ts'
import { otherSuppliers } from './practice-events.ts'
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

type Deps = {
  practices: PracticeStore
  documents: DocumentStore
  engine: DeliveryEngine
  events: EventFeed
  practiceMessages: PracticeMessages
  tenants: ReadonlyMap<string, TenantConfig>
}

export async function reportStep(deps: Deps, practice: StoredPractice, report: StepReport, reportedBy: string | undefined): Promise<StoredPractice> {
  const { status, message } = report
  const tenantId = practice.data.tenantId
  const detail = message ?? `reported by ${reportedBy}`
  // The same step reported again (a client's retry after an error or a lost answer) is not a move: it
  // finishes what the first report may have left undone, if it is the practice's last step.
  const repeated = practice.status === status
  // Checked before any byte is kept, so the usual refusal writes nothing; the script below decides.
  if (!repeated && !practiceTransitions[practice.status].includes(status)) throw notAllowed(practice, practice.status, status)
  const resolved = report.documents ? await resolveDocuments(deps.documents, tenantId, report.documents, 'documents') : undefined
  const direction = stepDirection[status]
  if (repeated) {
    const position = practice.history.length - 1
    if (!isLastStep(deps, practice, { status, detail, documents: resolved?.attachments })) throw notAllowed(practice, practice.status, status)
    // Nothing was written since it was read: the practice as it is.
    return followUp(deps, practice, {
      position,
      from: practice.history[position - 1]?.status ?? practice.status,
      status,
      message,
      documents: resolved?.attachments,
      direction,
    })
  }
  if (resolved) await deps.practices.keepDocuments(practice.id, resolved.inline)
  const entryFields = resolved ? { stepDocuments: JSON.stringify({ status, direction, documents: resolved.attachments }) } : undefined
  const moved = await deps.practices.transition(practice.id, status, { detail, entryFields })
  // The same report, sent twice at once, took the step first: this one is its repetition.
  if (!moved.ok && moved.from === status) return reportStep(deps, moved.record, report, reportedBy)
  if (!moved.ok) throw notAllowed(practice, moved.from ?? practice.status, status)
  return followUp(deps, moved.record, { position: moved.position, from: moved.from, status, message, documents: resolved?.attachments, direction })
}

/** Whether the practice's last step is this one: the same status, message (or reporter) and documents. */
function isLastStep(deps: Deps, practice: StoredPractice, step: { status: PracticeStatus; detail: string; documents?: Attachment[] }) {
  const position = practice.history.length - 1
  const last = practice.history[position]
  if (last?.status !== step.status || last.detail !== step.detail) return false
  const kept = deps.practices.stepDocuments(practice).find((s) => s.step === position)?.documents
  const key = (documents: Attachment[] | undefined) => JSON.stringify((documents ?? []).map((d) => [d.name, d.contentType, d.sha256, d.size]))
  return key(kept) === key(step.documents)
}

type Step = { position: number; from: PracticeStatus; status: ReportedStatus; message?: string; documents?: Attachment[]; direction: Direction }

/**
 * What follows a step, each part idempotent so a repeated report redoes it safely: its documents'
 * registration queued (one delivery per step), `practice.status_changed` (one event per step) and the
 * applicant's IO message (one per practice and step). `now` is the practice with the step recorded.
 */
async function followUp(deps: Deps, now: StoredPractice, step: Step): Promise<StoredPractice> {
  const tenantId = now.data.tenantId
  const { position, from, status, message, documents, direction } = step
  if (documents) {
    await deps.engine.enqueue([
      {
        id: stepDeliveryId(tenantId, now.id, position),
        tenant: tenantId,
        target: 'backoffice',
        operation: queueNames.backofficeDocuments,
        resourceId: now.id,
        payload: { step: position },
        meta: { serviceCode: now.data.serviceCode, step: String(position), status },
      },
    ])
  }
  await deps.events.publish(
    tenantId,
    'practice.status_changed',
    { practiceId: now.id, from, to: status, ...(message ? { message } : {}), ...(documents ? { documents, direction } : {}), practice: forwarded(now) },
    { dedupeKey: `${now.id}|step-${position}|status_changed`, except: otherSuppliers(deps.tenants.get(tenantId), now.data.serviceCode) },
  )
  const registration = deps.practices.registration(now)
  await deps.practiceMessages.tell(now, status, { message, number: registration?.number, year: registration ? String(registration.year) : undefined })
  return now
}

function notAllowed(practice: StoredPractice, from: PracticeStatus, to: PracticeStatus) {
  const allowed = practiceTransitions[from]
  return new SnodoError(
    'practice_transition_not_allowed',
    `Practice ${practice.id} is ${from}: it can go to ${allowed.join(', ') || 'nothing more (it has ended)'}, not ${to}`,
    { errors: [{ path: 'status', message: `allowed: ${allowed.join(', ') || 'none'}` }] },
  )
}
