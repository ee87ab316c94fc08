// Runtime schemas of payments (pagopa/FACTS.md §5, §9 rules), checked at compile time against the
// types generated from the contract.
import { z } from 'zod'
import { installmentIssues, maxInstallments } from '../payments/installments.ts'
import { paymentStatuses } from '../payments/payment.ts'
import type { components } from './generated/snodo.v1.ts'
import { DeliverySummary, HistoryEntry, IoFiscalCode } from './message-schemas.ts'

type Schemas = components['schemas']

/** ISO 13616: structure, then the mod-97 check on the rearranged digits. */
export function isIban(value: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(value)) return false
  const digits = [...`${value.slice(4)}${value.slice(0, 4)}`].map((ch) => (/[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch)).join('')
  return BigInt(digits) % 97n === 1n
}

const Iban = z.string().refine(isIban, 'an IBAN with valid check digits (no spaces, upper case)')
const Text140 = z.string().trim().min(1).max(140)

export const PaymentDebtor = z
  .strictObject({ type: z.enum(['F', 'G']), fiscalCode: z.string(), fullName: z.string().trim().min(1).max(70), email: z.email().max(256).optional() })
  .superRefine((d, ctx) => {
    const ok = d.type === 'F' ? IoFiscalCode.safeParse(d.fiscalCode).success : /^[0-9]{11}$/.test(d.fiscalCode)
    if (!ok)
      ctx.addIssue({ code: 'custom', path: ['fiscalCode'], message: d.type === 'F' ? 'a 16-character fiscal code in upper case' : 'an 11-digit fiscal code' })
  }) satisfies z.ZodType<Schemas['PaymentDebtor']>

const transferShape = {
  iban: Iban.optional(),
  postalIban: Iban.optional(),
  amountCents: z.number().int().min(1),
  remittance: Text140,
  category: Text140,
  organizationFiscalCode: z
    .string()
    .regex(/^[0-9]{11}$/)
    .optional(),
}

export const PaymentTransfer = z.strictObject(transferShape).refine((t) => (t.iban === undefined) !== (t.postalIban === undefined), {
  message: 'exactly one of iban and postalIban',
  path: ['iban'],
}) satisfies z.ZodType<Schemas['PaymentTransfer']>

const AmountCents = z.number().int().min(1).max(99_999_999_999)
const Instant = z.iso.datetime({ offset: true })

export const CreatePaymentInstallment = z.strictObject({ amountCents: AmountCents, dueDate: Instant, description: Text140.optional() }) satisfies z.ZodType<
  Schemas['CreatePaymentInstallment']
>

export const CreatePayment = z
  .strictObject({
    debtor: PaymentDebtor,
    amountCents: AmountCents,
    description: Text140,
    dueDate: Instant.optional(),
    expiresAt: Instant.optional(),
    transfers: z.array(PaymentTransfer).min(1).max(5).optional(),
    installments: z.array(CreatePaymentInstallment).min(2).max(maxInstallments).optional(),
    metadata: z
      .record(z.string().max(140), z.string().max(140))
      .refine((m) => Object.keys(m).length <= 10, 'at most 10 entries')
      .optional(),
    notify: z.strictObject({ io: z.strictObject({ service: z.string().max(63).optional() }).optional() }).optional(),
  })
  .refine((p) => !p.transfers || p.transfers.reduce((sum, t) => sum + t.amountCents, 0) === p.amountCents, {
    message: 'the transfers must add up to amountCents',
    path: ['transfers'],
  })
  .superRefine((p, ctx) => {
    for (const issue of installmentIssues(p)) ctx.addIssue({ code: 'custom', ...issue })
  }) satisfies z.ZodType<Schemas['CreatePayment']>

export const PaymentReceipt = z.strictObject({
  receiptId: z.string(),
  amountCents: z.number().int(),
  pspId: z.string(),
  pspName: z.string(),
  channelId: z.string().optional(),
  paymentMethod: z.string().optional(),
  feeCents: z.number().int().optional(),
  paidAt: z.string().optional(),
}) satisfies z.ZodType<Schemas['PaymentReceipt']>

const PaymentOptionTransfer = z.strictObject({
  ...transferShape,
  iban: z.string().optional(),
  postalIban: z.string().optional(),
  idTransfer: z.enum(['1', '2', '3', '4', '5']),
}) satisfies z.ZodType<Schemas['PaymentOptionTransfer']>

export const PaymentInstallment = z.strictObject({
  index: z.number().int().min(1),
  iuv: z.string().regex(/^[0-9]{17}$/),
  noticeNumber: z.string().regex(/^3[0-9]{17}$/),
  amountCents: z.number().int(),
  dueDate: z.string(),
  description: z.string(),
  transfers: z.array(PaymentOptionTransfer),
  status: z.enum(['unpaid', 'paid']),
  paidAt: z.string().optional(),
  receipt: PaymentReceipt.optional(),
}) satisfies z.ZodType<Schemas['PaymentInstallment']>

export const Payment = z.strictObject({
  id: z.string(),
  tenantId: z.string(),
  status: z.enum(paymentStatuses),
  iuv: z.string().regex(/^[0-9]{17}$/),
  noticeNumber: z.string().regex(/^3[0-9]{17}$/),
  iupd: z.string(),
  debtor: PaymentDebtor,
  amountCents: z.number().int(),
  description: z.string(),
  dueDate: z.string().optional(),
  expiresAt: z.string().optional(),
  transfers: z.array(PaymentOptionTransfer),
  installments: z.array(PaymentInstallment).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  cancelRequested: z.boolean().optional(),
  receipt: PaymentReceipt.optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  history: z.array(HistoryEntry),
  delivery: DeliverySummary.optional(),
}) satisfies z.ZodType<Schemas['Payment']>

const Url = z.url({ protocol: /^https?$/ }).max(2048)
export const CheckoutRequest = z.strictObject({
  returnUrls: z.strictObject({ ok: Url, cancel: Url, error: Url, waiting: Url.optional() }),
  emailNotice: z.email().optional(),
  installment: z.number().int().min(1).max(maxInstallments).optional(),
}) satisfies z.ZodType<Schemas['CheckoutRequest']>

export const CheckoutRedirect = z.strictObject({ redirectUrl: z.url() }) satisfies z.ZodType<Schemas['CheckoutRedirect']>
