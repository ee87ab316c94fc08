// The SOAP push through the whole app with workers and real Redis: practices registered at the sandbox
// protocollo simulator, then handed to the simulated supplier's SOAP service (the real soap.listen from
// our WSDL) on a delivery of their own — accepted (forwardedAt, the supplier's id, practice.forwarded),
// a SOAP fault and an in-band refusal dead with the supplier's own words, a busy answer and a timeout
// retried without a second copy (the retry asks first), a dead push replayed by an operator, a replay
// that only tells the portal what a stopped attempt left untold, a withdrawn practice not handed over,
// documents by reference. A SUAP practice its supplier could not take is refused at submit.
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackofficeTestApp, startProtocollo } from '../../test/support/backoffice-app.ts'
import { expectConforms, expectProblem } from '../../test/support/contract.ts'
import { signedInit } from '../../test/support/signed.ts'
import type { TestApp } from '../../test/support/test-app.ts'
import { eventually } from '../../test/support/webhook-receiver.ts'
import type { ProtocolloSimulator } from '../adapters/protocollo/simulator/app.ts'
import type { RunningSimulator } from '../adapters/simulator/harness.ts'
import { suapData } from '../adapters/supplier/port.suite.ts'
import { SoapRouting, type SoapRoutingInput } from '../adapters/supplier/routing.ts'
import { pushMagicSubjects, supplierCodes } from '../adapters/supplier/simulator/magic.ts'
import { type SupplierService, startSupplierService } from '../adapters/supplier/simulator/service.ts'
import { startWorkers } from '../workers.ts'

const account = { username: 'snodo-push', password: 'push&<pw>' }
let t: TestApp
let protocollo: ProtocolloSimulator
let supplier: SupplierService
let running: RunningSimulator
let workers: { close(): Promise<void> }

beforeAll(async () => {
  const started = await startProtocollo({ slowMs: 2_000 })
  ;({ protocollo, running } = started)
  supplier = await startSupplierService({ account: { ...account, auth: 'wsse' }, slowMs: 1_500 })
  Object.assign(process.env, { PUSH_TEST_USER: account.username, PUSH_TEST_PASSWORD: account.password })
  const soap = (route: Partial<SoapRoutingInput>) =>
    SoapRouting.parse({
      mode: 'soap',
      profile: 'pratica',
      endpoint: supplier.endpoint,
      auth: { type: 'wsse', username: 'env:PUSH_TEST_USER', password: 'env:PUSH_TEST_PASSWORD' },
      timeoutMs: 700,
      ...route,
    })
  t = await createBackofficeTestApp(
    {
      ...started.settings,
      services: [
        {
          serviceCode: 'SUAP-02',
          name: 'SUAP (fornitore SOAP)',
          routing: soap({
            profile: 'suap',
            params: { ufficio: 'SUAP di A', codiceAmministrazione: 'c_a001', codiceAOO: 'AOO_SUAP', identificativoSuap: '77', modulo: 'SCIA' },
          }),
        },
        { serviceCode: 'SOC-02', name: 'Servizi sociali (fornitore SOAP)', routing: soap({ documents: 'reference' }) },
      ],
    },
    { config: { delivery: { targets: { backoffice: { retry: { scheduleMs: [200, 200, 200], floorAfterThrottleMs: 200 } } } } } },
  )
  workers = await startWorkers(t.deps)
})
afterAll(async () => {
  await workers.close()
  await t.close()
  await supplier.close()
  await running.close()
})

const practices = '/v1/tenants/comune-a/practices'
const pdf = Buffer.from('%PDF-1.4 SCIA per apertura di un bar')
const inline = (name: string, content: Buffer) => ({
  name,
  contentType: 'application/pdf',
  contentBase64: content.toString('base64'),
  sha256: createHash('sha256').update(content).digest('hex'),
})
const aPractice = (over: Record<string, unknown> = {}) => ({
  serviceCode: 'SUAP-02',
  applicant: { fiscalCode: 'RSSMRA80A01H501U', givenName: 'Mario', familyName: 'Rossi', pec: 'mario.rossi@pec.example.it' },
  subject: 'SCIA apertura bar',
  data: suapData,
  attachments: [inline('scia.pdf', pdf)],
  channel: 'online',
  submittedAt: '2026-11-23T10:00:00+01:00',
  ...over,
})
async function call(method: string, path: string, template: string, body?: object) {
  const res = await t.app.request(path, await signedInit(t.clients.portal, { method, body }))
  await expectConforms(res, method, template)
  return res
}
const submit = async (over: Record<string, unknown> = {}) => {
  const res = await call('POST', practices, '/v1/tenants/{tenantId}/practices', aPractice(over))
  expect(res.status, await res.clone().text()).toBe(202)
  return ((await res.json()) as { id: string }).id
}
type PushView = {
  delivery?: {
    status: string
    attempts: { outcome: string; errorKind?: string; upstreamCode?: string; message?: string }[]
    lastError?: { kind: string; upstreamCode?: string; message: string }
  }
  forwardedAt?: string
  supplierPracticeId?: string
}
const get = async (id: string) =>
  (await (await call('GET', `${practices}/${id}`, '/v1/tenants/{tenantId}/practices/{practiceId}')).json()) as { status: string; supplierPush?: PushView }
