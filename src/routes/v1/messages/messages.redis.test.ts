// App IO messages through the whole app, workers running, against the App IO simulator on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../../../../test/support/contract.ts'
import { signedInit } from '../../../../test/support/signed.ts'
import { createTestApp, type TestApp } from '../../../../test/support/test-app.ts'
import { eventually } from '../../../../test/support/webhook-receiver.ts'
import { type AppIoSimulator, createAppIoSimulator } from '../../../adapters/appio/simulator/app.ts'
import { appioMagicSubjects, appioTestCitizens } from '../../../adapters/appio/simulator/citizens.ts'
import { createSimulatorContext, type RunningSimulator, startSimulator } from '../../../adapters/simulator/harness.ts'
import { acceptMessages, newMessageId } from '../../../messages/accept-message.ts'
import { startWorkers } from '../../../workers.ts'

let t: TestApp
let io: AppIoSimulator
let running: RunningSimulator
let workers: { close(): Promise<void> }

beforeAll(async () => {
  process.env.TEST_IO_KEY_GENERALE = 'key-generale'
  process.env.TEST_IO_KEY_TRIBUTI = 'key-tributi'
  io = createAppIoSimulator(createSimulatorContext({ idPrefix: 'io-' }), {
    services: [
      { apiKey: 'key-generale', organizationFiscalCode: '00000000001' },
      { apiKey: 'key-tributi', organizationFiscalCode: '00000000001' },
    ],
    retryAfterSeconds: 1,
  })
  running = await startSimulator(io.app)
  t = await createTestApp({
    bodyBytes: 1_048_576,
    tenantOverrides: {
      platforms: {
        appio: {
          enabled: true,
          baseUrl: `${running.url}/api/v1`,
          services: [
            { name: 'generale', apiKey: 'env:TEST_IO_KEY_GENERALE', default: true },
            { name: 'tributi', apiKey: 'env:TEST_IO_KEY_TRIBUTI', default: false },
          ],
        },
      },
    },
    config: { delivery: { targets: { appio: { retry: { scheduleMs: [100], floorAfterThrottleMs: 100 }, timeoutMs: 2_000 } } } },
  })
  workers = await startWorkers(t.deps)
})
afterAll(async () => {
  await workers.close()
  await t.close()
  await running.close()
})

const messages = '/v1/tenants/comune-a/messages'
const markdown = `Gentile cittadino, la sua pratica è stata registrata. ${'Dettagli della pratica e prossimi passi. '.repeat(2)}`
const aMessage = (over: Record<string, unknown> = {}) => ({ fiscalCode: appioTestCitizens.onIo, subject: 'La sua pratica è registrata', markdown, ...over })

async function post(body: object, path = messages) {
  const res = await t.app.request(path, await signedInit(t.clients.portal, { body }))
  await expectConforms(res, 'POST', '/v1/tenants/{tenantId}/messages')
  return res
}
async function get(id: string, client = t.clients.portal, tenant = 'comune-a') {
  const res = await t.app.request(`/v1/tenants/${tenant}/messages/${id}`, await signedInit(client))
  await expectConforms(res, 'GET', '/v1/tenants/{tenantId}/messages/{messageId}')
  return res
}
const settled = async (id: string, status: string) => eventually(async () => (await (await get(id)).json()).status === status, 10_000)

