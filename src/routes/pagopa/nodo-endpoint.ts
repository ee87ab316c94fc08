// POST /pagopa/nodo: the creditor-institution station the pagoPA nodo calls (paForNode.wsdl, SOAP 1.1
// document/literal; pagopa/FACTS.md §8). Business answers — OK and every PAA_ fault — are the
// operation's …Res element with HTTP 200. What cannot be read as a paForNode operation gets a SOAP
// 1.1 Fault with HTTP 500 (SOAP 1.1 §6.2). Nothing else leaves this route: no problem+json, no stack.
import type { Hono } from 'hono'
import type { Logger } from 'pino'
import type { GpdPort } from '../../adapters/pagopa/port.ts'
import type { Config } from '../../config.ts'
import type { TenantConfig } from '../../config-schema.ts'
import type { Station } from '../../payments/station.ts'
import type { AppContext, AppEnv } from '../app-env.ts'
import { NodoFault } from '../../adapters/pagopa/station/faults.ts'
import { type NodoListener, nodoCallerGuard } from './nodo-guard.ts'
import { createNodoOperations } from '../../payments/station-operations.ts'
import { isRequestElement, type Operation, operations, paForNodeNs, type RequestElement, readRequest, type Requests } from '../../adapters/pagopa/station/requests.ts'
import { type FaultBean, type Payload, responseEnvelope } from '../../adapters/pagopa/station/responses.ts'
import { guardText, parseEnvelope, readBody, SoapRefusal, soapFault, type XNode } from '../../adapters/pagopa/station/soap-envelope.ts'

export const nodoPath = '/pagopa/nodo'
/** Receipts are a few KiB; a V2 receipt may carry digital-stamp attachments, hence room well above that. */
export const maxEnvelopeBytes = 1024 * 1024

export type NodoEndpointDeps = { station: Station; logger: Logger; config: Pick<Config, 'nodoEndpoint'>; gpd(tenant: TenantConfig): GpdPort }

type Answer = { status: 200 | 500; body: string }

/** The SOAPAction header without its quotes; "" and absent both leave the body element to decide. */
function soapAction(c: AppContext): string {
  return (c.req.header('soapaction') ?? '').trim().replace(/^"(.*)"$/, '$1').trim()
}

/** Only the caller the guard lets through (nodo-guard.ts) is read; with a secret, the station URL is /pagopa/nodo/<secret>. */
export function registerNodoEndpoint(app: Hono<AppEnv>, deps: NodoEndpointDeps, listener: NodoListener = 'main') {
  const handlers = createNodoOperations(deps)

  async function answerOperation(requestElement: RequestElement, element: XNode, log: Logger): Promise<Answer> {
    const { operation, response } = operations[requestElement]
    const ko = (bean: FaultBean): Answer => {
      log.warn({ operation, faultCode: bean.faultCode, idPA: bean.id, description: bean.description }, 'nodo call answered KO')
      return { status: 200, body: responseEnvelope(response, { fault: bean }) }
    }
    // The fault's id is the EC's (FACTS §8: the nodo relays an EC fault with id = idDominio); before the request is read, the idPA as sent.
    const sentIdPA = element.children.find((c) => c.name === 'idPA')?.text || 'unknown'
    // An element named like a request but outside paForNode's namespace is a request gone wrong, not another operation.
    if (element.ns !== paForNodeNs) return ko({ faultCode: 'PAA_SINTASSI_EXTRAXSD', id: sentIdPA, description: `${element.name} must be in namespace ${paForNodeNs}` })
    const read = readRequest(operation, element)
    if (!read.ok) return ko({ faultCode: 'PAA_SINTASSI_EXTRAXSD', id: sentIdPA, description: read.description })
    const idPA = read.request.idPA
    try {
      const handle = handlers[operation] as (request: Requests[Operation]) => Promise<Payload>
      const payload = await handle(read.request)
      log.info({ operation, idPA }, 'nodo call answered OK')
      return { status: 200, body: responseEnvelope(response, { payload }) }
    } catch (error) {
      if (error instanceof NodoFault) return ko({ faultCode: error.faultCode, id: idPA, description: error.message })
      // Redis down and the like: the EC's own failure, which the nodo retries (FACTS §8, <issuer>_SYSTEM_ERROR).
      log.error({ err: error, operation }, 'nodo call failed')
      return { status: 200, body: responseEnvelope(response, { fault: { faultCode: 'PAA_SYSTEM_ERROR', id: idPA, description: 'The station could not process the request; try again later' } }) }
    }
  }

  async function answer(c: AppContext, log: Logger): Promise<Answer> {
    const element = await parseEnvelope(guardText(await readBody(c.req.raw, maxEnvelopeBytes)))
    if (!isRequestElement(element.name)) throw new SoapRefusal('unknown_operation', `${element.name} is not a paForNode operation`)
    const action = soapAction(c)
    if (action !== '' && action !== operations[element.name].operation) throw new SoapRefusal('soapaction_mismatch', `SOAPAction ${action} does not match the body element ${element.name}`)
    return answerOperation(element.name, element, log)
  }

  const guard = nodoCallerGuard(deps.config.nodoEndpoint, listener, deps.logger, nodoPath)
  // Without a secret configured there is no /pagopa/nodo/<anything>; with one, the bare path is refused by the guard.
  const paths = deps.config.nodoEndpoint?.secret ? [nodoPath, `${nodoPath}/:secret`] : [nodoPath]
  return app.on('POST', paths, guard, async (c) => {
    const log = deps.logger.child({ route: nodoPath, requestId: c.get('requestId') })
    let result: Answer
    try {
      result = await answer(c, log)
    } catch (error) {
      if (error instanceof SoapRefusal) {
        log.warn({ reason: error.reason, faultcode: error.faultcode }, `nodo call refused: ${error.message}`)
        result = { status: 500, body: soapFault(error.faultcode, error.message) }
      } else {
        log.error({ err: error }, 'nodo call failed')
        result = { status: 500, body: soapFault('Server', 'The station could not process the request') }
      }
    }
    return c.body(result.body, result.status, { 'content-type': 'text/xml; charset=utf-8' })
  })
}