const pushOf = async (id: string) => (await get(id)).supplierPush
const pushEnded = (id: string) => eventually(async () => ['succeeded', 'dead'].includes((await pushOf(id))?.delivery?.status ?? ''))
const replay = async (deliveryId: string) =>
  expect((await t.app.request(`/v1/deliveries/${deliveryId}/replay`, await signedInit(t.clients.ops, { body: { reason: 'checked' } }))).status).toBe(202)
const pushDeliveryOf = async (id: string) => (await t.deps.practices.get(id))?.fields.supplierDeliveryId as string
const withdraw = async (id: string) =>
  expect(
    (await call('POST', `${practices}/${id}/status`, '/v1/tenants/{tenantId}/practices/{practiceId}/status', { status: 'withdrawn', message: 'Non serve più' }))
      .status,
  ).toBe(200)
const faultPage =
  '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>database offline</faultstring></soap:Fault></soap:Body></soap:Envelope>'
/** The next event of this type fails to be published, once (Redis gone for a moment): what a stopped attempt leaves. */
function failPublishOnce(type: string) {
  const events = t.deps.events
  const publish = events.publish
  events.publish = async (...args) => {
    if (args[1] !== type) return publish.apply(events, args)
    events.publish = publish
    throw new Error('Redis hiccup (simulated)')
  }
  return () => void (events.publish = publish)
}
const eventsOf = async (id: string) =>
  (await t.deps.events.read('comune-a', { limit: 1000 })).items.filter((e) => e.data.practiceId === id || (e.data as { resourceId?: string }).resourceId === id)

