// What follows a payment's change of status: its event for the portal and, when the portal asked
// (notify.io), an App IO message to the citizen through the messages port — with payment_data once
// the notice is payable, and a confirmation once the receipt arrives.
import { createHash } from 'node:crypto'
import type { TenantConfig } from '../config-schema.ts'
import { IoFiscalCode } from '../contracts/message-schemas.ts'
import type { EventFeed } from '../events/event-feed.ts'
import { acceptMessages } from '../messages/accept-message.ts'
import type { MessageStore } from '../messages/message.ts'
import type { Timeline } from '../citizens/timeline.ts'
import type { DeliveryEngine } from '../queues/engine.ts'
import type { Receipt, StoredPayment } from './payment.ts'

const euro = (cents: number) => `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')} €`

export function createPaymentOutcomes(deps: { events: EventFeed; messages: MessageStore; engine: DeliveryEngine; tenants: ReadonlyMap<string, TenantConfig>; timeline: Timeline }) {
  const summary = (p: StoredPayment) => ({ paymentId: p.id, iuv: p.data.iuv, noticeNumber: p.data.noticeNumber, amountCents: p.data.amountCents })

  /** One message per (payment, step): a retried step never sends a second one. */
  const notify = async (p: StoredPayment, step: 'published' | 'paid', subject: string, markdown: string) => {
    const { notifyIo, debtor, tenantId } = p.data
    // Only a natural person with a well-formed fiscal code can be on IO.
    if (!notifyIo || debtor.type !== 'F' || !IoFiscalCode.safeParse(debtor.fiscalCode).success || !deps.tenants.get(tenantId)?.platforms.appio?.enabled) return
    const id = `msg_${createHash('sha256').update(`${p.id}|${step}`).digest('hex').slice(0, 32)}`
    const payment = step === 'published' ? { noticeNumber: p.data.noticeNumber, amountCents: p.data.amountCents, invalidAfterDueDate: p.data.expiresAt !== undefined } : undefined
    await acceptMessages(deps, tenantId, [{ id, fiscalCode: debtor.fiscalCode, subject, markdown, service: notifyIo.service, reference: `${p.id}#${step}`, ...(payment ? { payment } : {}), ...(step === 'published' && p.data.dueDate ? { dueDate: p.data.dueDate } : {}) }])
  }
  const subjectOf = (prefix: string, p: StoredPayment) => `${prefix}: ${p.data.description}`.slice(0, 120).padEnd(10, '.')

  return {
    async published(p: StoredPayment) {
      await deps.events.publish(p.data.tenantId, 'payment.published', summary(p), { dedupeKey: `${p.id}|published` })
      await notify(p, 'published', subjectOf('Avviso di pagamento', p), `Gentile ${p.data.debtor.fullName}, è disponibile l'avviso di pagamento **${p.data.description}** di ${euro(p.data.amountCents)} (codice avviso ${p.data.noticeNumber}). Può pagarlo direttamente dall'app IO.`)
    },
    async paid(p: StoredPayment, receipt: Receipt) {
      await deps.events.publish(p.data.tenantId, 'payment.paid', { ...summary(p), receipt }, { dedupeKey: `${p.id}|paid` })
      await notify(p, 'paid', subjectOf('Pagamento ricevuto', p), `Gentile ${p.data.debtor.fullName}, abbiamo ricevuto il pagamento di ${euro(receipt.amountCents)} per **${p.data.description}** (codice avviso ${p.data.noticeNumber}, ricevuta ${receipt.receiptId}). Grazie.`)
    },
    async cancelled(p: StoredPayment) {
      await deps.events.publish(p.data.tenantId, 'payment.cancelled', summary(p), { dedupeKey: `${p.id}|cancelled` })
    },
    async expired(p: StoredPayment) {
      await deps.events.publish(p.data.tenantId, 'payment.expired', summary(p), { dedupeKey: `${p.id}|expired` })
    },
  }
}
export type PaymentOutcomes = ReturnType<typeof createPaymentOutcomes>
