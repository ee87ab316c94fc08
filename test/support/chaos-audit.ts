// The verdict of a chaos run, from outside Snodo's processes: the portal's answers, Snodo's API (each
// resource and the events feed), the simulators' logs and the webhook receiver. It waits (bounded) for
// every accepted resource to be final, then counts per platform what was accepted, lost, duplicated,
// missing its event, ended in the wrong state or went backwards, prints the table and lists offenders.

import type { ChaosPlatforms } from './chaos-platforms.ts'
import type { ChaosPortal, Command, Kind } from './chaos-portal.ts'
import { chaosTenant } from './chaos-snodo.ts'
import type { ChaosReceiver } from './chaos-webhooks.ts'
import { poll } from './poll.ts'

/**
 * The documented residual. GPD and the protocollo: no duplicate (a position's IUPD and a practice's
 * registration are Snodo's to keep unique). App IO has no idempotency key nor a list of a citizen's
 * messages (appio/FACTS.md §5): a submit cut off between IO's answer and Snodo keeping its id may be
 * sent again, so a message may reach IO twice — never three times, and only when Snodo flags it
 * `uncertainSend` (the practices' notices, which the portal cannot read, twice at most). How many
 * submits a kill cuts off depends on where it lands: the rate is printed, not bounded. Webhooks are at
 * least once by design (receivers dedupe on webhook-id): each may come again, never as another event id.
 */
const maxCopiesAtIo = 2

type Delivery = { status: string; attempts?: { upstreamCode?: string }[] }
type Resource = { id: string; status: string; history: { status: string }[]; delivery?: Delivery; protocolDelivery?: Delivery; uncertainSend?: boolean }
type FeedEvent = { id: string; type: string; data: Record<string, unknown> }
type Flow = { platform: 'gpd' | 'appio' | 'protocollo'; path: string; happy: string[]; event: string; failures: string[]; idField: string }

const flows: Record<Kind, Flow> = {
  payment: { platform: 'gpd', path: 'payments', happy: ['queued', 'published'], event: 'payment.published', failures: [], idField: 'paymentId' },
  message: {
    platform: 'appio',
    path: 'messages',
    happy: ['queued', 'submitted', 'sent'],
    event: 'message.sent',
    failures: ['message.failed', 'message.rejected'],
    idField: 'messageId',
  },
  practice: {
    platform: 'protocollo',
    path: 'practices',
    happy: ['submitted', 'registered'],
    event: 'practice.registered',
    failures: [],
    idField: 'practiceId',
  },
}
export const chaosEventTypes = [...new Set(Object.values(flows).flatMap((f) => [f.event, ...f.failures]))]
const base = `/v1/tenants/${chaosTenant}`
const deliveryOf = (r: Resource) => r.delivery ?? r.protocolDelivery
const isFinal = (kind: Kind, r: Resource) => (r.status !== flows[kind].happy[0] && r.status !== 'submitted') || deliveryOf(r)?.status === 'dead'
/**
 * DOCAREA cannot search by correlation key (profiles/docarea.ts): a Protocollazione whose outcome is unknown
 * (the worker died during it) is held dead as outcome_unknown for an operator, never sent twice. Counted, not failed.
 */
const heldForOperator = (kind: Kind, r: Resource) =>
  kind === 'practice' && r.status === 'submitted' && deliveryOf(r)?.status === 'dead' && deliveryOf(r)?.attempts?.at(-1)?.upstreamCode === 'outcome_unknown'

export type Row = {
  platform: string
  accepted: number
  held: string[]
  lost: string[]
  duplicated: string[]
  allowed: number
  missingEvents: string[]
  wrongFinal: string[]
  backward: string[]
}

