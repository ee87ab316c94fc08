// Accepting a practice: its documents checked (each sha256 must match its bytes), what its supplier
// needs checked (a SOAP route's payload, e.g. the SUAP riepilogo, may want form data), the record
// written with its documents, indexed for the citizen's timeline, and its protocol registration queued.
import { randomUUID } from 'node:crypto'
import type { SupplierPort } from '../adapters/supplier/port.ts'
import type { Timeline } from '../citizens/timeline.ts'
import type { TenantConfig } from '../config/schema.ts'
import type { DocumentStore } from '../documents/document-store.ts'
import { SnodoError } from '../errors.ts'
import type { DeliveryEngine } from '../queues/engine.ts'
import { deliveryIdFor } from '../queues/engine.ts'
import { queueNames } from '../queues/names.ts'
import type { Applicant, PracticeData, PracticeStore, StoredPractice } from './practice.ts'
import { type DocumentInput, resolveDocuments } from './practice-documents.ts'

export type PracticeRequest = {
  serviceCode: string
  applicant: Applicant
  subject: string
  data: Record<string, unknown>
  attachments: DocumentInput[]
  paymentIds?: string[]
  channel: 'online' | 'counter'
  submittedAt: string
}

export function practiceServiceOf(tenant: TenantConfig, serviceCode: string) {
  const backoffice = tenant.platforms.backoffice
  if (!backoffice?.enabled) throw new SnodoError('platform_not_configured', `Tenant ${tenant.id} does not take practices`)
  const service = backoffice.services.find((s) => s.serviceCode === serviceCode)
  if (!service)
    throw new SnodoError('validation_failed', `Unknown serviceCode ${serviceCode}`, {
      errors: [{ path: 'serviceCode', message: `one of ${backoffice.services.map((s) => s.serviceCode).join(', ') || '(none configured)'}` }],
    })
  return service
}

type AcceptDeps = {
  practices: PracticeStore
  documents: DocumentStore
  engine: DeliveryEngine
  timeline: Timeline
  clock: () => Date
  supplier(tenant: TenantConfig, serviceCode: string): SupplierPort
}

export const newPracticeId = () => `prat_${randomUUID().replaceAll('-', '')}`

/**
 * Idempotent for a given id (the route derives it from the Idempotency-Key): a practice already written
 * is answered as it is, its registration queued again if a stop left it out (a no-op otherwise).
 * Answers the practice as stored: the one written now, or the one that was there.
 */
export async function acceptPractice(deps: AcceptDeps, tenant: TenantConfig, request: PracticeRequest, id = newPracticeId()): Promise<StoredPractice> {
  const service = practiceServiceOf(tenant, request.serviceCode)
  const existing = await deps.practices.get(id)
  if (existing) {
    await finishAccept(deps, id, existing.data, new Date(existing.createdAt))
    return existing
  }
  const { attachments, inline } = await resolveDocuments(deps.documents, tenant.id, request.attachments, 'attachments')
  if (service.routing.mode === 'soap') refuseUnfit(deps.supplier(tenant, request.serviceCode), request, attachments)
  const deliveryId = deliveryIdFor(`protocollo|${tenant.id}|${id}`)
  const { attachments: _inline, paymentIds, ...fields } = request
  const data: PracticeData = { tenantId: tenant.id, ...fields, paymentIds: paymentIds ?? [], attachments, deliveryId }
  // Intent and timeline first: a stop after the record is written never leaves the practice without its
  // registration (the sweeper enqueues the intent) nor out of the citizen's timeline.
  // Sent together on the one connection, ahead of the record: one round trip, still written before it.
  const at = deps.clock()
  await Promise.all([
    deps.engine.intend(deliveryOf(id, data), deps.practices.keyOf(id)),
    deps.timeline.record(tenant.id, request.applicant.fiscalCode, 'practice', id, at),
  ])
  let stored: StoredPractice
  try {
    // On a failure the store takes back its index entry and inline bytes (practice.ts).
    stored = (await deps.practices.create(id, data, inline)).record
  } catch (error) {
    // The timeline entry goes too unless the record made it after all; the intent is the sweeper's,
    // which forgets it while no record names its delivery.
    if (!(await deps.practices.get(id).catch(() => 'unknown')))
      await deps.timeline.forget(tenant.id, request.applicant.fiscalCode, 'practice', id).catch(() => undefined)
    throw error
  }
  await finishAccept(deps, id, data, at)
  return stored
}

const deliveryOf = (id: string, data: PracticeData) => ({
  id: data.deliveryId,
  tenant: data.tenantId,
  target: 'backoffice' as const,
  operation: queueNames.backofficePractices,
  resourceId: id,
  payload: {},
  meta: { serviceCode: data.serviceCode },
})

/** What follows the record: in the timeline (kept where it is), registration queued (a no-op when it exists). */
async function finishAccept(deps: AcceptDeps, id: string, data: PracticeData, at: Date) {
  await Promise.all([deps.timeline.record(data.tenantId, data.applicant.fiscalCode, 'practice', id, at), deps.engine.enqueue([deliveryOf(id, data)])])
}

/** A practice its supplier could not take is refused now (400, by field), not left to die after its registration. */
function refuseUnfit(supplier: SupplierPort, request: PracticeRequest, documents: { name: string; contentType: string; sha256: string; size: number }[]) {
  const [main, ...attachments] = documents
  if (!main) return
  const { serviceCode, subject, applicant, data, submittedAt, channel } = request
  const problems = supplier.problemsOf({ serviceCode, subject, applicant, data, submittedAt, channel, main, attachments })
  if (problems.length === 0) return
  // The main document is the first attachment of the request; a file's extension comes from its media type.
  const errors = problems.map((p) => ({ path: p.path.replace(/^main\b/, 'attachments.0').replace(/\.extension$/, '.contentType'), message: p.message }))
  throw new SnodoError('validation_failed', `Service ${serviceCode} hands practices to a supplier that needs more than this one holds`, { errors })
}
