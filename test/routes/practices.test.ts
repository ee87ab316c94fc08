// createPractice through createApp with no Redis and no platform (test/support/unit-app.ts): what is
// refused before anything is stored. Accepting one (202) needs the stores: practices.redis.test.ts.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../support/contract.ts'
import { createUnitApp } from '../support/unit-app.ts'

let u: Awaited<ReturnType<typeof createUnitApp>>
beforeAll(async () => {
  u = await createUnitApp()
})
afterAll(() => u.close())

const practices = '/v1/tenants/comune-a/practices'
const template = '/v1/tenants/{tenantId}/practices'
const pdf = Buffer.from('%PDF-1.4 domanda di accesso agli atti')
const aPractice = (over: Record<string, unknown> = {}) => ({
  serviceCode: 'SUAP-01',
  applicant: { fiscalCode: 'RSSMRA80A01H501U', givenName: 'Maria', familyName: 'Bianchi', email: 'maria@example.it' },
  subject: 'Richiesta di accesso agli atti',
  data: { pratica: 'accesso atti' },
  attachments: [
    { name: 'domanda.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64'), sha256: createHash('sha256').update(pdf).digest('hex') },
  ],
  channel: 'online',
  submittedAt: '2026-11-23T10:00:00+01:00',
  ...over,
})

describe('POST /v1/tenants/{tenantId}/practices, before anything is stored', () => {
  it('refuses a body that is not a practice with 400 and an error per field, and audits the failure', async () => {
    const res = await u.send('POST', practices, aPractice({ channel: 'fax', submittedAt: 'ieri' }))
    await expectConforms(res, 'POST', template)
    const problem = await expectProblem(res, 400, 'validation_failed')
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['channel', 'submittedAt'])
    expect(u.audit.entries.at(-1)).toMatchObject({ who: 'portal', tenant: 'comune-a', action: 'practice.create', outcome: 'failed' })
  })

  it('refuses a practice for a tenant without a protocollo with 422, never a 500', async () => {
    const res = await u.send('POST', practices, aPractice())
    await expectConforms(res, 'POST', template)
    await expectProblem(res, 422, 'platform_not_configured')
  })

  it('refuses a client without practices:write and one for another tenant, audited as denied', async () => {
    await expectProblem(await u.send('POST', practices, aPractice(), u.clients.reader), 403, 'scope_missing')
    await expectProblem(await u.send('POST', practices, aPractice(), u.clients.other), 403, 'tenant_forbidden')
    expect(u.audit.entries.slice(-2).map((e) => [e.who, e.outcome])).toEqual([
      ['reader', 'denied'],
      ['other-comune-portal', 'denied'],
    ])
  })
})
