// Each step of a practice, told to the applicant on App IO: a per-tenant, per-service template for each
// status (config `backoffice.services[].messages`), or Snodo's own Italian wording. {{placeholders}}:
// subject, status, number (protocol number), year, message (what the office wrote), service.
import { createHash } from 'node:crypto'
import { IoFiscalCode } from '../citizens/fiscal-code.ts'
import type { Timeline } from '../citizens/timeline.ts'
import type { TenantConfig } from '../config/schema.ts'
import { acceptMessages } from '../messages/accept-message.ts'
import { serviceName } from '../messages/io-services.ts'
import type { MessageStore } from '../messages/message.ts'
import type { DeliveryEngine } from '../queues/engine.ts'
import type { PracticeStatus, StoredPractice } from './practice.ts'

const wording: Record<PracticeStatus, string> = {
  submitted: 'è stata inviata',
  registered: 'è stata protocollata',
  taken_in_charge: "è stata presa in carico dall'ufficio",
  integration_requested: "richiede un'integrazione da parte sua",
  integration_submitted: "ha ricevuto l'integrazione che ha inviato",
  accepted: 'è stata accolta',
  rejected: 'non è stata accolta',
  withdrawn: 'è stata ritirata',
}

const defaultTemplate = (status: PracticeStatus) => ({
  subject: `Pratica {{subject}}: ${wording[status]}`,
  markdown: `Gentile cittadina, gentile cittadino,\n\nla sua pratica **{{subject}}** ${wording[status]}.\n\n{{message}}\n\nProtocollo n. {{number}} del {{year}}. Può seguirne ogni passo nella sua area personale del portale.`,
})

const fill = (text: string, values: Record<string, string>) => text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => values[name] ?? '')

export function createPracticeMessages(deps: {
  messages: MessageStore
  engine: DeliveryEngine
  tenants: ReadonlyMap<string, TenantConfig>
  timeline: Timeline
}) {
  return {
    /** Queues the message for this step; one per (practice, step number), so a retried step sends none twice. */
    async tell(p: StoredPractice, status: PracticeStatus, values: { message?: string; number?: string; year?: string }) {
      const tenant = deps.tenants.get(p.data.tenantId)
      if (!tenant?.platforms.appio?.enabled || !IoFiscalCode.safeParse(p.data.applicant.fiscalCode).success) return
      const service = tenant.platforms.backoffice?.services.find((s) => s.serviceCode === p.data.serviceCode)
      const template = { ...defaultTemplate(status), ...service?.messages?.[status] }
      const all = {
        subject: p.data.subject,
        status,
        number: values.number ?? '-',
        year: values.year ?? '-',
        message: values.message ?? '',
        service: service?.name ?? p.data.serviceCode,
      }
      const subject = fill(template.subject, all).slice(0, 120).padEnd(10, '.')
      const markdown = fill(template.markdown, all).slice(0, 10_000).padEnd(80, ' ')
      const id = `msg_${createHash('sha256').update(`${p.id}|${p.history.length}|${status}`).digest('hex').slice(0, 32)}`
      const ioService = service?.ioService ?? serviceName(tenant, undefined)
      await acceptMessages(deps, tenant.id, [
        { id, fiscalCode: p.data.applicant.fiscalCode, subject, markdown, service: ioService, reference: `${p.id}#${status}` },
      ])
    },
  }
}
export type PracticeMessages = ReturnType<typeof createPracticeMessages>
