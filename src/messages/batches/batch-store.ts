// Message batches in Redis: the fixed part, outcome counters, the recipients still to be turned into
// messages (consumed by the expansion job, so a crash resumes where it stopped) and the messages made.
import type { Redis } from 'ioredis'
import type { LineError, Recipient } from './recipients.ts'
import type { Template } from './template.ts'

export type BatchData = {
  id: string
  tenantId: string
  service: string
  template: Template & { dueDate?: string }
  reference?: string
  createdAt: string
  total: number
  invalid: number
  errors: LineError[]
}

export const settledStatuses = ['sent', 'rejected', 'failed', 'cancelled'] as const
export type Counts = Record<(typeof settledStatuses)[number], number> & { accepted: number }
export type Batch = BatchData & { counts: Counts; cancelledAt?: string }

/** The line errors a batch keeps (the rest are only counted, in `invalid`). */
export const errorsKept = 100

/** A batch's counts before any of its messages was made or settled. */
export const noCounts = (): Counts => ({ sent: 0, rejected: 0, failed: 0, cancelled: 0, accepted: 0 })

const countOnceScript = `
if redis.call('HSETNX', KEYS[1], 'f:batchCounted', ARGV[1]) == 1 then redis.call('HINCRBY', KEYS[2], ARGV[1], 1) end`

export function createBatchStore(redis: Redis, prefix: string) {
  const key = (id: string) => `${prefix}:mbatch:${id}`
  return {
    key,
    async create(data: Omit<BatchData, 'errors'>, errors: LineError[], recipients: Recipient[]) {
      const multi = redis.multi().hset(key(data.id), 'data', JSON.stringify({ ...data, errors: errors.slice(0, errorsKept) }), 'accepted', 0)
      for (let i = 0; i < recipients.length; i += 5_000) multi.rpush(`${key(data.id)}:todo`, ...recipients.slice(i, i + 5_000).map((r) => JSON.stringify(r)))
      await multi.exec()
    },
    async get(id: string): Promise<Batch | undefined> {
      const hash = await redis.hgetall(key(id))
      if (!hash.data) return undefined
      const counts = Object.fromEntries([...settledStatuses, 'accepted'].map((s) => [s, Number(hash[s] ?? 0)])) as Counts
      return { ...(JSON.parse(hash.data) as BatchData), counts, ...(hash.cancelledAt ? { cancelledAt: hash.cancelledAt } : {}) }
    },
    async count(id: string, status: (typeof settledStatuses)[number], by = 1) {
      await redis.hincrby(key(id), status, by)
    },
    /**
     * Counts one message's final status once: marked on the message's own hash (`messageKey`) in the
     * same script, so an outcome told again (a retry finishing a stopped attempt) is not counted twice.
     */
    async countOnce(id: string, status: (typeof settledStatuses)[number], messageKey: string) {
      await redis.eval(countOnceScript, 2, messageKey, key(id), status)
    },
    /** Whether the batch was cancelled: one field, not the whole batch (every message send asks). */
    cancelled: async (id: string) => (await redis.hexists(key(id), 'cancelledAt')) === 1,
    async cancel(id: string, at: string) {
      return (await redis.hsetnx(key(id), 'cancelledAt', at)) === 1
    },
    /** Up to `n` recipients still waiting to become messages. */
    todo: async (id: string, n: number) => (await redis.lrange(`${key(id)}:todo`, 0, n - 1)).map((r) => JSON.parse(r) as Recipient),
    /** Records that these recipients became messages, and drops them from the to-do list, at once. */
    async made(id: string, made: { line: number; messageId: string }[]) {
      await redis
        .multi()
        .rpush(`${key(id)}:msgs`, ...made.map((m) => `${m.line}|${m.messageId}`))
        .hincrby(key(id), 'accepted', made.length)
        .ltrim(`${key(id)}:todo`, made.length, -1)
        .exec()
    },
    async dropTodo(id: string) {
      const left = await redis.llen(`${key(id)}:todo`)
      await redis.del(`${key(id)}:todo`)
      return left
    },
    /** Messages made so far, in line order, from `offset`. */
    async messages(id: string, offset: number, n: number) {
      return (await redis.lrange(`${key(id)}:msgs`, offset, offset + n - 1)).map((row) => {
        const [line, messageId] = row.split('|')
        return { line: Number(line), messageId: messageId as string }
      })
    },
  }
}
export type BatchStore = ReturnType<typeof createBatchStore>
