// Steps that carry documents, through the whole app with workers, against the sandbox's DOCAREA-shaped
// protocollo simulator over loopback: the step is taken at once, its documents registered on their own
// (outgoing for the office's, incoming for the citizen's, referring to the original protocol), listed
// with the practice, told in an event and the citizen's timeline; what a stopped attempt or report left
// undone is finished by a replay or by the same report again; a withdrawal made while the practice's
// own registration is at the protocollo waits for it and refers to it. A step with one bad document is
// refused whole: no status change, no bytes, no delivery, no event.
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackofficeTestApp, startProtocollo } from '../../../../test/support/backoffice-app.ts'
import { expectConforms, expectProblem } from '../../../../test/support/contract.ts'
import { signedInit } from '../../../../test/support/signed.ts'
import type { TestApp, TestClient } from '../../../../test/support/test-app.ts'
import { eventually } from '../../../../test/support/webhook-receiver.ts'
import type { ProtocolloSimulator } from '../../../adapters/protocollo/simulator/app.ts'
import type { RunningSimulator } from '../../../adapters/simulator/harness.ts'
import { importSigningKey, signRequest } from '../../../client/index.ts'
import { stepDeliveryId } from '../../../practices/practice.ts'
import { startWorkers } from '../../../workers.ts'

const citizen = 'IOUSER00A00Y008X'
let t: TestApp
let protocollo: ProtocolloSimulator
let running: RunningSimulator
let workers: { close(): Promise<void> }

beforeAll(async () => {
  const started = await startProtocollo({ slowMs: 2_000 })
  ;({ protocollo, running } = started)
  t = await createBackofficeTestApp(
    { ...started.settings, services: [{ serviceCode: 'SUAP-01', name: 'SUAP', routing: { mode: 'pull' } }] },
    { config: { delivery: { targets: { backoffice: { retry: { scheduleMs: [200] }, timeoutMs: 3_000 } } } } },
  )
  workers = await startWorkers(t.deps)
})
afterAll(async () => {
  await workers.close()
  await t.close()
  await running.close()
})

const practices = '/v1/tenants/comune-a/practices'
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
const pdf = (text: string) => Buffer.from(`%PDF-1.4 ${text}`)
const inline = (name: string, bytes: Buffer) => ({ name, contentType: 'application/pdf', contentBase64: bytes.toString('base64'), sha256: sha(bytes) })
const call = async (method: string, path: string, template: string, body?: object) => {
  const res = await t.app.request(path, await signedInit(t.clients.portal, { method, body }))
  await expectConforms(res, method, template)
  return res
}
const get = async (id: string) => (await call('GET', `${practices}/${id}`, '/v1/tenants/{tenantId}/practices/{practiceId}')).json()
const report = (id: string, body: object) => call('POST', `${practices}/${id}/status`, '/v1/tenants/{tenantId}/practices/{practiceId}/status', body)

async function upload(client: TestClient, tenant: string, bytes: Uint8Array<ArrayBuffer>) {
  const headers = await signRequest(
    await importSigningKey(client.privateJwk),
    { clientId: client.clientId, audience: 'https://snodo.test' },
    bytes,
    'application/pdf',
  )
  const res = await t.app.request(`/v1/tenants/${tenant}/documents`, {
    method: 'POST',
    headers: { ...headers, 'x-document-name': 'allegato.pdf' },
    body: bytes,
  })
  expect(res.status).toBe(201)
  return sha(bytes)
}

async function aRegisteredPractice(subject = 'Richiesta di autorizzazione allo scarico') {
  const domanda = pdf(`domanda ${randomBytes(8).toString('hex')}`)
  const body = {
    serviceCode: 'SUAP-01',
    applicant: { fiscalCode: citizen, givenName: 'Lucia', familyName: 'Neri' },
    subject,
    data: {},
    attachments: [inline('domanda.pdf', domanda)],
    channel: 'online',
    submittedAt: '2026-11-23T10:00:00+01:00',
  }
  const { id } = await (await call('POST', practices, '/v1/tenants/{tenantId}/practices', body)).json()
  await eventually(async () => (await get(id)).status === 'registered')
  return id as string
}

