// What IO accepts as a request body, checked the way IO does (appio/FACTS.md §3, spec definitions
// NewMessage, FiscalCodePayload), and its ProblemJson answers (FACTS §5).
import { z } from 'zod'

/** spec parameters.FiscalCode, anchored as @pagopa/ts-commons does (FACTS §3). */
export const fiscalCodePattern = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/

const FiscalCode = z.string().regex(fiscalCodePattern, 'is not a valid FiscalCode')

const PaymentData = z.looseObject({
  amount: z.number().int().min(1).max(9_999_999_999),
  notice_number: z.string().regex(/^[0123][0-9]{17}$/, 'is not a valid notice_number'),
  invalid_after_due_date: z.boolean().optional(),
  payee: z.looseObject({ fiscal_code: z.string().regex(/^[0-9]{11}$/, 'is not a valid OrganizationFiscalCode') }).optional(),
})

const MessageContent = z.looseObject({
  subject: z.string().min(10).max(120),
  markdown: z.string().min(80).max(10_000),
  require_secure_channels: z.boolean().optional(),
  payment_data: PaymentData.optional(),
  // Timestamp: ISO 8601 in UTC (FACTS §3 due_date).
  due_date: z.iso.datetime().optional(),
})

export const NewMessage = z.looseObject({
  content: MessageContent,
  fiscal_code: FiscalCode.optional(),
  time_to_live: z.number().int().min(3600).max(604_800).optional(),
  feature_level_type: z.enum(['STANDARD', 'ADVANCED']).optional(),
  default_addresses: z.looseObject({ email: z.email().optional() }).optional(),
})
export type NewMessage = z.infer<typeof NewMessage>

export const FiscalCodePayload = z.looseObject({ fiscal_code: FiscalCode })

export type ProblemJson = { type: string; title: string; status: number; detail: string }

export function problem(status: number, title: string, detail: string): Response {
  const body: ProblemJson = { type: 'about:blank', title, status, detail }
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } })
}

/** Like IO's io-ts reporter, the detail names the path and echoes the offending value. */
export function invalid(typeName: string, error: z.ZodError): Response {
  const detail = error.issues
    .map((issue) => `value ${JSON.stringify(issue.input)?.slice(0, 60) ?? 'undefined'} at [root.${issue.path.join('.')}] ${issue.message}`)
    .join(' / ')
  return problem(400, `Invalid ${typeName}`, detail)
}

/** Parses a JSON body, or says why not as IO would (400 ProblemJson). */
export async function readJson(request: Request): Promise<{ ok: true; value: unknown } | { ok: false; answer: Response }> {
  try {
    return { ok: true, value: JSON.parse(await request.text()) }
  } catch {
    return { ok: false, answer: problem(400, 'Invalid request body', 'The body is not valid JSON') }
  }
}
