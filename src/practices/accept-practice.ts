// Accepting a practice: its documents checked (each sha256 must match its bytes), the record written
// with its documents, indexed for the citizen's timeline, and its protocol registration queued.
import { randomUUID } from 'node:crypto'
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

export async function acceptPractice(deps: { practices: PracticeStore; documents: DocumentStore; engine: DeliveryEngine; timeline: Timeline; clock: () => Date }, tenant: TenantConfig, request: PracticeRequest) {
  practiceServiceOf(tenant, request.serviceCode)
  const { attachments, inline } = await resolveDocuments(deps.documents, tenant.id, request.attachments, 'attachments')
  const id = `prat_${randomUUID().replaceAll('-', '')}`
  const deliveryId = deliveryIdFor(`protocollo|${tenant.id}|${id}`)
  const { attachments: _inline, paymentIds, ...fields } = request
  await deps.practices.create(id, { tenantId: tenant.id, ...fields, paymentIds: paymentIds ?? [], attachments, deliveryId }, inline)
  await deps.timeline.record(tenant.id, request.applicant.fiscalCode, 'practice', id, deps.clock())
  await deps.engine.enqueue([{ id: deliveryId, tenant: tenant.id, target: 'backoffice', operation: queueNames.backofficePractices, resourceId: id, payload: {}, meta: { serviceCode: request.serviceCode } }])
  return id
}
