// The station's port: what Snodo answers to each paForNode operation the pagoPA Node calls
// (paForNode.wsdl; pagopa/FACTS.md §8), in plain values. The codec (answer.ts) reads the request,
// asks these operations, and writes their answer; the payments domain implements them. A refusal is
// a thrown NodoFault (faults.ts), which the codec writes as the operation's KO answer.
import type { Requests } from './requests.ts'

export { formatAmount } from './amount.ts'
export { type FaultCode, fault, NodoFault } from './faults.ts'
export type { CallerIds, GetPaymentRequest, Requests, SendRTRequest } from './requests.ts'

/** ctSubject: who owes the payment. */
export type Debtor = { type: 'F' | 'G'; fiscalCode: string; fullName: string; email?: string }

/** What the answers to paVerifyPaymentNotice and paGetPayment(V2) say about a payment. */
export type PaymentFacts = {
  iuv: string
  amountCents: number
  /** YYYY-MM-DD. */
  dueDate: string
  description: string
  companyName: string
  fiscalCodePA: string
  debtor: Debtor
  transfers: { idTransfer: string; amountCents: number; fiscalCodePA: string; iban: string; remittance: string; category: string }[]
  /** Every transfer can go to a postal account (FACTS §8 allCCP). */
  allCCP: boolean
  metadata?: Record<string, string>
}

/** One answer per operation: the facts of the notice asked about, or nothing beyond OK (a receipt taken). */
export type StationOperations = {
  paVerifyPaymentNotice(request: Requests['paVerifyPaymentNotice']): Promise<PaymentFacts>
  paGetPayment(request: Requests['paGetPayment']): Promise<PaymentFacts>
  paGetPaymentV2(request: Requests['paGetPaymentV2']): Promise<PaymentFacts>
  paSendRT(request: Requests['paSendRT']): Promise<void>
  paSendRTV2(request: Requests['paSendRTV2']): Promise<void>
  /** Spontaneous payments are not offered: always a fault. */
  paDemandPaymentNotice(request: Requests['paDemandPaymentNotice']): Promise<never>
}
