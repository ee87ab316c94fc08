// The delivery engine's write side: enqueue new deliveries (record first, then the job, with a
// pending marker the sweeper uses to repair a crash in between), replay dead ones, release parked
// jobs. Job ids derive from delivery ids, which derive from business keys: a duplicate add is a no-op.
import { createHash } from 'node:crypto'
import { Job, Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Delivery, NewDelivery } from './delivery.ts'
import type { DeliveryStore, PublishedEvent } from './delivery-store.ts'
import type { QueueName } from './names.ts'

export type JobData = { deliveryId: string; replay?: number }

export type DeliveryEngine = {
  enqueue(deliveries: NewDelivery[], event?: PublishedEvent): ReturnType<DeliveryStore['create']>
  /** Before writing the resource a delivery is for: see DeliveryStore.intend. */
  intend(delivery: NewDelivery, guardKey: string): Promise<void>
  /** Puts a dead delivery back in the queue for one more attempt; answers the status found otherwise. */
  replay(id: string): Promise<{ ok: true; delivery: Delivery } | { ok: false; status?: Delivery['status'] }>
  /** Re-adds the job of a delivery that is queued but may have no job (crash repair). */
  ensureJobs(deliveries: Delivery[]): Promise<void>
  /** Moves parked (delayed) jobs back to waiting at once. */
  release(parked: { jobId: string; operation: string }[]): Promise<void>
  queue(name: QueueName): Queue
  close(): Promise<void>
}

/** A delivery id from the business key: the same key always names the same delivery (and job). */
export function deliveryIdFor(businessKey: string): string {
  return `dlv_${createHash('sha256').update(businessKey).digest('base64url').slice(0, 26)}`
}

// Infrastructure failures (Redis gone mid-job) are BullMQ's to retry; delivery outcomes are ours.
const jobOptions = { removeOnComplete: true, removeOnFail: { age: 7 * 86_400 }, attempts: 20, backoff: { type: 'exponential', delay: 1_000 } }

export function jobFor(d: Pick<Delivery, 'id' | 'operation' | 'replays'>) {
  const data: JobData = d.replays > 0 ? { deliveryId: d.id, replay: d.replays } : { deliveryId: d.id }
  return { name: d.operation, data, opts: { ...jobOptions, jobId: d.replays > 0 ? `${d.id}-r${d.replays}` : d.id } }
}

export function createDeliveryEngine(deps: { connection: Redis; prefix: string; store: DeliveryStore }): DeliveryEngine {
  const queues = new Map<string, Queue>()
  const queue = (name: string) => {
    let q = queues.get(name)
    if (!q) {
      q = new Queue(name, { connection: deps.connection, prefix: deps.prefix })
      queues.set(name, q)
    }
    return q
  }
  const addJobs = async (items: Pick<Delivery, 'id' | 'operation' | 'replays'>[]) => {
    const byQueue = Map.groupBy(items, (d) => d.operation)
    // One job (the usual case: one endpoint, one replay) with add: addBulk wraps even one in a MULTI
    // pipeline, about three times the client and Redis work. Both are no-ops for an existing job id.
    await Promise.all(
      [...byQueue].map(([name, ds]) => {
        const jobs = ds.map(jobFor)
        const [one] = jobs
        return jobs.length === 1 && one ? queue(name).add(one.name, one.data, one.opts) : queue(name).addBulk(jobs)
      }),
    )
    await deps.store.confirmEnqueued(items.map((d) => d.id))
  }
  return {
    async enqueue(deliveries, event) {
      const result = await deps.store.create(deliveries, event)
      const created = new Set(result.created)
      await addJobs(deliveries.filter((d) => created.has(d.id)).map((d) => ({ ...d, replays: 0 })))
      return result
    },
    async replay(id) {
      const found = await deps.store.get(id)
      if (!found || found.status !== 'dead') return { ok: false, status: found?.status }
      const replays = found.replays + 1
      // Marked pending first: if this process dies before the job is added, the sweeper adds it.
      await deps.store.markPending([id])
      const moved = await deps.store.transition(id, 'queued', { replays, nextTryAt: undefined }, 0)
      if (!moved.ok) return { ok: false, status: moved.from }
      await addJobs([{ ...found, replays }])
      return { ok: true, delivery: { ...found, status: 'queued', replays } }
    },
    ensureJobs: (ds) => addJobs(ds),
    intend: (delivery, guardKey) => deps.store.intend(delivery, guardKey),
    async release(parked) {
      await Promise.all(
        parked.map(async ({ jobId, operation }) => {
          const job = await Job.fromId(queue(operation), jobId)
          if (job && (await job.isDelayed())) await job.promote()
        }),
      )
    },
    queue: (name) => queue(name),
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()))
    },
  }
}
