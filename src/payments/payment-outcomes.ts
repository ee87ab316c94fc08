// What follows a payment's change of status: its event for the portal and, when the portal asked
// (notify.io), an App IO message to the citizen through the messages port — with payment_data once
// the notice is payable, and a confirmation once a receipt arrives (each installment's too, unless the
// debt was paid in full already). Each is idempotent (an event's dedupeKey, a message id per step):
// the station runs them again when a receipt is sent again.
import { createHash } from 'node:crypto'
import { IoFiscalCode } from '../citizens/fiscal-code.ts'
import type { Timeline } from '../citizens/timeline.ts'
import type { TenantConfig } from '../config/schema.ts'
import type { EventFeed } from '../events/event-feed.ts'
import { acceptMessages } from '../messages/accept-message.ts'
import type { MessageStore } from '../messages/message.ts'
import type { DeliveryEngine } from '../queues/engine.ts'
import { type Installment, type Receipt, receiptField, receiptOf, type StoredPayment, settledBy, settlement } from './payment.ts'

const euro = (cents: number) => `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')} €`
const romeDay = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric' })

/** The installments as the notice message lists them (IO's payment_data holds one notice: the payment in full). */
const installmentLines = (installments: Installment[]) =>
  `\n\nPuò anche pagarlo in ${installments.length} rate, ciascuna con il proprio codice avviso:\n${installments.map((i) => `- rata ${i.index}: ${euro(i.amountCents)} entro il ${romeDay.format(new Date(i.dueDate))}, codice avviso ${i.noticeNumber}`).join('\n')}`

export function createPaymentOutcomes(deps: {
  events: EventFeed
  messages: MessageStore
  engine: DeliveryEngine
  tenants: ReadonlyMap<string, TenantConfig>
  timeline: Timeline
}) {
  const summary = (p: StoredPayment) => ({ paymentId: p.id, iuv: p.data.iuv, noticeNumber: p.data.noticeNumber, amountCents: p.data.amountCents })

  /** One message per (payment, step): a retried step never sends a second one. */
  const notify = async (p: StoredPayment, step: 'published' | 'paid' | `installment-${number}`, subject: string, markdown: string) => {
    const { notifyIo, debtor, tenantId } = p.data
    // Only a natural person with a well-formed fiscal code can be on IO.
    if (!notifyIo || debtor.type !== 'F' || !IoFiscalCode.safeParse(debtor.fiscalCode).success || !deps.tenants.get(tenantId)?.platforms.appio?.enabled) return
    const id = `msg_${createHash('sha256').update(`${p.id}|${step}`).digest('hex').slice(0, 32)}`
    const payment =
      step === 'published'
        ? { noticeNumber: p.data.noticeNumber, amountCents: p.data.amountCents, invalidAfterDueDate: p.data.expiresAt !== undefined }
        : undefined
    await acceptMessages(deps, tenantId, [
      {
        id,
        fiscalCode: debtor.fiscalCode,
        subject,
        markdown,
        service: notifyIo.service,
        reference: `${p.id}#${step}`,
        ...(payment ? { payment } : {}),
        ...(step === 'published' && p.data.dueDate ? { dueDate: p.data.dueDate } : {}),
      },
    ])
  }
  const subjectOf = (prefix: string, p: StoredPayment) => `${prefix}: ${p.data.description}`.slice(0, 120).padEnd(10, '.')

  return {
    /**
     * `notify: false` when the payment has moved on since (paid, cancelled…) and this is a retry
     * finishing a stopped attempt: the portal gets its event, the citizen no longer needs the notice.
     */
    async published(p: StoredPayment, options: { notify?: boolean } = {}) {
      await deps.events.publish(p.data.tenantId, 'payment.published', summary(p), { dedupeKey: `${p.id}|published` })
      if (options.notify === false) return
      const installments = p.data.installments ? installmentLines(p.data.installments) : ''
      await notify(
        p,
        'published',
        subjectOf('Avviso di pagamento', p),
        `Gentile ${p.data.debtor.fullName}, è disponibile l'avviso di pagamento **${p.data.description}** di ${euro(p.data.amountCents)} (codice avviso ${p.data.noticeNumber}). Può pagarlo direttamente dall'app IO.${installments}`,
      )
    },
    /**
     * The whole debt is settled by `receipt`: the payment in full's, or the last installment's (whose own
     * message says so). The event always has `receipt`; settled by installments, `installments` too.
     */
    async paid(p: StoredPayment, receipt: Receipt) {
      const inFull = receiptOf(p)?.receiptId === receipt.receiptId
      const installments = inFull ? {} : { installments: settlement(p).paidInstallments.map((index) => ({ index, receiptId: receiptOf(p, index)?.receiptId })) }
      await deps.events.publish(p.data.tenantId, 'payment.paid', { ...summary(p), receipt, ...installments }, { dedupeKey: `${p.id}|paid` })
      if (inFull)
        await notify(
          p,
          'paid',
          subjectOf('Pagamento ricevuto', p),
          `Gentile ${p.data.debtor.fullName}, abbiamo ricevuto il pagamento di ${euro(receipt.amountCents)} per **${p.data.description}** (codice avviso ${p.data.noticeNumber}, ricevuta ${receipt.receiptId}). Grazie.`,
        )
    },
    async installmentPaid(p: StoredPayment, installment: Installment, receipt: Receipt) {
      const count = p.data.installments?.length ?? 0
      const paid = settlement(p).paidInstallments.length
      const { index, iuv, noticeNumber, amountCents } = installment
      await deps.events.publish(
        p.data.tenantId,
        'payment.installment_paid',
        { ...summary(p), installment: { index, iuv, noticeNumber, amountCents }, receipt, paidInstallments: paid, installmentCount: count },
        { dedupeKey: `${p.id}|installment|${index}` },
      )
      // Paid in full already: the citizen was told the debt is settled, and "Rate pagate: 1 di 2" would say otherwise.
      // pagoPA collected this installment on top (the station logs the refund due); the event says so to the portal.
      if (settledBy(p) === receiptField()) return
      const next = paid === count ? 'Con questa rata il pagamento è completo.' : `Rate pagate: ${paid} di ${count}.`
      await notify(
        p,
        `installment-${index}`,
        subjectOf(`Rata ${index} ricevuta`, p),
        `Gentile ${p.data.debtor.fullName}, abbiamo ricevuto il pagamento della rata ${index} di ${count} (${euro(amountCents)}) per **${p.data.description}** (codice avviso ${noticeNumber}, ricevuta ${receipt.receiptId}). ${next} Grazie.`,
      )
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
