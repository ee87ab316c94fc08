// Authorisation: tenant allow-list and scopes; every refusal is audited.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { expectConforms } from '../../../test/support/contract.ts'
import { signedInit } from '../../../test/support/signed.ts'
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

async function lastAudit() {
  return (await t.deps.audit.read()).at(-1)?.record
}

it('a client acting for a tenant it is not allowed → 403 tenant_forbidden, audited', async () => {
  const res = await t.app.request('/v1/tenants/comune-a/echo', await signedInit(t.clients.other, { body: { a: 1 } }))
  await expectConforms(res, 'POST', '/v1/tenants/{tenantId}/echo')
  expect(res.status).toBe(403)
  expect((await res.json()).code).toBe('tenant_forbidden')
  expect(await lastAudit()).toMatchObject({ who: 'other-comune-portal', tenant: 'comune-a', outcome: 'denied' })
})

it('an unknown tenant looks the same as a forbidden one to a client not allowed for it', async () => {
  const res = await t.app.request('/v1/tenants/comune-zz', await signedInit(t.clients.portal))
  expect(res.status).toBe(403)
  expect((await res.json()).code).toBe('tenant_forbidden')
})

it('a client without the operation scope → 403 scope_missing, audited', async () => {
  const res = await t.app.request('/v1/tenants/comune-a/echo', await signedInit(t.clients.reader, { body: { a: 1 } }))
  await expectConforms(res, 'POST', '/v1/tenants/{tenantId}/echo')
  expect(res.status).toBe(403)
  expect(await res.json()).toMatchObject({ code: 'scope_missing', detail: 'This operation needs the scope diagnostics:use' })
  expect(await lastAudit()).toMatchObject({ who: 'reader', tenant: 'comune-a', outcome: 'denied', detail: 'scope diagnostics:use missing' })
})

it('the same client with the scope goes through', async () => {
  const res = await t.app.request('/v1/tenants/comune-a', await signedInit(t.clients.reader))
  expect(res.status).toBe(200)
})

it('a client allowed for every tenant learns that an unknown one does not exist → 404 tenant_not_found', async () => {
  const res = await t.app.request('/v1/tenants/comune-zz', await signedInit(t.clients.ops))
  await expectConforms(res, 'GET', '/v1/tenants/{tenantId}')
  expect(res.status).toBe(404)
  expect((await res.json()).code).toBe('tenant_not_found')
  expect((await t.app.request('/v1/tenants/comune-b', await signedInit(t.clients.ops))).status).toBe(200)
})
