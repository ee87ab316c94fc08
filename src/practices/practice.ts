// A practice (pratica) as Snodo keeps it: what the citizen submitted, its business status with
// history, its protocol registration, and the state of each delivery kept apart (protocollo and
// back-office are separate targets). The supplier moves the status; only the allowed steps exist.
// A step that adds documents is kept with its history entry (fields named after its position) and
// gets a protocol registration of its own.
import type { Redis } from 'ioredis'
import type { ProtocolRegistration } from '../adapters/protocollo/port.ts'
import { deliveryIdFor } from '../queues/engine.ts'
import { createStatusStore, type StoredResource, type Transitions } from '../resources/status-store.ts'

export const practiceStatuses = [
  'submitted',
  'registered',
  'taken_in_charge',
  'integration_requested',
  'integration_submitted',
  'accepted',
  'rejected',
  'withdrawn',
] as const
export type PracticeStatus = (typeof practiceStatuses)[number]

/** The steps of a practice; integration may go round more than once; accepted, rejected and withdrawn end it. */
export const practiceTransitions: Transitions<PracticeStatus> = {
  submitted: ['registered', 'withdrawn'],
  registered: ['taken_in_charge', 'integration_requested', 'accepted', 'rejected', 'withdrawn'],
  taken_in_charge: ['integration_requested', 'accepted', 'rejected', 'withdrawn'],
  integration_requested: ['integration_submitted', 'rejected', 'withdrawn'],
  integration_submitted: ['taken_in_charge', 'integration_requested', 'accepted', 'rejected', 'withdrawn'],
  accepted: [],
  rejected: [],
  withdrawn: [],
}

export type Applicant = { fiscalCode: string; givenName: string; familyName: string; email?: string; pec?: string }
export type Attachment = { name: string; contentType: string; sha256: string; size: number }

export type PracticeData = {
  tenantId: string
  serviceCode: string
  applicant: Applicant
  subject: string
  data: Record<string, unknown>
  attachments: Attachment[]
  paymentIds: string[]
  channel: 'online' | 'counter'
  submittedAt: string
  deliveryId: string
}

export type StoredPractice = StoredResource<PracticeData, PracticeStatus>

/** Who a step's documents come from: the citizen ("in entrata") or the office ("in uscita"). */
export type Direction = 'incoming' | 'outgoing'
/** The documents a step added, as recorded with it; `step` is its position in the history. */
export type StepDocuments = { step: number; status: PracticeStatus; direction: Direction; documents: Attachment[]; registration?: ProtocolRegistration }

/** The step's own registration: its delivery and the key a vendor search finds it by. */
export const stepDeliveryId = (tenantId: string, practiceId: string, step: number) => deliveryIdFor(`protocollo-step|${tenantId}|${practiceId}|${step}`)
export const stepCorrelationKey = (practiceId: string, step: number) => `${practiceId}/${step}`

const stepField = /^stepDocuments:(\d+)$/

export function createPracticeStore(redis: Redis, prefix: string, clock: () => Date) {
  const resources = createStatusStore<PracticeData, PracticeStatus>(redis, `${prefix}:prat`, practiceTransitions, clock)
  const index = (tenantId: string) => `${prefix}:prat-idx:${tenantId}`
  const content = (id: string, sha256: string) => `${prefix}:prat-doc:${id}:${sha256}`
  const keep = (multi: ReturnType<Redis['multi']>, id: string, documents: { sha256: string; content: Buffer }[]) => {
    for (const d of documents) multi.set(content(id, d.sha256), d.content)
    return multi
  }
  return {
    ...resources,
    async create(id: string, data: PracticeData, documents: { sha256: string; content: Buffer }[]) {
      // A per-tenant sequence orders the pull feed: unique, so a cursor never skips or repeats one.
      const seq = await redis.incr(`${prefix}:prat-seq:${data.tenantId}`)
      await keep(redis.multi(), id, documents).zadd(index(data.tenantId), seq, id).exec()
      let created: Awaited<ReturnType<typeof resources.create>>
      try {
        created = await resources.create(id, data, 'submitted', `submitted ${data.channel === 'online' ? 'online' : 'at the counter'}`)
      } catch (error) {
        // Nothing half-written stays: the index entry and this practice's own copies of its inline bytes
        // go, unless the record made it after all (or that cannot be told).
        if ((await redis.hexists(resources.keyOf(id), 'data').catch(() => 1)) === 0) {
          const undo = redis.multi().zrem(index(data.tenantId), id)
          if (documents.length > 0) undo.del(...documents.map((d) => content(id, d.sha256)))
          await undo.exec().catch(() => undefined)
        }
        throw error
      }
      await resources.setFields(id, { seq: String(seq) })
      // The record as it stands now: the seq just set is its cursor in the pull feed.
      return { ...created, record: { ...created.record, fields: { ...created.record.fields, seq: String(seq) } } }
    },
    /** Inline documents of a later step, kept before the step is recorded (content-addressed: a refused step leaves only bytes). */
    async keepDocuments(id: string, documents: { sha256: string; content: Buffer }[]) {
      if (documents.length > 0) await keep(redis.multi(), id, documents).exec()
    },
    /** The steps that added documents, in history order, each with its registration once it has one. */
    stepDocuments(p: StoredPractice): StepDocuments[] {
      return Object.entries(p.fields)
        .flatMap(([name, value]) => {
          const step = stepField.exec(name)?.[1]
          if (step === undefined) return []
          const registration = p.fields[`stepRegistration:${step}`]
          return [
            {
              step: Number(step),
              ...(JSON.parse(value) as Omit<StepDocuments, 'step'>),
              ...(registration ? { registration: JSON.parse(registration) as ProtocolRegistration } : {}),
            },
          ]
        })
        .sort((a, b) => a.step - b.step)
    },
    async document(id: string, sha256: string): Promise<Buffer | undefined> {
      return (await redis.getBuffer(content(id, sha256))) ?? undefined
    },
    registration(p: StoredPractice): ProtocolRegistration | undefined {
      return p.fields.registration ? (JSON.parse(p.fields.registration) as ProtocolRegistration) : undefined
    },
    /** The tenant's practices in the order they were accepted, after a cursor (a sequence number). */
    async page(tenantId: string, after: number | undefined, count: number) {
      const rows = await redis.zrangebyscore(index(tenantId), after === undefined ? '-inf' : `(${after}`, '+inf', 'WITHSCORES', 'LIMIT', 0, count)
      const out: { id: string; seq: number }[] = []
      for (let i = 0; i < rows.length; i += 2) out.push({ id: rows[i] as string, seq: Number(rows[i + 1]) })
      return out
    },
  }
}
export type PracticeStore = ReturnType<typeof createPracticeStore>
