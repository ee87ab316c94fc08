// A payment as Snodo keeps it: the debt position it stands for on pagoPA, where it stands, and its
// receipt once paid. Looked up by id and by notice number (the nodo speaks in notice numbers), with
// its receipt, recorded in the same atomic step that makes it paid (a receipt sent twice changes nothing).
import type { Redis } from 'ioredis'
import type { Transfer } from '../adapters/pagopa/port.ts'
import { createStatusStore, forwardOnly, type StoredResource } from '../resources/status-store.ts'

export const paymentStatuses = ['queued', 'published', 'paid', 'cancelled', 'expired', 'failed'] as const
export type PaymentStatus = (typeof paymentStatuses)[number]
/**
 * Forward only. A receipt is the last word: pagoPA collected the money, so `paid` follows even a
 * payment Snodo had already seen expire or be cancelled (FACTS §1: on the receipt the EC closes the
 * position as paid).
 */
const rank: Record<PaymentStatus, number> = { queued: 0, published: 1, cancelled: 2, expired: 2, failed: 2, paid: 3 }

export type Debtor = { type: 'F' | 'G'; fiscalCode: string; fullName: string; email?: string }

export type PaymentData = {
  tenantId: string
  iuv: string
  noticeNumber: string
  iupd: string
  debtor: Debtor
  amountCents: number
  description: string
  dueDate?: string
  expiresAt?: string
  transfers: Transfer[]
  metadata?: Record<string, string>
  notifyIo?: { service: string }
  deliveryId: string
}

/** What the receipt (paSendRT) said, kept with the payment. */
export type Receipt = {
  receiptId: string
  noticeNumber: string
  creditorReferenceId: string
  amountCents: number
  outcome: 'OK' | 'KO'
  pspId: string
  pspName: string
  channelId?: string
  paymentMethod?: string
  feeCents?: number
  paidAt?: string
  version: 'paSendRT' | 'paSendRTV2'
}

export type StoredPayment = StoredResource<PaymentData, PaymentStatus>

export function createPaymentStore(redis: Redis, prefix: string, clock: () => Date) {
  const resources = createStatusStore<PaymentData, PaymentStatus>(redis, `${prefix}:pay`, forwardOnly(rank), clock)
  const noticeKey = (tenantId: string, noticeNumber: string) => `${prefix}:pay-notice:${tenantId}:${noticeNumber}`
  return {
    ...resources,
    async create(id: string, data: PaymentData) {
      const [, created] = await Promise.all([redis.set(noticeKey(data.tenantId, data.noticeNumber), id), resources.create(id, data, 'queued')])
      return created
    },
    async byNotice(tenantId: string, noticeNumber: string) {
      const id = await redis.get(noticeKey(tenantId, noticeNumber))
      return id ? resources.get(id) : undefined
    },
    /** The next IUV base of a tenant: a counter that only grows, so a notice number is never reused. */
    nextSequence: (tenantId: string) => redis.incr(`${prefix}:iuv-seq:${tenantId}`),
  }
}
export type PaymentStore = ReturnType<typeof createPaymentStore>
