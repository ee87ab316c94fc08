// A worker stopped between a resource's change of status and its event (issue 14, defect 4): the
// delivery's handler is called as the worker would, its first publish of the event failing as a
// process killed there stops (the move is written, the event is not), then called again as the job
// taken over after the crash is. The retry must tell what is missing — the event, its webhook
// delivery, the follow-ups — once. And an IO submit whose answer is lost (defect 6): the retry sends
// again, flagged uncertainSend, as the simulator's accepted log shows.
import { createHash, randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AppIoPort } from '../src/adapters/appio/port.ts'
import { type AppIoSimulator, createAppIoSimulator } from '../src/adapters/appio/simulator/app.ts'
import { appioTestCitizens } from '../src/adapters/appio/simulator/citizens.ts'
import { createGpdSimulator, type GpdSimulator } from '../src/adapters/pagopa/simulator/gpd-app.ts'
import { createSimulatorContext, type RunningSimulator, startSimulator } from '../src/adapters/simulator/harness.ts'
import type { TenantConfig } from '../src/config/schema.ts'
import { UpstreamError } from '../src/errors.ts'
import type { EventType } from '../src/events/event-types.ts'
import { acceptMessages } from '../src/messages/accept-message.ts'
import { createMessageSender } from '../src/messages/deliver-message.ts'
import { acceptPayment } from '../src/payments/accept-payment.ts'
import { createCancellationSender, createPositionSender } from '../src/payments/deliver-position.ts'
import { createPaymentFlow } from '../src/payments/payment-flow.ts'
import { createPracticeRegistrar } from '../src/practices/register-practice.ts'
import type { Delivery } from '../src/queues/delivery.ts'
import { deliveryIdFor } from '../src/queues/engine.ts'
import type { DeliveryHandler } from '../src/queues/run-delivery.ts'
import { createBackofficeTestApp, startProtocollo } from './support/backoffice-app.ts'
import { signedInit } from './support/signed.ts'
import type { TestApp } from './support/test-app.ts'

let t: TestApp
let io: AppIoSimulator
let gpd: GpdSimulator
const running: RunningSimulator[] = []
let endpointId: string

beforeAll(async () => {
  process.env.TEST_LOST_KEY = 'lost-key'
  io = createAppIoSimulator(createSimulatorContext({ idPrefix: 'io-' }), { services: [{ apiKey: 'lost-key', organizationFiscalCode: '00000000001' }] })
  gpd = createGpdSimulator(createSimulatorContext({ idPrefix: 'gpd-' }), { keys: [{ key: 'lost-key', organizations: '*' }] })
  const [ioRunning, gpdRunning] = [await startSimulator(io.app), await startSimulator(gpd.app)]
  const protocollo = await startProtocollo()
  running.push(ioRunning, gpdRunning, protocollo.running)
  t = await createBackofficeTestApp(
    { ...protocollo.settings, services: [{ serviceCode: 'SUAP-01', name: 'SUAP', routing: { mode: 'pull' } }] },
    {
      platforms: {
        pagopa: {
          enabled: true,
          mode: 'gpd',
          baseUrl: gpdRunning.url,
          subscriptionKey: 'env:TEST_LOST_KEY',
          idBrokerPA: '00000000001',
          idStation: '00000000001_01',
          segregationCode: '01',
          defaultTransfer: { iban: 'IT60X0542811101000000123456', category: '9/0101108TS/' },
        },
        appio: { enabled: true, baseUrl: `${ioRunning.url}/api/v1`, services: [{ name: 'tributi', apiKey: 'env:TEST_LOST_KEY', default: true }] },
      } as Partial<TenantConfig['platforms']>,
    },
  )
  // The portal's endpoint: every event told must have its webhook delivery.
  endpointId = (
    await t.deps.endpoints.create('comune-a', {
      url: 'https://portale.example/hooks',
      events: ['payment.published', 'payment.cancelled', 'message.sent', 'practice.registered'],
      description: 'portal',
    })
  ).id
})
afterEach(() => void vi.restoreAllMocks())
afterAll(async () => {
  await t.close()
  for (const r of running) await r.close()
})

const tenant = () => t.deps.tenants.get('comune-a') as TenantConfig
const options = (attempt: number) => ({ timeoutMs: 5_000, attempt })
const deliveryOf = async (id: string) => (await t.deps.deliveries.get(id)) as Delivery

