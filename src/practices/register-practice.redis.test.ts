// The registration handler called directly (no workers), against the sandbox's DOCAREA-shaped protocollo
// simulator over loopback: a practice withdrawn while the protocollo registers it keeps the protocol
// number the vendor gave it (the transition is refused, the registration is not lost), and the
// withdrawal's own documents are then registered referring to it.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createBackofficeTestApp, startProtocollo } from '../../test/support/backoffice-app.ts'
import { signedInit } from '../../test/support/signed.ts'
import type { TestApp } from '../../test/support/test-app.ts'
import type { ProtocolloSimulator } from '../adapters/protocollo/simulator/app.ts'
import type { RunningSimulator } from '../adapters/simulator/harness.ts'
import type { Delivery } from '../queues/delivery.ts'
import { stepDeliveryId } from './practice.ts'
import { createPracticeRegistrar } from './register-practice.ts'
import { createStepDocumentRegistrar } from './register-step-documents.ts'

let t: TestApp
let protocollo: ProtocolloSimulator
let running: RunningSimulator

beforeAll(async () => {
  const started = await startProtocollo()
  ;({ protocollo, running } = started)
  t = await createBackofficeTestApp({ ...started.settings, services: [{ serviceCode: 'SUAP-01', name: 'SUAP', routing: { mode: 'pull' } }] })
})
afterAll(async () => {
  await t.close()
  await running.close()
})

const practices = '/v1/tenants/comune-a/practices'
const inline = (name: string, bytes: Buffer) => ({
  name,
  contentType: 'application/pdf',
  contentBase64: bytes.toString('base64'),
  sha256: createHash('sha256').update(bytes).digest('hex'),
})
const post = async (path: string, body: object) => {
  const res = await t.app.request(path, await signedInit(t.clients.portal, { method: 'POST', body }))
  expect(res.status, await res.clone().text()).toBeLessThan(300)
  return res.json()
}
const deliveryOf = async (id: string) => (await t.deps.deliveries.get(id)) as Delivery

it('a practice withdrawn while the protocollo registers it keeps its registration; the withdrawal’s documents refer to it', async () => {
  const body = {
    serviceCode: 'SUAP-01',
    applicant: { fiscalCode: 'RSSMRA80A01H501U', givenName: 'Mario', familyName: 'Rossi' },
    subject: 'Domanda di contributo',
    data: {},
    attachments: [inline('domanda.pdf', Buffer.from('%PDF-1.4 domanda'))],
    channel: 'online',
    submittedAt: '2026-11-23T10:00:00+01:00',
  }
  const { id } = await post(practices, body)
  // The citizen withdraws (with a letter) while the registering call is on its way.
  const withdraw = () =>
    post(`${practices}/${id}/status`, { status: 'withdrawn', message: 'Rinuncio', documents: [inline('rinuncia.pdf', Buffer.from('%PDF-1.4 rinuncia'))] })
  const registrar = createPracticeRegistrar({
    ...t.deps,
    messages: t.deps.practiceMessages,
    protocol: (tenant) => {
      const port = t.deps.protocol(tenant)
      return { ...port, register: async (p) => (await withdraw(), port.register(p)) }
    },
  })
  const practice = await t.deps.practices.get(id)
  const result = await registrar.send(await deliveryOf(practice?.data.deliveryId as string), { timeoutMs: 5_000, attempt: 1 })

  const registered = protocollo.registrations.filter((r) => r.correlationKey === id)
  expect(registered).toHaveLength(1)
  expect(result.detail).toBe(`registered as ${registered[0]?.number}/2026; already withdrawn`)
  const view = await (await t.app.request(`${practices}/${id}`, await signedInit(t.clients.portal))).json()
  expect(view.status).toBe('withdrawn')
  expect(view.history.map((h: { status: string }) => h.status)).toEqual(['submitted', 'withdrawn'])
  expect(view.registration).toMatchObject({ number: String(registered[0]?.number), year: 2026 })

  // The withdrawal's letter, registered next, refers to the protocol the practice got.
  const steps = createStepDocumentRegistrar({ ...t.deps })
  await steps.send(await deliveryOf(stepDeliveryId('comune-a', id, 1)), { timeoutMs: 5_000, attempt: 1 })
  expect(protocollo.registrations.filter((r) => r.correlationKey === `${id}/1`)).toEqual([
    expect.objectContaining({ flusso: 'E', precedent: `${registered[0]?.number}/2026` }),
  ])
})

