// createPayment through createApp with no Redis and no platform (test/support/unit-app.ts): what is
// refused before anything is stored. Accepting one (202) needs the stores: payments.redis.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../support/contract.ts'
import { signedInit } from '../support/signed.ts'
import { createUnitApp } from '../support/unit-app.ts'

let u: Awaited<ReturnType<typeof createUnitApp>>
beforeAll(async () => {
  u = await createUnitApp()
})
afterAll(() => u.close())

const payments = '/v1/tenants/comune-a/payments'
const template = '/v1/tenants/{tenantId}/payments'
const aPayment = (over: Record<string, unknown> = {}) => ({
  debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' },
  amountCents: 5400,
  description: 'TARI 2026 prima rata',
  ...over,
})

describe('POST /v1/tenants/{tenantId}/payments, before anything is stored', () => {
  it('refuses a body that is not a payment with 400 and an error per field, and audits the failure', async () => {
    const res = await u.send('POST', payments, { amountCents: 0 })
    await expectConforms(res, 'POST', template)
    const problem = await expectProblem(res, 400, 'validation_failed')
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['amountCents', 'debtor', 'description'])
    expect(u.audit.entries.at(-1)).toMatchObject({ who: 'portal', tenant: 'comune-a', action: 'payment.create', outcome: 'failed' })
  })

  it('refuses a payment for a tenant that takes no pagoPA payments with 422, never a 500', async () => {
    const res = await u.send('POST', payments, aPayment())
    await expectConforms(res, 'POST', template)
    await expectProblem(res, 422, 'platform_not_configured')
  })

  it('refuses a client without payments:write (403 scope_missing) and one for another tenant (403 tenant_forbidden), audited as denied', async () => {
    await expectProblem(await u.send('POST', payments, aPayment(), u.clients.reader), 403, 'scope_missing')
    expect(u.audit.entries.at(-1)).toMatchObject({ who: 'reader', tenant: 'comune-a', outcome: 'denied' })
    await expectProblem(await u.send('POST', payments, aPayment(), u.clients.other), 403, 'tenant_forbidden')
    expect(u.audit.entries.at(-1)).toMatchObject({ who: 'other-comune-portal', tenant: 'comune-a', outcome: 'denied' })
  })

  it('refuses a call without a bearer (401), a body over limits.bodyBytes (413) and a replayed request (401)', async () => {
    await expectProblem(
      await u.app.request(payments, { method: 'POST', body: JSON.stringify(aPayment()), headers: { 'content-type': 'application/json' } }),
      401,
      'token_missing',
    )
    await expectProblem(await u.send('POST', payments, aPayment({ description: 'x'.repeat(5_000) })), 413, 'payload_too_large')
    const init = await signedInit(u.clients.portal, { body: aPayment() })
    await u.app.request(payments, init)
    await expectProblem(await u.app.request(payments, init), 401, 'token_replayed')
  })
})
