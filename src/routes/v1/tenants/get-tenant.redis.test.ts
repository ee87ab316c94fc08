import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms } from '../../../../test/support/contract.ts'
import { signedInit } from '../../../../test/support/signed.ts'
import { createTestApp, type TestApp } from '../../../../test/support/test-app.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('GET /v1/tenants/{tenantId}', () => {
  it('shows the tenant as the calling client may see it', async () => {
    const res = await t.app.request('/v1/tenants/comune-a', await signedInit(t.clients.reader))
    expect(res.status).toBe(200)
    await expectConforms(res, 'GET', '/v1/tenants/{tenantId}')
    expect(await res.json()).toEqual({
      id: 'comune-a',
      name: 'Comune A',
      fiscalCode: '00000000001',
      platforms: [],
      acceptsPdndVouchers: false,
      access: { clientId: 'reader', scopes: ['tenants:read'] },
    })
  })

  it('refuses a tenant the client may not act for, without telling whether it exists', async () => {
    const res = await t.app.request('/v1/tenants/comune-b', await signedInit(t.clients.portal))
    expect(res.status).toBe(403)
    await expectConforms(res, 'GET', '/v1/tenants/{tenantId}')
    expect((await res.json()).code).toBe('tenant_forbidden')
    const audit = await t.deps.audit.read()
    expect(audit.at(-1)?.record).toMatchObject({ who: 'portal', tenant: 'comune-b', outcome: 'denied' })
  })
})
