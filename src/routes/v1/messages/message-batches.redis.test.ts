// Message batches through the whole app against the App IO simulator: per-line errors, exact counts,
// per-recipient outcomes, cancellation.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../../../../test/support/contract.ts'
import { signedInit } from '../../../../test/support/signed.ts'
import { createTestApp, type TestApp } from '../../../../test/support/test-app.ts'
import { eventually } from '../../../../test/support/webhook-receiver.ts'
import { type AppIoSimulator, createAppIoSimulator } from '../../../adapters/appio/simulator/app.ts'
import { appioTestCitizens } from '../../../adapters/appio/simulator/citizens.ts'
import { createSimulatorContext, type RunningSimulator, startSimulator } from '../../../adapters/simulator/harness.ts'
import { startWorkers } from '../../../workers.ts'

let t: TestApp
let io: AppIoSimulator
let running: RunningSimulator
let workers: { close(): Promise<void> } | undefined

beforeAll(async () => {
  process.env.TEST_BATCH_IO_KEY = 'batch-key'
  io = createAppIoSimulator(createSimulatorContext({ idPrefix: 'io-' }), { services: [{ apiKey: 'batch-key' }] })
  running = await startSimulator(io.app)
  t = await createTestApp({
    tenantOverrides: {
      platforms: {
        appio: { enabled: true, baseUrl: `${running.url}/api/v1`, services: [{ name: 'generale', apiKey: 'env:TEST_BATCH_IO_KEY', default: true }] },
      },
    },
  })
})
afterAll(async () => {
  await workers?.close()
  await t.close()
  await running.close()
})

const base = '/v1/tenants/comune-a/message-batches'
const template = {
  subject: 'Avviso TARI per {{name}}',
  markdown: `Gentile {{name}}, è disponibile l'avviso TARI {{year}}. ${'Lo trova nella sua area personale del portale. '.repeat(2)}`,
}

async function call(method: string, path: string, template: string, body?: object) {
  const res = await t.app.request(path, await signedInit(t.clients.portal, { method, body }))
  await expectConforms(res, method, template)
  return res
}

it('reports broken lines, sends the good ones once each, and counts every outcome exactly', async () => {
  const good = Array.from({ length: 12 }, (_, i) => `IOUSER00A00Y${String(100 + i).padStart(3, '0')}X,Utente ${i},2026`)
  const csv = [
    'fiscalCode,name,year',
    ...good,
    `${appioTestCitizens.notOnIo},Assente,2026`,
    `${appioTestCitizens.senderNotAllowed},Bloccato,2026`,
    'not-a-code,Rotto,2026',
    'IOUSER00A00Y200X,Troppi,2026,extra',
    '"IOUSER00A00Y201X,Aperto',
  ].join('\n')
  const res = await call('POST', base, '/v1/tenants/{tenantId}/message-batches', { template, format: 'csv', recipients: csv })
  expect(res.status).toBe(202)
  const batch = await res.json()
  expect(batch.counts).toMatchObject({ total: 14, invalid: 3 })
  expect(batch.errors.map((e: { line: number }) => e.line)).toEqual([16, 17, 18])

  workers = await startWorkers(t.deps)
  const path = `${base}/${batch.id}`
  await eventually(async () => (await (await call('GET', path, '/v1/tenants/{tenantId}/message-batches/{batchId}')).json()).status === 'completed', 15_000)
  const done = await (await call('GET', path, '/v1/tenants/{tenantId}/message-batches/{batchId}')).json()
  expect(done.counts).toEqual({ total: 14, invalid: 3, queued: 0, sent: 12, rejected: 2, failed: 0, cancelled: 0 })
  const submitted = io.accepted.filter((m) => m.body.content.subject.startsWith('Avviso TARI'))
  expect(submitted).toHaveLength(12)
  expect(new Set(submitted.map((m) => m.fiscalCode)).size).toBe(12)
  expect(submitted[0]?.body.content.subject).toBe('Avviso TARI per Utente 0')

  const rejected = await (await call('GET', `${path}/recipients?status=rejected`, '/v1/tenants/{tenantId}/message-batches/{batchId}/recipients')).json()
  expect(rejected.items.map((r: { line: number; fiscalCode: string }) => [r.line, r.fiscalCode])).toEqual([
    [14, appioTestCitizens.notOnIo],
    [15, appioTestCitizens.senderNotAllowed],
  ])
  const page = await (await call('GET', `${path}/recipients?limit=5`, '/v1/tenants/{tenantId}/message-batches/{batchId}/recipients')).json()
  expect(page.items).toHaveLength(5)
  const rest = await (
    await call('GET', `${path}/recipients?limit=500&cursor=${page.nextCursor}`, '/v1/tenants/{tenantId}/message-batches/{batchId}/recipients')
  ).json()
  expect([...page.items, ...rest.items].map((r: { line: number }) => r.line)).toEqual(Array.from({ length: 14 }, (_, i) => i + 2))
  await expectProblem(await call('POST', `${path}/cancel`, '/v1/tenants/{tenantId}/message-batches/{batchId}/cancel'), 409, 'batch_not_cancellable')
})

it('cancels what has not been sent yet', async () => {
  await workers?.close()
  workers = undefined
  const jsonl = Array.from({ length: 30 }, (_, i) => JSON.stringify({ fiscalCode: `IOUSER00A00Y${String(300 + i)}X`, name: `U${i}`, year: '2027' })).join('\n')
  const batch = await (await call('POST', base, '/v1/tenants/{tenantId}/message-batches', { template, format: 'jsonl', recipients: jsonl })).json()
  const cancelled = await (await call('POST', `${base}/${batch.id}/cancel`, '/v1/tenants/{tenantId}/message-batches/{batchId}/cancel')).json()
  expect(cancelled.cancelledAt).toEqual(expect.any(String))
  workers = await startWorkers(t.deps)
  const path = `${base}/${batch.id}`
  await eventually(async () => (await (await call('GET', path, '/v1/tenants/{tenantId}/message-batches/{batchId}')).json()).status === 'cancelled', 15_000)
  const done = await (await call('GET', path, '/v1/tenants/{tenantId}/message-batches/{batchId}')).json()
  expect(done.counts).toMatchObject({ total: 30, cancelled: 30, sent: 0, queued: 0 })
  expect(io.accepted.filter((m) => m.body.content.markdown.includes('TARI 2027'))).toHaveLength(0)
})

it('no good line → 400 listing each broken line; JSON lines report their own errors', async () => {
  const problem = await expectProblem(
    await call('POST', base, '/v1/tenants/{tenantId}/message-batches', {
      template,
      format: 'jsonl',
      recipients: '{"fiscalCode":"nope"}\n{broken\n{"fiscalCode":"IOUSER00A00Y001X"}',
    }),
    400,
    'validation_failed',
  )
  expect(problem.errors).toEqual([
    { path: 'recipients.line.1', message: 'fiscalCode is not a valid fiscal code' },
    { path: 'recipients.line.2', message: 'not valid JSON' },
    { path: 'recipients.line.3', message: 'no value for name, year' },
  ])
  await expectProblem(
    await call('POST', base, '/v1/tenants/{tenantId}/message-batches', {
      template: { ...template, service: 'tributi' },
      format: 'csv',
      recipients: 'fiscalCode\nIOUSER00A00Y001X',
    }),
    400,
    'validation_failed',
  )
})
