// createMessage through createApp with no Redis and no platform (test/support/unit-app.ts): what is
// refused before anything is stored. Accepting one (202) needs the stores: messages.redis.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../support/contract.ts'
import { createUnitApp } from '../support/unit-app.ts'

let u: Awaited<ReturnType<typeof createUnitApp>>
beforeAll(async () => {
  u = await createUnitApp()
})
afterAll(() => u.close())

const messages = '/v1/tenants/comune-a/messages'
const template = '/v1/tenants/{tenantId}/messages'
const markdown = `Gentile cittadino, la sua pratica è stata registrata. ${'Dettagli della pratica e prossimi passi. '.repeat(2)}`
const aMessage = (over: Record<string, unknown> = {}) => ({ fiscalCode: 'RSSMRA80A01H501U', subject: 'La sua pratica è registrata', markdown, ...over })

describe('POST /v1/tenants/{tenantId}/messages, before anything is stored', () => {
  it('refuses what IO would refuse for its form with 400 and an error per field', async () => {
    const res = await u.send('POST', messages, aMessage({ fiscalCode: 'rssmra80a01h501u', subject: 'Breve', markdown: 'troppo corto' }))
    await expectConforms(res, 'POST', template)
    const problem = await expectProblem(res, 400, 'validation_failed')
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['fiscalCode', 'markdown', 'subject'])
    expect(u.audit.entries.at(-1)).toMatchObject({ who: 'portal', tenant: 'comune-a', action: 'message.create', outcome: 'failed' })
  })

  it('refuses a message for a tenant without App IO with 422, never a 500', async () => {
    const res = await u.send('POST', messages, aMessage())
    await expectConforms(res, 'POST', template)
    await expectProblem(res, 422, 'platform_not_configured')
  })

  it('refuses a client without messages:write and one for another tenant, audited as denied', async () => {
    await expectProblem(await u.send('POST', messages, aMessage(), u.clients.reader), 403, 'scope_missing')
    await expectProblem(await u.send('POST', messages, aMessage(), u.clients.other), 403, 'tenant_forbidden')
    expect(u.audit.entries.slice(-2).map((e) => [e.who, e.outcome])).toEqual([
      ['reader', 'denied'],
      ['other-comune-portal', 'denied'],
    ])
  })

  it('refuses a body that is not JSON at all with 400 malformed_request', async () => {
    const res = await u.send('POST', messages, '{"fiscalCode":')
    await expectConforms(res, 'POST', template)
    await expectProblem(res, 400, 'malformed_request')
  })
})
