// Bulk replay (an operator action): the matching dead deliveries are fixed when the batch is created,
// then replayed in the background by the worker role, each one written to the audit log.
import { randomUUID } from 'node:crypto'
import type { Processor } from 'bullmq'
import type { Redis } from 'ioredis'
import type { DeliveryFilter } from './delivery.ts'
import type { DeliveryStore } from './delivery-store.ts'
import type { DeliveryEngine } from './engine.ts'
import { queueNames } from './names.ts'

export type ReplayBatch = {
  id: string
  status: 'running' | 'done'
  reason: string
  requestedBy: string
  filter: Record<string, string>
  createdAt: string
  finishedAt?: string
  total: number
  replayed: number
  skipped: number
}

export type ReplayBatches = {
  /** Every dead delivery the filter matches, up to `max`. */
  match(filter: DeliveryFilter, max: number): Promise<string[]>
  create(init: { ids: string[]; reason: string; requestedBy: string; filter: Record<string, string> }): Promise<ReplayBatch>
  get(id: string): Promise<ReplayBatch | undefined>
  processor: Processor<{ batchId: string }>
}

const chunk = 50

/** Where each replay is written down: the audit log, given by the composition root (the engine imports no domain). */
export type ReplayAudit = { append(entry: { who: string; tenant?: string; action: string; outcome: 'ok'; detail: string }): Promise<unknown> }

export function createReplayBatches(deps: {
  redis: Redis
  prefix: string
  store: DeliveryStore
  engine: DeliveryEngine
  audit: ReplayAudit
  clock: () => Date
}): ReplayBatches {
  const key = (id: string) => `${deps.prefix}:replay-batch:${id}`
  const get = async (id: string): Promise<ReplayBatch | undefined> => {
    const hash = await deps.redis.hgetall(key(id))
    if (!hash.data) return undefined
    const fixed = JSON.parse(hash.data) as Omit<ReplayBatch, 'status' | 'replayed' | 'skipped' | 'finishedAt'>
    return {
      ...fixed,
      status: hash.finishedAt ? 'done' : 'running',
      replayed: Number(hash.replayed ?? 0),
      skipped: Number(hash.skipped ?? 0),
      ...(hash.finishedAt ? { finishedAt: hash.finishedAt } : {}),
    }
  }
  return {
    async match(filter, max) {
      const ids: string[] = []
      let cursor: string | undefined
      do {
        const page = await deps.store.list({ ...filter, status: 'dead' }, { cursor, limit: Math.min(1000, max - ids.length) })
        ids.push(...page.items.map((d) => d.id))
        cursor = page.nextCursor
      } while (cursor && ids.length < max)
      return ids
    },
    async create({ ids, reason, requestedBy, filter }) {
      const id = `rb_${randomUUID().replaceAll('-', '')}`
      const fixed = { id, reason, requestedBy, filter, createdAt: deps.clock().toISOString(), total: ids.length }
      await deps.redis
        .multi()
        .hset(key(id), 'data', JSON.stringify(fixed), 'replayed', 0, 'skipped', 0)
        .rpush(`${key(id)}:ids`, ...ids)
        .exec()
      await deps.engine
        .queue(queueNames.replayBatches)
        .add(queueNames.replayBatches, { batchId: id }, { jobId: id, removeOnComplete: true, attempts: 10, backoff: { type: 'exponential', delay: 1000 } })
      return { ...fixed, status: 'running', replayed: 0, skipped: 0 }
    },
    get,
    // Resumable: ids are popped only after their replay, so a crashed worker's successor goes on.
    processor: async (job) => {
      const batch = await get(job.data.batchId)
      if (!batch) return
      const idsKey = `${key(batch.id)}:ids`
      for (;;) {
        const ids = await deps.redis.lrange(idsKey, 0, chunk - 1)
        if (ids.length === 0) break
        // A chunk at once; each id leaves the list (LREM, not LPOP: they finish in any order) after its replay.
        await Promise.all(
          ids.map(async (id) => {
            const result = await deps.engine.replay(id)
            if (result.ok) {
              await deps.audit.append({
                who: batch.requestedBy,
                tenant: result.delivery.tenant,
                action: 'delivery.replay',
                outcome: 'ok',
                detail: `${batch.reason} (batch ${batch.id}, delivery ${id})`,
              })
            }
            await deps.redis
              .multi()
              .hincrby(key(batch.id), result.ok ? 'replayed' : 'skipped', 1)
              .lrem(idsKey, 1, id)
              .exec()
          }),
        )
        await job.updateProgress(Number(await deps.redis.hget(key(batch.id), 'replayed')))
      }
      await deps.redis.hsetnx(key(batch.id), 'finishedAt', deps.clock().toISOString())
    },
  }
}
