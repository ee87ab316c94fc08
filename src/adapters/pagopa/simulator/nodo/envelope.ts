// The SOAP the pagoPA Node sends a creditor's station for a receipt: paSendRT (ctReceipt) and
// paSendRTV2 (ctReceiptV2), SOAP 1.1 document/literal (paForNode.wsdl), and its answer (ctResponse).
// Element names, order and types follow paForNode.xsd; only the wrapper is namespaced, children are
// unqualified (FACTS §8); amounts are decimal euro with two decimals (FACTS §7, stAmount).
import xml2js from 'xml2js'
import { formatAmount } from '../../station/amount.ts'
import { operations, paForNodeNs } from '../../station/requests.ts'
import { xsdEMail } from '../../station/responses.ts'
import { soapEnvNs } from '../../station/soap-envelope.ts'
import type { NoticeTransfer, Receipt } from './receipt.ts'

export type RtVersion = 'V1' | 'V2'
export type StationIdentity = { idPA: string; idBrokerPA: string; idStation: string }

/** The soapAction is the operation name (paForNode.wsdl binding); the wrappers differ per version (xsd wrapper elements), as the station reads them. */
export const paSendRtOperations = {
  V1: { soapAction: operations.paSendRTReq.operation, request: 'paSendRTReq', response: operations.paSendRTReq.response },
  V2: { soapAction: operations.paSendRTV2Request.operation, request: 'paSendRTV2Request', response: operations.paSendRTV2Request.response },
} as const satisfies Record<RtVersion, { soapAction: string; request: keyof typeof operations; response: string }>

const builder = new xml2js.Builder({ xmldec: { version: '1.0', encoding: 'UTF-8' }, renderOpts: { pretty: true, indent: '  ', newline: '\n' } })

/**
 * The whole envelope. The paf namespace is declared on the body element itself, so that element is a
 * complete document on its own (what paForNode.xsd describes, and what the conformance test validates).
 */
export function paSendRtEnvelope(version: RtVersion, station: StationIdentity, receipt: Receipt): string {
  const operation = paSendRtOperations[version]
  return builder.buildObject({
    'soapenv:Envelope': {
      $: { 'xmlns:soapenv': soapEnvNs },
      'soapenv:Header': '',
      'soapenv:Body': {
        [`paf:${operation.request}`]: {
          $: { 'xmlns:paf': paForNodeNs },
          idPA: station.idPA,
          idBrokerPA: station.idBrokerPA,
          idStation: station.idStation,
          receipt: receiptElement(version, receipt),
        },
      },
    },
  })
}

/** ctReceipt / ctReceiptV2, in the xsd's sequence order (JS keeps insertion order for these keys). */
function receiptElement(version: RtVersion, r: Receipt): Record<string, unknown> {
  const v2 = version === 'V2'
  return {
    receiptId: r.receiptId,
    noticeNumber: r.noticeNumber,
    fiscalCode: r.fiscalCode,
    outcome: r.outcome,
    creditorReferenceId: r.creditorReferenceId,
    paymentAmount: formatAmount(r.paymentAmountCents),
    description: r.description,
    companyName: r.companyName,
    ...(r.officeName ? { officeName: r.officeName } : {}),
    debtor: subject(r.debtor),
    transferList: { transfer: r.transfers.map((t) => transferElement(version, t)) },
    idPSP: r.psp.idPSP,
    ...(r.psp.pspFiscalCode ? { pspFiscalCode: r.psp.pspFiscalCode } : {}),
    PSPCompanyName: r.psp.PSPCompanyName,
    idChannel: r.psp.idChannel,
    channelDescription: r.psp.channelDescription,
    paymentMethod: r.psp.paymentMethod,
    ...(v2 && r.paymentNote ? { paymentNote: r.paymentNote.slice(0, 210) } : {}),
    fee: formatAmount(r.psp.feeCents),
    paymentDateTime: r.paymentDateTime,
    applicationDate: r.applicationDate,
    transferDate: r.transferDate,
  }
}

function transferElement(version: RtVersion, t: NoticeTransfer): Record<string, unknown> {
  return {
    idTransfer: t.idTransfer,
    transferAmount: formatAmount(t.amountCents),
    fiscalCodePA: t.organizationFiscalCode,
    // companyName exists only in ctTransferPAReceiptV2.
    ...(version === 'V2' && t.companyName ? { companyName: t.companyName.slice(0, 140) } : {}),
    // A postal account is an IBAN too; ctTransferPA has no other place for it.
    IBAN: t.iban ?? t.postalIban,
    remittanceInformation: t.remittanceInformation,
    transferCategory: t.category,
  }
}

/** ctSubject: fullName is stText70; an e-mail the xsd's stEMail would refuse is left out rather than sent. */
function subject(debtor: Receipt['debtor']): Record<string, unknown> {
  return {
    uniqueIdentifier: { entityUniqueIdentifierType: debtor.type, entityUniqueIdentifierValue: debtor.fiscalCode },
    fullName: debtor.fullName.slice(0, 70),
    ...(xsdEMail(debtor.email) ? { 'e-mail': debtor.email } : {}),
  }
}

export type SoapFault = { faultCode: string; faultString: string; id?: string; description?: string }
export type PaSendRtAnswer =
  | { kind: 'response'; outcome: 'OK' | 'KO'; fault?: SoapFault }
  | { kind: 'soapFault'; faultcode: string; faultstring: string }
  | { kind: 'unreadable'; reason: string }

/** The station's answer: paSendRTRes / paSendRTV2Response (ctResponse), a SOAP Fault, or neither. */
export async function parsePaSendRtAnswer(version: RtVersion, xml: string): Promise<PaSendRtAnswer> {
  let document: unknown
  try {
    document = await xml2js.parseStringPromise(xml, { explicitArray: false, ignoreAttrs: true, tagNameProcessors: [xml2js.processors.stripPrefix] })
  } catch (error) {
    return { kind: 'unreadable', reason: `not XML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` }
  }
  const body = pick(pick(document, 'Envelope'), 'Body')
  if (body === undefined) return { kind: 'unreadable', reason: 'no soap Envelope/Body' }
  const fault = pick(body, 'Fault')
  if (fault !== undefined) return { kind: 'soapFault', faultcode: text(pick(fault, 'faultcode')), faultstring: text(pick(fault, 'faultstring')) }
  const response = pick(body, paSendRtOperations[version].response)
  if (response === undefined) return { kind: 'unreadable', reason: `no ${paSendRtOperations[version].response} in the Body` }
  const outcome = text(pick(response, 'outcome'))
  if (outcome !== 'OK' && outcome !== 'KO') return { kind: 'unreadable', reason: `outcome ${JSON.stringify(outcome)}` }
  const faultBean = pick(response, 'fault')
  if (faultBean === undefined) return { kind: 'response', outcome }
  const optional = (name: string) => (pick(faultBean, name) === undefined ? {} : { [name]: text(pick(faultBean, name)) })
  return {
    kind: 'response',
    outcome,
    fault: { faultCode: text(pick(faultBean, 'faultCode')), faultString: text(pick(faultBean, 'faultString')), ...optional('id'), ...optional('description') },
  }
}

function pick(node: unknown, name: string): unknown {
  return typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[name] : undefined
}

function text(node: unknown): string {
  return typeof node === 'string' ? node : ''
}
