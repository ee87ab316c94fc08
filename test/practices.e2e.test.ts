// The practice loop in a whole sandbox process, at volume and through transient protocollo troubles:
// 200 practices submitted by the portal (the demo client), registered at the DOCAREA-shaped protocollo
// — some after a busy answer or a slow Login, retried — then pulled, acked and moved step by step by
// the sandbox's office software (its own client), each step told to the portal and to the citizen; the
// documents it attaches to some steps registered at the protocollo on their own, once each.
// What is proven comes from outside Snodo: the simulators' own logs and the portal's webhook receiver.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { protocolloMagicSubjects, transientCodes } from '../src/adapters/protocollo/simulator/magic.ts'
import { createSnodoClient, readClientFile } from '../src/client/index.ts'
import { supplierDocuments, supplierMagicSubjects, supplierMessages } from '../src/sandbox/backoffice-supplier.ts'
import { type SnodoProcess, startSnodo } from './support/sandbox-process.ts'
import { eventually, startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts'

type Kind = 'plain' | 'loginLento' | 'occupato' | 'integrazione' | 'respinta'
type Step = keyof typeof supplierMessages
type Attempt = { outcome: string; errorKind?: string; upstreamCode?: string; message?: string }
type Practice = {
  id: string
  subject: string
  status: string
  ackedAt?: string
  registration?: { number: string; year: number }
  history: { status: string; detail?: string }[]
  protocolDelivery: { status: string; attempts: Attempt[] }
  registrations: { step: number; status: string; direction: string; registration?: { number: string }; delivery?: { status: string; attempts: Attempt[] } }[]
}
type Event = { id: string; type: string; data: { practiceId?: string; to?: string; reference?: string; step?: number } }

const count = 200
// Of every 20: 2 with a slow Login, 2 busy, 2 asked for an integration, 1 rejected, 13 plain (10/10/10/5 %).
const kindOf = (i: number): Kind =>
  (['loginLento', 'loginLento', 'occupato', 'occupato', 'integrazione', 'integrazione', 'respinta'] as const)[i % 20] ?? 'plain'
const tokens: Record<Kind, string> = {
  plain: '',
  loginLento: protocolloMagicSubjects.slowLogin,
  occupato: protocolloMagicSubjects.busy,
  integrazione: supplierMagicSubjects.integration,
  respinta: supplierMagicSubjects.rejected,
}
/** The office's steps after the registration, per kind: what the supplier must have reported. */
const stepsOf: Record<Kind, Step[]> = {
  plain: ['taken_in_charge', 'accepted'],
  loginLento: ['taken_in_charge', 'accepted'],
  occupato: ['taken_in_charge', 'accepted'],
  integrazione: ['taken_in_charge', 'integration_requested', 'integration_submitted', 'accepted'],
  respinta: ['taken_in_charge', 'rejected'],
}
const fiscalCodeOf = (i: number) => `IOUSER00A00Y${String(i).padStart(3, '0')}X`

let snodo: SnodoProcess
let receiver: WebhookReceiver
let portal: ReturnType<typeof createSnodoClient>
const simulatorOrigin = (name: string) => new URL(new RegExp(`Simulator:\\s+${name}\\s+(\\S+)`).exec(snodo.stdout())?.[1] as string).origin

beforeAll(async () => {
  snodo = await startSnodo()
  receiver = await startWebhookReceiver()
  portal = createSnodoClient(readClientFile(join(snodo.home, 'sandbox', 'demo-client.json')), { rejectUnverified: true })
})
afterAll(async () => {
  await receiver?.close()
  await snodo?.stop()
})

function aPractice(i: number) {
  const pdf = Buffer.from(`%PDF-1.4\ndomanda n. ${i} di ${fiscalCodeOf(i)}\n%%EOF\n`)
  return {
    serviceCode: i % 2 === 0 ? 'SUAP-01' : 'SOC-01',
    applicant: { fiscalCode: fiscalCodeOf(i), givenName: 'Giulia', familyName: `Verdi ${i}`, email: `giulia.verdi.${i}@example.it` },
    subject: `Domanda n. ${i} ${tokens[kindOf(i)]}`.trim(),
    data: { n: i },
    attachments: [
      {
        name: `domanda-${i}.pdf`,
        contentType: 'application/pdf',
        contentBase64: pdf.toString('base64'),
        sha256: createHash('sha256').update(pdf).digest('hex'),
      },
    ],
    channel: 'online',
    submittedAt: new Date().toISOString(),
  }
}

it('200 practices through busy and slow protocollo answers: each registered once, moved by the office to its end, every step told to portal and citizen', {
  timeout: 120_000,
}, async () => {
  const started = Date.now()
  const endpoint = await portal.post('/v1/tenants/comune-demo/webhook-endpoints', {
    url: receiver.url,
    events: ['practice.registered', 'practice.forwarded', 'practice.status_changed', 'practice.document_registered', 'message.sent'],
  })
  expect(endpoint.status).toBe(201)
  receiver.secrets.push((endpoint.body as { secret: string }).secret)

  // The portal submits, 20 at a time.
  const ids: string[] = []
  for (let from = 0; from < count; from += 20) {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, k) => portal.post('/v1/tenants/comune-demo/practices', aPractice(from + k))))
    for (const answer of answers) expect(answer.status, answer.text).toBe(202)
    ids.push(...answers.map((a) => (a.body as { id: string }).id))
  }
  const index = new Map(ids.map((id, i) => [id, i]))

  const all = async () => ((await portal.get('/v1/tenants/comune-demo/practices?limit=500')).body as { items: Practice[] }).items.filter((p) => index.has(p.id))
  const done = (p: Practice) => ['accepted', 'rejected'].includes(p.status) && p.registrations.every((r) => r.delivery?.status === 'succeeded')
  await eventually(async () => (await all()).filter(done).length === count, 90_000)
  const ended = Date.now()
  const practices = await all()

  // Each practice ended where its subject said, with exactly the steps the office reported, in order.
  for (const p of practices) {
    const steps = stepsOf[kindOf(index.get(p.id) as number)]
    expect(
      p.history.map((h) => h.status),
      p.subject,
    ).toEqual(['submitted', 'registered', ...steps])
    expect(p.history.slice(2).map((h) => h.detail)).toEqual(steps.map((s) => supplierMessages[s]))
    expect(p.ackedAt).toEqual(expect.any(String))
  }
  // The office logs every call Snodo refused (a step not allowed would be a 409): there was none.
  expect(snodo.output()).not.toContain('sandbox back-office supplier')

  // Registered exactly once each, as the protocollo itself counts it, with the number Snodo kept; and so
  // is each step's document, in its direction, referring to the practice's own protocol.
  const { registrations } = (await (await fetch(`${simulatorOrigin('protocollo')}/__sim/registrations`)).json()) as {
    registrations: { number: number; correlationKey: string; flusso: string; precedent?: string }[]
  }
  const stepsWithDocuments = (p: Practice) => p.history.flatMap((h, step) => (h.status in supplierDocuments ? [{ step, status: h.status }] : []))
  const expectedStepRegistrations = practices.reduce((n, p) => n + stepsWithDocuments(p).length, 0)
  expect(expectedStepRegistrations).toBe((count / 20) * 5) // 2 integrations × 2 documents + 1 refusal, of every 20
  expect(registrations).toHaveLength(count + expectedStepRegistrations)
  expect(new Set(registrations.map((r) => r.correlationKey)).size).toBe(registrations.length)
  expect(new Set(registrations.filter((r) => !r.correlationKey.includes('/')).map((r) => r.correlationKey))).toEqual(new Set(ids))
  for (const p of practices) {
    expect(p.registration?.number).toBe(String(registrations.find((r) => r.correlationKey === p.id)?.number))
    expect(p.registrations.map((r) => [r.step, r.status])).toEqual([[0, 'submitted'], ...stepsWithDocuments(p).map((s) => [s.step, s.status])])
    for (const r of p.registrations.slice(1)) {
      const vendor = registrations.find((v) => v.correlationKey === `${p.id}/${r.step}`)
      expect(vendor).toMatchObject({ flusso: r.status === 'integration_submitted' ? 'E' : 'U', precedent: `${p.registration?.number}/${p.registration?.year}` })
      expect(r.registration?.number).toBe(String(vendor?.number))
    }
  }

  // The troubles were real and retried: one busy or expired-session answer for each practice that asked for it,
  // and as many Login timeouts as slow Logins (a Login carries no practice: the slow one is whichever came next).
  const refusedWith = (code: string) =>
    practices.map((p) => p.protocolDelivery.attempts.filter((a) => a.upstreamCode === code && a.errorKind === 'unavailable').length)
  const ofKind = (kind: Kind) => practices.map((p) => Number(kindOf(index.get(p.id) as number) === kind))
  expect(refusedWith(transientCodes.busy.code)).toEqual(ofKind('occupato'))
  expect(refusedWith(transientCodes.sessionExpired.code)).toEqual(ofKind('loginLento'))
  // Every registration's attempts (the original's included): a slow Login may fall to a step's registration.
  const timeouts = practices.flatMap((p) => p.registrations.flatMap((r) => r.delivery?.attempts ?? [])).filter((a) => a.errorKind === 'timeout')
  expect(timeouts).toEqual(Array(count / 10).fill(expect.objectContaining({ message: expect.stringMatching(/^docarea Login: no answer within/) })))
  expect(practices.every((p) => p.protocolDelivery.status === 'succeeded')).toBe(true)

  // The portal: one practice.status_changed per step, each webhook a success once, every signature valid.
  const expectedSteps = practices.reduce((n, p) => n + p.history.length - 2, 0)
  const expectedMessages = expectedSteps + count // one IO message for the registration too
  const events = () => receiver.received.filter((r) => r.status === 200).map((r) => ({ webhookId: r.id, ...(JSON.parse(r.body) as Event) }))
  const eventsOf = (type: string) => events().filter((e) => e.type === type).length
  await eventually(
    () =>
      eventsOf('practice.status_changed') === expectedSteps &&
      eventsOf('message.sent') === expectedMessages &&
      eventsOf('practice.document_registered') === expectedStepRegistrations,
    30_000,
  )
  expect(receiver.received.every((r) => r.verified)).toBe(true)
  expect(receiver.received.every((r) => receiver.successes(r.id) === 1)).toBe(true)
  for (const p of practices) {
    const mine = events().filter((e) => e.data.practiceId === p.id)
    expect(
      mine
        .filter((e) => e.type === 'practice.status_changed')
        .map((e) => e.data.to)
        .sort(),
    ).toEqual(
      p.history
        .slice(2)
        .map((h) => h.status)
        .sort(),
    )
    expect(
      mine
        .filter((e) => ['practice.forwarded', 'practice.registered'].includes(e.type))
        .map((e) => e.type)
        .sort(),
    ).toEqual(['practice.forwarded', 'practice.registered'])
    expect(mine.filter((e) => e.type === 'practice.document_registered').map((e) => e.data.step)).toEqual(
      expect.arrayContaining(stepsWithDocuments(p).map((s) => s.step)),
    )
    expect(mine.filter((e) => e.type === 'practice.document_registered')).toHaveLength(stepsWithDocuments(p).length)
    // message.sent names the practice and step it told the citizen about.
    const told = events().filter((e) => e.type === 'message.sent' && e.data.reference?.startsWith(`${p.id}#`))
    expect(told.map((e) => e.data.reference).sort()).toEqual(
      p.history
        .slice(1)
        .map((h) => `${p.id}#${h.status}`)
        .sort(),
    )
  }

  // The citizen: App IO accepted one message per step (the registration included), none twice.
  const { accepted } = (await (await fetch(`${simulatorOrigin('appio')}/__sim/accepted`)).json()) as { accepted: { fiscalCode: string; subject: string }[] }
  expect(accepted).toHaveLength(expectedMessages)
  for (const p of practices) {
    const i = index.get(p.id) as number
    const received = accepted.filter((m) => m.fiscalCode === fiscalCodeOf(i))
    expect(received).toHaveLength(p.history.length - 1)
    expect(received.every((m) => m.subject.startsWith(`Pratica Domanda n. ${i}`))).toBe(true)
  }
  console.log(
    `practices e2e: ${count} practices ended in ${((ended - started) / 1000).toFixed(1)} s; whole check ${((Date.now() - started) / 1000).toFixed(1)} s`,
  )
})
