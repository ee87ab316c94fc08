// The paForNode response envelopes. Element order is the xsd:sequence order of paForNode.xsd and
// sac-common-types-1.0.xsd; only the wrapper is namespaced, children are unqualified (pagopa/FACTS.md
// §8); amounts are "%.2f" euro (FACTS §7). Texts are clipped to the XSD's maxLength: an answer the
// nodo can validate beats a complete one it rejects as PPT_STAZIONE_INT_PA_ERRORE_RESPONSE.
import xml2js from 'xml2js'
import { formatAmount } from './amount.ts'
import { type FaultCode, faultStrings } from './faults.ts'
import type { PaymentFacts } from './port.ts'
import { paForNodeNs } from './requests.ts'
import { soapEnvNs } from './soap-envelope.ts'

export type FaultBean = { faultCode: FaultCode; id: string; description: string }

/** Elements to write: text, children by name (in order), repeated children as arrays; undefined is left out. */
export type Xml = string | undefined | Xml[] | { [name: string]: Xml }
export type Payload = { [name: string]: Xml }

const builder = new xml2js.Builder({ renderOpts: { pretty: false }, xmldec: { version: '1.0', encoding: 'UTF-8' } })

// XML 1.0 Char production: what xmlbuilder would refuse to write.
const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu
function clip(value: string, max: number): string {
  const clean = [...value.replace(notXmlChar, '').trim()]
  return clean.length === 0 ? '-' : clean.slice(0, max).join('').trim()
}
const eMail = /^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/
/** The e-mail, when the xsd's stEMail takes it (at most 256, that pattern); undefined otherwise: left out rather than sent. */
export const xsdEMail = (email: string | undefined): string | undefined => (email && email.length <= 256 && eMail.test(email) ? email : undefined)

/** Drops undefined members, which xml2js would otherwise write as empty elements. */
function compact(value: Xml): Xml {
  if (value === undefined || typeof value === 'string') return value
  if (Array.isArray(value)) return value.map(compact)
  return Object.fromEntries(Object.entries(value).flatMap(([key, child]) => (child === undefined ? [] : [[key, compact(child)]])))
}

export function responseEnvelope(responseElement: string, answer: { fault: FaultBean } | { payload?: Payload }): string {
  const content =
    'fault' in answer
      ? {
          outcome: 'KO',
          fault: {
            faultCode: answer.fault.faultCode,
            faultString: faultStrings[answer.fault.faultCode],
            id: clip(answer.fault.id, 35),
            description: clip(answer.fault.description, 1024),
          },
        }
      : { outcome: 'OK', ...answer.payload }
  return builder.buildObject(
    compact({ 'soapenv:Envelope': { $: { 'xmlns:soapenv': soapEnvNs, 'xmlns:paf': paForNodeNs }, 'soapenv:Body': { [`paf:${responseElement}`]: content } } }),
  )
}

const metadata = (entries?: Record<string, string>): Xml => {
  const pairs = Object.entries(entries ?? {})
    .filter(([k, v]) => k !== '' && v !== '')
    .slice(0, 15)
  return pairs.length === 0 ? undefined : { mapEntry: pairs.map(([key, value]) => ({ key: clip(key, 140), value: clip(value, 140) })) }
}

/** paVerifyPaymentNoticeRes after outcome: one payment option, paid in full (options EQ). */
export function verifyPayload(p: PaymentFacts): Payload {
  return {
    paymentList: { paymentOptionDescription: { amount: formatAmount(p.amountCents), options: 'EQ', dueDate: p.dueDate, allCCP: String(p.allCCP) } },
    paymentDescription: clip(p.description, 140),
    fiscalCodePA: p.fiscalCodePA,
    companyName: clip(p.companyName, 140),
  }
}

/** paGetPaymentRes / paGetPaymentV2Response after outcome: data (ctPaymentPA / ctPaymentPAV2). */
export function paymentPayload(p: PaymentFacts, version: 1 | 2): Payload {
  const debtor = {
    uniqueIdentifier: { entityUniqueIdentifierType: p.debtor.type, entityUniqueIdentifierValue: p.debtor.fiscalCode },
    fullName: clip(p.debtor.fullName, 70),
    'e-mail': xsdEMail(p.debtor.email),
  }
  const transfer = p.transfers.map((t) => ({
    idTransfer: t.idTransfer,
    transferAmount: formatAmount(t.amountCents),
    fiscalCodePA: t.fiscalCodePA,
    // ctTransferPAV2 may name the beneficiary; Snodo knows the name only of the tenant itself.
    companyName: version === 2 && t.fiscalCodePA === p.fiscalCodePA ? clip(p.companyName, 140) : undefined,
    IBAN: t.iban,
    remittanceInformation: clip(t.remittance, 140),
    transferCategory: clip(t.category, 140),
  }))
  return {
    data: {
      creditorReferenceId: p.iuv,
      paymentAmount: formatAmount(p.amountCents),
      dueDate: p.dueDate,
      description: clip(p.description, 140),
      companyName: clip(p.companyName, 140),
      debtor,
      transferList: { transfer },
      metadata: metadata(p.metadata),
    },
  }
}
