// Practices through the whole app with workers, against the sandbox's DOCAREA-shaped protocollo
// simulator over loopback and App IO: submit → registered → pulled and acked → each status the
// office reports, told to the portal and to the citizen; the citizen's timeline shows it all.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackofficeTestApp, startProtocollo } from '../../../../test/support/backoffice-app.ts'
import { expectConforms, expectProblem } from '../../../../test/support/contract.ts'
import { signedInit } from '../../../../test/support/signed.ts'
import type { TestApp } from '../../../../test/support/test-app.ts'
import { eventually, startWebhookReceiver, type WebhookReceiver } from '../../../../test/support/webhook-receiver.ts'
import { type AppIoSimulator, createAppIoSimulator } from '../../../adapters/appio/simulator/app.ts'
import type { ProtocolloSimulator } from '../../../adapters/protocollo/simulator/app.ts'
import { protocolloMagicSubjects } from '../../../adapters/protocollo/simulator/magic.ts'
import { createSimulatorContext, type RunningSimulator, startSimulator } from '../../../adapters/simulator/harness.ts'
import { importSigningKey, signRequest } from '../../../client/index.ts'
import type { TenantConfig } from '../../../config/schema.ts'
import { acceptPractice, type PracticeRequest } from '../../../practices/accept-practice.ts'
import { startSweeper } from '../../../queues/sweeper.ts'
import { startWorkers } from '../../../workers.ts'

const citizen = 'IOUSER00A00Y007X'
let t: TestApp
let protocollo: ProtocolloSimulator
let io: AppIoSimulator
let running: RunningSimulator[]
let workers: { close(): Promise<void> }
let supplier: WebhookReceiver

beforeAll(async () => {
  const started = await startProtocollo({ slowMs: 2_000 })
  protocollo = started.protocollo
  io = createAppIoSimulator(createSimulatorContext({ idPrefix: 'io-' }), { services: [{ apiKey: 'prat-io-key' }] })
  running = [started.running, await startSimulator(io.app)]
  Object.assign(process.env, { TEST_PRAT_IO_KEY: 'prat-io-key' })
  t = await createBackofficeTestApp(
    {
      ...started.settings,
      services: [
        { serviceCode: 'SOC-01', name: 'Servizi sociali', routing: { mode: 'webhook', endpointId: 'set-in-beforeAll' } },
        {
          serviceCode: 'SUAP-01',
          name: 'SUAP',
          routing: { mode: 'pull' },
          messages: {
            accepted: {
              subject: 'Pratica {{subject}} accolta',
              markdown: `La pratica {{subject}} (protocollo {{number}}/{{year}}) è accolta. {{message}} ${'Grazie per aver usato il portale. '.repeat(2)}`,
            },
          },
        },
      ],
    },
    {
      platforms: {
        appio: { enabled: true, baseUrl: `${running[1]?.url}/api/v1`, services: [{ name: 'generale', apiKey: 'env:TEST_PRAT_IO_KEY', default: true }] },
      },
      config: { delivery: { targets: { backoffice: { retry: { scheduleMs: [200] }, timeoutMs: 3_000 } } }, webhooks: { allowedPrivate: ['127.0.0.1'] } },
    },
  )
  // The supplier of SOC-01 takes pushes: its endpoint exists only now, so the (plain data) routing is pointed at it.
  supplier = await startWebhookReceiver()
  const endpoint = await t.deps.endpoints.create('comune-a', { url: supplier.url, events: ['practice.forwarded'], description: 'servizi sociali' })
  supplier.secrets.push(endpoint.secrets[0]?.value as string)
  const soc = t.deps.tenants.get('comune-a')?.platforms.backoffice?.services.find((s) => s.serviceCode === 'SOC-01')
  if (soc) soc.routing = { mode: 'webhook', endpointId: endpoint.id }
  workers = await startWorkers(t.deps)
})
afterAll(async () => {
  await workers.close()
  await supplier.close()
  await t.close()
  for (const r of running) await r.close()
})