it('an attempt that stopped inside the registering call is not registered again blindly: DOCAREA cannot search, so outcome_unknown', async () => {
  const body = {
    serviceCode: 'SUAP-01',
    applicant: { fiscalCode: 'RSSMRA80A01H501U', givenName: 'Mario', familyName: 'Rossi' },
    subject: 'Domanda interrotta',
    data: {},
    attachments: [inline('domanda.pdf', Buffer.from('%PDF-1.4 interrotta'))],
    channel: 'online',
    submittedAt: '2026-11-23T10:00:00+01:00',
  }
  const { id } = await post(practices, body)
  const delivery = await deliveryOf((await t.deps.practices.get(id))?.data.deliveryId as string)
  // The vendor registers, then the worker is killed before it records the registration: the
  // process never goes past the call (here: the answer never reaches the handler).
  const stopped = new Error('the process stopped here')
  const dying = createPracticeRegistrar({
    ...t.deps,
    messages: t.deps.practiceMessages,
    practices: {
      ...t.deps.practices,
      setFields: async (practiceId, fields) => (fields.registering === '' ? new Promise<void>(() => {}) : t.deps.practices.setFields(practiceId, fields)),
    },
    protocol: (tenant) => ({ ...t.deps.protocol(tenant), register: async (p) => (await t.deps.protocol(tenant).register(p), Promise.reject(stopped)) }),
  })
  void dying.send(delivery, { timeoutMs: 5_000, attempt: 1 })
  await expect.poll(() => protocollo.registrations.filter((r) => r.correlationKey === id).length).toBe(1)

  const next = createPracticeRegistrar({ ...t.deps, messages: t.deps.practiceMessages })
  await expect(next.send(delivery, { timeoutMs: 5_000, attempt: 2 })).rejects.toMatchObject({
    kind: 'protocol',
    upstreamCode: 'outcome_unknown',
    message: expect.stringContaining('check the register before replaying'),
  })
  expect(protocollo.registrations.filter((r) => r.correlationKey === id)).toHaveLength(1)

  // The operator checked the register and replays: a new run, whose first attempt registers (no search here).
  await next.send({ ...delivery, replays: 1 }, { timeoutMs: 5_000, attempt: 3 })
  expect(protocollo.registrations.filter((r) => r.correlationKey === id)).toHaveLength(2)
})

it('a registering call that failed with an answer leaves no mark: the next attempt registers', async () => {
  const body = {
    serviceCode: 'SUAP-01',
    applicant: { fiscalCode: 'RSSMRA80A01H501U', givenName: 'Mario', familyName: 'Rossi' },
    subject: 'Domanda rifiutata una volta',
    data: {},
    attachments: [inline('domanda.pdf', Buffer.from('%PDF-1.4 una volta'))],
    channel: 'online',
    submittedAt: '2026-11-23T10:00:00+01:00',
  }
  const { id } = await post(practices, body)
  const delivery = await deliveryOf((await t.deps.practices.get(id))?.data.deliveryId as string)
  const refusing = createPracticeRegistrar({
    ...t.deps,
    messages: t.deps.practiceMessages,
    protocol: (tenant) => ({ ...t.deps.protocol(tenant), register: async () => Promise.reject(new Error('503 before anything was registered')) }),
  })
  await expect(refusing.send(delivery, { timeoutMs: 5_000, attempt: 1 })).rejects.toThrow('503')
  await createPracticeRegistrar({ ...t.deps, messages: t.deps.practiceMessages }).send(delivery, { timeoutMs: 5_000, attempt: 2 })
  expect(protocollo.registrations.filter((r) => r.correlationKey === id)).toHaveLength(1)
})
