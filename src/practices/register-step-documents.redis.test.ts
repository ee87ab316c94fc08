// A step's documents through the delivery engine against a DocER installation served from DocER's real
// WSDLs (../shared/contracts/backoffice/docer, never copied): the registering call times out after DocER
// registered, the delivery retries, the retry searches by the step's correlation key and finds it — so
// the step is registered exactly once, and Snodo keeps the registration DocER made.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createBackofficeTestApp } from '../../test/support/backoffice-app.ts'
import { signedInit } from '../../test/support/signed.ts'
import type { TestApp } from '../../test/support/test-app.ts'
import { contractsAvailable, contractsDir } from '../../test/support/upstream-spec.ts'
import { eventually } from '../../test/support/webhook-receiver.ts'
import { createDocerSimulator, type DocerSimulator } from '../adapters/protocollo/simulator/docer.ts'
import { listenSoap, type SoapSimulator } from '../adapters/soap-profile/simulator/listen.ts'
import { xmllintErrors } from '../adapters/soap-profile/simulator/xmllint.ts'
import { queueNames } from '../queues/names.ts'
import { startWorkers } from '../workers.ts'
import { stepDeliveryId } from './practice.ts'

const dir = `${contractsDir}backoffice/docer/`
const wsdl = { auth: `${dir}AuthenticationService.wsdl`, documenti: `${dir}DocerServices.wsdl`, protocollo: `${dir}WSProtocollazione.wsdl` }
const params = {
  codiceEnte: 'EMR',
  codiceAmministrazione: 'c_d969',
  codiceAOO: 'AOO_D969',
  denominazione: 'Comune di Esempio',
  indirizzoTelematico: 'protocollo@pec.comune.esempio.it',
}

let vendor: DocerSimulator
let server: SoapSimulator
let t: TestApp
let workers: { close(): Promise<void> }

const available = contractsAvailable('step documents registered at DocER through the delivery engine')

beforeAll(async () => {
  if (!available) return
  vendor = createDocerSimulator({
    codiceEnte: params.codiceEnte,
    username: 'snodo',
    password: 'docer-pw',
    validateSegnatura: (xml) => xmllintErrors(xml, `${dir}SegnaturaProtocollazioneRequest.xsd`),
  })
  server = await listenSoap(vendor.mounts(wsdl))
  Object.assign(process.env, { STEP_DOCER_USER: 'snodo', STEP_DOCER_PASSWORD: 'docer-pw' })
  const services = Object.fromEntries(
    Object.entries(wsdl).map(([name, file]) => [name, { wsdl: file, endpoint: `${server.url}${vendor.paths[name as keyof typeof wsdl]}` }]),
  )
  t = await createBackofficeTestApp(
    {
      baseUrl: server.url,
      protocol: { profile: 'docer', services, credentials: { username: 'env:STEP_DOCER_USER', password: 'env:STEP_DOCER_PASSWORD' }, params, timeoutMs: 400 },
      services: [{ serviceCode: 'SUE-01', name: 'Edilizia', routing: { mode: 'pull' } }],
    },
    // Retried at once, not after the 30 s floor a timeout normally gets.
    { config: { delivery: { targets: { backoffice: { retry: { scheduleMs: [100, 100], floorAfterThrottleMs: 0 }, timeoutMs: 3_000 } } } } },
  )
  workers = await startWorkers(t.deps)
})
afterAll(async () => {
  await workers?.close()
  await t?.close()
  await server?.close()
})

const base = '/v1/tenants/comune-a/practices'
const pdf = (text: string) => Buffer.from(`%PDF-1.4 ${text}`)
const inline = (name: string, bytes: Buffer) => ({
  name,
  contentType: 'application/pdf',
  contentBase64: bytes.toString('base64'),
  sha256: createHash('sha256').update(bytes).digest('hex'),
})
const request = async (path: string, body?: object) =>
  (await t.app.request(path, await signedInit(t.clients.portal, body ? { method: 'POST', body } : {}))).json()
const abstractOf = (documentId: string | undefined) => vendor.documents.get(String(documentId))?.metadata.ABSTRACT

it.runIf(available)('a step registration that times out after DocER registered is retried, found by its key, and registered exactly once', async () => {
  const practice = {
    serviceCode: 'SUE-01',
    applicant: { fiscalCode: 'IOUSER00A00Y009X', givenName: 'Anna', familyName: 'Rossi' },
    subject: 'Permesso di costruire',
    data: {},
    attachments: [inline('domanda.pdf', pdf('domanda'))],
    channel: 'online',
    submittedAt: '2026-11-23T10:00:00+01:00',
  }
  const { id } = await request(base, practice)
  await eventually(async () => (await request(`${base}/${id}`)).status === 'registered')
  const original = (await request(`${base}/${id}`)).registration

  // The next protocollaById (the step's) registers, then answers past the adapter's 400 ms.
  vendor.troubleOnce('protocollaById', { slowMs: 1_500, actFirst: true })
  const accepted = await request(`${base}/${id}/status`, {
    status: 'accepted',
    message: 'Permesso rilasciato',
    documents: [inline('permesso.pdf', pdf('permesso di costruire n. 12'))],
  })
  expect(accepted.status).toBe('accepted')

  await eventually(async () => (await request(`${base}/${id}`)).registrations[1]?.delivery?.status === 'succeeded', 15_000)
  const step = (await request(`${base}/${id}`)).registrations[1]
  expect(step.delivery.attempts.map((a: { outcome: string; errorKind?: string }) => [a.outcome, a.errorKind])).toEqual([
    ['failed', 'timeout'],
    ['succeeded', undefined],
  ])
  // DocER holds one protocolled document for the step's key: the one the timed-out call registered.
  const registeredForStep = vendor.registrations.filter((r) => abstractOf(r.documentId) === `${id}/2`)
  expect(registeredForStep).toHaveLength(1)
  expect(step.registration).toMatchObject({ number: String(registeredForStep[0]?.number), documentId: registeredForStep[0]?.documentId })
  expect(registeredForStep[0]?.flusso).toBe('U')
  expect(vendor.documents.get(String(registeredForStep[0]?.documentId))?.riferimenti).toEqual([original.documentId])
  expect(vendor.problems).toEqual([])
  // The delivery is the (practice, step): queueing it again adds nothing.
  const again = await t.deps.engine.enqueue([
    {
      id: step.delivery.id,
      tenant: 'comune-a',
      target: 'backoffice',
      operation: queueNames.backofficeDocuments,
      resourceId: id,
      payload: { step: 2 },
      meta: {},
    },
  ])
  expect(again.created).toEqual([])
  expect(step.delivery.id).toBe(stepDeliveryId('comune-a', id, 2))
})
