// The station endpoint's own HTTPS listener, when nodoEndpoint.mtls is set: the TLS handshake asks for
// a client certificate and ends any without one of the configured CA (requestCert + rejectUnauthorized);
// the guard then checks its subject (nodo-guard.ts). Only /pagopa/nodo is served here, and the main
// listener no longer serves it. Also the start-up warning of an endpoint left open on purpose.
import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { requestId } from 'hono/request-id'
import { soapFault } from '../../adapters/pagopa/station/answer.ts'
import { readSecret } from '../../config/secret-ref.ts'
import type { Deps } from '../../deps.ts'
import type { AppEnv } from '../app-env.ts'
import { accessLog } from '../middleware/access-log.ts'
import { nodoPath, registerNodoEndpoint } from './nodo-endpoint.ts'

export type StationListener = { url: string; port: number; close(): Promise<void> }

/** Starts the mTLS listener if configured (else undefined); warns when the operator left the endpoint open. */
export async function startStationListener(deps: Deps): Promise<StationListener | undefined> {
  const endpoint = deps.config.nodoEndpoint
  if (endpoint?.open)
    deps.logger.warn(
      { route: nodoPath },
      'nodoEndpoint.open is true: anyone who reaches /pagopa/nodo can send receipts and make payments paid; configure mtls, allowFrom or secret',
    )
  const mtls = endpoint?.mtls
  if (!mtls) return undefined

  const app = new Hono<AppEnv>()
  app.use(requestId({ headerName: 'X-Request-Id', generator: () => randomUUID() }))
  app.use(accessLog(deps))
  app.notFound((c) => c.text('Not Found', 404))
  app.onError((err, c) => {
    deps.logger.error({ err, route: nodoPath }, 'nodo call failed')
    return c.body(soapFault('Server', 'The station could not process the request'), 500, { 'content-type': 'text/xml; charset=utf-8' })
  })
  registerNodoEndpoint(app, deps, 'station')

  const server = serve({
    fetch: app.fetch,
    hostname: mtls.host,
    port: mtls.port,
    createServer,
    serverOptions: { cert: readSecret(mtls.cert), key: readSecret(mtls.key), ca: readSecret(mtls.clientCa), requestCert: true, rejectUnauthorized: true },
  }) as Server
  server.on('tlsClientError', (err, socket) =>
    deps.logger
      .child({ route: nodoPath })
      .warn(
        { listener: 'station', peer: socket.remoteAddress, reason: 'tls_handshake', error: err.message },
        'nodo call refused at the TLS handshake: no client certificate of the configured CA',
      ),
  )
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve()
    server.once('listening', resolve)
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`nodoEndpoint.mtls cannot listen on ${mtls.host}:${mtls.port}: ${error.code ?? error.message}`)),
    )
  })
  const { port } = server.address() as AddressInfo
  const host = mtls.host === '0.0.0.0' || mtls.host === '::' ? '127.0.0.1' : mtls.host
  deps.logger.info({ route: nodoPath, port }, 'station endpoint listening with mutual TLS')
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () => new Promise<void>((done) => server.close(() => done())),
  }
}
