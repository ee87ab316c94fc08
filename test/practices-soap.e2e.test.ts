// The SOAP push loop in a whole sandbox process: the portal submits SUAP practices to SUAP-02, the
// DOCAREA-shaped protocollo registers them, Snodo pushes each to the supplier's SOAP service (our
// PraticheFornitore WSDL, served by soap.listen, with the SUAP riepilogo), and the sandbox office —
// which does not pull these — takes up what its SOAP service received and reports each step through the
// API, which the citizen's timeline shows. Troubles on the supplier's side (busy, slow past the timeout,
// a SOAP fault, an in-band refusal) are retried once without a second copy, or end dead with the
// supplier's own words. What is proven comes from outside Snodo: the simulators' own logs.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { suapData } from '../src/adapters/supplier/port.suite.ts'
import { pushMagicSubjects, supplierCodes } from '../src/adapters/supplier/simulator/magic.ts'
import { createSnodoClient, readClientFile } from '../src/client/index.ts'
import { supplierMagicSubjects, supplierMessages } from '../src/sandbox/backoffice-supplier.ts'
import { type SnodoProcess, startSnodo } from './support/sandbox-process.ts'
import { eventually } from './support/webhook-receiver.ts'

type Kind = 'plain' | 'integrazione' | 'lento' | 'occupato' | 'fault' | 'errore'
type Attempt = { outcome: string; errorKind?: string; upstreamCode?: string; message?: string }
type Practice = {
  id: string
  status: string
  ackedAt?: string
  registration?: { number: string }
  history: { status: string; detail?: string }[]
  supplierPush?: {
    forwardedAt?: string
    supplierPracticeId?: string
    delivery?: { status: string; attempts: Attempt[]; lastError?: { upstreamCode?: string; message: string } }
  }
  registrations: { step: number; status: string; direction: string; delivery?: { status: string } }[]
}
type Received = {
  idPratica: string
  idPraticaFornitore: string
  riepilogo: boolean
  protocollo?: { numero: string }
  allegati: { impronta: string; principale: boolean }[]
}

const kinds: Kind[] = ['plain', 'plain', 'plain', 'plain', 'integrazione', 'integrazione', 'lento', 'lento', 'occupato', 'occupato', 'fault', 'errore']
const tokens: Record<Kind, string> = {
  plain: '',
  integrazione: supplierMagicSubjects.integration,
  lento: pushMagicSubjects.slow,
  occupato: pushMagicSubjects.busy,
  fault: pushMagicSubjects.fault,
  errore: pushMagicSubjects.inBandError,
}
const fiscalCodeOf = (i: number) => `IOUSER00A00Y${String(500 + i)}X`
const dead = (kind: Kind) => kind === 'fault' || kind === 'errore'

let snodo: SnodoProcess
let portal: ReturnType<typeof createSnodoClient>
const simulatorOrigin = (name: string) => new URL(new RegExp(`Simulator:\\s+${name}\\s+(\\S+)`).exec(snodo.stdout())?.[1] as string).origin

beforeAll(async () => {
  snodo = await startSnodo()
  portal = createSnodoClient(readClientFile(join(snodo.home, 'sandbox', 'demo-client.json')), { rejectUnverified: true })
})
afterAll(async () => {
  await snodo?.stop()
})

function aPractice(i: number, kind: Kind) {
  const pdf = Buffer.from(`%PDF-1.4\nSCIA n. ${i}\n%%EOF\n`)
  return {
    serviceCode: 'SUAP-02',
    applicant: { fiscalCode: fiscalCodeOf(i), givenName: 'Giulia', familyName: `Verdi ${i}`, pec: `giulia.verdi.${i}@pec.example.it` },
    subject: `SCIA n. ${i} ${tokens[kind]}`.trim(),
    data: suapData,
    attachments: [
      { name: `scia-${i}.pdf`, contentType: 'application/pdf', contentBase64: pdf.toString('base64'), sha256: createHash('sha256').update(pdf).digest('hex') },
    ],
    channel: 'online',
    submittedAt: new Date().toISOString(),
  }
}