/** The next publish of `type` fails as a process killed right after the move would: the move is kept, the event never written. */
function stopBeforeTelling(type: EventType) {
  const publish = t.deps.events.publish.bind(t.deps.events)
  let stopped = false
  vi.spyOn(t.deps.events, 'publish').mockImplementation(async (...args) => {
    if (args[1] === type && !stopped) {
      stopped = true
      throw new Error('the process stopped here')
    }
    return publish(...args)
  })
}

/** The events of `type` about `key` (a data field's value) on comune-a's feed, each with whether its webhook delivery exists. */
async function told(type: EventType, field: string, value: string) {
  const events = (await t.deps.events.read('comune-a', { limit: 1000, types: new Set([type]) })).items.filter((e) => e.data[field] === value)
  return Promise.all(
    events.map(async (e) => ({ type: e.type, webhook: (await t.deps.deliveries.get(deliveryIdFor(`webhook|${e.id}|${endpointId}`)))?.target })),
  )
}

/** The handler's send as the worker runs it, then once more as the job taken over after the stop runs it. */
async function stoppedThenRetried(handler: DeliveryHandler, d: Delivery, type: EventType) {
  stopBeforeTelling(type)
  await expect(handler.send(d, options(1))).rejects.toThrow('the process stopped here')
  return handler.send(await deliveryOf(d.id), options(2))
}

