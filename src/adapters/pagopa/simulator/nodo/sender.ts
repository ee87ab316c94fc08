// The simulated pagoPA Node, on the side that matters to a creditor: it collects a notice (finds the
// position, checks it is payable, records it paid) and sends the receipt to the creditor's station
// with paSendRT or paSendRTV2 (FACTS §1, §8). Every EC involved gets it: the creditor and, for
// multi-beneficiary payments, each other organization that has a station here. A log keeps every
// receipt and every delivery with the envelope sent and what the station answered.
import { Agent, type Dispatcher, request } from 'undici'
import type { SimulatorContext } from '../../../simulator/harness.ts'
import { nodoMagicTokens } from '../magic.ts'
import { type PaSendRtAnswer, parsePaSendRtAnswer, paSendRtEnvelope, paSendRtOperations, type RtVersion, type StationIdentity } from './envelope.ts'
import { type NotPayable, notPayable, type PositionBook, type Psp, type Receipt, receiptOf, simulatedPsp } from './receipt.ts'

/** A creditor's station as the Node has it registered: who it is, where it listens, which primitive version. */
export type NodoStation = StationIdentity & { url: string; version?: RtVersion }

export type NodoSimulatorOptions = {
  /** One per creditor (idPA = the organization's fiscal code). */
  stations: NodoStation[]
  positions: PositionBook
  /** Which version a station without its own gets (default V2). */
  defaultVersion?: RtVersion
  psp?: Partial<Psp>
  dispatcher?: Dispatcher
  /** The client certificate the Node presents to a station behind mutual TLS (PEM), and the CA it trusts the station's with. */
  tls?: { cert: string; key: string; ca?: string }
  /** Per paSendRT call (default 10 s). */
  timeoutMs?: number
}

export type SendOptions = { version?: RtVersion; duplicate?: boolean }

export type ReceiptDelivery = {
  at: string
  receiptId: string
  noticeNumber: string
  idPA: string
  version: RtVersion
  url: string
  soapAction: string
  envelope: string
  httpStatus?: number
  answer?: PaSendRtAnswer
  /** The station could not be reached, or there is none for the creditor. */
  error?: string
}

export type Payment = { paid: true; receipt: Receipt; deliveries: ReceiptDelivery[] } | { paid: false; reason: NotPayable }

export type NodoSimulator = {
  /** Whether the notice can be paid now (verify), and why not. */
  verify(organizationFiscalCode: string, noticeNumber: string): NotPayable | undefined
  /** Collects the notice and delivers its receipt; the magic tokens of the option's description apply. */
  pay(organizationFiscalCode: string, noticeNumber: string, options?: SendOptions & { idCart?: string }): Promise<Payment>
  /** Delivers an existing receipt again, as the Node does when a station did not take it. */
  resend(receiptId: string, options?: SendOptions): Promise<ReceiptDelivery[]>
  receipts: Receipt[]
  deliveries: ReceiptDelivery[]
  close(): Promise<void>
}

export function createNodoSimulator(context: SimulatorContext, options: NodoSimulatorOptions): NodoSimulator {
  const timeoutMs = options.timeoutMs ?? 10_000
  const owned = options.dispatcher ? undefined : new Agent({ connections: 8, connect: { timeout: timeoutMs, ...options.tls } })
  const dispatcher = options.dispatcher ?? (owned as Agent)
  const psp: Psp = { ...simulatedPsp, ...options.psp }
  const stations = new Map(options.stations.map((s) => [s.idPA, s]))
  const receipts: Receipt[] = []
  const deliveries: ReceiptDelivery[] = []

  const deliver = async (receipt: Receipt, station: NodoStation | undefined, idPA: string, version: RtVersion): Promise<ReceiptDelivery> => {
    const operation = paSendRtOperations[version]
    const base = {
      at: context.clock().toISOString(),
      receiptId: receipt.receiptId,
      noticeNumber: receipt.noticeNumber,
      idPA,
      version,
      soapAction: operation.soapAction,
    }
    if (!station) return { ...base, url: '', envelope: '', error: `no station for idPA ${idPA}` }
    let envelope = ''
    try {
      envelope = paSendRtEnvelope(version, station, receipt)
      const response = await request(station.url, {
        method: 'POST',
        // SOAP 1.1: text/xml and a quoted SOAPAction, the operation name (paForNode.wsdl soapAction).
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${operation.soapAction}"` },
        body: envelope,
        dispatcher,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      })
      const text = await response.body.text()
      return { ...base, url: station.url, envelope, httpStatus: response.statusCode, answer: await parsePaSendRtAnswer(version, text) }
    } catch (error) {
      const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined
      return { ...base, url: station.url, envelope, error: code ?? (error instanceof Error ? error.message : String(error)) }
    }
  }

  /** The creditor first, then every other beneficiary with a station here (FACTS §1: "to every EC involved"). */
  const send = async (receipt: Receipt, sendOptions: SendOptions = {}): Promise<ReceiptDelivery[]> => {
    const others = receipt.transfers.map((t) => t.organizationFiscalCode).filter((cf) => cf !== receipt.fiscalCode && stations.has(cf))
    const sent: ReceiptDelivery[] = []
    for (const idPA of [receipt.fiscalCode, ...new Set(others)]) {
      const station = stations.get(idPA)
      const version = sendOptions.version ?? station?.version ?? options.defaultVersion ?? 'V2'
      for (let copy = 0; copy < (sendOptions.duplicate ? 2 : 1); copy++) {
        const delivery = await deliver(receipt, station, idPA, version)
        deliveries.push(delivery)
        sent.push(delivery)
      }
    }
    return sent
  }

  return {
    verify: (organizationFiscalCode, noticeNumber) => notPayable(options.positions.findByNotice(organizationFiscalCode, noticeNumber)),

    async pay(organizationFiscalCode, noticeNumber, payOptions = {}) {
      const position = options.positions.findByNotice(organizationFiscalCode, noticeNumber)
      const reason = notPayable(position)
      if (reason || !position) return { paid: false, reason: reason ?? 'unknown' }
      const at = context.clock()
      const receiptId = receiptIdOf(context.nextId())
      options.positions.markPaid(organizationFiscalCode, noticeNumber, {
        at,
        receiptId,
        pspCompanyName: psp.PSPCompanyName,
        paymentMethod: psp.paymentMethod,
        feeCents: psp.feeCents,
      })
      const receipt = receiptOf(position, { receiptId, at, psp, paymentNote: payOptions.idCart })
      receipts.push(receipt)
      const description = position.option.description
      const version = payOptions.version ?? (description.includes(nodoMagicTokens.v1) ? 'V1' : description.includes(nodoMagicTokens.v2) ? 'V2' : undefined)
      const duplicate = payOptions.duplicate ?? description.includes(nodoMagicTokens.duplicate)
      return { paid: true, receipt, deliveries: await send(receipt, { version, duplicate }) }
    },

    async resend(receiptId, sendOptions) {
      const receipt = receipts.find((r) => r.receiptId === receiptId)
      if (!receipt) throw new Error(`no receipt ${receiptId}`)
      return send(receipt, sendOptions)
    },

    receipts,
    deliveries,
    async close() {
      await owned?.close()
    },
  }
}

/** The Node's receipt ids are 32 hex characters (the payment token); derived from the context's next id, so runs repeat. */
export function receiptIdOf(seed: string): string {
  const hex = [...seed].map((ch) => ch.charCodeAt(0).toString(16).padStart(2, '0')).join('')
  return hex.slice(-32).padStart(32, '0')
}
