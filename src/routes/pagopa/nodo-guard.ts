// Who may call the station endpoint: the pagoPA Node, and nobody else (issue 14 — every identifier in a
// receipt is public, so a forged paSendRT would make a payment paid). Each check the operator set
// (config nodoEndpoint) applies: the client certificate's subject on the mTLS listener (its CA is
// checked by the TLS handshake), the source address, the secret in the URL. It runs before the body is
// read. A refusal is a SOAP 1.1 Fault (soapenv:Client) with HTTP 403, not the 500 of a message the
// station could not process (SOAP 1.1 §6.2): what failed is the caller, before any message was read,
// and a monitor must tell the two apart. It names no check, so a prober learns nothing; the log does.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import type { MiddlewareHandler } from 'hono'
import type { Logger } from 'pino'
import { soapFault } from '../../adapters/pagopa/station/answer.ts'
import type { NodoEndpointConfig } from '../../config/schema.ts'
import { readSecret } from '../../config/secret-ref.ts'
import type { AppEnv } from '../app-env.ts'
import { addressIn, clientAddress, parseRanges } from './client-address.ts'

/** main: the API's listener; station: the mTLS listener of its own (station-listener.ts). */
export type NodoListener = 'main' | 'station'

type Subject = Record<string, string | string[] | undefined>

/** Every attribute the entry names equals one of the certificate's values for it. */
export function subjectMatches(subject: Subject, allowed: Record<string, string>): boolean {
  return Object.entries(allowed).every(([name, value]) => [subject[name] ?? []].flat().includes(value))
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(given), digest(expected))
}

export function nodoCallerGuard(
  endpoint: NodoEndpointConfig | undefined,
  listener: NodoListener,
  logger: Logger,
  nodoRoute: string,
): MiddlewareHandler<AppEnv> {
  const allowFrom = endpoint?.allowFrom && parseRanges(endpoint.allowFrom)
  const trustedProxies = parseRanges(endpoint?.trustedProxies ?? [])
  const subjects = listener === 'station' ? endpoint?.mtls?.allowedSubjects : undefined

  /** Why the caller is refused, or undefined when every configured check passes. */
  const refusal = (
    socket: TLSSocket | undefined,
    forwardedFor: string | undefined,
    secret: string | undefined,
  ): { reason: string; client?: string; subject?: Subject } | undefined => {
    if (subjects) {
      // rejectUnauthorized already ended any handshake without a certificate of the configured CA.
      const subject = socket?.authorized ? (socket.getPeerCertificate().subject as Subject | undefined) : undefined
      if (!subject) return { reason: 'no_client_certificate' }
      if (!subjects.some((allowed) => subjectMatches(subject, allowed))) return { reason: 'certificate_subject', subject }
    }
    if (allowFrom) {
      const client = clientAddress(socket?.remoteAddress, forwardedFor, trustedProxies)
      if (!addressIn(client, allowFrom)) return { reason: 'source_address', client: client ?? socket?.remoteAddress ?? 'unknown' }
    }
    if (endpoint?.secret && (secret === undefined || !sameSecret(secret, readSecret(endpoint.secret))))
      return { reason: secret === undefined ? 'no_secret' : 'wrong_secret' }
    return undefined
  }

  return async (c, next) => {
    const secret = c.req.param('secret')
    // The access log shows the route, never the secret in the path.
    if (secret !== undefined) c.set('logPath', c.req.path.slice(0, c.req.path.length - secret.length) + '…')
    const socket = c.env?.incoming?.socket as TLSSocket | undefined
    const refused = refusal(socket, c.req.header('x-forwarded-for'), secret)
    if (!refused) return next()
    logger
      .child({ route: nodoRoute, requestId: c.get('requestId') })
      .warn({ listener, peer: socket?.remoteAddress, ...refused }, 'nodo call refused: the caller is not authenticated as the pagoPA Node')
    return c.body(soapFault('Client', 'The caller is not authenticated as the pagoPA Node'), 403, { 'content-type': 'text/xml; charset=utf-8' })
  }
}
