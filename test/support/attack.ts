// The attacker's side of test/attack.e2e.test.ts against a running Snodo: its own clients (the
// sandbox's client files), a stranger, tokens with any claim changed, signed requests with any part
// broken, raw bytes on a socket, SOAP envelopes. Every answer is read as status + problem code or
// SOAP faultcode, so a table of cases can say exactly what each attack must get.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { JWK, JWTPayload } from 'jose'
import { importSigningKey, readClientFile, signRequest } from '../../src/client/index.ts'
import { sandboxPdndClientId, sandboxPurposeId } from '../../src/sandbox/sandbox.ts'
import { rawExchange } from './raw-http.ts'
import type { SnodoProcess } from './sandbox-process.ts'
import { aClientKey, type TestClient } from './test-app.ts'
import { aToken, freshVouchers } from './tokens.ts'

export type Answer = {
  status: number
  /** Lower-case names. */
  headers: Record<string, string>
  text: string
  /** The problem+json `code`, when the answer is a problem. */
  code?: string
  /** The SOAP Fault's faultcode and faultstring, when the answer is one. */
  soapFault?: string
  faultString?: string
}

export type SignedOptions = { body?: string; contentType?: string; headers?: Record<string, string>; idempotencyKey?: string }

const publicOf = ({ d, p, q, dp, dq, qi, ...rest }: JWK): JWK => rest
const clientFrom = (path: string): TestClient => {
  const file = readClientFile(path)
  return { clientId: file.clientId, privateJwk: file.privateJwk, publicJwk: publicOf(file.privateJwk) }
}

function answerOf(status: number, headers: Record<string, string>, text: string): Answer {
  const type = headers['content-type'] ?? ''
  const code = type.startsWith('application/problem+json') ? (JSON.parse(text) as { code?: string }).code : undefined
  const soapFault = /xml/.test(type) ? /<faultcode>([^<]+)<\/faultcode>/.exec(text)?.[1] : undefined
  const faultString = soapFault ? /<faultstring>([^<]*)<\/faultstring>/.exec(text)?.[1] : undefined
  return { status, headers, text, code, soapFault, faultString }
}

export async function createAttacker(snodo: SnodoProcess) {
  const { baseUrl } = snodo
  const sandboxDir = join(snodo.home, 'sandbox')
  /** The demo portal: every scope, every tenant. */
  const portal = clientFrom(join(sandboxDir, 'demo-client.json'))
  /** The comune's office software: its own tenant only, practices:read and practices:status only. */
  const backoffice = clientFrom(join(sandboxDir, 'backoffice-client.json'))
  /** The secret in the sandbox station's URL (nodoEndpoint.secret), which its simulated Node posts to. */
  const nodoSecret = readFileSync(join(sandboxDir, 'pagopa', 'nodo-endpoint.secret'), 'utf8').trim()
  /** A key Snodo has never seen, under the portal's client id and kid. */
  const impostor: TestClient = { ...(await aClientKey(portal.clientId, 'RS256')), clientId: portal.clientId }
  impostor.privateJwk = { ...impostor.privateJwk, kid: portal.privateJwk.kid }

  /** A bearer token from `client` (aud: this Snodo) with any claim or header changed, signed by `signer`. */
  const token = (client: TestClient, claims: JWTPayload = {}, header: Record<string, unknown> = {}, signer: TestClient = client) =>
    aToken(client, { aud: baseUrl, ...claims }, header, signer)

  /** Headers of a correctly signed request (bearer; Digest and Agid-JWT-Signature when there is a body). */
  async function signedHeaders(client: TestClient, options: SignedOptions = {}): Promise<Record<string, string>> {
    const key = await importSigningKey(client.privateJwk)
    const signed = await signRequest(key, { clientId: client.clientId, audience: baseUrl }, options.body, options.contentType)
    return { ...signed, ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}), ...options.headers }
  }

  async function send(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
    const res = await fetch(`${baseUrl}${path}`, { method, headers: init.headers, body: init.body })
    return answerOf(res.status, Object.fromEntries(res.headers), await res.text())
  }

  /** A fresh voucher from the sandbox's PDND (the one the banner names) for the demo purpose, as the demo portal. */
  const voucher = async () => {
    const pdndUrl = /Simulator:\s+pdnd\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(snodo.stdout())?.[1] as string
    const options = {
      tokenUrl: `${pdndUrl}/token.oauth2`,
      clientId: sandboxPdndClientId,
      kid: String(portal.privateJwk.kid),
      privateJwk: portal.privateJwk,
      assertionAudience: 'pdnd-sandbox.snodo.local/client-assertion',
    }
    return freshVouchers(options)(sandboxPurposeId)
  }

  return {
    baseUrl,
    voucher,
    portal,
    backoffice,
    impostor,
    token,
    signedHeaders,
    send,
    /** A signed request as `client` sends it; `options.headers` override any signed header (to break it). */
    signed: async (client: TestClient, method: string, path: string, options: SignedOptions = {}) =>
      send(method, path, { headers: await signedHeaders(client, options), body: options.body }),
    /** Bytes no HTTP client would send, on a socket of their own. */
    raw: async (bytes: string) => {
      const { status, headers, body } = await rawExchange({ host: '127.0.0.1', port: Number(new URL(baseUrl).port) }, bytes)
      return answerOf(status, headers, body)
    },
    /** An envelope POSTed to the station as the pagoPA Node posts it: to the sandbox Node's secret URL, unless `path` says where. */
    soap: (envelope: string, options: { soapAction?: string; path?: string } = {}) =>
      send('POST', options.path ?? `/pagopa/nodo/${nodoSecret}`, {
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${options.soapAction ?? 'paSendRT'}"` },
        body: envelope,
      }),
  }
}

export type Attacker = Awaited<ReturnType<typeof createAttacker>>