describe('one message', () => {
  it('is checked, submitted once, followed to sent; its IO id, history and delivery are shown', async () => {
    const accepted = await post(
      aMessage({
        reference: 'pratica-42',
        service: 'tributi',
        dueDate: '2026-12-31T23:00:00.000Z',
        payment: { noticeNumber: '301000000000000042', amount: 5400, invalidAfterDueDate: true },
      }),
    )
    expect(accepted.status).toBe(202)
    const { id, status } = await accepted.json()
    expect(status).toBe('queued')
    expect(accepted.headers.get('location')).toBe(`${messages}/${id}`)
    await settled(id, 'sent')
    const message = await (await get(id)).json()
    expect(message).toMatchObject({
      service: 'tributi',
      reference: 'pratica-42',
      ioMessageId: expect.any(String),
      payment: { noticeNumber: '301000000000000042', amount: 5400, invalidAfterDueDate: true },
      delivery: { status: 'succeeded' },
    })
    expect(message.history.map((h: { status: string }) => h.status)).toEqual(['queued', 'submitted', 'sent'])
    const submitted = io.accepted.filter((m) => m.id === message.ioMessageId)
    expect(submitted).toHaveLength(1)
    expect(submitted[0]?.body.content).toMatchObject({
      due_date: '2026-12-31T23:00:00.000Z',
      payment_data: { amount: 5400, notice_number: '301000000000000042', invalid_after_due_date: true, payee: { fiscal_code: '00000000001' } },
    })
    const events = (await t.deps.events.read('comune-a', { limit: 500, types: new Set(['message.sent']) })).items
    expect(events.map((e) => e.data)).toContainEqual(expect.objectContaining({ messageId: id, reference: 'pratica-42', status: 'sent' }))
  })

  it('an accept that stopped between the record and its delivery is finished by the same accept again: sent once', async () => {
    const id = newMessageId()
    const request = { id, ...aMessage({ subject: 'Accettazione ripresa' }), service: 'generale' }
    const failingOnce = { ...t.deps.engine, enqueue: () => Promise.reject(new Error('Redis went away')) }
    await expect(acceptMessages({ ...t.deps, engine: failingOnce }, 'comune-a', [request])).rejects.toThrow('Redis went away')
    expect((await (await get(id)).json()).delivery).toBeUndefined()
    await acceptMessages(t.deps, 'comune-a', [request])
    await settled(id, 'sent')
    await acceptMessages(t.deps, 'comune-a', [request]) // and again: nothing changes, nothing is sent twice
    const message = await (await get(id)).json()
    expect(io.accepted.filter((m) => m.id === message.ioMessageId)).toHaveLength(1)
    expect(message.history.map((h: { status: string }) => h.status)).toEqual(['queued', 'submitted', 'sent'])
  })

  it.each([
    ['not on IO', appioTestCitizens.notOnIo, 'not on App IO'],
    ['sender not allowed', appioTestCitizens.senderNotAllowed, 'does not accept messages'],
  ])('%s → rejected with the reason, a business outcome: nothing submitted, no retry, not dead', async (_, fiscalCode, reason) => {
    const before = io.accepted.length
    const { id } = await (await post(aMessage({ fiscalCode }))).json()
    await settled(id, 'rejected')
    const message = await (await get(id)).json()
    expect(message.history.at(-1).detail).toContain(reason)
    expect(message.delivery).toMatchObject({ status: 'succeeded', attemptCount: 1 })
    expect(io.accepted.length).toBe(before)
  })

  it('IO ending REJECTED after submit → rejected; 429 honours Retry-After, then dead → failed with message.failed', async () => {
    const rejected = (await (await post(aMessage({ fiscalCode: appioTestCitizens.endsRejected }))).json()).id
    await settled(rejected, 'rejected')
    const throttled = (await (await post(aMessage({ subject: `Scadenza ${appioMagicSubjects.rateLimited}` }))).json()).id
    await settled(throttled, 'failed')
    const message = await (await get(throttled)).json()
    const [first, second] = message.delivery.attempts
    expect(first).toMatchObject({ outcome: 'failed', errorKind: 'rate_limited', upstreamStatus: 429 })
    expect(Date.parse(first.nextTryAt) - Date.parse(first.at)).toBeGreaterThanOrEqual(1_000)
    expect(second).toMatchObject({ outcome: 'failed', errorKind: 'rate_limited' })
    expect(message.delivery.status).toBe('dead')
    const failed = (await t.deps.events.read('comune-a', { limit: 500, types: new Set(['message.failed']) })).items
    expect(failed.map((e) => e.data.messageId)).toContain(throttled)
  })
})

describe('bad input: 400 with the field, nothing queued', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['subject of 9 characters', { subject: 'x'.repeat(9) }, 'subject'],
    ['subject of 121 characters', { subject: 'x'.repeat(121) }, 'subject'],
    ['markdown of 79 characters', { markdown: 'x'.repeat(79) }, 'markdown'],
    ['markdown of 10,001 characters', { markdown: 'x'.repeat(10_001) }, 'markdown'],
    ['a lower-case fiscal code', { fiscalCode: 'rssmra85t10a562s' }, 'fiscalCode'],
    ['a fiscal code of another shape', { fiscalCode: 'RSSMRA85T10A562' }, 'fiscalCode'],
    ['a 17-digit notice number', { payment: { noticeNumber: '30100000000000004', amount: 100 } }, 'payment.noticeNumber'],
    ['aux digit 4', { payment: { noticeNumber: '401000000000000042', amount: 100 } }, 'payment.noticeNumber'],
    ['amount 0', { payment: { noticeNumber: '301000000000000042', amount: 0 } }, 'payment.amount'],
    ['amount over 9,999,999,999', { payment: { noticeNumber: '301000000000000042', amount: 10_000_000_000 } }, 'payment.amount'],
    ['a due date with an offset', { dueDate: '2026-12-31T23:00:00+01:00' }, 'dueDate'],
    ['a due date without time', { dueDate: '2026-12-31' }, 'dueDate'],
    ['an unknown service', { service: 'anagrafe' }, 'service'],
  ]
  it.each(cases)('%s', async (_, over, path) => {
    const before = io.accepted.length
    const problem = await expectProblem(await post(aMessage(over)), 400, 'validation_failed')
    expect(problem.errors?.map((e) => e.path)).toContain(path)
    expect(io.accepted.length).toBe(before)
  })

  it("a tenant without App IO → 422 platform_not_configured; another tenant's message → 404", async () => {
    const res = await t.app.request('/v1/tenants/comune-b/messages', await signedInit(t.clients.other, { body: aMessage() }))
    await expectProblem(res, 422, 'platform_not_configured')
    const { id } = await (await post(aMessage())).json()
    await expectProblem(await get(id, t.clients.other, 'comune-b'), 404, 'not_found')
  })
})