describe('a worker stopped between the move and its event', () => {
  const pagopa = () => ({ ...t.deps, outcomes: t.deps.paymentOutcomes })
  const aPayment = async () =>
    (
      await acceptPayment(t.deps, tenant(), {
        debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' },
        amountCents: 5400,
        description: 'TARI 2026',
        notifyIo: { service: 'tributi' },
      })
    ).id

  it('payment published: the retry tells payment.published, its webhook and the IO notice, once; GPD got one position', async () => {
    const id = await aPayment()
    const payment = await t.deps.payments.get(id)
    await stoppedThenRetried(createPositionSender(pagopa()), await deliveryOf(payment?.data.deliveryId as string), 'payment.published')
    const now = await t.deps.payments.get(id)
    expect(now?.history.map((h) => h.status)).toEqual(['queued', 'published'])
    expect(await told('payment.published', 'paymentId', id)).toEqual([{ type: 'payment.published', webhook: 'webhooks' }])
    // The citizen's notice on IO: accepted once (one message id per payment and step).
    const notice = `msg_${createHash('sha256').update(`${id}|published`).digest('hex').slice(0, 32)}`
    expect((await t.deps.messages.get(notice))?.data.reference).toBe(`${id}#published`)
    expect([...gpd.positions.keys()].filter((k) => k.endsWith(now?.data.iupd as string))).toHaveLength(1)
  })

  it('payment cancelled: the retry tells payment.cancelled and its webhook', async () => {
    const id = await aPayment()
    const payment = await t.deps.payments.get(id)
    await createPositionSender(pagopa()).send(await deliveryOf(payment?.data.deliveryId as string), options(1))
    await t.deps.paymentFlow.cancel(tenant(), id)
    const cancellation = deliveryIdFor(`gpd-invalidate|comune-a|${payment?.data.iupd}`)
    await stoppedThenRetried(createCancellationSender(pagopa()), await deliveryOf(cancellation), 'payment.cancelled')
    expect((await t.deps.payments.get(id))?.status).toBe('cancelled')
    expect(await told('payment.cancelled', 'paymentId', id)).toEqual([{ type: 'payment.cancelled', webhook: 'webhooks' }])
  })

  it('payment paid (a receipt in full): the nodo sending the receipt again gets payment.paid told', async () => {
    const id = await aPayment()
    const payment = await t.deps.payments.get(id)
    await createPositionSender(pagopa()).send(await deliveryOf(payment?.data.deliveryId as string), options(1))
    const published = await t.deps.station.paymentByNotice('comune-a', payment?.data.noticeNumber as string)
    const receipt = {
      receiptId: `rt-${id.slice(-8)}`,
      noticeNumber: payment?.data.noticeNumber as string,
      creditorReferenceId: payment?.data.iuv as string,
      amountCents: 5400,
      outcome: 'OK' as const,
      pspId: 'psp',
      pspName: 'PSP',
      version: 'paSendRTV2' as const,
    }
    stopBeforeTelling('payment.paid')
    await expect(t.deps.station.recordReceipt(published as NonNullable<typeof published>, receipt)).rejects.toThrow('the process stopped here')
    const paid = await t.deps.station.paymentByNotice('comune-a', receipt.noticeNumber)
    expect(await t.deps.station.recordReceipt(paid as NonNullable<typeof paid>, receipt)).toBe('duplicate')
    expect((await t.deps.events.read('comune-a', { limit: 1000, types: new Set(['payment.paid']) })).items.filter((e) => e.data.paymentId === id)).toHaveLength(
      1,
    )
  })

  it('payment expired: the read after a stop between the move and payment.expired tells it, once', async () => {
    const expiresAt = new Date(Date.now() + 60_000).toISOString()
    const { id } = await acceptPayment(t.deps, tenant(), {
      debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' },
      amountCents: 1200,
      description: 'Mensa',
      expiresAt,
    })
    const later = new Date(Date.now() + 120_000)
    const expiring = createPaymentFlow({ ...t.deps, outcomes: t.deps.paymentOutcomes, clock: () => later })
    const failing = createPaymentFlow({
      ...t.deps,
      outcomes: { ...t.deps.paymentOutcomes, expired: async () => Promise.reject(new Error('the process stopped here')) },
      clock: () => later,
    })
    await expect(failing.paymentOf('comune-a', id)).rejects.toThrow('the process stopped here')
    expect((await t.deps.payments.get(id))?.status).toBe('expired')
    expect(
      (await t.deps.events.read('comune-a', { limit: 1000, types: new Set(['payment.expired']) })).items.filter((e) => e.data.paymentId === id),
    ).toHaveLength(0)
    await expiring.paymentOf('comune-a', id)
    await expiring.paymentOf('comune-a', id)
    expect(
      (await t.deps.events.read('comune-a', { limit: 1000, types: new Set(['payment.expired']) })).items.filter((e) => e.data.paymentId === id),
    ).toHaveLength(1)
  })

  it('message sent: the retry tells message.sent and its webhook; IO got it once', async () => {
    const id = `msg_${randomUUID().replaceAll('-', '')}`
    await acceptMessages(t.deps, 'comune-a', [
      {
        id,
        fiscalCode: appioTestCitizens.onIo,
        subject: 'Pratica registrata',
        markdown: `Gentile cittadino, ${'la sua pratica è stata registrata. '.repeat(3)}`,
        service: 'tributi',
      },
    ])
    const message = await t.deps.messages.get(id)
    await stoppedThenRetried(createMessageSender(t.deps), await deliveryOf(message?.data.deliveryId as string), 'message.sent')
    const now = await t.deps.messages.get(id)
    expect(now?.history.map((h) => h.status)).toEqual(['queued', 'submitted', 'sent'])
    expect(await told('message.sent', 'messageId', id)).toEqual([{ type: 'message.sent', webhook: 'webhooks' }])
    expect(io.accepted.filter((m) => m.id === now?.fields.ioMessageId)).toHaveLength(1)
  })

  it('practice registered, then taken in charge before the retry: the retry still tells practice.registered', async () => {
    const bytes = Buffer.from('%PDF-1.4 domanda')
    const document = {
      name: 'domanda.pdf',
      contentType: 'application/pdf',
      contentBase64: bytes.toString('base64'),
      sha256: createHash('sha256').update(bytes).digest('hex'),
    }
    const body = {
      serviceCode: 'SUAP-01',
      applicant: { fiscalCode: 'RSSMRA80A01H501U', givenName: 'Mario', familyName: 'Rossi' },
      subject: 'Domanda di contributo',
      data: {},
      attachments: [document],
      channel: 'online',
      submittedAt: '2026-11-23T10:00:00+01:00',
    }
    const accepted = await t.app.request('/v1/tenants/comune-a/practices', await signedInit(t.clients.portal, { method: 'POST', body }))
    expect(accepted.status).toBe(202)
    const { id } = await accepted.json()
    const registrar = createPracticeRegistrar({ ...t.deps, messages: t.deps.practiceMessages })
    const d = await deliveryOf((await t.deps.practices.get(id))?.data.deliveryId as string)
    stopBeforeTelling('practice.registered')
    await expect(registrar.send(d, options(1))).rejects.toThrow('the process stopped here')
    // The office pulls it and takes it in charge before the worker's job is taken over.
    await t.deps.practices.transition(id, 'taken_in_charge', { detail: 'in carico' })
    await registrar.send(await deliveryOf(d.id), options(2))
    expect(await told('practice.registered', 'practiceId', id)).toEqual([{ type: 'practice.registered', webhook: 'webhooks' }])
  })
})

