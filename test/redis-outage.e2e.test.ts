// Redis gone for a few seconds while the worker is in the middle of payments and App IO messages
// (issue 14, defect 3): a redis-server of the test's own (AOF) is killed under load and started again
// 3 s later, GPD and App IO simulators on loopback. Nothing ends failed or dead for it, no status goes
// backwards, every event is there, and IO got each message once (a second copy only where flagged).
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type AppIoSimulator, createAppIoSimulator } from '../src/adapters/appio/simulator/app.ts'
import { createGpdSimulator, type GpdSimulator } from '../src/adapters/pagopa/simulator/gpd-app.ts'
import { createSimulatorContext, type RunningSimulator, startSimulator } from '../src/adapters/simulator/harness.ts'
import type { TenantConfig } from '../src/config/schema.ts'
import type { Deps } from '../src/deps.ts'
import { acceptMessages } from '../src/messages/accept-message.ts'
import { acceptPayment } from '../src/payments/accept-payment.ts'
import { startWorkers } from '../src/workers.ts'
import { createDeliveryDeps, waitFor } from './support/delivery-deps.ts'
import { type RedisServer, startRedisServer } from './support/redis-server.ts'

const messageCount = 80
const paymentCount = 30

let redis: RedisServer
let harness: Awaited<ReturnType<typeof createDeliveryDeps>>
let deps: Deps
let io: AppIoSimulator
let gpd: GpdSimulator
const running: RunningSimulator[] = []
let workers: { close(): Promise<void> } | undefined

beforeAll(async () => {
  process.env.TEST_OUTAGE_KEY = 'outage-key'
  redis = await startRedisServer({ appendonly: 'yes', appendfsync: 'always', 'maxmemory-policy': 'noeviction' })
  // IO keeps each message ACCEPTED for a while, so many are being followed when Redis goes.
  io = createAppIoSimulator(createSimulatorContext({ idPrefix: 'io-' }), {
    services: [{ apiKey: 'outage-key', organizationFiscalCode: '00000000001' }],
    processingDelayMs: 1_500,
  })
  gpd = createGpdSimulator(createSimulatorContext({ idPrefix: 'gpd-' }), { keys: [{ key: 'outage-key', organizations: '*' }] })
  running.push(await startSimulator(io.app), await startSimulator(gpd.app))
  const [ioUrl, gpdUrl] = running.map((r) => r.url)
  const quick = {
    retry: { scheduleMs: [200, 400, 800, 1000, 1000, 1000], floorAfterThrottleMs: 200 },
    timeoutMs: 2_000,
    circuit: { failureThreshold: 100_000, cooldownMs: 500 },
  }
  harness = await createDeliveryDeps({
    redisUrl: redis.url,
    delivery: { lockMs: 3_000, targets: { appio: quick, pagopa: quick } },
    platforms: {
      pagopa: {
        enabled: true,
        mode: 'gpd',
        baseUrl: gpdUrl,
        subscriptionKey: 'env:TEST_OUTAGE_KEY',
        idBrokerPA: '00000000001',
        idStation: '00000000001_01',
        segregationCode: '01',
        defaultTransfer: { iban: 'IT60X0542811101000000123456', category: '9/0101108TS/' },
      },
      appio: { enabled: true, baseUrl: `${ioUrl}/api/v1`, services: [{ name: 'tributi', apiKey: 'env:TEST_OUTAGE_KEY', default: true }] },
    },
  })
  deps = harness.deps
})

afterAll(async () => {
  await workers?.close()
  await harness?.close()
  for (const r of running) await r.close()
  await redis?.stop()
})

