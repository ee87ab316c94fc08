// One paForNode call answered, from the bytes the Node sent to the bytes it gets back (paForNode.wsdl,
// SOAP 1.1 document/literal; pagopa/FACTS.md §8). Business answers — OK and every PAA_ fault — are the
// operation's …Res element with HTTP 200. What cannot be read as a paForNode operation gets a SOAP
// 1.1 Fault with HTTP 500 (SOAP 1.1 §6.2). Nothing else comes out of here: no problem+json, no stack.
import type { Logger } from 'pino'
import { NodoFault } from './faults.ts'
import type { PaymentFacts, StationOperations } from './port.ts'
import { isRequestElement, type Operation, operations, paForNodeNs, type RequestElement, type Requests, readRequest } from './requests.ts'
import { type FaultBean, type Payload, paymentPayload, responseEnvelope, verifyPayload } from './responses.ts'
import { guardText, parseEnvelope, readBody, SoapRefusal, soapFault, type XNode } from './soap-envelope.ts'

// The one entry the route mounts (an inbound adapter: the Node calls in); its refusals before any
// message is read (the caller guard, the listener's last resort) are SOAP Faults too.
export { soapFault } from './soap-envelope.ts'

/** Receipts are a few KiB; a V2 receipt may carry digital-stamp attachments, hence room well above that. */
export const maxEnvelopeBytes = 1024 * 1024

export type StationAnswer = { status: 200 | 500; body: string }

/** What goes after outcome OK in each operation's answer. */
const payloadOf: { [O in Operation]: (result: Awaited<ReturnType<StationOperations[O]>>) => Payload } = {
  paVerifyPaymentNotice: verifyPayload,
  paGetPayment: (facts: PaymentFacts) => paymentPayload(facts, 1),
  paGetPaymentV2: (facts: PaymentFacts) => paymentPayload(facts, 2),
  paSendRT: () => ({}),
  paSendRTV2: () => ({}),
  paDemandPaymentNotice: () => ({}),
}

export function createStationCodec(handlers: StationOperations) {
  async function answerOperation(requestElement: RequestElement, element: XNode, log: Logger): Promise<StationAnswer> {
    const { operation, response } = operations[requestElement]
    const ko = (bean: FaultBean): StationAnswer => {
      log.warn({ operation, faultCode: bean.faultCode, idPA: bean.id, description: bean.description }, 'nodo call answered KO')
      return { status: 200, body: responseEnvelope(response, { fault: bean }) }
    }
    // The fault's id is the EC's (FACTS §8: the nodo relays an EC fault with id = idDominio); before the request is read, the idPA as sent.
    const sentIdPA = element.children.find((c) => c.name === 'idPA')?.text || 'unknown'
    // An element named like a request but outside paForNode's namespace is a request gone wrong, not another operation.
    if (element.ns !== paForNodeNs)
      return ko({ faultCode: 'PAA_SINTASSI_EXTRAXSD', id: sentIdPA, description: `${element.name} must be in namespace ${paForNodeNs}` })
    const read = readRequest(operation, element)
    if (!read.ok) return ko({ faultCode: 'PAA_SINTASSI_EXTRAXSD', id: sentIdPA, description: read.description })
    const idPA = read.request.idPA
    try {
      const handle = handlers[operation] as (request: Requests[Operation]) => Promise<unknown>
      const payload = (payloadOf[operation] as (result: unknown) => Payload)(await handle(read.request))
      log.info({ operation, idPA }, 'nodo call answered OK')
      return { status: 200, body: responseEnvelope(response, { payload }) }
    } catch (error) {
      if (error instanceof NodoFault) return ko({ faultCode: error.faultCode, id: idPA, description: error.message })
      // Redis down and the like: the EC's own failure, which the nodo retries (FACTS §8, <issuer>_SYSTEM_ERROR).
      log.error({ err: error, operation }, 'nodo call failed')
      return {
        status: 200,
        body: responseEnvelope(response, {
          fault: { faultCode: 'PAA_SYSTEM_ERROR', id: idPA, description: 'The station could not process the request; try again later' },
        }),
      }
    }
  }

  async function answerEnvelope(request: Request, action: string, log: Logger): Promise<StationAnswer> {
    const element = await parseEnvelope(guardText(await readBody(request, maxEnvelopeBytes)))
    if (!isRequestElement(element.name)) throw new SoapRefusal('unknown_operation', `${element.name} is not a paForNode operation`)
    if (action !== '' && action !== operations[element.name].operation)
      throw new SoapRefusal('soapaction_mismatch', `SOAPAction ${action} does not match the body element ${element.name}`)
    return answerOperation(element.name, element, log)
  }

  return {
    /** The answer to one call; `action` is the SOAPAction without its quotes ("" leaves the body element to decide). */
    async answer(request: Request, action: string, log: Logger): Promise<StationAnswer> {
      try {
        return await answerEnvelope(request, action, log)
      } catch (error) {
        if (error instanceof SoapRefusal) {
          log.warn({ reason: error.reason, faultcode: error.faultcode }, `nodo call refused: ${error.message}`)
          return { status: 500, body: soapFault(error.faultcode, error.message) }
        }
        log.error({ err: error }, 'nodo call failed')
        return { status: 500, body: soapFault('Server', 'The station could not process the request') }
      }
    },
  }
}
export type StationCodec = ReturnType<typeof createStationCodec>
