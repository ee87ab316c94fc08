// What GPD v1 accepts as a PaymentPositionModel, checked the way GPD does: first the schema
// (gpd-openapi.json; Spring bean validation → 400 "BAD REQUEST", "field: message"), then GPD's
// own congruence rules (DebtPositionValidation → 400 "Error in the debt position request data").
// Patterns are unanchored where the spec's are, as a JSON Schema validator reads them.
import { z } from 'zod'

// RFC 3339 date-time, as `format: date-time` wants it: seconds and an offset required.
const dateTime = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be a date-time')
const amount = z.number().int().min(1)
const text140 = z.string().max(140)
const metadata = z
  .array(z.looseObject({ key: text140, value: text140 }))
  .max(10)
  .refine((items) => new Set(items.map((i) => JSON.stringify(i))).size === items.length, 'must not contain duplicates')

const Transfer = z.looseObject({
  idTransfer: z.enum(['1', '2', '3', '4', '5']),
  amount,
  organizationFiscalCode: z.string().optional(),
  remittanceInformation: text140,
  category: z.string(),
  iban: z
    .string()
    .min(1)
    .max(35)
    .regex(/^[A-Za-z0-9]{1,35}$/)
    .optional(),
  postalIban: z
    .string()
    .min(1)
    .max(35)
    .regex(/^$|^[A-Za-z0-9]{1,35}$/)
    .optional(),
  stamp: z.looseObject({ hashDocument: z.string().max(72), stampType: z.string().length(2), provincialResidence: z.string().regex(/[A-Z]{2}/) }).optional(),
  companyName: text140.optional(),
  transferMetadata: metadata.optional(),
})

const PaymentOption = z.looseObject({
  nav: z.string().optional(),
  iuv: z.string(),
  amount,
  description: text140,
  isPartialPayment: z.boolean(),
  dueDate: dateTime,
  retentionDate: dateTime.optional(),
  fee: z.number().int().optional(),
  notificationFee: z.number().int().optional(),
  transfer: z.array(Transfer).optional(),
  paymentOptionMetadata: metadata.optional(),
})

const statuses = ['DRAFT', 'PUBLISHED', 'VALID', 'INVALID', 'EXPIRED', 'PARTIALLY_PAID', 'PAID', 'REPORTED'] as const

export const PaymentPositionModel = z.looseObject({
  iupd: z.string(),
  type: z.enum(['F', 'G']),
  payStandIn: z.boolean().optional(),
  fiscalCode: z.string(),
  fullName: z.string(),
  streetName: z.string().optional(),
  civicNumber: z.string().optional(),
  postalCode: z.string().optional(),
  city: z.string().optional(),
  province: z.string().optional(),
  region: z.string().optional(),
  country: z
    .string()
    .regex(/[A-Z]{2}/)
    .optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  switchToExpired: z.boolean(),
  companyName: text140,
  officeName: text140.optional(),
  validityDate: dateTime.optional(),
  paymentDate: dateTime.optional(),
  status: z.enum(statuses).optional(),
  paymentOption: z.array(PaymentOption).optional(),
})
export type PaymentPositionModel = z.infer<typeof PaymentPositionModel>
export type PaymentOptionModel = z.infer<typeof PaymentOption>

export type ProblemJson = { title: string; status: number; detail: string }

export function problem(status: number, title: string, detail: string): Response {
  const body: ProblemJson = { title, status, detail }
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

/** Spring's MethodArgumentNotValidException answer: "field: message, field: message". */
export function invalid(error: z.ZodError): Response {
  const detail = error.issues.map((issue) => `${fieldPath(issue.path)}: ${issue.message}`).join(', ')
  return problem(400, 'BAD REQUEST', detail)
}

function fieldPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || 'body'
}

/** GPD's congruence rules on a position about to be created (DebtPositionValidation), or undefined when it passes. */
export function incongruence(position: PaymentPositionModel, now: Date): string | undefined {
  const validity = position.validityDate === undefined ? undefined : Date.parse(position.validityDate)
  if (validity !== undefined && validity < now.getTime())
    return `Dates congruence error: validity_date must be >= current_date [validity_date=${position.validityDate}; current_date=${now.toISOString()}]`
  for (const option of position.paymentOption ?? []) {
    const due = Date.parse(option.dueDate)
    if (due < (validity ?? now.getTime())) {
      return `Dates congruence error: due_date must be >= validity_date (if provided) or due_date must be >= current_date [due_date=${option.dueDate}; validity_date=${position.validityDate ?? null}; current_date=${now.toISOString()}]`
    }
    if (option.retentionDate !== undefined && Date.parse(option.retentionDate) < due) {
      return `Dates congruence error: retention_date must be >= due_date [retention_date=${option.retentionDate}; due_date=${option.dueDate}]`
    }
    let total = 0
    for (const t of option.transfer ?? []) {
      // GPD's code counts iban, postalIban and a complete stamp and wants exactly one (stricter than the spec's text).
      const kinds = [t.iban, t.postalIban].filter((v) => v).length + (t.stamp?.hashDocument && t.stamp.stampType && t.stamp.provincialResidence ? 1 : 0)
      if (kinds !== 1) return 'Iban, postalIban and Stamp are mutually exclusive. One of them is required.'
      total += t.amount
    }
    if (total !== option.amount) {
      return `Amounts congruence error: payment option amount must coincide with the total of the transfers amount [payment_option_amount(in cent)=${option.amount}; total_tranfers_amount(in cent)=${total}]`
    }
  }
  return undefined
}

/** Parses a JSON body, or says why not as Spring does (HttpMessageNotReadableException → 400). */
export async function readJson(request: Request): Promise<{ ok: true; value: unknown } | { ok: false; answer: Response }> {
  try {
    return { ok: true, value: JSON.parse(await request.text()) }
  } catch {
    return { ok: false, answer: problem(400, 'BAD REQUEST', 'JSON parse error: the request body is not readable') }
  }
}

/** What Azure APIM answers before GPD sees the call (spec 401/403, FACTS §12 429). */
export function apim(status: 401 | 403 | 404 | 429, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ statusCode: status, message }), { status, headers: { 'content-type': 'application/json', ...headers } })
}
