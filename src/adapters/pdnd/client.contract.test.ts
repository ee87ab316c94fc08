// The voucher client against the PDND simulator over loopback: the port conformance suite, then
// requests and answers checked against PDND's real authorizationServerApi.yml and the voucher against
// pdnd/FACTS.md.
import { randomUUID } from 'node:crypto'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { aClientKey, type TestClient } from '../../../test/support/test-app.ts'
import { contractsAvailable, loadSpec } from '../../../test/support/upstream-spec.ts'
import { importSigningKey } from '../../client/index.ts'
import { UpstreamError } from '../../errors.ts'
import { createSimulatorContext, type RunningSimulator, type SimulatorContext, startSimulator } from '../simulator/harness.ts'
import { createVoucherClient } from './client.ts'
import { describeVoucherPort } from './port.suite.ts'
import { createPdndSimulator, type PdndSimulator, pdndMagicPurposes } from './simulator/app.ts'

const clientId = randomUUID()
const purposeId = randomUUID()
const eserviceAudience = 'https://snodo.test/eservice'
let key: TestClient
let context: SimulatorContext
let pdnd: PdndSimulator
let running: RunningSimulator

beforeAll(async () => {
  key = await aClientKey(clientId, 'RS256')
  context = createSimulatorContext({ idPrefix: 'voucher-' })
  pdnd = await createPdndSimulator(context)
  await pdnd.registerClient({
    clientId,
    publicJwk: key.publicJwk,
    purposes: { [purposeId]: eserviceAudience, [pdndMagicPurposes.rateLimited]: 'x', [pdndMagicPurposes.unavailable]: 'x' },
  })
  running = await startSimulator(pdnd.app)
})
afterAll(() => running.close())

const tokenRequest = (form: Record<string, string>) =>
  fetch(`${running.url}/token.oauth2`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) })

const jwtBearer = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

async function anAssertion(signer: TestClient, alg: string, claims: object) {
  const signingKey = await importSigningKey(signer.privateJwk)
  const iat = Math.floor(Date.now() / 1000)
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg, kid: key.publicJwk.kid as string })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(pdnd.assertionAudience)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + 60)
    .sign(signingKey.key)
}

const voucherClient = () =>
  createVoucherClient({
    tokenUrl: `${running.url}/token.oauth2`,
    clientId,
    kid: key.publicJwk.kid as string,
    privateJwk: key.privateJwk,
    assertionAudience: pdnd.assertionAudience,
  })

// The suite on a simulator of its own, so the tests below still see only their own traffic. Its clock
// is Date, faked (and frozen) only while a test moves it: client and simulator share it over loopback.
describeVoucherPort('client over loopback against the PDND simulator', async () => {
  const suiteClient = randomUUID()
  const signer = await aClientKey(suiteClient, 'RS256')
  const sim = await createPdndSimulator(createSimulatorContext({ idPrefix: 'suite-voucher-' }), { voucherTtlSeconds: 600 })
  const purposes = { active: randomUUID(), another: randomUUID() }
  await sim.registerClient({
    clientId: suiteClient,
    publicJwk: signer.publicJwk,
    purposes: {
      [purposes.active]: eserviceAudience,
      [purposes.another]: eserviceAudience,
      [pdndMagicPurposes.rateLimited]: 'x',
      [pdndMagicPurposes.unavailable]: 'x',
    },
  })
  const server = await startSimulator(sim.app)
  return {
    newPort: () =>
      createVoucherClient({
        tokenUrl: `${server.url}/token.oauth2`,
        clientId: suiteClient,
        kid: signer.publicJwk.kid as string,
        privateJwk: signer.privateJwk,
        assertionAudience: sim.assertionAudience,
        refreshMarginSeconds: 60,
      }),
    purposes,
    inactivePurpose: randomUUID(),
    refreshAfterSeconds: 600 - 60,
    advanceClock(seconds) {
      if (!vi.isFakeTimers()) vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(Date.now() + seconds * 1000)
    },
    resetClock: () => vi.useRealTimers(),
    trouble: pdndMagicPurposes,
    close: () => server.close(),
  }
})

