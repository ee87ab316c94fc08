// The sandbox's back-office supplier: the comune's office software, simulated. It acts on Snodo only
// through the v1 API, signed as its own client (demo-backoffice), as a real supplier would: it pulls
// the registered practices, acks each, then reports the office's steps on a schedule that a token in
// the subject can steer, some of them with a document (supplierDocuments). The services Snodo pushes
// to its SOAP service (`soap`: the simulated supplier service, ../adapters/supplier/simulator) it does
// not pull: it takes up each practice that service received. A demo helper must never take Snodo down:
// every failure is logged and the loop goes on; and it reads each practice before a step, so it never
// reports one Snodo would refuse.
import type { Logger } from 'pino'
import type { SupplierService } from '../adapters/supplier/simulator/service.ts'
import type { SnodoClient } from '../client/index.ts'
import { type PracticeStatus, practiceTransitions } from '../practices/practice.ts'

/** Tokens anywhere in a practice's subject that pick what the office decides. */
export const supplierMagicSubjects = { integration: '[sim:integrazione]', rejected: '[sim:respinta]' } as const

/** Small on purpose: the sandbox is for demos and tests. */
export const supplierTimings = {
  /** How often the office looks for practices. */
  pollMs: 500,
  /** From one step of a practice to the next (the first: after the ack). */
  stepMs: 300,
  /** From asking for an integration to reporting it sent (the citizen's part on the portal, simulated by waiting). */
  integrationMs: 1_500,
  /** How often a practice whose registration went dead is looked at again (an operator may replay it). */
  waitingMs: 10_000,
} as const

/** What the office writes with each step: the applicant reads it on App IO, the portal in the webhook. */
export const supplierMessages = {
  taken_in_charge: "Pratica assegnata all'istruttore (back-office della sandbox).",
  integration_requested: 'Manca un documento: lo alleghi dal portale.',
  integration_submitted: "Integrazione ricevuta: l'istruttoria riprende.",
  accepted: 'Istruttoria conclusa con esito favorevole.',
  rejected: 'Istruttoria conclusa con esito negativo: mancano i requisiti.',
} as const satisfies Partial<Record<PracticeStatus, string>>

/**
 * The documents some steps carry, registered at the protocollo on their own: the office's letters go
 * out (the request for an integration, the refusal), the citizen's integration comes in.
 */
export const supplierDocuments = {
  integration_requested: 'richiesta-integrazione.pdf',
  integration_submitted: 'integrazione.pdf',
  rejected: 'provvedimento-diniego.pdf',
} as const satisfies Partial<Record<keyof typeof supplierMessages, string>>

/** A small PDF-like document for a step of a practice, inline; none for a step that carries none. */
export function documentsFor(step: keyof typeof supplierMessages, practiceId: string) {
  const name = (supplierDocuments as Partial<Record<string, string>>)[step]
  if (!name) return undefined
  const content = Buffer.from(`%PDF-1.4\n${supplierMessages[step]}\nPratica ${practiceId}\n%%EOF\n`)
  return [{ name, contentType: 'application/pdf', contentBase64: content.toString('base64') }]
}

/** The office's next step from where the practice is, or none; only ever one Snodo allows from there. */
export function nextStep(status: PracticeStatus, subject: string): keyof typeof supplierMessages | undefined {
  const decision = subject.includes(supplierMagicSubjects.rejected) ? 'rejected' : 'accepted'
  const plan: Partial<Record<PracticeStatus, keyof typeof supplierMessages>> = {
    registered: 'taken_in_charge',
    taken_in_charge: subject.includes(supplierMagicSubjects.integration) ? 'integration_requested' : decision,
    integration_requested: 'integration_submitted',
    integration_submitted: decision,
  }
  const next = plan[status]
  return next && practiceTransitions[status].includes(next) ? next : undefined
}

type Seen = {
  id: string
  serviceCode: string
  status: PracticeStatus
  subject: string
  cursor: string
  ackedAt?: string
  protocolDelivery?: { status: string }
  supplierPush?: { delivery?: { status: string } }
}

class CallFailed extends Error {
  readonly status: number
  constructor(message: string, status: number) {
    super(message)
    this.status = status
  }
}

export type BackofficeSupplier = { stop(): Promise<void> }

/** Practices read, acked or moved per tick, at most: a burst of them never floods Snodo all at once. */
const batch = 100

export type SupplierOptions = {
  client: SnodoClient
  tenantId: string
  logger: Logger
  timings?: Record<keyof typeof supplierTimings, number>
  /** The supplier's SOAP service, and the services whose practices Snodo pushes there. */
  soap?: { service: Pick<SupplierService, 'received' | 'receivedTotal'>; serviceCodes: string[] }
}

