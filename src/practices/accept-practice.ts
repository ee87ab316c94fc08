// Accepting a practice: its documents checked (each sha256 must match its bytes), what its supplier
// needs checked (a SOAP route's payload, e.g. the SUAP riepilogo, may want form data), the record
// written with its documents, indexed for the citizen's timeline, and its protocol registration queued.
import { createHash, randomUUID } from 'node:crypto'
import type { SupplierPort } from '../adapters/supplier/port.ts'
import type { Timeline } from '../citizens/timeline.ts'
import type { DocumentStore } from '../documents/document-store.ts'
import type { TenantConfig } from '../config-schema.ts'
import { SnodoError } from '../errors.ts'
import type { DeliveryEngine } from '../queues/engine.ts'
import { deliveryIdFor } from '../queues/engine.ts'
import { queueNames } from '../queues/names.ts'
import type { Applicant, PracticeStore } from './practice.ts'

export type PracticeRequest = {
  serviceCode: string
  applicant: Applicant
  subject: string
  data: Record<string, unknown>
  /** Inline, or a document uploaded first (POST …/documents), named by its sha256. */
  attachments: ({ name: string; contentType: string; contentBase64: string; sha256?: string } | { sha256: string; name?: string })[]
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
  const uploaded = await Promise.all(
    request.attachments.map(async (a, i) => {
      if ('contentBase64' in a) return undefined
      const meta = await deps.documents.meta(tenant.id, a.sha256)
      if (!meta) throw new SnodoError('validation_failed', `No uploaded document ${a.sha256}`, { errors: [{ path: `attachments.${i}.sha256`, message: 'upload it first with POST …/documents' }] })
      return { name: a.name ?? meta.name, contentType: meta.contentType, sha256: meta.sha256, size: meta.size }
    }),
  )
  const inline = request.attachments.map((a, i) => {
    if (!('contentBase64' in a)) return undefined
    const content = Buffer.from(a.contentBase64, 'base64')
    const sha256 = createHash('sha256').update(content).digest('hex')
    if (content.length === 0) throw new SnodoError('validation_failed', `Attachment ${a.name} is empty`, { errors: [{ path: `attachments.${i}.contentBase64`, message: 'an empty file' }] })
    if (a.sha256 !== undefined && a.sha256.toLowerCase() !== sha256) throw new SnodoError('validation_failed', `Attachment ${a.name}: its sha256 does not match its content`, { errors: [{ path: `attachments.${i}.sha256`, message: `the content's sha256 is ${sha256}` }] })
    return { name: a.name, contentType: a.contentType, sha256, size: content.length, content }
  })
  const documents = inline.filter((d) => d !== undefined)
  // In the order given: the first is the main document, whether inline or uploaded.
  const attachments = request.attachments.map((_, i) => uploaded[i] ?? (({ content: _content, ...meta }) => meta)(inline[i] as NonNullable<(typeof inline)[number]>))
  if (service.routing.mode === 'soap') refuseUnfit(deps.supplier(tenant, request.serviceCode), request, attachments)
  const id = `prat_${randomUUID().replaceAll('-', '')}`
  const deliveryId = deliveryIdFor(`protocollo|${tenant.id}|${id}`)
  const { attachments: _inline, paymentIds, ...fields } = request
  await deps.practices.create(id, { tenantId: tenant.id, ...fields, paymentIds: paymentIds ?? [], attachments, deliveryId }, documents)
  await deps.timeline.record(tenant.id, request.applicant.fiscalCode, 'practice', id, deps.clock())
  await deps.engine.enqueue([{ id: deliveryId, tenant: tenant.id, target: 'backoffice', operation: queueNames.backofficePractices, resourceId: id, payload: {}, meta: { serviceCode: request.serviceCode } }])
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
