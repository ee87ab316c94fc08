// A payment as Snodo keeps it: the debt position it stands for on pagoPA, where it stands, and its
// receipts. Looked up by id and by any of its notice numbers (the nodo speaks in notice numbers): the
// one paid in full and, for a payment in installments, one per installment. Each notice keeps its
// first receipt (a receipt sent twice changes nothing).
import type { Redis } from 'ioredis'
import type { Transfer } from '../adapters/pagopa/port.ts'
import { createStatusStore, forwardOnly, type StoredResource } from '../resources/status-store.ts'

export const paymentStatuses = ['queued', 'published', 'partially_paid', 'paid', 'cancelled', 'expired', 'failed'] as const
export type PaymentStatus = (typeof paymentStatuses)[number]
/**
 * Forward only. A receipt is the last word: pagoPA collected the money, so `partially_paid` (some
 * installments) and `paid` follow even a payment Snodo had already seen expire or be cancelled
 * (FACTS §1: on the receipt the EC closes the position as paid); nothing undoes a partial payment.
 */
const rank: Record<PaymentStatus, number> = { queued: 0, published: 1, cancelled: 2, expired: 2, failed: 2, partially_paid: 3, paid: 4 }
const forward = forwardOnly(rank)
/**
 * And `failed` only before publication: once `payment.published` was told, the position is on GPD and
 * payable, so a delivery that dies afterwards (a failure after the move, an outage) never makes it failed.
 */
export const paymentTransitions = { ...forward, published: forward.published.filter((s) => s !== 'failed') }

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
  /** Two or more, when the debt may also be paid in installments (each its own notice). */
  installments?: Installment[]
  metadata?: Record<string, string>
  notifyIo?: { service: string }
  deliveryId: string
}

/** One installment: a payment option of its own on pagoPA (isPartialPayment, FACTS §5). */
export type Installment = {
  /** 1-based. */
  index: number
  iuv: string
  noticeNumber: string
  amountCents: number
  dueDate: string
  description: string
  transfers: Transfer[]
}

/** The notice a number names: the payment in full (no installment) or one installment. */
export type PaymentNotice = {
  iuv: string
  noticeNumber: string
  amountCents: number
  description: string
  dueDate?: string
  transfers: Transfer[]
  installment?: Installment
}

export function noticeOf(data: PaymentData, noticeNumber: string): PaymentNotice | undefined {
  if (noticeNumber === data.noticeNumber)
    return {
      iuv: data.iuv,
      noticeNumber,
      amountCents: data.amountCents,
      description: data.description,
      ...(data.dueDate ? { dueDate: data.dueDate } : {}),
      transfers: data.transfers,
    }
  const installment = data.installments?.find((i) => i.noticeNumber === noticeNumber)
  return installment && { ...installment, installment }
}

/** Where a notice's receipt is kept: `receipt` for the payment in full (as before installments), `receipt:<n>` for installment n. */
export const receiptField = (installment?: number) => (installment === undefined ? 'receipt' : `receipt:${installment}`)

export function receiptOf(p: StoredPayment, installment?: number): Receipt | undefined {
  const json = p.fields[receiptField(installment)]
  return json ? (JSON.parse(json) as Receipt) : undefined
}

/** What the receipts kept make of the payment: paid in full or by every installment, partly paid, or nothing yet. */
export function settlement(p: StoredPayment): { paidInstallments: number[]; status?: 'paid' | 'partially_paid' } {
  const paidInstallments = (p.data.installments ?? []).filter((i) => p.fields[receiptField(i.index)]).map((i) => i.index)
  const all = paidInstallments.length > 0 && paidInstallments.length === p.data.installments?.length
  return {
    paidInstallments,
    ...(p.fields.receipt || all ? { status: 'paid' as const } : paidInstallments.length > 0 ? { status: 'partially_paid' as const } : {}),
  }
}

/**
 * Where the receipt that made the payment `paid` is kept — `receipt` (the payment in full) or `receipt:<n>`
 * (the last installment paid) — as field `settledBy`, set with the move to paid. A payment paid before that
 * field was kept was paid by its receipt in full, unless every installment is paid too: then it cannot tell.
 */
export function settledBy(p: StoredPayment): string | undefined {
  if (p.status !== 'paid') return undefined
  if (p.fields.settledBy) return p.fields.settledBy
  const installments = p.data.installments?.length ?? 0
  return p.fields.receipt && (installments === 0 || settlement(p).paidInstallments.length < installments) ? receiptField() : undefined
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

/** KEYS: the tenant's counter, the payment's reservation; ARGV: count, ttl → the first sequence, reserved once per payment. */
const reserveScript = `
local kept = redis.call('GET', KEYS[2])
if kept then return tonumber(kept) end
local first = redis.call('INCRBY', KEYS[1], ARGV[1]) - tonumber(ARGV[1]) + 1
redis.call('SET', KEYS[2], first, 'EX', ARGV[2])
return first`
/** A reservation whose record was never written (the client gave up) is let go after a month. */
const reservationTtlSeconds = 30 * 86_400

export function createPaymentStore(redis: Redis, prefix: string, clock: () => Date) {
  const resources = createStatusStore<PaymentData, PaymentStatus>(redis, `${prefix}:pay`, paymentTransitions, clock)
  const noticeKey = (tenantId: string, noticeNumber: string) => `${prefix}:pay-notice:${tenantId}:${noticeNumber}`
  const reservationKey = (paymentId: string) => `${prefix}:iuv-seq-of:${paymentId}`
  return {
    ...resources,
    async create(id: string, data: PaymentData) {
      const notices = [data.noticeNumber, ...(data.installments ?? []).map((i) => i.noticeNumber)]
      const [, created] = await Promise.all([
        redis.mset(Object.fromEntries(notices.map((n) => [noticeKey(data.tenantId, n), id]))),
        resources.create(id, data, 'queued'),
      ])
      return created
    },
    async byNotice(tenantId: string, noticeNumber: string) {
      const id = await redis.get(noticeKey(tenantId, noticeNumber))
      return id ? resources.get(id) : undefined
    },
    /**
     * The first of `count` IUV bases of a tenant, all its own: a counter that only grows, so a notice
     * number is never reused. Once per payment id: an accept run again after a crash gets the same IUVs
     * (so the same IUPD and delivery), never a second debt position for one payment.
     */
    reserveSequences: async (tenantId: string, count: number, paymentId: string) =>
      Number(await redis.eval(reserveScript, 2, `${prefix}:iuv-seq:${tenantId}`, reservationKey(paymentId), count, reservationTtlSeconds)),
    /** Once the record holds the IUVs, the reservation has done its work. */
    forgetReservation: async (paymentId: string) => void (await redis.del(reservationKey(paymentId))),
    /** Keeps a notice's receipt unless it has one already; answers the receipt it keeps. */
    keepReceipt: async (id: string, installment: number | undefined, receipt: Receipt) =>
      JSON.parse(await resources.keepField(id, receiptField(installment), JSON.stringify(receipt))) as Receipt,
  }
}
export type PaymentStore = ReturnType<typeof createPaymentStore>