it('a Redis outage of seconds under load: nothing failed or dead, no state backwards, every event, IO once each', { timeout: 120_000 }, async () => {
  const tenant = deps.tenants.get('comune-a') as TenantConfig
  const markdown = `Gentile cittadino, ${'le ricordiamo la scadenza del pagamento della TARI. '.repeat(2)}`
  const messageIds = Array.from({ length: messageCount }, () => `msg_${randomUUID().replaceAll('-', '')}`)
  await acceptMessages(
    deps,
    'comune-a',
    messageIds.map((id, i) => ({
      id,
      fiscalCode: `IOUSER00A00Y${String(i).padStart(3, '0')}X`,
      subject: `Avviso ${id.slice(-12)}`,
      markdown,
      service: 'tributi',
    })),
  )
  const paymentIds: string[] = []
  for (let i = 0; i < paymentCount; i++)
    paymentIds.push(
      (
        await acceptPayment(deps, tenant, {
          debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' },
          amountCents: 1000 + i,
          description: `TARI ${i}`,
        })
      ).id,
    )

  workers = await startWorkers(deps)
  // Redis goes while messages are being submitted and followed, and payments published.
  await waitFor(() => io.accepted.length >= messageCount / 4, 20_000, 5)
  await redis.kill('SIGKILL')
  await new Promise((resolve) => setTimeout(resolve, 3_000))
  await redis.restart()

  const messages = () => Promise.all(messageIds.map((id) => deps.messages.get(id)))
  const payments = () => Promise.all(paymentIds.map((id) => deps.payments.get(id)))
  const final = new Set(['sent', 'rejected', 'failed', 'cancelled'])
  // The delivery records finish just after their resources: both are waited for.
  const settled = async () => {
    const [ms, ps] = [await messages(), await payments()]
    if (!ms.every((m) => m && final.has(m.status)) || !ps.every((p) => p && p.status !== 'queued')) return false
    const ds = await Promise.all([...ms, ...ps].map((r) => deps.deliveries.get(r?.data.deliveryId as string)))
    return ds.every((d) => d && d.status !== 'in_progress' && d.status !== 'queued' && d.status !== 'retrying')
  }
  await waitFor(settled, 90_000, 250)

  const ms = await messages()
  const ps = await payments()
  const deliveries = await Promise.all(
    [...ms.map((m) => m?.data.deliveryId), ...ps.map((p) => p?.data.deliveryId)].map((id) => deps.deliveries.get(id as string)),
  )
  const feed = (await deps.events.read('comune-a', { limit: 10_000 })).items
  const told = (type: string, field: string) =>
    new Map(feed.filter((e) => e.type === type).map((e) => [e.data[field], feed.filter((x) => x.type === type && x.data[field] === e.data[field]).length]))
  const sentEvents = told('message.sent', 'messageId')
  const publishedEvents = told('payment.published', 'paymentId')
  const copies = ms.map((m) => io.accepted.filter((a) => a.body.content.subject === m?.data.subject).length)
  const flagged = ms.filter((m) => m?.fields.uncertainSend).length
  console.log(
    `Redis outage: ${messageCount} messages (${copies.filter((c) => c > 1).length} sent twice, ${flagged} flagged uncertain), ${paymentCount} payments; deliveries retried for Redis: ${deliveries.filter((d) => d?.attemptCount && d.attemptCount > 1).length}`,
  )

  expect(ms.filter((m) => m?.status !== 'sent').map((m) => [m?.id, m?.status, m?.history.at(-1)?.detail])).toEqual([])
  expect(
    ps.filter((p) => p?.status !== 'published' || p.history.some((h) => h.status === 'failed')).map((p) => [p?.id, p?.history.map((h) => h.status)]),
  ).toEqual([])
  expect(deliveries.filter((d) => d?.status !== 'succeeded').map((d) => [d?.id, d?.status, d?.lastError?.message])).toEqual([])
  expect(ms.filter((m) => sentEvents.get(m?.id) !== 1).map((m) => m?.id)).toEqual([])
  expect(ps.filter((p) => publishedEvents.get(p?.id) !== 1).map((p) => p?.id)).toEqual([])
  expect(feed.filter((e) => e.type === 'message.failed' || e.type === 'delivery.dead')).toEqual([])
  // A second copy at IO only where the message says so (an attempt cut off between IO's answer and keeping it).
  expect(ms.filter((m, i) => (copies[i] as number) > 1 && !m?.fields.uncertainSend).map((m) => m?.id)).toEqual([])
  expect(ps.map((p) => gpd.positions.has(`00000000001/${p?.data.iupd}`))).toEqual(ps.map(() => true))
})
