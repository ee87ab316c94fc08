// The bundled TypeScript client against a running sandbox: signed requests, verified answers, and
// a PDND voucher from the sandbox's own PDND simulator standing in for the client's token.
import { join } from 'node:path'
import { createLocalJWKSet, exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVoucherClient } from '../src/adapters/pdnd/client.ts'
import { type ClientIdentity, createSnodoClient, ResponseNotVerifiedError, readClientFile } from '../src/client/index.ts'
import { sandboxPdndClientId, sandboxPurposeId } from '../src/sandbox/sandbox.ts'
import { type SnodoProcess, startSnodo } from './support/sandbox-process.ts'

let snodo: SnodoProcess
let identity: ClientIdentity
beforeAll(async () => {
  snodo = await startSnodo()
  identity = readClientFile(join(snodo.home, 'sandbox', 'demo-client.json'))
})
afterAll(() => snodo.stop())

describe('createSnodoClient with the demo client file', () => {
  it('GET: the tenant, with a verified signature from a kid Snodo publishes', async () => {
    const tenant = await createSnodoClient(identity, { rejectUnverified: true }).get('/v1/tenants/comune-demo')
    expect(tenant.status).toBe(200)
    expect(tenant.body).toMatchObject({ id: 'comune-demo', name: 'Comune di Demo (sandbox)', acceptsPdndVouchers: true })
    const published = (await (await fetch(`${snodo.baseUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }
    expect(tenant.verification).toEqual({ verified: true, kid: published.keys[0]?.kid })
  })

  it('POST echo: what Snodo received, and the same answer replayed under the same Idempotency-Key', async () => {
    const client = createSnodoClient(identity, { rejectUnverified: true })
    const echo = await client.post('/v1/tenants/comune-demo/echo', { pratica: 'cambio di residenza' }, { idempotencyKey: 'client-e2e-1' })
    const again = await client.post('/v1/tenants/comune-demo/echo', { pratica: 'cambio di residenza' }, { idempotencyKey: 'client-e2e-1' })
    expect(echo.status).toBe(200)
    expect(echo.body).toMatchObject({ clientId: 'demo-portal', via: 'client-jwt', body: { pratica: 'cambio di residenza' } })
    expect(echo.headers.get('idempotent-replayed')).toBeNull()
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body).toEqual(echo.body)
  })

  it('rejectUnverified: an answer checked against keys that are not Snodo’s throws ResponseNotVerifiedError', async () => {
    // Another key under the kid Snodo uses: the lookup succeeds, the signature check must fail.
    const kid = ((await (await fetch(`${snodo.baseUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys[0]?.kid
    const { publicKey } = await generateKeyPair('ES256')
    const wrongKeys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256' }] })
    const lenient = await createSnodoClient(identity, { snodoKeys: wrongKeys }).get('/v1/tenants/comune-demo')
    expect(lenient.status).toBe(200)
    expect(lenient.verification).toEqual({ verified: false, reason: 'Agid-JWT-Signature: signature verification failed' })
    const strict = createSnodoClient(identity, { snodoKeys: wrongKeys, rejectUnverified: true })
    const refused = await strict.get('/v1/tenants/comune-demo').catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(ResponseNotVerifiedError)
    expect((refused as ResponseNotVerifiedError).response.status).toBe(200)
  })
})

describe('a PDND voucher in sandbox', () => {
  it('a voucher from the PDND simulator the banner names acts as the demo client', async () => {
    const pdndUrl = /Simulator:\s+pdnd\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(snodo.stdout())?.[1]
    expect(pdndUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const vouchers = createVoucherClient({
      tokenUrl: `${pdndUrl}/token.oauth2`,
      clientId: sandboxPdndClientId,
      kid: String(identity.privateJwk.kid),
      privateJwk: identity.privateJwk,
      // The simulator's default issuer + /client-assertion (src/adapters/pdnd/simulator/app.ts).
      assertionAudience: 'pdnd-sandbox.snodo.local/client-assertion',
    })
    const voucher = await vouchers.voucherFor(sandboxPurposeId)
    const client = createSnodoClient(identity, { rejectUnverified: true })
    const echo = await client.post('/v1/tenants/comune-demo/echo', { via: 'voucher' }, { headers: { authorization: `Bearer ${voucher}` } })
    expect(echo.status).toBe(200)
    expect(echo.body).toMatchObject({ clientId: 'demo-portal', via: 'pdnd-voucher', purposeId: sandboxPurposeId })
  })
})
