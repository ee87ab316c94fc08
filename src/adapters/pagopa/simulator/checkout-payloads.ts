// What Checkout EC v2 accepts as a CartRequestV2 (checkout-openapi.json components.schemas, FACTS §9),
// and its ProblemJson answers.
import { z } from 'zod'

// `format: uri`: absolute, with a scheme (a bare "www.comune.it/ok" is not one).
const uri = z.string().refine((s) => /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/.test(s) && URL.canParse(s), 'must be an absolute URI')

const PaymentNotice = z.looseObject({
  noticeNumber: z.string().length(18),
  fiscalCode: z.string().length(11),
  amount: z.number().int().min(1),
  companyName: z.string().max(140),
  description: z.string().max(140),
})

export const CartRequestV2 = z.looseObject({
  emailNotice: z.email().optional(),
  paymentNotices: z.array(PaymentNotice).min(1).max(5),
  returnUrls: z.looseObject({ returnOkUrl: uri, returnCancelUrl: uri, returnErrorUrl: uri, returnWaitingUrl: uri }),
  idCart: z.string().optional(),
  allCCP: z.boolean().optional(),
})
export type CartRequestV2 = z.infer<typeof CartRequestV2>

export function problem(status: number, title: string, detail: string): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), { status, headers: { 'content-type': 'application/json' } })
}

export function invalid(error: z.ZodError): Response {
  return problem(400, 'Bad Request', error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '))
}