it('SUAP practices pushed by SOAP: each received once with its riepilogo, moved by the office to its end; troubles retried without copies or dead with the supplier’s words', {
  timeout: 120_000,
}, async () => {
  const answers = await Promise.all(kinds.map((kind, i) => portal.post('/v1/tenants/comune-demo/practices', aPractice(i, kind))))
  for (const answer of answers) expect(answer.status, answer.text).toBe(202)
  const ids = answers.map((a) => (a.body as { id: string }).id)
  const read = async () => Promise.all(ids.map(async (id) => (await portal.get(`/v1/tenants/comune-demo/practices/${id}`)).body as Practice))
  // The office may finish a practice while Snodo still waits for the answer that says it was received (a slow supplier): both must end.
  const settled = (p: Practice, kind: Kind) =>
    dead(kind)
      ? p.supplierPush?.delivery?.status === 'dead'
      : p.status === 'accepted' && p.supplierPush?.delivery?.status === 'succeeded' && p.registrations.every((r) => r.delivery?.status === 'succeeded')
  await eventually(async () => (await read()).every((p, i) => settled(p, kinds[i] as Kind)), 90_000)
  const practices = await read()

  // What the supplier's SOAP service itself received: each good practice once, with its riepilogo, registration and document.
  const { received } = (await (await fetch(`${simulatorOrigin('fornitore')}/__sim/received`)).json()) as { received: Received[] }
  const registrations = (
    (await (await fetch(`${simulatorOrigin('protocollo')}/__sim/registrations`)).json()) as { registrations: { correlationKey: string; flusso: string }[] }
  ).registrations
  for (const [i, p] of practices.entries()) {
    const kind = kinds[i] as Kind
    const mine = received.filter((r) => r.idPratica === p.id)
    expect(
      registrations.filter((r) => r.correlationKey === p.id),
      p.id,
    ).toHaveLength(1)
    // Pushed, not pulled: the office never acks these.
    expect(p.ackedAt).toBeUndefined()
    if (dead(kind)) {
      expect(mine).toHaveLength(0)
      expect(p.status).toBe('registered')
      expect(p.supplierPush?.delivery?.lastError?.upstreamCode).toBe(kind === 'fault' ? 'soap:Server' : supplierCodes.refused.code)
      continue
    }
    expect(mine, `${kind} ${p.id}`).toHaveLength(1)
    expect(mine[0]).toMatchObject({ riepilogo: true, protocollo: { numero: p.registration?.number }, allegati: [{ principale: true }] })
    expect(p.supplierPush).toMatchObject({
      forwardedAt: expect.any(String),
      supplierPracticeId: mine[0]?.idPraticaFornitore,
      delivery: { status: 'succeeded' },
    })
    const steps = kind === 'integrazione' ? ['taken_in_charge', 'integration_requested', 'integration_submitted', 'accepted'] : ['taken_in_charge', 'accepted']
    expect(p.history.map((h) => h.status)).toEqual(['submitted', 'registered', ...steps])
    expect(p.history.slice(2).map((h) => h.detail)).toEqual(steps.map((s) => supplierMessages[s as keyof typeof supplierMessages]))
    // The office's letter and the citizen's integration are registered at the protocollo on their own, pushed practice or not.
    const later =
      kind === 'integrazione'
        ? [
            { status: 'integration_requested', direction: 'outgoing', flusso: 'U' },
            { status: 'integration_submitted', direction: 'incoming', flusso: 'E' },
          ]
        : []
    expect(p.registrations.map(({ status, direction }) => ({ status, direction }))).toEqual([
      { status: 'submitted', direction: 'incoming' },
      ...later.map(({ status, direction }) => ({ status, direction })),
    ])
    expect(p.registrations.slice(1).map((r) => registrations.filter((v) => v.correlationKey === `${p.id}/${r.step}`).map((v) => v.flusso))).toEqual(
      later.map((l) => [l.flusso]),
    )
    const attempts = p.supplierPush?.delivery?.attempts.map((a) => [a.outcome, a.errorKind, a.upstreamCode])
    if (kind === 'lento')
      expect(attempts).toEqual([
        ['failed', 'timeout', undefined],
        ['succeeded', undefined, undefined],
      ])
    else if (kind === 'occupato')
      expect(attempts).toEqual([
        ['failed', 'unavailable', supplierCodes.busy.code],
        ['succeeded', undefined, undefined],
      ])
    else expect(attempts).toEqual([['succeeded', undefined, undefined]])
  }
  // The office logs every call Snodo refused (a step not allowed would be a 409): there was none.
  expect(snodo.output()).not.toContain('sandbox back-office supplier')

  // The portal's feed: practice.forwarded, via soap, once for each practice the supplier took.
  const feed = await portal.get('/v1/tenants/comune-demo/events?limit=500&types=practice.forwarded')
  expect(feed.status, feed.text).toBe(200)
  const events = (feed.body as { items: { data: { practiceId: string; via?: string } }[] }).items
  expect(
    events
      .filter((e) => ids.includes(e.data.practiceId))
      .map((e) => e.data.practiceId)
      .sort(),
  ).toEqual(ids.filter((_, i) => !dead(kinds[i] as Kind)).sort())
  expect(events.filter((e) => ids.includes(e.data.practiceId)).every((e) => e.data.via === 'soap')).toBe(true)

  // The citizen's timeline shows the practice where the office left it.
  const timeline = (await portal.get(`/v1/tenants/comune-demo/citizens/${fiscalCodeOf(0)}/timeline?limit=50`)).body as {
    items: { kind: string; id: string; status: string }[]
  }
  expect(timeline.items).toContainEqual(expect.objectContaining({ kind: 'practice', id: ids[0], status: 'accepted' }))
})

it('a SUAP practice without the impresa is refused at once, by field', async () => {
  const answer = await portal.post('/v1/tenants/comune-demo/practices', { ...aPractice(99, 'plain'), data: { attivita: 'bar' } })
  expect(answer.status).toBe(400)
  expect((answer.body as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain('data.suap.impresa.ragioneSociale')
})