const practices = '/v1/tenants/comune-a/practices'
const pdf = Buffer.from('%PDF-1.4 domanda di accesso agli atti')
const aPractice = (over: Record<string, unknown> = {}) => ({
  serviceCode: 'SUAP-01',
  applicant: { fiscalCode: citizen, givenName: 'Maria', familyName: 'Bianchi', email: 'maria@example.it' },
  subject: 'Richiesta di accesso agli atti',
  data: { pratica: 'accesso atti', motivo: 'ricorso' },
  attachments: [
    { name: 'domanda.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64'), sha256: createHash('sha256').update(pdf).digest('hex') },
  ],
  channel: 'online',
  submittedAt: '2026-11-23T10:00:00+01:00',
  ...over,
})
async function call(method: string, path: string, template: string, body?: object, client = t.clients.portal) {
  const res = await t.app.request(path, await signedInit(client, { method, body }))
  await expectConforms(res, method, template)
  return res
}
const get = async (id: string) => (await call('GET', `${practices}/${id}`, '/v1/tenants/{tenantId}/practices/{practiceId}')).json()
const report = (id: string, body: object) => call('POST', `${practices}/${id}/status`, '/v1/tenants/{tenantId}/practices/{practiceId}/status', body)

describe('the whole practice', () => {
  it('is registered once at the protocollo, pulled and acked by the office, moved step by step; the portal and the citizen hear of each', async () => {
    const accepted = await call('POST', practices, '/v1/tenants/{tenantId}/practices', aPractice())
    expect(accepted.status).toBe(202)
    const { id } = await accepted.json()
    await eventually(async () => (await get(id)).status === 'registered')
    const registered = await get(id)
    expect(registered.registration).toMatchObject({ number: expect.any(String), year: expect.any(Number) })
    expect(protocollo.registrations.filter((r) => r.correlationKey === id)).toHaveLength(1)
    expect(protocollo.problems).toEqual([])

    const pulled = await (await call('GET', `${practices}?status=registered&limit=500`, '/v1/tenants/{tenantId}/practices')).json()
    expect(pulled.items.map((p: { id: string }) => p.id)).toContain(id)
    await call('POST', `${practices}/${id}/ack`, '/v1/tenants/{tenantId}/practices/{practiceId}/ack')
    expect((await get(id)).ackedAt).toEqual(expect.any(String))

    for (const status of ['taken_in_charge', 'integration_requested', 'integration_submitted', 'accepted'])
      expect((await report(id, { status, message: `passo ${status}` })).status).toBe(200)
    const done = await get(id)
    expect(done.history.map((h: { status: string }) => h.status)).toEqual([
      'submitted',
      'registered',
      'taken_in_charge',
      'integration_requested',
      'integration_submitted',
      'accepted',
    ])
    const events = (await t.deps.events.read('comune-a', { limit: 1000 })).items.filter((e) => e.data.practiceId === id).map((e) => e.type)
    expect(events).toEqual([
      'practice.registered',
      'practice.forwarded',
      'practice.status_changed',
      'practice.status_changed',
      'practice.status_changed',
      'practice.status_changed',
    ])

    // One IO message per step after registration, with the tenant's own template for "accepted".
    await eventually(() => io.accepted.filter((m) => m.fiscalCode === citizen).length === 5)
    expect(io.accepted.filter((m) => m.fiscalCode === citizen).at(-1)?.body.content.subject).toBe('Pratica Richiesta di accesso agli atti accolta')

    const timeline = await (
      await call('GET', `/v1/tenants/comune-a/citizens/${citizen}/timeline?limit=50`, '/v1/tenants/{tenantId}/citizens/{fiscalCode}/timeline')
    ).json()
    expect(timeline.items.map((i: { kind: string }) => i.kind)).toContain('practice')
    expect(timeline.items.filter((i: { kind: string }) => i.kind === 'message')).toHaveLength(5)
  })

  it('a service routed to a webhook pushes the registered practice to its supplier only, signed', async () => {
    const { id } = await (
      await call('POST', practices, '/v1/tenants/{tenantId}/practices', aPractice({ serviceCode: 'SOC-01', subject: 'Domanda di contributo affitto' }))
    ).json()
    await eventually(() => supplier.received.some((r) => r.status === 200 && JSON.parse(r.body).data.practiceId === id))
    const pushed = supplier.received.filter((r) => JSON.parse(r.body).data.practiceId === id)
    expect(pushed).toHaveLength(1)
    expect(pushed[0]?.verified).toBe(true)
    const body = JSON.parse(pushed[0]?.body as string)
    expect(body).toMatchObject({
      type: 'practice.forwarded',
      data: {
        serviceCode: 'SOC-01',
        via: 'webhook',
        registration: { number: expect.any(String) },
        practice: { id, status: 'registered', applicant: { fiscalCode: citizen }, data: { pratica: 'accesso atti' } },
      },
    })
    // The pull feed of the other services does not need an ack for it: it went by push.
    expect(supplier.received.every((r) => JSON.parse(r.body).type === 'practice.forwarded')).toBe(true)
  })

  it('a step reported again as it was (its answer lost) is answered like the first: no second step, event or IO message', async () => {
    const applicant = { fiscalCode: 'IOUSER00A00Y017X', givenName: 'Carla', familyName: 'Verdi' }
    const { id } = await (await call('POST', practices, '/v1/tenants/{tenantId}/practices', aPractice({ applicant }))).json()
    const messages = async () =>
      (
        await (
          await call('GET', `/v1/tenants/comune-a/citizens/${applicant.fiscalCode}/timeline?limit=50`, '/v1/tenants/{tenantId}/citizens/{fiscalCode}/timeline')
        ).json()
      ).items.filter((i: { kind: string }) => i.kind === 'message')
    await eventually(async () => (await messages()).length === 1)
    const step = { status: 'taken_in_charge', message: 'Assegnata all’ufficio atti' }
    const first = await report(id, step)
    const again = await report(id, step)
    expect(again.status).toBe(200)
    const [a, b] = [await first.json(), await again.json()]
    expect(b).toMatchObject({ status: 'taken_in_charge', history: a.history })
    expect(a.history.map((h: { status: string }) => h.status)).toEqual(['submitted', 'registered', 'taken_in_charge'])
    expect((await messages()).length).toBe(2)
    const events = (await t.deps.events.read('comune-a', { limit: 1000 })).items.filter((e) => e.data.practiceId === id && e.type === 'practice.status_changed')
    expect(events.map((e) => e.data)).toEqual([expect.objectContaining({ from: 'registered', to: 'taken_in_charge', message: step.message })])
    await eventually(() => io.accepted.filter((m) => m.fiscalCode === applicant.fiscalCode).length === 2)
    // Another message for the same status is a new step, which the practice cannot take.
    await expectProblem(await report(id, { ...step, message: 'altro' }), 409, 'practice_transition_not_allowed')
    // The same report sent twice at once: one step, both answered 200.
    const decision = { status: 'accepted', message: 'Accolta' }
    const both = await Promise.all([report(id, decision), report(id, decision)])
    expect(both.map((r) => r.status)).toEqual([200, 200])
    expect((await get(id)).history.map((h: { status: string }) => h.status)).toEqual(['submitted', 'registered', 'taken_in_charge', 'accepted'])
    expect((await messages()).length).toBe(3)
  })

  it("a supplier's endpoint hears only of its own services' practices, whatever it subscribes to; the portal's hears of all", async () => {
    const portal = await startWebhookReceiver()
    const portalEndpoint = await t.deps.endpoints.create('comune-a', {
      url: portal.url,
      events: ['practice.registered', 'practice.forwarded', 'practice.status_changed', 'practice.document_registered'],
      description: 'portale',
    })
    portal.secrets.push(portalEndpoint.secrets[0]?.value as string)
    const supplierEndpoint = t.deps.tenants.get('comune-a')?.platforms.backoffice?.services.find((s) => s.serviceCode === 'SOC-01')?.routing as {
      endpointId: string
    }
    await t.deps.endpoints.update('comune-a', supplierEndpoint.endpointId, {
      events: ['practice.registered', 'practice.forwarded', 'practice.status_changed', 'practice.document_registered'],
    })
    const before = supplier.received.length
    try {
      // A SUAP-01 practice (pulled): registered, acked (forwarded via pull), moved with a document.
      const { id: pulled } = await (
        await call('POST', practices, '/v1/tenants/{tenantId}/practices', aPractice({ subject: 'Pratica di un altro servizio' }))
      ).json()
      await eventually(async () => (await get(pulled)).status === 'registered')
      await call('POST', `${practices}/${pulled}/ack`, '/v1/tenants/{tenantId}/practices/{practiceId}/ack')
      await report(pulled, {
        status: 'rejected',
        message: 'diniego',
        documents: [{ name: 'diniego.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }],
      })
      // A SOC-01 practice: the supplier's own.
      const { id: own } = await (
        await call('POST', practices, '/v1/tenants/{tenantId}/practices', aPractice({ serviceCode: 'SOC-01', subject: 'Contributo affitto' }))
      ).json()
      await eventually(async () => (await get(own)).status === 'registered')
      await report(own, { status: 'taken_in_charge' })
      const types = (r: WebhookReceiver, id: string) =>
        r.received
          .filter((x) => x.status === 200 && JSON.parse(x.body).data.practiceId === id)
          .map((x) => JSON.parse(x.body).type)
          .sort()
      await eventually(() => types(portal, pulled).length === 4 && types(supplier, own).length === 3)
      expect(types(portal, pulled)).toEqual(['practice.document_registered', 'practice.forwarded', 'practice.registered', 'practice.status_changed'])
      expect(types(supplier, own)).toEqual(['practice.forwarded', 'practice.registered', 'practice.status_changed'])
      // The portal does not get the webhook variant (the whole practice, for the supplier alone).
      expect(types(portal, own)).toEqual(['practice.registered', 'practice.status_changed'])
      await new Promise((resolve) => setTimeout(resolve, 200))
      const serviceOf = (x: { body: string }) => JSON.parse(x.body).data.serviceCode ?? JSON.parse(x.body).data.practice?.serviceCode
      expect(supplier.received.slice(before).map(serviceOf)).toEqual(supplier.received.slice(before).map(() => 'SOC-01'))
    } finally {
      await t.deps.endpoints.update('comune-a', supplierEndpoint.endpointId, { events: ['practice.forwarded'] })
      await t.deps.endpoints.remove('comune-a', portalEndpoint.id)
      await portal.close()
    }
  })

  it('a large document uploaded first (streamed) is referenced by sha256 and reaches the protocollo intact', async () => {
    const planimetria = new Uint8Array(1_500_000).map((_, i) => (i * 7) % 256)
    const sha256 = createHash('sha256').update(planimetria).digest('hex')
    const headers = await signRequest(
      await importSigningKey(t.clients.portal.privateJwk),
      { clientId: 'portal', audience: 'https://snodo.test' },
      planimetria,
      'application/pdf',
    )
    const uploaded = await t.app.request('/v1/tenants/comune-a/documents', {
      method: 'POST',
      headers: { ...headers, 'x-document-name': 'planimetria.pdf' },
      body: planimetria,
    })
    expect(uploaded.status).toBe(201)
    const { id } = await (
      await call('POST', practices, '/v1/tenants/{tenantId}/practices', aPractice({ attachments: [aPractice().attachments[0], { sha256 }] }))
    ).json()
    await eventually(async () => (await get(id)).status === 'registered')
    expect((await get(id)).attachments.map((a: { name: string }) => a.name)).toEqual(['domanda.pdf', 'planimetria.pdf'])
    expect([...protocollo.documents.values()].some((d) => d.sha256 === sha256 && d.content.length === planimetria.length)).toBe(true)
  })

  it('refuses a step the practice cannot take, naming the allowed ones; an ended practice takes none', async () => {
    const { id } = await (await call('POST', practices, '/v1/tenants/{tenantId}/practices', aPractice())).json()
    await eventually(async () => (await get(id)).status === 'registered')
    const problem = await expectProblem(await report(id, { status: 'integration_submitted' }), 409, 'practice_transition_not_allowed')
    expect(problem.errors?.[0]?.message).toBe('allowed: taken_in_charge, integration_requested, accepted, rejected, withdrawn')
    await report(id, { status: 'rejected', message: 'manca la firma' })
    await expectProblem(await report(id, { status: 'accepted' }), 409, 'practice_transition_not_allowed')
    expect((await get(id)).status).toBe('rejected')
  })

  it("a protocollo that errs in-band leaves the practice submitted, its delivery dead with the vendor's code; nothing registered twice", async () => {
    const { id } = await (
      await call('POST', practices, '/v1/tenants/{tenantId}/practices', aPractice({ subject: `Istanza ${protocolloMagicSubjects.inBandError}` }))
    ).json()
    await eventually(async () => (await get(id)).protocolDelivery?.status === 'dead')
    const practice = await get(id)
    expect(practice.status).toBe('submitted')
    expect(practice.protocolDelivery.lastError).toMatchObject({ kind: 'rejected' })
    expect(protocollo.registrations.filter((r) => r.correlationKey === id)).toHaveLength(0)
  })
})

describe('a stop between the record and its registration', () => {
  it('the practice written but never enqueued is registered by the sweeper once the grace period is over, once', async () => {
    const failingEnqueue = { ...t.deps.engine, enqueue: () => Promise.reject(new Error('the process stopped here')) }
    const request = aPractice({ subject: 'Istanza ripresa dal sweeper' }) as unknown as PracticeRequest
    await expect(acceptPractice({ ...t.deps, engine: failingEnqueue }, t.deps.tenants.get('comune-a') as TenantConfig, request)).rejects.toThrow(
      'the process stopped here',
    )
    const [intent] = await t.deps.deliveries.staleIntents(0, 1000)
    expect(intent).toMatchObject({ written: true, delivery: { target: 'backoffice' } })
    const id = intent?.delivery.resourceId as string
    expect(await get(id)).toMatchObject({ status: 'submitted' })
    await startSweeper({
      store: t.deps.deliveries,
      engine: t.deps.engine,
      config: t.deps.config.delivery,
      onError: (e) => expect.fail(String(e)),
      graceMs: 0,
    }).stop()
    await eventually(async () => (await get(id)).status === 'registered')
    expect(protocollo.registrations.filter((r) => r.correlationKey === id)).toHaveLength(1)
    expect(await t.deps.deliveries.staleIntents(0, 1000)).toEqual([])
  })
})

describe('bad input: a clear 4xx, nothing stored', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['no attachments', { attachments: [] }, 'attachments'],
    [
      'a wrong sha256',
      { attachments: [{ name: 'a.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64'), sha256: 'a'.repeat(64) }] },
      'attachments.0.sha256',
    ],
    ['content that is not base64', { attachments: [{ name: 'a.pdf', contentType: 'application/pdf', contentBase64: '%%%' }] }, 'attachments.0.contentBase64'],
    ['an unknown serviceCode', { serviceCode: 'SUE-99' }, 'serviceCode'],
    ['no applicant fiscal code', { applicant: { givenName: 'M', familyName: 'B' } }, 'applicant.fiscalCode'],
    ['a submittedAt that is not a date', { submittedAt: 'ieri' }, 'submittedAt'],
  ]
  it.each(cases)('%s → 400', async (_, over, path) => {
    const problem = await expectProblem(await call('POST', practices, '/v1/tenants/{tenantId}/practices', aPractice(over)), 400, 'validation_failed')
    expect(problem.errors?.map((e) => e.path)).toContain(path)
  })

  it("an oversized body → 413; another tenant's practice → 404, and its status cannot be reported", async () => {
    const big = Buffer.alloc(1_100_000, 1).toString('base64')
    await expectProblem(
      await call(
        'POST',
        practices,
        '/v1/tenants/{tenantId}/practices',
        aPractice({ attachments: [{ name: 'a.pdf', contentType: 'application/pdf', contentBase64: big }] }),
      ),
      413,
      'payload_too_large',
    )
    const { id } = await (await call('POST', practices, '/v1/tenants/{tenantId}/practices', aPractice())).json()
    await expectProblem(await t.app.request(`/v1/tenants/comune-b/practices/${id}`, await signedInit(t.clients.other)), 404, 'not_found')
    await expectProblem(
      await t.app.request(`/v1/tenants/comune-b/practices/${id}/status`, await signedInit(t.clients.other, { body: { status: 'accepted' } })),
      404,
      'not_found',
    )
    await expectProblem(
      await t.app.request('/v1/tenants/comune-b/practices', await signedInit(t.clients.other, { body: aPractice() })),
      422,
      'platform_not_configured',
    )
  })
})