export function startBackofficeSupplier(options: SupplierOptions): BackofficeSupplier {
  const { client, logger } = options
  const pushed = new Set(options.soap?.serviceCodes ?? [])
  /** How many of the SOAP service's practices (since it started) the office has taken up. */
  let takenUp = 0
  const timings = options.timings ?? supplierTimings
  const path = `/v1/tenants/${options.tenantId}/practices`
  /** The practices the office works on, and when each is looked at next. */
  const due = new Map<string, number>()
  /** Every practice before it needs nothing more from the pull. */
  let cursor: string | undefined
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  let lastTrouble: string | undefined

  const call = async (method: 'GET' | 'POST', url: string, body?: object): Promise<unknown> => {
    const answer = await client.request(method, url, body ? { body } : {})
    if (answer.status >= 300) throw new CallFailed(`${method} ${url}: ${answer.status} ${(answer.body as { detail?: string })?.detail ?? ''}`, answer.status)
    return answer.body
  }
  const list = async (query: string) => ((await call('GET', `${path}?${query}${cursor ? `&after=${cursor}` : ''}`)) as { items: Seen[] }).items
  const ack = (id: string) => call('POST', `${path}/${id}/ack`)

  /** What a supplier does: read the registered practices after its cursor, ack each, schedule its first step. */
  const pull = async () => {
    const fresh = (await list(`status=registered&limit=${batch}`)).filter((p) => !due.has(p.id) && !pushed.has(p.serviceCode))
    await Promise.all(
      fresh.map(async (p) => {
        if (!p.ackedAt) await ack(p.id)
        due.set(p.id, Date.now() + timings.stepMs)
      }),
    )
  }

  // Practices register out of order (a retried registration ends after the ones behind it), so the
  // cursor never passes one the pull (or the SOAP service) has yet to see. One whose registration or
  // push is dead (an operator may replay it) is passed but kept on the schedule, looked at now and
  // then: it neither blocks nor is lost.
  const advance = async () => {
    for (const p of await list(`limit=${batch}`)) {
      // A practice whose registration, or push to the SOAP service, is dead.
      const dead =
        (p.status === 'submitted' && p.protocolDelivery?.status === 'dead') || (p.status === 'registered' && p.supplierPush?.delivery?.status === 'dead')
      if (!dead && (p.status === 'submitted' || (p.status === 'registered' && !due.has(p.id)))) return
      // Also what a restart left half done: the office takes it up again.
      if (!due.has(p.id) && (dead || nextStep(p.status, p.subject))) due.set(p.id, Date.now() + (dead ? timings.waitingMs : 0))
      cursor = p.cursor
    }
  }

  /** One practice's next step, from what Snodo says it is now. */
  const act = async (id: string) => {
    let p: Seen
    try {
      p = (await call('GET', `${path}/${id}`)) as Seen
    } catch (error) {
      if (error instanceof CallFailed && error.status === 404) return void due.delete(id)
      throw error
    }
    if (p.status === 'submitted') return void due.set(id, Date.now() + timings.waitingMs)
    if (p.status === 'registered' && pushed.has(p.serviceCode) && p.supplierPush?.delivery?.status === 'dead')
      return void due.set(id, Date.now() + timings.waitingMs)
    if (p.status === 'registered' && !p.ackedAt && !pushed.has(p.serviceCode)) await ack(id)
    const next = nextStep(p.status, p.subject)
    if (!next) return void due.delete(id)
    const documents = documentsFor(next, id)
    await call('POST', `${path}/${id}/status`, { status: next, message: supplierMessages[next], ...(documents ? { documents } : {}) })
    if (!nextStep(next, p.subject)) return void due.delete(id)
    due.set(id, Date.now() + (next === 'integration_requested' ? timings.integrationMs : timings.stepMs))
  }

  /** What the SOAP service received since the last look: each practice's first step is scheduled. */
  const takeUpPushed = () => {
    if (!options.soap) return
    // The service holds only its latest practices: the new ones are at its end.
    const { received, receivedTotal } = options.soap.service
    const fresh = receivedTotal() - takenUp
    for (const p of fresh > 0 ? received.slice(-fresh) : []) if (!due.has(p.idPratica)) due.set(p.idPratica, Date.now() + timings.stepMs)
    takenUp += fresh
  }

  const tick = async () => {
    try {
      takeUpPushed()
      await pull()
      await advance()
      const now = Date.now()
      const ready = [...due].filter(([, at]) => at <= now).slice(0, batch)
      const failed = (await Promise.allSettled(ready.map(([id]) => act(id)))).find((r) => r.status === 'rejected')
      if (failed) throw failed.reason
      if (lastTrouble) logger.info('sandbox back-office supplier: working again')
      lastTrouble = undefined
    } catch (error) {
      // Once per kind of trouble, not every half second.
      const message = error instanceof Error ? error.message : String(error)
      if (message !== lastTrouble) logger.warn({ err: error }, `sandbox back-office supplier: ${message} (carrying on)`)
      lastTrouble = message
    }
  }

  const loop = async () => {
    await tick()
    if (stopped) return
    timer = setTimeout(() => (running = loop()), timings.pollMs)
    timer.unref()
  }
  running = loop()
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
