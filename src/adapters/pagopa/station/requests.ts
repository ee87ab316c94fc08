// The paForNode requests Snodo answers, read from the body element into typed values. The schemas
// follow paForNode.xsd / sac-common-types-1.0.xsd for every element Snodo needs or the XSD requires;
// children are unqualified (pagopa/FACTS.md §8). What fails them is PAA_SINTASSI_EXTRAXSD (FACTS §8,
// per-primitive table). Unknown extra elements and element order are not held against the caller.
import { z } from 'zod'
import { parseAmountCents } from './amount.ts'
import type { XNode } from './soap-envelope.ts'

export const paForNodeNs = 'http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd'

/** Request element → operation (the WSDL soapAction) and its response element (paForNode.wsdl). */
export const operations = {
  paVerifyPaymentNoticeReq: { operation: 'paVerifyPaymentNotice', response: 'paVerifyPaymentNoticeRes' },
  paGetPaymentReq: { operation: 'paGetPayment', response: 'paGetPaymentRes' },
  paGetPaymentV2Request: { operation: 'paGetPaymentV2', response: 'paGetPaymentV2Response' },
  paSendRTReq: { operation: 'paSendRT', response: 'paSendRTRes' },
  paSendRTV2Request: { operation: 'paSendRTV2', response: 'paSendRTV2Response' },
  paDemandPaymentNoticeRequest: { operation: 'paDemandPaymentNotice', response: 'paDemandPaymentNoticeResponse' },
} as const
export type RequestElement = keyof typeof operations
export type Operation = (typeof operations)[RequestElement]['operation']

export const isRequestElement = (name: string): name is RequestElement => Object.hasOwn(operations, name)

const text = (max: number) => z.string().min(1, 'is empty').max(max, `is longer than ${max}`)
const FiscalCodePA = z.string().regex(/^[0-9]{11}$/, 'is not 11 digits')
const NoticeNumber = z.string().regex(/^[0-9]{18}$/, 'is not 18 digits')
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/, 'is not a date')
const IsoDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/, 'is not a date-time')
const Amount = z.string().transform((s, ctx) => {
  const cents = parseAmountCents(s)
  if (cents === undefined) ctx.addIssue({ code: 'custom', message: 'is not an amount like 123.45 (at most 999999999.99)' })
  return cents ?? z.NEVER
})
const AmountNotZero = Amount.refine((cents) => cents >= 1, 'is below 0.01')
const many = <T extends z.ZodType>(item: T, max: number) =>
  z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(item).min(1).max(max, `has more than ${max}`))
const Metadata = z.object({ mapEntry: many(z.object({ key: text(140), value: text(140) }), 15) })

const Subject = z.object({
  uniqueIdentifier: z.object({ entityUniqueIdentifierType: z.enum(['F', 'G']), entityUniqueIdentifierValue: z.string().min(2).max(16) }),
  fullName: text(70),
  'e-mail': z.string().max(256).optional(),
})

const TransferBase = {
  idTransfer: z.enum(['1', '2', '3', '4', '5']),
  transferAmount: AmountNotZero,
  fiscalCodePA: FiscalCodePA,
  remittanceInformation: text(140),
  transferCategory: text(140),
  metadata: Metadata.optional(),
}
const TransferV1 = z.object({ ...TransferBase, IBAN: text(35) })
// ctTransferPAReceiptV2: IBAN or a digital stamp (MBDAttachment), never both.
const TransferV2 = z
  .object({ ...TransferBase, companyName: text(140).optional(), IBAN: text(35).optional(), MBDAttachment: z.string().min(1).optional() })
  .refine((t) => (t.IBAN === undefined) !== (t.MBDAttachment === undefined), 'needs exactly one of IBAN and MBDAttachment')

const receiptOf = <T extends z.ZodType>(transfer: T) =>
  z.object({
    receiptId: z.string().min(1, 'is empty'),
    noticeNumber: NoticeNumber,
    fiscalCode: FiscalCodePA,
    outcome: z.enum(['OK', 'KO']),
    creditorReferenceId: text(35),
    paymentAmount: Amount,
    description: text(140),
    companyName: text(140),
    debtor: Subject,
    transferList: z.object({ transfer: many(transfer, 5) }),
    idPSP: text(35),
    PSPCompanyName: text(70),
    idChannel: text(35),
    channelDescription: text(35),
    payer: Subject.optional(),
    paymentMethod: text(35).optional(),
    fee: Amount.optional(),
    paymentDateTime: IsoDateTime.optional(),
    applicationDate: IsoDate.optional(),
    transferDate: IsoDate.optional(),
    metadata: Metadata.optional(),
    standIn: z.enum(['true', 'false', '1', '0']).optional(),
  })

const Caller = { idPA: text(35), idBrokerPA: text(35), idStation: text(35) }
const QrCode = z.object({ fiscalCode: FiscalCodePA, noticeNumber: NoticeNumber })
const GetPayment = z.object({
  ...Caller,
  qrCode: QrCode,
  amount: Amount.optional(),
  paymentNote: z.string().min(1).max(210).optional(),
  transferType: z.enum(['POSTAL', 'PAGOPA']).optional(),
  dueDate: IsoDate.optional(),
})

export const requestSchemas = {
  paVerifyPaymentNotice: z.object({ ...Caller, qrCode: QrCode }),
  paGetPayment: GetPayment,
  paGetPaymentV2: GetPayment,
  paSendRT: z.object({ ...Caller, receipt: receiptOf(TransferV1) }),
  paSendRTV2: z.object({ ...Caller, receipt: receiptOf(TransferV2).extend({ paymentNote: z.string().min(1).max(210).optional() }) }),
  paDemandPaymentNotice: z.object(Caller),
}
export type Requests = { [K in Operation]: z.infer<(typeof requestSchemas)[K]> }
export type CallerIds = z.infer<z.ZodObject<typeof Caller>>
export type SendRTRequest = Requests['paSendRT'] | Requests['paSendRTV2']
export type GetPaymentRequest = Requests['paGetPayment']

type Plain = string | { [name: string]: Plain | Plain[] }

/** An element as plain values: a leaf is its text, a repeated child an array; a namespaced child keeps its namespace in its key, so it never passes for an unqualified one. */
function plain(node: XNode): Plain {
  if (node.children.length === 0) return node.text
  const byName = new Map<string, Plain[]>()
  for (const child of node.children) {
    const key = child.ns ? `{${child.ns}}${child.name}` : child.name
    const values = byName.get(key)
    if (values) values.push(plain(child))
    else byName.set(key, [plain(child)])
  }
  return Object.fromEntries([...byName].map(([key, values]) => [key, values.length === 1 ? (values[0] as Plain) : values]))
}

export type ReadResult<O extends Operation> = { ok: true; request: Requests[O] } | { ok: false; description: string }

/** The request of `operation`, or what is wrong with it (at most five problems, by path). */
export function readRequest<O extends Operation>(operation: O, element: XNode): ReadResult<O> {
  const result = requestSchemas[operation].safeParse(plain(element))
  if (result.success) return { ok: true, request: result.data as Requests[O] }
  const problems = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || element.name}: ${/received undefined$/.test(issue.message) ? 'is missing' : issue.message}`)
  return { ok: false, description: problems.join('; ') }
}
