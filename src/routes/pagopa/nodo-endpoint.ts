// POST /pagopa/nodo: the creditor-institution station the pagoPA nodo calls, mounted behind the caller
// guard (nodo-guard.ts). The envelope is read and answered by the station codec
// (adapters/pagopa/station/answer.ts), the operations by the payments domain (station-operations.ts);
// this route only hands over the request and its SOAPAction, and sends back what the codec wrote.
import type { Hono } from 'hono'
import type { Logger } from 'pino'
import type { GpdPort } from '../../adapters/pagopa/port.ts'
import { createStationCodec } from '../../adapters/pagopa/station/answer.ts'
import type { TenantConfig } from '../../config/schema.ts'
import type { Config } from '../../config.ts'
import type { Station } from '../../payments/station.ts'
import { createStationOperations } from '../../payments/station-operations.ts'
import type { AppContext, AppEnv } from '../app-env.ts'
import { type NodoListener, nodoCallerGuard } from './nodo-guard.ts'

export const nodoPath = '/pagopa/nodo'

export type NodoEndpointDeps = { station: Station; logger: Logger; config: Pick<Config, 'nodoEndpoint'>; gpd(tenant: TenantConfig): GpdPort }

/** The SOAPAction header without its quotes; "" and absent both leave the body element to decide. */
function soapAction(c: AppContext): string {
  return (c.req.header('soapaction') ?? '')
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .trim()
}

/** Only the caller the guard lets through (nodo-guard.ts) is read; with a secret, the station URL is /pagopa/nodo/<secret>. */
export function registerNodoEndpoint(app: Hono<AppEnv>, deps: NodoEndpointDeps, listener: NodoListener = 'main') {
  const codec = createStationCodec(createStationOperations(deps))
  const guard = nodoCallerGuard(deps.config.nodoEndpoint, listener, deps.logger, nodoPath)
  // Without a secret configured there is no /pagopa/nodo/<anything>; with one, the bare path is refused by the guard.
  const paths = deps.config.nodoEndpoint?.secret ? [nodoPath, `${nodoPath}/:secret`] : [nodoPath]
  return app.on('POST', paths, guard, async (c) => {
    const log = deps.logger.child({ route: nodoPath, requestId: c.get('requestId') })
    const result = await codec.answer(c.req.raw, soapAction(c), log)
    return c.body(result.body, result.status, { 'content-type': 'text/xml; charset=utf-8' })
  })
}
