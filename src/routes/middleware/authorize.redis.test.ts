// Authorisation: tenant allow-list and scopes; every refusal is audited.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../../../test/support/contract.ts'
import { signedInit } from '../../../test/support/signed.ts'
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

async function getTenant(client: TestApp['clients']['portal'], tenantId: string) {
  const res = await t.app.request(`/v1/tenants/${tenantId}`, await signedInit(client))
  await expectConforms(res, 'GET', '/v1/tenants/{tenantId}')
  return res
}

async function postEcho(client: TestApp['clients']['portal'], tenantId: string) {
  const res = await t.app.request(`/v1/tenants/${tenantId}/echo`, await signedInit(client, { body: { a: 1 } }))
  await expectConforms(res, 'POST', '/v1/tenants/{tenantId}/echo')
  return res
}

const lastAudit = async () => (await t.deps.audit.read()).at(-1)?.record

it('a client acting for a tenant it is not allowed → 403 tenant_forbidden, audited', async () => {
  await expectProblem(await postEcho(t.clients.other, 'comune-a'), 403, 'tenant_forbidden')
  expect(await lastAudit()).toMatchObject({ who: 'other-comune-portal', tenant: 'comune-a', outcome: 'denied' })
})

it('an unknown tenant looks the same as a forbidden one to a client not allowed for it', async () => {
  await expectProblem(await getTenant(t.clients.portal, 'comune-zz'), 403, 'tenant_forbidden')
  expect(await lastAudit()).toMatchObject({ who: 'portal', tenant: 'comune-zz', outcome: 'denied' })
})

it('a client without the operation scope → 403 scope_missing, audited', async () => {
  const problem = await expectProblem(await postEcho(t.clients.reader, 'comune-a'), 403, 'scope_missing')
  expect(problem.detail).toBe('This operation needs the scope diagnostics:use')
  expect(await lastAudit()).toMatchObject({
    who: 'reader',
    tenant: 'comune-a',
    outcome: 'denied',
    detail: 'scope diagnostics:use missing',
    requestId: problem.requestId,
  })
})

it('the same client goes through where it holds the scope', async () => {
  const res = await getTenant(t.clients.reader, 'comune-a')
  expect(res.status).toBe(200)
  expect((await res.json()).access).toEqual({ clientId: 'reader', scopes: ['tenants:read'] })
})

it('a client allowed for every tenant learns that an unknown one does not exist → 404 tenant_not_found', async () => {
  await expectProblem(await getTenant(t.clients.ops, 'comune-zz'), 404, 'tenant_not_found')
  expect((await getTenant(t.clients.ops, 'comune-b')).status).toBe(200)
})