describe('PDND vouchers', () => {
  it('issues a voucher shaped as PDND signs it, and the client caches it', async () => {
    const client = voucherClient()
    const voucher = await client.voucherFor(purposeId)
    expect(await client.voucherFor(purposeId)).toBe(voucher)
    expect(context.received.filter((r) => r.path === '/token.oauth2')).toHaveLength(1)
    // pdnd/FACTS.md "Voucher claims, as PDND signs them": header {alg: RS256, use: sig, typ: at+jwt, kid}.
    const jwksBody = (await (await fetch(`${running.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }
    expect(decodeProtectedHeader(voucher)).toEqual({ alg: 'RS256', use: 'sig', typ: 'at+jwt', kid: jwksBody.keys[0]?.kid })
    const { payload } = await jwtVerify(voucher, createLocalJWKSet(jwksBody), {
      issuer: pdnd.issuer,
      audience: eserviceAudience,
      typ: 'at+jwt',
      algorithms: ['RS256'],
    })
    // Payload {jti, iss, aud (the e-service audience), client_id, sub (= client_id), iat, nbf, exp, purposeId}.
    expect(payload).toEqual({
      jti: 'voucher-000001',
      iss: pdnd.issuer,
      aud: eserviceAudience,
      client_id: clientId,
      sub: clientId,
      purposeId,
      iat: expect.any(Number),
      nbf: payload.iat,
      exp: (payload.iat as number) + 600,
    })
  })

  it('classifies a 429 as rate_limited with the interval as Retry-After, and a 503 as unavailable', async () => {
    const error = await voucherClient()
      .voucherFor(pdndMagicPurposes.rateLimited)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UpstreamError)
    expect(error).toMatchObject({ kind: 'rate_limited', retryable: true, retryAfterMs: 1000, upstreamStatus: 429 })
    expect(
      await voucherClient()
        .voucherFor(pdndMagicPurposes.unavailable)
        .catch((e: unknown) => e),
    ).toMatchObject({ kind: 'unavailable' })
  })

  it('refuses assertions PDND refuses: not RS256, no purposeId, unknown kid', async () => {
    const es = await aClientKey(clientId, 'ES256')
    const post = async (assertion: string) => tokenRequest({ client_assertion: assertion, client_assertion_type: jwtBearer, grant_type: 'client_credentials' })
    const refused = async (assertion: string) => {
      const res = await post(assertion)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      return { status: res.status, detail: (await res.json()).detail }
    }
    expect(await refused(await anAssertion(es, 'ES256', { purposeId }))).toEqual({ status: 400, detail: 'client_assertion alg must be RS256, got ES256' })
    expect(await refused(await anAssertion(key, 'RS256', {}))).toEqual({ status: 400, detail: 'purposeId is required for consumer clients' })
    const stranger = await aClientKey(clientId, 'RS256')
    expect(await refused(await anAssertion(stranger, 'RS256', { purposeId }))).toMatchObject({
      status: 401,
      detail: expect.stringMatching(/^client_assertion rejected/),
    })
  })
})

describe.runIf(contractsAvailable('PDND conformance'))('conformance with authorizationServerApi.yml', () => {
  const spec = () => loadSpec('pdnd/interop-be-monorepo/authorizationServerApi.yml')

  it('every token request the client sent is an AccessTokenRequest', async () => {
    // Its own traffic first, so the sweep stands alone; run with the rest it checks theirs too.
    await voucherClient().voucherFor(purposeId)
    await voucherClient()
      .voucherFor(pdndMagicPurposes.rateLimited)
      .catch(() => undefined)
    const sent = context.received.filter((r) => r.path === '/token.oauth2' && r.headers['content-type'] === 'application/x-www-form-urlencoded')
    expect(sent.length).toBeGreaterThan(0)
    for (const request of sent) expect(spec().errors('AccessTokenRequest', Object.fromEntries(new URLSearchParams(request.body)))).toEqual([])
  })

  it('the simulator answers with ClientCredentialsResponse and Problem', async () => {
    const refused = await tokenRequest({ grant_type: 'password' })
    expect(refused.status).toBe(400)
    expect(spec().errors('Problem', await refused.json())).toEqual([])
    const granted = await tokenRequest({
      client_id: clientId,
      client_assertion: await anAssertion(key, 'RS256', { purposeId }),
      client_assertion_type: jwtBearer,
      grant_type: 'client_credentials',
    })
    expect(granted.status).toBe(200)
    expect(granted.headers.get('x-rate-limit-interval')).toBe('1000')
    expect(spec().errors('ClientCredentialsResponse', await granted.json())).toEqual([])
  })
})
