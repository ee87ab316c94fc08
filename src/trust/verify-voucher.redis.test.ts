// A tenant that accepts PDND vouchers: a real voucher from the PDND simulator stands in for the
// client-signed token; anything PDND did not issue for this tenant's e-service is refused.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../../test/support/contract.ts'
import { aClientKey, createTestApp, publicUrl, type TestApp, type TestClient } from '../../test/support/test-app.ts'
import { aToken, bearer, freshVouchers } from '../../test/support/tokens.ts'
import { createPdndSimulator, type PdndSimulator } from '../adapters/pdnd/simulator/app.ts'
import { createSimulatorContext, type RunningSimulator, startSimulator } from '../adapters/simulator/harness.ts'
import { importSigningKey, signRequest } from '../client/index.ts'

const pdndClientId = randomUUID()
const purposeId = randomUUID()
const unmappedPurposeId = randomUUID()
const foreignPurposeId = randomUUID()
const audience = `${publicUrl}/eservice`
let t: TestApp
let pdnd: PdndSimulator
let running: RunningSimulator
let portal: TestClient
let voucherFor: (purpose: string) => Promise<string>

beforeAll(async () => {
  portal = await aClientKey('portal', 'RS256')
  pdnd = await createPdndSimulator(createSimulatorContext())
  await pdnd.registerClient({
    clientId: pdndClientId,
    publicJwk: portal.publicJwk,
    purposes: { [purposeId]: audience, [unmappedPurposeId]: audience, [foreignPurposeId]: 'https://another-eservice.test' },
  })
  running = await startSimulator(pdnd.app)
  const pdndAcceptance = { issuer: pdnd.issuer, jwksUrl: `${running.url}/.well-known/jwks.json`, audience, purposes: { [purposeId]: 'portal' } }
  t = await createTestApp({ clients: { portal }, tenantOverrides: { pdnd: pdndAcceptance } })
  voucherFor = freshVouchers({
    tokenUrl: `${running.url}/token.oauth2`,
    clientId: pdndClientId,
    kid: portal.publicJwk.kid as string,
    privateJwk: portal.privateJwk,
    assertionAudience: pdnd.assertionAudience,
  })
})
afterAll(async () => {
  await t.close()
  await running.close()
})

async function getTenant(tenantId: string, voucher: string) {
  const res = await t.app.request(`/v1/tenants/${tenantId}`, bearer(voucher))
  await expectConforms(res, 'GET', '/v1/tenants/{tenantId}')
  return res
}

const expectVoucherInvalid = (res: Response) => expectProblem(res, 401, 'voucher_invalid')

describe('PDND vouchers', () => {
  it('a voucher for the mapped purpose acts as its client, once: its jti is the ID_AUTH_REST_02 jti', async () => {
    const voucher = await voucherFor(purposeId)
    const first = await getTenant('comune-a', voucher)
    expect(first.status).toBe(200)
    expect(await first.json()).toMatchObject({ id: 'comune-a', acceptsPdndVouchers: true, access: { clientId: 'portal' } })
    const problem = await expectProblem(await getTenant('comune-a', voucher), 401, 'token_replayed')
    expect(problem.detail).toBe('This voucher was already used: ask PDND for a new voucher for every request')
  })

  it('a voucher refused for another reason leaves its jti unspent', async () => {
    const voucher = await voucherFor(purposeId)
    await expectVoucherInvalid(await getTenant('comune-b', voucher))
    expect((await getTenant('comune-a', voucher)).status).toBe(200)
  })

  it('a body under a voucher is still signed by the mapped client (INTEGRITY_REST_01)', async () => {
    const body = JSON.stringify({ hello: 'pdnd' })
    const signed = await signRequest(await importSigningKey(portal.privateJwk), { clientId: 'portal', audience: publicUrl }, body)
    const headers = { ...signed, authorization: `Bearer ${await voucherFor(purposeId)}` }
    const res = await t.app.request('/v1/tenants/comune-a/echo', { method: 'POST', headers, body })
    await expectConforms(res, 'POST', '/v1/tenants/{tenantId}/echo')
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ clientId: 'portal', via: 'pdnd-voucher', purposeId })
  })

  it('a tenant that does not accept vouchers refuses them', async () => {
    const problem = await expectVoucherInvalid(await getTenant('comune-b', await voucherFor(purposeId)))
    expect(problem.detail).toBe('Tenant comune-b does not accept PDND vouchers')
  })

  it('a voucher for another e-service (audience) is refused', async () => {
    const problem = await expectVoucherInvalid(await getTenant('comune-a', await voucherFor(foreignPurposeId)))
    expect(problem.detail).toMatch(/^Voucher claim aud rejected/)
  })

  it('a purpose that the tenant does not map to a client is refused', async () => {
    const problem = await expectVoucherInvalid(await getTenant('comune-a', await voucherFor(unmappedPurposeId)))
    expect(problem.detail).toBe(`purposeId ${unmappedPurposeId} is not mapped to a client of tenant comune-a`)
  })

  it('a token typed at+jwt but not signed by PDND is refused', async () => {
    const forged = await aToken(portal, { purposeId, client_id: pdndClientId, iss: pdnd.issuer, aud: audience }, { typ: 'at+jwt' })
    const problem = await expectVoucherInvalid(await getTenant('comune-a', forged))
    expect(problem.detail).toBe('The voucher kid is not among the PDND keys')
  })
})
