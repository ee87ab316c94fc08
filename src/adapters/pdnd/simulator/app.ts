// PDND authorization server simulator: POST /token.oauth2 (authorizationServerApi.yml) issuing
// vouchers shaped as pdnd/FACTS.md "Voucher claims, as PDND signs them", and the PDND JWKS.
//
// Magic values: a client_assertion whose purposeId is `00000000-0000-4000-8000-000000000429`
// gets 429 with rate-limit headers; `…000000000503` gets 503.
import { Hono } from 'hono'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { recordRequests, type SimulatorContext } from '../../simulator/harness.ts'
import { checkClientAssertion, type RegisteredClient } from './client-assertion.ts'

export const pdndMagicPurposes = {
  rateLimited: '00000000-0000-4000-8000-000000000429',
  unavailable: '00000000-0000-4000-8000-000000000503',
} as const

const rateLimitHeaders = { 'x-rate-limit-limit': '10', 'x-rate-limit-remaining': '9', 'x-rate-limit-interval': '1000' }

export type PdndSimulator = {
  app: Hono
  issuer: string
  assertionAudience: string
  registerClient(client: { clientId: string; publicJwk: JWK; purposes: Record<string, string> }): Promise<RegisteredClient>
}

export async function createPdndSimulator(context: SimulatorContext, options: { issuer?: string; voucherTtlSeconds?: number } = {}): Promise<PdndSimulator> {
  const issuer = options.issuer ?? 'pdnd-sandbox.snodo.local'
  const assertionAudience = `${issuer}/client-assertion`
  const ttl = options.voucherTtlSeconds ?? 600
  const { privateKey, publicKey } = await generateKeyPair('RS256')
  const publicJwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  const clients = new Map<string, RegisteredClient>()
  const problem = (status: number, detail: string) =>
    new Response(JSON.stringify({ type: 'about:blank', status, title: status === 429 ? 'Too Many Requests' : 'Bad Request', detail, errors: [] }), {
      status,
      headers: { 'content-type': 'application/problem+json' },
    })

  const app = new Hono()
  app.use(recordRequests(context))
  app.get('/.well-known/jwks.json', (c) => c.json({ keys: [{ ...publicJwk, kid, use: 'sig', alg: 'RS256' }] }))
  app.post('/token.oauth2', async (c) => {
    const form = new URLSearchParams(await c.req.text())
    if (form.get('grant_type') !== 'client_credentials') return problem(400, 'grant_type must be client_credentials')
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return problem(400, 'unsupported client_assertion_type')
    const assertion = form.get('client_assertion')
    if (!assertion) return problem(400, 'client_assertion is required')
    const now = context.clock()
    const check = await checkClientAssertion(assertion, { audience: assertionAudience, clientId: form.get('client_id') ?? undefined, now }, clients)
    if (!check.ok) return problem(check.status, check.detail)
    if (check.purposeId === pdndMagicPurposes.rateLimited) {
      const res = problem(429, 'Too many requests')
      for (const [name, value] of Object.entries({ ...rateLimitHeaders, 'x-rate-limit-remaining': '0' })) res.headers.set(name, value)
      return res
    }
    if (check.purposeId === pdndMagicPurposes.unavailable) return problem(503, 'Service unavailable')
    const iat = Math.floor(now.getTime() / 1000)
    const voucher = await new SignJWT({
      client_id: check.client.clientId,
      purposeId: check.purposeId,
      ...(check.payload.digest ? { digest: check.payload.digest } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', use: 'sig', typ: 'at+jwt', kid })
      .setJti(context.nextId())
      .setIssuer(issuer)
      .setAudience(check.client.purposes[check.purposeId] as string)
      .setSubject(check.client.clientId)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + ttl)
      .sign(privateKey)
    return c.json({ access_token: voucher, token_type: 'Bearer', expires_in: ttl }, 200, { 'cache-control': 'no-cache, no-store', ...rateLimitHeaders })
  })

  return {
    app,
    issuer,
    assertionAudience,
    async registerClient({ clientId, publicJwk: clientJwk, purposes }) {
      const client: RegisteredClient = { clientId, kid: await calculateJwkThumbprint(clientJwk), publicJwk: clientJwk, purposes }
      clients.set(clientId, client)
      return client
    },
  }
}