describe('the SOAP push of a registered practice', () => {
  it('reaches the supplier once, after its registration; the practice keeps when and under which id, and the portal hears practice.forwarded', async () => {
    const id = await submit()
    await pushEnded(id)
    const push = (await pushOf(id)) as PushView
    const received = supplier.received.filter((p) => p.idPratica === id)
    expect(received).toHaveLength(1)
    expect(push).toMatchObject({
      forwardedAt: expect.any(String),
      supplierPracticeId: received[0]?.idPraticaFornitore,
      delivery: { status: 'succeeded', attempts: [{ outcome: 'succeeded', message: `accepted by the supplier as ${received[0]?.idPraticaFornitore}` }] },
    })
    const registration = protocollo.registrations.find((r) => r.correlationKey === id)
    expect(received[0]?.protocollo).toMatchObject({ numero: String(registration?.number) })
    expect(received[0]?.riepilogo).toContain('<ragione-sociale>Caffè Rossi &amp; Figli S.r.l.</ragione-sociale>')
    expect(supplier.problems).toEqual([])
    const events = await eventsOf(id)
    expect(events.map((e) => e.type)).toEqual(['practice.registered', 'practice.forwarded'])
    expect(events[1]?.data).toMatchObject({
      via: 'soap',
      serviceCode: 'SUAP-02',
      supplierPracticeId: received[0]?.idPraticaFornitore,
      registration: { number: String(registration?.number) },
    })
  })

  it('a SOAP fault: dead at once with the supplier’s code and text, the practice registered but not forwarded; delivery.dead raised', async () => {
    const id = await submit({ subject: `SCIA ${pushMagicSubjects.fault}` })
    await pushEnded(id)
    const practice = await get(id)
    expect(practice.status).toBe('registered')
    expect(practice.supplierPush?.forwardedAt).toBeUndefined()
    expect(practice.supplierPush?.delivery).toMatchObject({
      status: 'dead',
      attempts: [{ outcome: 'failed', errorKind: 'rejected', upstreamCode: 'soap:Server' }],
    })
    expect(practice.supplierPush?.delivery?.lastError?.message).toContain('Errore interno del gestionale (simulato)')
    expect(supplier.timesReceived(id)).toBe(0)
    expect((await eventsOf(id)).map((e) => e.type)).toEqual(['practice.registered', 'delivery.dead'])
  })

  it('an in-band refusal: dead at once with the supplier’s codiceErrore and descrizioneErrore', async () => {
    const id = await submit({ subject: `SCIA ${pushMagicSubjects.inBandError}` })
    await pushEnded(id)
    const delivery = (await pushOf(id))?.delivery
    expect(delivery).toMatchObject({ status: 'dead', lastError: { kind: 'rejected', upstreamCode: supplierCodes.refused.code } })
    expect(delivery?.lastError?.message).toContain(supplierCodes.refused.message)
    expect(supplier.timesReceived(id)).toBe(0)
  })

  it('a busy supplier is retried, and the retry hands the practice over', async () => {
    const id = await submit({ subject: `SCIA ${pushMagicSubjects.busy}` })
    await pushEnded(id)
    const delivery = (await pushOf(id))?.delivery
    expect(delivery?.status).toBe('succeeded')
    expect(delivery?.attempts.map((a) => [a.outcome, a.errorKind, a.upstreamCode])).toEqual([
      ['failed', 'unavailable', supplierCodes.busy.code],
      ['succeeded', undefined, undefined],
    ])
    expect(supplier.timesReceived(id)).toBe(1)
  })

  it('a timeout after the supplier received it is retried without a second copy: the retry asks first and finds it', async () => {
    const id = await submit({ subject: `SCIA ${pushMagicSubjects.slow}` })
    await pushEnded(id)
    const push = (await pushOf(id)) as PushView
    expect(push.delivery?.status).toBe('succeeded')
    expect(push.delivery?.attempts.map((a) => [a.outcome, a.errorKind])).toEqual([
      ['failed', 'timeout'],
      ['succeeded', undefined],
    ])
    expect(push.delivery?.attempts[1]?.message).toMatch(/^the supplier already had it as FORN-\d+: not sent again$/)
    expect(supplier.timesReceived(id)).toBe(1)
    expect(push.supplierPracticeId).toBe(supplier.received.find((p) => p.idPratica === id)?.idPraticaFornitore)
  })

  it('a dead push is replayed by an operator once the supplier works again, and succeeds', async () => {
    const id = await submit({ serviceCode: 'SOC-02', data: { richiesta: 'assistenza domiciliare' } })
    // The supplier's proxy answers a fault page to this one call: dead (a fault is definite).
    supplier.soap.answerRawOnce('riceviPratica', {
      status: 500,
      body: '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>database offline</faultstring></soap:Fault></soap:Body></soap:Envelope>',
    })
    await pushEnded(id)
    const dead = (await pushOf(id))?.delivery as NonNullable<PushView['delivery']> & { id?: string }
    expect(dead.status).toBe('dead')
    const deliveryId = (await t.deps.practices.get(id))?.fields.supplierDeliveryId as string
    const replay = await t.app.request(`/v1/deliveries/${deliveryId}/replay`, await signedInit(t.clients.ops, { body: { reason: 'supplier database back' } }))
    expect(replay.status).toBe(202)
    await eventually(async () => (await pushOf(id))?.delivery?.status === 'succeeded')
    expect((await pushOf(id))?.forwardedAt).toEqual(expect.any(String))
    expect(supplier.timesReceived(id)).toBe(1)
  })

  it('a publish that fails after the supplier accepted it: the delivery dies, and its replay tells the portal without handing the practice over again', async () => {
    const restore = failPublishOnce('practice.forwarded')
    let id: string
    try {
      id = await submit({ serviceCode: 'SOC-02', data: { richiesta: 'pasti a domicilio' } })
      await pushEnded(id)
    } finally {
      restore()
    }
    const stopped = (await pushOf(id)) as PushView
    expect(stopped).toMatchObject({
      forwardedAt: expect.any(String),
      supplierPracticeId: expect.any(String),
      delivery: { status: 'dead', lastError: { kind: 'internal', message: expect.stringContaining('Redis hiccup') } },
    })
    expect((await eventsOf(id)).map((e) => e.type)).not.toContain('practice.forwarded')

    await replay(await pushDeliveryOf(id))
    await eventually(async () => (await pushOf(id))?.delivery?.status === 'succeeded')
    const push = (await pushOf(id)) as PushView
    expect(push.delivery?.attempts.at(-1)?.message).toBe(`already accepted by the supplier on ${stopped.forwardedAt}`)
    expect(push.forwardedAt).toBe(stopped.forwardedAt)
    const forwarded = (await eventsOf(id)).filter((e) => e.type === 'practice.forwarded')
    expect(forwarded.map((e) => e.data)).toEqual([
      expect.objectContaining({ via: 'soap', serviceCode: 'SOC-02', supplierPracticeId: stopped.supplierPracticeId }),
    ])
    expect(supplier.timesReceived(id)).toBe(1)
  })

  it('a practice withdrawn before the supplier took it is not handed over: its replay ends without sending, saying why', async () => {
    // The supplier's proxy answers a fault page to the next call: dead, the practice still registered.
    supplier.soap.answerRawOnce('riceviPratica', { status: 500, body: faultPage })
    const id = await submit({ serviceCode: 'SOC-02', data: { richiesta: 'trasporto scolastico' } })
    await pushEnded(id)
    expect((await pushOf(id))?.delivery?.status).toBe('dead')
    await withdraw(id)

    await replay(await pushDeliveryOf(id))
    await eventually(async () => (await pushOf(id))?.delivery?.status === 'succeeded')
    const push = (await pushOf(id)) as PushView
    const withdrawnAt = (await t.deps.practices.get(id))?.history.at(-1)?.at
    expect(push.delivery?.attempts.at(-1)?.message).toBe(`not sent: the practice was withdrawn on ${withdrawnAt}`)
    expect(push.forwardedAt).toBeUndefined()
    expect(supplier.timesReceived(id)).toBe(0)
    expect((await eventsOf(id)).map((e) => e.type)).not.toContain('practice.forwarded')
  })

  it('a practice withdrawn while a timed-out push had reached the supplier: the retry sends nothing, and records that the supplier has it', async () => {
    const id = await submit({ serviceCode: 'SOC-02', subject: `Assistenza ${pushMagicSubjects.slow}`, data: { richiesta: 'assistenza' } })
    // Received; the answer comes after Snodo's timeout, and the retry after the withdrawal.
    await eventually(() => supplier.timesReceived(id) === 1)
    await withdraw(id)
    await pushEnded(id)
    const push = (await pushOf(id)) as PushView
    const supplierPracticeId = supplier.received.find((p) => p.idPratica === id)?.idPraticaFornitore
    expect(push.delivery?.attempts.map((a) => [a.outcome, a.errorKind])).toEqual([
      ['failed', 'timeout'],
      ['succeeded', undefined],
    ])
    expect(push.delivery?.attempts[1]?.message).toMatch(
      new RegExp(`^not sent: the practice was withdrawn on .+, but the supplier already had it as ${supplierPracticeId}$`),
    )
    expect(push).toMatchObject({ forwardedAt: expect.any(String), supplierPracticeId })
    expect(supplier.timesReceived(id)).toBe(1)
    expect((await eventsOf(id)).filter((e) => e.type === 'practice.forwarded').map((e) => e.data)).toEqual([
      expect.objectContaining({ via: 'soap', supplierPracticeId }),
    ])
  })

  it('documents: inline ones with their bytes, one uploaded first as the URL the supplier reads it at (routing documents: reference)', async () => {
    const plan = Buffer.from('%PDF-1.4 progetto assistenziale '.repeat(100))
    const sha256 = createHash('sha256').update(plan).digest('hex')
    await t.deps.documents.put('comune-a', Readable.from([plan]), {
      name: 'progetto.pdf',
      contentType: 'application/pdf',
      uploadedBy: 'portal',
      expectedDigest: `SHA-256=${createHash('sha256').update(plan).digest('base64')}`,
      maxBytes: 1_000_000,
    })
    const id = await submit({ serviceCode: 'SOC-02', data: { richiesta: 'assistenza' }, attachments: [inline('domanda.pdf', pdf), { sha256 }] })
    await pushEnded(id)
    const received = supplier.received.find((p) => p.idPratica === id)
    expect(received?.riepilogo).toBeUndefined()
    expect(received?.allegati).toEqual([
      expect.objectContaining({ nomeFile: 'domanda.pdf', principale: true, bytes: pdf.length }),
      {
        nomeFile: 'progetto.pdf',
        tipoMime: 'application/pdf',
        impronta: sha256,
        dimensione: plan.length,
        principale: false,
        riferimento: `https://snodo.test/v1/tenants/comune-a/documents/${sha256}/content`,
      },
    ])
  })
})

describe('a practice its supplier could not take', () => {
  it('is refused at submit with 400 naming each field, and nothing is stored', async () => {
    const before = (await t.deps.practices.page('comune-a', undefined, 10_000)).length
    const { impresa } = suapData.suap
    const unfit = aPractice({
      data: { suap: { ...suapData.suap, impresa: { ...impresa, ragioneSociale: '', indirizzo: { ...impresa.indirizzo, cap: 'ROMA' } } } },
      attachments: [{ ...inline('foto.png', pdf), contentType: 'image/png' }],
    })
    const problem = await expectProblem(await call('POST', practices, '/v1/tenants/{tenantId}/practices', unfit), 400, 'validation_failed')
    expect(problem.errors?.map((e) => e.path)).toEqual(['data.suap.impresa.ragioneSociale', 'data.suap.impresa.indirizzo.cap', 'attachments.0.contentType'])
    const none = await expectProblem(await call('POST', practices, '/v1/tenants/{tenantId}/practices', aPractice({ data: {} })), 400, 'validation_failed')
    expect(none.errors?.map((e) => e.path)).toContain('data.suap.impresa.ragioneSociale')
    expect((await t.deps.practices.page('comune-a', undefined, 10_000)).length).toBe(before)
  })
})