describe('a step with documents', () => {
  it('is taken at once; its documents are registered on their own, outgoing or incoming, referring to the original; listed, told and in the timeline', async () => {
    const id = await aRegisteredPractice()
    const original = (await get(id)).registration
    const letter = pdf('richiesta di integrazione: manca la planimetria')
    const planimetria = randomBytes(50_000)
    const uploaded = await upload(t.clients.portal, 'comune-a', planimetria)

    const asked = await (
      await report(id, {
        status: 'integration_requested',
        message: 'Manca la planimetria',
        documents: [inline('richiesta.pdf', letter), { sha256: uploaded, name: 'modello-planimetria.pdf' }],
      })
    ).json()
    expect(asked.status).toBe('integration_requested')
    expect(asked.registrations).toHaveLength(2)
    expect(asked.registrations[1]).toMatchObject({
      step: 2,
      status: 'integration_requested',
      direction: 'outgoing',
      documents: [
        { name: 'richiesta.pdf', sha256: sha(letter), size: letter.length },
        { name: 'modello-planimetria.pdf', sha256: uploaded, size: 50_000 },
      ],
    })
    const reply = pdf('integrazione: la planimetria')
    await report(id, { status: 'integration_submitted', documents: [inline('planimetria.pdf', reply)] })

    await eventually(async () => (await get(id)).registrations.every((r: { registration?: unknown }) => r.registration))
    const practice = await get(id)
    expect(practice.registrations.map((r: { step: number; direction: string }) => [r.step, r.direction])).toEqual([
      [0, 'incoming'],
      [2, 'outgoing'],
      [3, 'incoming'],
    ])
    expect(practice.registrations[0]).toMatchObject({ registration: original, delivery: { status: 'succeeded' } })
    for (const r of practice.registrations.slice(1))
      expect(r).toMatchObject({
        registration: { number: expect.any(String), year: 2026, aoo: 'AOO_SANDBOX', documentId: expect.any(String) },
        delivery: { status: 'succeeded', attemptCount: 1 },
      })
    // The protocollo's own record: each once, in the right direction, pointing back at the original.
    const registered = (step: number) => protocollo.registrations.filter((r) => r.correlationKey === `${id}/${step}`)
    expect(registered(2)).toEqual([
      expect.objectContaining({ flusso: 'U', precedent: `${original.number}/${original.year}`, number: Number(practice.registrations[1].registration.number) }),
    ])
    expect(registered(3)).toEqual([expect.objectContaining({ flusso: 'E', precedent: `${original.number}/${original.year}` })])
    expect(registered(2)[0]?.documentIds.map((d) => protocollo.documents.get(d)?.sha256)).toEqual([sha(letter), uploaded])
    expect(protocollo.problems).toEqual([])

    const events = (await t.deps.events.read('comune-a', { limit: 1000 })).items.filter((e) => e.data.practiceId === id)
    // A registration may end before the next step is reported: the order between the two kinds varies.
    expect(events.map((e) => e.type).sort()).toEqual([
      'practice.document_registered',
      'practice.document_registered',
      'practice.registered',
      'practice.status_changed',
      'practice.status_changed',
    ])
    expect(events.find((e) => e.type === 'practice.status_changed')?.data).toMatchObject({
      to: 'integration_requested',
      direction: 'outgoing',
      documents: [{ name: 'richiesta.pdf' }, { name: 'modello-planimetria.pdf' }],
    })
    // Each step's registration is a job of its own: they may run at once and end in either order.
    const registeredEvents = events.filter((e) => e.type === 'practice.document_registered').map((e) => e.data as { step: number })
    expect(registeredEvents.sort((a, b) => a.step - b.step)).toEqual([
      expect.objectContaining({
        step: 2,
        status: 'integration_requested',
        direction: 'outgoing',
        registration: practice.registrations[1].registration,
        precedent: original,
      }),
      expect.objectContaining({
        step: 3,
        status: 'integration_submitted',
        direction: 'incoming',
        registration: practice.registrations[2].registration,
        precedent: original,
      }),
    ])

    const timeline = await (
      await call('GET', `/v1/tenants/comune-a/citizens/${citizen}/timeline?limit=50`, '/v1/tenants/{tenantId}/citizens/{fiscalCode}/timeline')
    ).json()
    const documents = timeline.items.filter((i: { kind: string; id: string }) => i.kind === 'practice_document' && i.id.startsWith(id))
    expect(documents.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual(
      expect.arrayContaining([
        [`${id}-2`, 'registered'],
        [`${id}-3`, 'registered'],
      ]),
    )
    expect(documents.find((i: { id: string }) => i.id === `${id}-2`).title).toBe(
      `Richiesta di autorizzazione allo scarico — richiesta di integrazione (protocollo n. ${practice.registrations[1].registration.number}/2026)`,
    )
  })
})

describe("a withdrawal while the practice's own registration is at the protocollo", () => {
  it('waits for that registration to end and refers to it', async () => {
    const subject = `Richiesta di accesso agli atti ${randomBytes(4).toString('hex')}`
    // The practice's own registration call is held until the test lets it go: its attempt stays in progress.
    const port = t.deps.protocol(t.deps.tenants.get('comune-a') as NonNullable<ReturnType<typeof t.deps.tenants.get>>)
    const own = port.register
    const register = own.bind(port)
    let letGo = () => {}
    const held = new Promise<void>((resolve) => (letGo = resolve))
    port.register = async (p) => {
      if (p.subject === subject) await held
      return register(p)
    }
    try {
      const body = {
        serviceCode: 'SUAP-01',
        applicant: { fiscalCode: citizen, givenName: 'Lucia', familyName: 'Neri' },
        subject,
        data: {},
        attachments: [inline('domanda.pdf', pdf(subject))],
        channel: 'online',
        submittedAt: '2026-11-23T10:00:00+01:00',
      }
      const { id } = await (await call('POST', practices, '/v1/tenants/{tenantId}/practices', body)).json()
      await eventually(async () => (await get(id)).protocolDelivery.status === 'in_progress')
      const withdrawn = await (await report(id, { status: 'withdrawn', message: 'Non serve più', documents: [inline('rinuncia.pdf', pdf('rinuncia'))] })).json()
      expect(withdrawn.status).toBe('withdrawn')
      const stepAttempts = async () => (await t.deps.deliveries.attempts(stepDeliveryId('comune-a', id, 1))).map((a) => a.outcome)
      await eventually(async () => (await stepAttempts()).includes('pending'))
      expect(protocollo.registrations.filter((r) => r.correlationKey?.startsWith(id))).toEqual([])
      letGo()

      await eventually(async () => (await get(id)).registrations.at(-1)?.registration !== undefined)
      const original = protocollo.registrations.find((r) => r.correlationKey === id)
      expect(original).toBeDefined()
      expect(protocollo.registrations.filter((r) => r.correlationKey === `${id}/1`)).toEqual([
        expect.objectContaining({ flusso: 'E', precedent: `${original?.number}/${original?.year}` }),
      ])
      expect((await stepAttempts()).at(-1)).toBe('succeeded')
      expect((await get(id)).status).toBe('withdrawn')
      expect(protocollo.problems).toEqual([])
    } finally {
      letGo()
      port.register = own
    }
  })
})

describe('a step whose follow-ups stopped half way is finished by a retry', () => {
  const replay = async (deliveryId: string) =>
    expect((await t.app.request(`/v1/deliveries/${deliveryId}/replay`, await signedInit(t.clients.ops, { body: { reason: 'checked' } }))).status).toBe(202)
  const eventsOf = async (id: string, type: string) =>
    (await t.deps.events.read('comune-a', { limit: 1000 })).items.filter((e) => e.data.practiceId === id && e.type === type)
  const timelineIds = async () =>
    (
      await (await call('GET', `/v1/tenants/comune-a/citizens/${citizen}/timeline?limit=100`, '/v1/tenants/{tenantId}/citizens/{fiscalCode}/timeline')).json()
    ).items.map((i: { kind: string; id: string; at: string }) => `${i.kind}:${i.id}@${i.at}`) as string[]

  it('a publish that fails after the step was registered: the delivery dies, and its replay tells the portal and the timeline without registering again', async () => {
    const id = await aRegisteredPractice()
    const original = (await get(id)).registration
    const events = t.deps.events
    const publish = events.publish
    // The next practice.document_registered fails to be published, once (Redis gone for a moment).
    events.publish = async (...args) => {
      if (args[1] !== 'practice.document_registered') return publish.apply(events, args)
      events.publish = publish
      throw new Error('Redis hiccup (simulated)')
    }
    try {
      await report(id, { status: 'rejected', message: 'Requisiti mancanti', documents: [inline('diniego.pdf', pdf(`diniego ${id}`))] })
      await eventually(async () => ['dead', 'succeeded'].includes((await get(id)).registrations[1]?.delivery?.status))
    } finally {
      events.publish = publish
    }
    const stopped = (await get(id)).registrations[1]
    expect(stopped).toMatchObject({ registration: { number: expect.any(String) }, delivery: { status: 'dead', lastError: { kind: 'internal' } } })
    expect(await eventsOf(id, 'practice.document_registered')).toEqual([])
    expect((await timelineIds()).some((item) => item.startsWith(`practice_document:${id}-2@`))).toBe(false)

    await replay(stepDeliveryId('comune-a', id, 2))
    await eventually(async () => (await get(id)).registrations[1]?.delivery?.status === 'succeeded')
    const step = (await get(id)).registrations[1]
    expect(step.delivery.attempts.at(-1).message).toBe(`already registered as ${stopped.registration.number}/${stopped.registration.year}`)
    expect(step.registration).toEqual(stopped.registration)
    expect((await eventsOf(id, 'practice.document_registered')).map((e) => e.data)).toEqual([
      expect.objectContaining({ step: 2, status: 'rejected', direction: 'outgoing', registration: stopped.registration, precedent: original }),
    ])
    expect(protocollo.registrations.filter((r) => r.correlationKey === `${id}/2`)).toHaveLength(1)
    // In the timeline once, at the instant it was registered (kept with it), not the replay's.
    const registeredAt = JSON.parse((await t.deps.practices.get(id))?.fields['stepRegisteredWith:2'] as string).at
    expect(registeredAt < step.delivery.attempts.at(-1).at).toBe(true)
    expect((await timelineIds()).filter((item) => item.startsWith(`practice_document:${id}-2@`))).toEqual([`practice_document:${id}-2@${registeredAt}`])
  })

  it('a report whose step was recorded but its documents not queued (Redis gone for a moment) is repeated as it was: answered like the first, the documents queued, told once', async () => {
    const id = await aRegisteredPractice()
    const body = { status: 'integration_requested', message: 'Manca la visura camerale', documents: [inline('richiesta.pdf', pdf(`richiesta ${id}`))] }
    const engine = t.deps.engine
    const enqueue = engine.enqueue
    engine.enqueue = async (deliveries, event) => {
      if (!deliveries.some((d) => d.operation === 'backoffice-documents')) return enqueue.call(engine, deliveries, event)
      engine.enqueue = enqueue
      throw new Error('Redis hiccup (simulated)')
    }
    try {
      await expectProblem(await report(id, body), 500, 'internal_error')
    } finally {
      engine.enqueue = enqueue
    }
    const recorded = await get(id)
    expect(recorded.status).toBe('integration_requested')
    expect(recorded.registrations[1]).toMatchObject({ step: 2, status: 'integration_requested' })
    expect(recorded.registrations[1].delivery).toBeUndefined()

    const again = await report(id, body)
    expect(again.status).toBe(200)
    const answered = await again.json()
    expect(answered).toMatchObject({ status: 'integration_requested', history: recorded.history })
    await eventually(async () => (await get(id)).registrations[1]?.delivery?.status === 'succeeded')
    expect(protocollo.registrations.filter((r) => r.correlationKey === `${id}/2`)).toHaveLength(1)
    // Once more: nothing new, the same answer.
    expect((await report(id, body)).status).toBe(200)
    expect((await eventsOf(id, 'practice.status_changed')).map((e) => e.data)).toEqual([
      expect.objectContaining({ from: 'registered', to: 'integration_requested', message: body.message }),
    ])
    expect((await get(id)).history).toEqual(recorded.history)

    // The same status with another message or other documents is a new step, which the practice cannot take.
    await expectProblem(await report(id, { ...body, message: 'Manca altro' }), 409, 'practice_transition_not_allowed')
    await expectProblem(await report(id, { ...body, documents: [inline('altra.pdf', pdf(`altra ${id}`))] }), 409, 'practice_transition_not_allowed')
    await expectProblem(await report(id, { status: body.status, message: body.message }), 409, 'practice_transition_not_allowed')
  })
})

describe('a step whose documents fail is refused whole: no status change, no bytes, no delivery, no event', () => {
  let id: string
  beforeAll(async () => {
    id = await aRegisteredPractice()
  })
  const good = pdf('provvedimento')
  const cases: [string, () => Promise<object[]>, string][] = [
    ['a wrong sha256', async () => [inline('a.pdf', good), { ...inline('b.pdf', pdf('b')), sha256: 'a'.repeat(64) }], 'documents.1.sha256'],
    ['an unknown reference', async () => [inline('a.pdf', good), { sha256: sha(randomBytes(32)) }], 'documents.1.sha256'],
    ["another tenant's document", async () => [{ sha256: await upload(t.clients.other, 'comune-b', randomBytes(1_000)) }], 'documents.0.sha256'],
    ['an empty file', async () => [{ name: 'vuoto.pdf', contentType: 'application/pdf', contentBase64: '' }], 'documents.0.contentBase64'],
    ['content that is not base64', async () => [{ name: 'x.pdf', contentType: 'application/pdf', contentBase64: '%%%' }], 'documents.0.contentBase64'],
    ['an empty list', async () => [], 'documents'],
  ]
  it.each(cases)('%s → 400 naming it', async (_, documents, path) => {
    const before = await get(id)
    const problem = await expectProblem(await report(id, { status: 'rejected', message: 'diniego', documents: await documents() }), 400, 'validation_failed')
    expect(problem.errors?.map((e) => e.path)).toContain(path)
    await expectNothingRecorded(before)
  })

  it('an oversized body → 413; a step not allowed from here → 409, and the bytes it carried are not kept', async () => {
    const before = await get(id)
    await expectProblem(await report(id, { status: 'rejected', documents: [inline('grande.pdf', randomBytes(1_100_000))] }), 413, 'payload_too_large')
    await expectProblem(await report(id, { status: 'integration_submitted', documents: [inline('a.pdf', good)] }), 409, 'practice_transition_not_allowed')
    await expectNothingRecorded(before)
    expect(await t.deps.practices.document(id, sha(good))).toBeUndefined()
  })

  async function expectNothingRecorded(before: { status: string; history: unknown[]; registrations: unknown[] }) {
    const after = await get(id)
    expect({ status: after.status, history: after.history, registrations: after.registrations }).toEqual({
      status: before.status,
      history: before.history,
      registrations: before.registrations,
    })
    expect(await t.deps.deliveries.get(stepDeliveryId('comune-a', id, before.history.length))).toBeUndefined()
    const events = (await t.deps.events.read('comune-a', { limit: 1000 })).items.filter((e) => e.data.practiceId === id)
    expect(events.map((e) => e.type)).toEqual(['practice.registered'])
  }
})
