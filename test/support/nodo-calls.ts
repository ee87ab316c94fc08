// Calls the pagoPA nodo makes on a creditor's station (paForNode.wsdl), built as the nodo would send
// them, and a reader for the station's answers. Builders take the XSD's element names; objects keep
// the xsd:sequence order as written. Test data builders: aReceipt(), aTransfer().
import xml2js from 'xml2js'

export const soapEnvNs = 'http://schemas.xmlsoap.org/soap/envelope/'
export const paForNodeNs = 'http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd'

type Content = { [name: string]: string | Content | Content[] | undefined }

const builder = new xml2js.Builder({ xmldec: { version: '1.0', encoding: 'UTF-8' }, renderOpts: { pretty: true, indent: '  ', newline: '\n' } })

function compact(value: Content): Content {
  return Object.fromEntries(
    Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : [[k, typeof v === 'string' ? v : Array.isArray(v) ? v.map(compact) : compact(v)]])),
  )
}

/**
 * A SOAP 1.1 envelope around `<nod:{element}>`. By default the paForNode namespace is declared on the
 * Envelope, as in the docs' examples (developer.pagopa.it, SANP "API SOAP"); `namespace` puts another one there.
 */
export function nodoEnvelope(element: string, content: Content, options: { namespace?: string; envelopeNamespace?: string } = {}): string {
  return builder.buildObject({
    'soapenv:Envelope': {
      $: { 'xmlns:soapenv': options.envelopeNamespace ?? soapEnvNs, 'xmlns:nod': options.namespace ?? paForNodeNs },
      'soapenv:Header': '',
      'soapenv:Body': { [`nod:${element}`]: compact(content) },
    },
  })
}

export type Ids = { idPA: string; idBrokerPA: string; idStation: string }

export const verifyCall = (ids: Ids, qrCode: { fiscalCode: string; noticeNumber: string }) => nodoEnvelope('paVerifyPaymentNoticeReq', { ...ids, qrCode })

export function getPaymentCall(
  version: 1 | 2,
  ids: Ids,
  qrCode: { fiscalCode: string; noticeNumber: string },
  extra: { amount?: string; paymentNote?: string; transferType?: 'POSTAL' | 'PAGOPA'; dueDate?: string } = {},
) {
  const { amount, paymentNote, transferType, dueDate } = extra
  return nodoEnvelope(version === 1 ? 'paGetPaymentReq' : 'paGetPaymentV2Request', { ...ids, qrCode, amount, paymentNote, transferType, dueDate })
}

/** Overrides replace in place and new members go where `order` puts them, so the sequence order holds. */
function inOrder(order: string[], base: Content, overrides: Content): Content {
  const merged: Content = { ...base, ...overrides }
  return Object.fromEntries([...order, ...Object.keys(merged).filter((k) => !order.includes(k))].map((k) => [k, merged[k]]))
}

export function sendRTCall(version: 1 | 2, ids: Ids, receipt: Content) {
  return nodoEnvelope(version === 1 ? 'paSendRTReq' : 'paSendRTV2Request', { ...ids, receipt })
}

const transferOrder = [
  'idTransfer',
  'transferAmount',
  'fiscalCodePA',
  'companyName',
  'IBAN',
  'MBDAttachment',
  'remittanceInformation',
  'transferCategory',
  'metadata',
]

/** ctTransferPA, or ctTransferPAReceiptV2 with companyName / MBDAttachment (IBAN: undefined) given. */
export function aTransfer(overrides: Content = {}): Content {
  const base = {
    idTransfer: '1',
    transferAmount: '10.50',
    fiscalCodePA: '00000000001',
    IBAN: 'IT60X0542811101000000123456',
    remittanceInformation: 'TARI 2025',
    transferCategory: '9/0101100IM/',
  }
  return inOrder(transferOrder, base, overrides)
}

/** ctReceipt (and ctReceiptV2 with V2 fields added), in the XSD's order; override any element. */
export function aReceipt(
  r: { receiptId: string; noticeNumber: string; fiscalCode: string; creditorReferenceId: string; paymentAmount: string } & Content,
): Content {
  const { receiptId, noticeNumber, fiscalCode, creditorReferenceId, paymentAmount, ...rest } = r
  const ordered: Content = {
    receiptId,
    noticeNumber,
    fiscalCode,
    outcome: 'OK',
    creditorReferenceId,
    paymentAmount,
    description: 'TARI 2025 rata unica',
    companyName: 'Comune A',
    officeName: undefined,
    debtor: { uniqueIdentifier: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RSSMRA80A01H501U' }, fullName: 'Mario Rossi' },
    transferList: { transfer: [aTransfer({ transferAmount: paymentAmount, fiscalCodePA: fiscalCode })] },
    idPSP: 'BCITITMM',
    pspFiscalCode: '00799960158',
    PSPCompanyName: 'Intesa Sanpaolo S.p.A',
    idChannel: '00799960158_01',
    channelDescription: 'app',
    paymentMethod: 'creditCard',
    paymentNote: undefined,
    fee: '1.00',
    paymentDateTime: '2025-06-01T10:15:30',
    applicationDate: '2025-06-01',
    transferDate: '2025-06-02',
  }
  // Overrides replace in place, so the sequence order holds.
  for (const [k, v] of Object.entries(rest)) ordered[k] = v
  return ordered
}

export type NodoAnswer = {
  /** Local name of the element inside soap:Body. */
  element: string
  outcome?: string
  fault?: { faultCode: string; faultString: string; id: string; description?: string }
  /** The response's other children, prefix-free (xml2js, explicitArray false). */
  content: Record<string, unknown>
  soapFault?: { faultcode: string; faultstring: string }
}

/** The station's answer, read the way a SOAP client would. */
export async function readAnswer(xml: string): Promise<NodoAnswer> {
  const doc = await xml2js.parseStringPromise(xml, { explicitArray: false, ignoreAttrs: true, tagNameProcessors: [xml2js.processors.stripPrefix] })
  const body = doc.Envelope?.Body as Record<string, Record<string, unknown>>
  const [element, value] = Object.entries(body ?? {})[0] ?? ['', {}]
  if (element === 'Fault') return { element, content: {}, soapFault: { faultcode: String(value.faultcode), faultstring: String(value.faultstring) } }
  const { outcome, fault, ...content } = value
  return { element, outcome: outcome as string, fault: fault as NodoAnswer['fault'], content }
}
