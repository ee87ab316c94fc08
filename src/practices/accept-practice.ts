// Accepting a practice: its documents checked (each sha256 must match its bytes), what its supplier
// needs checked (a SOAP route's payload, e.g. the SUAP riepilogo, may want form data), the record
// written with its documents, indexed for the citizen's timeline, and its protocol registration queued.
import { randomUUID } from 'node:crypto'
import type { SupplierPort } from '../adapters/supplier/port.ts'
import type { Timeline } from '../citizens/timeline.ts'
import type { DocumentStore } from '../documents/document-store.ts'
import type { TenantConfig } from '../config-schema.ts'
import { SnodoError } from '../errors.ts'
import type { DeliveryEngine } from '../queues/engine.ts'
import { deliveryIdFor } from '../queues/engine.ts'
import { queueNames } from '../queues/names.ts'
import type { Applicant, PracticeStore } from './practice.ts'
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
  if (!service) throw new SnodoError('validation_failed', `Unknown serviceCode ${serviceCode}`, { errors: [{ path: 'serviceCode', message: `one of ${backoffice.services.map((s) => s.serviceCode).join(', ') || '(none configured)'}` }] })
  return service
}

type AcceptDeps = { practices: PracticeStore; documents: DocumentStore; engine: DeliveryEngine; timeline: Timeline; clock: () => Date; supplier(tenant: TenantConfig, serviceCode: string): SupplierPort }

export async function acceptPractice(deps: AcceptDeps, tenant: TenantConfig, request: PracticeRequest) {
  const service = practiceServiceOf(tenant, request.serviceCode)
  const { attachments, inline } = await resolveDocuments(deps.documents, tenant.id, request.attachments, 'attachments')
  if (service.routing.mode === 'soap') refuseUnfit(deps.supplier(tenant, request.serviceCode), request, attachments)
  const id = `prat_${randomUUID().replaceAll('-', '')}`
  const deliveryId = deliveryIdFor(`protocollo|${tenant.id}|${id}`)
  const { attachments: _inline, paymentIds, ...fields } = request
  const delivery = { id: deliveryId, tenant: tenant.id, target: 'backoffice' as const, operation: queueNames.backofficePractices, resourceId: id, payload: {}, meta: { serviceCode: request.serviceCode } }
  // Intent and timeline first: a stop after the record is written never leaves the practice without its
  // registration (the sweeper enqueues the intent) nor out of the citizen's timeline.
  // Sent together on the one connection, ahead of the record: one round trip, still written before it.
  await Promise.all([deps.engine.intend(delivery, deps.practices.keyOf(id)), deps.timeline.record(tenant.id, request.applicant.fiscalCode, 'practice', id, deps.clock())])
  await deps.practices.create(id, { tenantId: tenant.id, ...fields, paymentIds: paymentIds ?? [], attachments, deliveryId }, inline)
  await deps.engine.enqueue([delivery])
  return id
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