export async function auditRun(o: {
  run: string
  portal: ChaosPortal
  commands: Command[]
  platforms: ChaosPlatforms
  receiver: ChaosReceiver
  unexpectedExits: () => string[]
}) {
  const accepted = o.commands.filter((c) => c.status >= 200 && c.status < 300 && c.id)
  const resources = new Map<string, Resource | undefined>()
  const fetchAll = async () => {
    for (const c of accepted) {
      const known = resources.get(c.key)
      if (known && isFinal(c.kind, known)) continue
      const answer = await o.portal.get(`${base}/${flows[c.kind].path}/${c.id}`)
      resources.set(c.key, answer.status === 200 ? (answer.body as Resource) : undefined)
    }
    return accepted.every((c) => {
      const r = resources.get(c.key)
      return r !== undefined && isFinal(c.kind, r)
    })
  }
  // Generous bounds: a run that needs them has already failed, and says so below.
  await poll(fetchAll, { timeoutMs: 90_000, everyMs: 500, errorsMeanNo: true })
  const feed = async () => {
    const items: FeedEvent[] = []
    for (let after: string | undefined; ; ) {
      const page = (await o.portal.get(`${base}/events?limit=500${after ? `&after=${after}` : ''}`)).body as { items: FeedEvent[]; nextCursor?: string }
      items.push(...page.items)
      if (!page.nextCursor || page.items.length === 0) return items
      after = page.nextCursor
    }
  }
  let events: FeedEvent[] = []
  const webhooksDone = async () => {
    events = (await feed()).filter((e) => chaosEventTypes.includes(e.type))
    const ok = o.receiver.successes()
    return events.every((e) => (ok.get(e.id) ?? 0) > 0)
  }
  await poll(webhooksDone, { timeoutMs: 45_000, everyMs: 500, errorsMeanNo: true })

  const counts = o.platforms.counts()
  const ok = o.receiver.successes()
  const rows = new Map<Kind, Row>()
  for (const kind of Object.keys(flows) as Kind[]) {
    const flow = flows[kind]
    const mine = accepted.filter((c) => c.kind === kind)
    const row: Row = {
      platform: `${kind}s (${flow.platform})`,
      accepted: mine.length,
      held: [],
      lost: [],
      duplicated: [],
      allowed: 0,
      missingEvents: [],
      wrongFinal: [],
      backward: [],
    }
    for (const c of o.commands.filter((x) => x.kind === kind)) {
      const copies = counts[flow.platform].get(c.key) ?? 0
      if (copies < 2) continue
      row.duplicated.push(`${c.key} ×${copies}`)
      if (flow.platform === 'appio' && copies <= maxCopiesAtIo && resources.get(c.key)?.uncertainSend) row.allowed++
    }
    for (const c of mine) {
      const r = resources.get(c.key)
      const at = (counts[flow.platform].get(c.key) ?? 0) > 0
      if (r && heldForOperator(kind, r)) {
        row.held.push(`${c.id} (${at ? 'registered' : 'not registered'} at the protocollo)`)
        continue
      }
      if (!r || !at) {
        row.lost.push(`${c.key} (${c.id}: ${r ? `${r.status}, never reached ${flow.platform}` : 'not found'})`)
        continue
      }
      const last = r.history.at(-1)?.status ?? r.status
      if (r.status !== flow.happy.at(-1)) row.wrongFinal.push(`${c.id} ${r.status}`)
      // Backward: a step of the happy path after a later one, or anything after the announced state
      // (published, sent, registered: the portal was told). queued → failed is a wrong end, not backward.
      const steps = r.history.map((h) => flow.happy.indexOf(h.status)).filter((i) => i >= 0)
      const announcedAt = r.history.findIndex((h) => h.status === flow.happy.at(-1))
      if (
        steps.some((s, i) => i > 0 && s < (steps[i - 1] as number)) ||
        (announcedAt >= 0 && r.history.slice(announcedAt + 1).length > 0) ||
        (announcedAt >= 0 && last !== flow.happy.at(-1))
      ) {
        row.backward.push(`${c.id} ${r.history.map((h) => h.status).join('→')}`)
      }
      const told = events.filter((e) => e.data[flow.idField] === c.id)
      const announced = told.find((e) => e.type === flow.event)
      if (announced && told.some((e) => flow.failures.includes(e.type))) row.backward.push(`${c.id} events ${told.map((e) => e.type).join('→')}`)
      if (r.status === flow.happy.at(-1) && !announced) row.missingEvents.push(`${c.id} ${flow.event} not in the feed`)
      else if (announced && !ok.get(announced.id)) row.missingEvents.push(`${c.id} ${flow.event} ${announced.id} never delivered`)
      const twice = told.filter((e) => e.type === flow.event)
      if (twice.length > 1) row.duplicated.push(`${c.id} ${flow.event} ×${twice.length} event ids`)
    }
    rows.set(kind, row)
  }
  // App IO also carries the practices' "registered" message to the applicant: its duplicates count too.
  const io = rows.get('message') as Row
  for (const c of o.commands.filter((x) => x.kind === 'practice')) {
    const copies = counts.appio.get(c.key) ?? 0
    if (copies < 2) continue
    io.duplicated.push(`${c.key} (practice notice) ×${copies}`)
    if (copies <= maxCopiesAtIo) io.allowed++
  }
  const ioExpected = io.accepted + (rows.get('practice') as Row).accepted

  const redelivered = [...ok.entries()].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`)
  const webhooks: Row = {
    platform: 'webhooks',
    accepted: events.length,
    held: [],
    lost: events.filter((e) => !ok.get(e.id)).map((e) => `${e.type} ${e.id}`),
    duplicated: redelivered,
    allowed: redelivered.length,
    missingEvents: [],
    wrongFinal: [],
    backward: o.receiver.log.filter((r) => !r.verified).map((r) => `${r.webhookId} signature did not verify`),
  }
  const all = [...rows.values(), webhooks]
  const notAccepted = o.commands
    .filter((c) => !(c.status >= 200 && c.status < 300 && c.id))
    .map((c) => `${c.key} ${c.status || 'no answer'} ${c.code ?? ''}`.trim())
  const retried = o.commands.filter((c) => c.attempts > 1).length
  console.log(table(o.run, all, { sent: o.commands.length, retried, notAccepted: notAccepted.length, ioExpected }))

  const problems: string[] = []
  const list = (what: string, items: string[]) =>
    items.length > 0 && problems.push(`${what} (${items.length}): ${items.slice(0, 20).join(', ')}${items.length > 20 ? ', …' : ''}`)
  list('commands not accepted (refused or unanswered after retrying)', notAccepted)
  for (const row of all) {
    list(`${row.platform}: lost`, row.lost)
    if (row.duplicated.length > row.allowed) list(`${row.platform}: duplicated beyond the ${row.allowed} allowed`, row.duplicated)
    list(`${row.platform}: missing events`, row.missingEvents)
    list(`${row.platform}: wrong final state`, row.wrongFinal)
    list(`${row.platform}: backward`, row.backward)
  }
  list('Snodo processes that died on their own', o.unexpectedExits())
  const held = all.flatMap((row) => row.held)
  if (held.length > 0) console.log(`chaos ${o.run}: held dead as outcome_unknown for an operator (allowed): ${held.join(', ')}`)
  return { rows: all, problems }
}

function table(run: string, rows: Row[], totals: { sent: number; retried: number; notAccepted: number; ioExpected: number }) {
  const head = ['platform', 'accepted', 'held', 'lost', 'duplicated', 'allowed', 'dup rate', 'missing events', 'wrong final', 'backward']
  const body = rows.map((r) => {
    const expected = r.platform.includes('appio') ? totals.ioExpected : r.accepted
    return [
      r.platform,
      r.accepted,
      r.held.length,
      r.lost.length,
      r.duplicated.length,
      r.allowed,
      `${((100 * r.duplicated.length) / Math.max(1, expected)).toFixed(1)} %`,
      r.missingEvents.length,
      r.wrongFinal.length,
      r.backward.length,
    ].map(String)
  })
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`
  return [
    `chaos ${run}: ${totals.sent} commands sent, ${totals.retried} retried by the portal, ${totals.notAccepted} not accepted`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ].join('\n')
}