describe('an IO submit whose answer is lost', () => {
  const aMessage = async () => {
    const id = `msg_${randomUUID().replaceAll('-', '')}`
    await acceptMessages(t.deps, 'comune-a', [
      {
        id,
        fiscalCode: appioTestCitizens.onIo,
        subject: `Avviso ${id.slice(-8)}`,
        markdown: `Gentile cittadino, ${'le ricordiamo la scadenza del pagamento. '.repeat(3)}`,
        service: 'tributi',
      },
    ])
    return (await t.deps.messages.get(id)) as NonNullable<Awaited<ReturnType<typeof t.deps.messages.get>>>
  }
  /** IO's port, its submit answered by `after` once IO has (or has not) accepted the message. */
  const withSubmit = (submit: (real: AppIoPort['submit'], ...args: Parameters<AppIoPort['submit']>) => ReturnType<AppIoPort['submit']>) => {
    let first = true
    return createMessageSender({
      ...t.deps,
      appio: (tenant) => {
        const port = t.deps.appio(tenant)
        return { ...port, submit: (...args) => (first ? ((first = false), submit(port.submit.bind(port), ...args)) : port.submit(...args)) }
      },
    })
  }
  const acceptedFor = (subject: string) => io.accepted.filter((m) => m.body.content.subject === subject)

  it('IO took it and the connection dropped: the retry cannot know, sends again and flags uncertainSend on the message and the attempt', async () => {
    const message = await aMessage()
    const sender = withSubmit(async (real, ...args) => {
      await real(...args)
      throw new UpstreamError({ kind: 'timeout', platform: 'appio', message: 'submitMessage: no answer within 5000 ms' })
    })
    const d = await deliveryOf(message.data.deliveryId)
    await expect(sender.send(d, options(1))).rejects.toThrow('no answer')
    const retried = await sender.send(await deliveryOf(d.id), options(2))
    expect(retried).toMatchObject({ uncertainSend: true })
    const now = await t.deps.messages.get(message.id)
    expect([now?.status, now?.fields.uncertainSend]).toEqual(['sent', 'true'])
    expect(now?.history.find((h) => h.status === 'submitted')?.detail).toMatch(/sent again/)
    // Two at IO: the residual a lost answer costs, flagged — never silent, never lost.
    expect(acceptedFor(message.data.subject).map((m) => m.id)).toEqual([expect.any(String), now?.fields.ioMessageId])
  })

  it('IO answered 503: nothing was taken, so the retry sends once more without a flag', async () => {
    const message = await aMessage()
    const sender = withSubmit(async () => {
      throw new UpstreamError({ kind: 'unavailable', platform: 'appio', message: 'submitMessage answered 503', upstreamStatus: 503 })
    })
    const d = await deliveryOf(message.data.deliveryId)
    await expect(sender.send(d, options(1))).rejects.toThrow('503')
    const retried = await sender.send(await deliveryOf(d.id), options(2))
    expect(retried.uncertainSend).toBeUndefined()
    const now = await t.deps.messages.get(message.id)
    expect([now?.status, now?.fields.uncertainSend]).toEqual(['sent', undefined])
    expect(acceptedFor(message.data.subject)).toHaveLength(1)
  })
})

describe('a dead delivery replayed is one more real attempt (issue 23)', () => {
  it('GPD refused the key: the payment fails; the key fixed and the delivery replayed, GPD gets the position and the payment is published', async () => {
    const id = (
      await acceptPayment(t.deps, tenant(), {
        debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' },
        amountCents: 700,
        description: 'Replay',
      })
    ).id
    const payment = await t.deps.payments.get(id)
    const sender = createPositionSender({ ...t.deps, outcomes: t.deps.paymentOutcomes })
    const d = await deliveryOf(payment?.data.deliveryId as string)
    process.env.TEST_LOST_KEY = 'a-wrong-key'
    const refused = await sender.send(d, options(1)).catch((error: unknown) => error)
    expect(refused).toMatchObject({ kind: 'unauthorized' })
    await sender.onDead?.(d, { kind: 'unauthorized', message: 'GPD 401' })
    expect((await t.deps.payments.get(id))?.status).toBe('failed')

    process.env.TEST_LOST_KEY = 'lost-key'
    await sender.send({ ...d, replays: 1 }, options(2))
    const now = await t.deps.payments.get(id)
    expect(now?.status).toBe('published')
    expect(now?.history.map((h) => h.status)).toEqual(['queued', 'failed', 'queued', 'published'])
    expect(gpd.positions.has(`00000000001/${now?.data.iupd}`)).toBe(true)
  })
})
