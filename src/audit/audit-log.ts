// Append-only, hash-chained audit log in a Redis stream: each record carries the previous record's
// hash, so altering, removing or reordering one breaks the chain (design §4).
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import { defineScript } from '../redis/script.ts'

export type AuditEntry = {
  who: string
  tenant?: string
  action: string
  outcome: 'ok' | 'denied' | 'failed'
  payloadDigest?: string
  requestId?: string
  detail?: string
}

export type AuditRecord = AuditEntry & { at: string; prev: string; hash: string }

export type AuditLog = {
  append(entry: AuditEntry): Promise<AuditRecord>
  /** Records in order, after the position `after` (exclusive) or from the instant `since`. */
  read(options?: { after?: string; since?: Date; count?: number }): Promise<{ id: string; record: AuditRecord }[]>
  /** The hash of the last record: removing the newest records shows as a head that matches none. */
  head(): Promise<string>
}

/** The `prev` of the first record, and the head of an empty log. */
export const genesis = '0'.repeat(64)

export function hashRecord(record: Omit<AuditRecord, 'hash'>): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b))))
  return createHash('sha256').update(canonical).digest('hex')
}

// Appends only if the head is still the first record's `prev` (compare-and-set), then every record
// of the batch in order: one round trip for all the appends waiting, and an instance whose idea of the
// head is stale learns the real one and tries again.
// KEYS: 1 the head, 2 the stream. ARGV: 1 the head expected, 2 the head of an empty log (genesis),
// 3 the new head (the last record's hash), 4… the records' JSON, in chain order.
const appendScript = `
local head = redis.call('GET', KEYS[1]) or ARGV[2]
if head ~= ARGV[1] then return {0, head} end
for i = 4, #ARGV do redis.call('XADD', KEYS[2], '*', 'record', ARGV[i]) end
redis.call('SET', KEYS[1], ARGV[3])
return {1, ''}`

/** At most this many records per round trip. */
const maxBatch = 200

type Waiting = { entry: AuditEntry; resolve(record: AuditRecord): void; reject(error: unknown): void }

/**
 * Appends are chained in-process (each names the one before) in the order they were asked for; those
 * asked while a write is under way go together in the next one. Other instances: the script's check.
 */
export function createAuditLog(writer: Redis, prefix: string, clock: () => Date = () => new Date()): AuditLog {
  const stream = `${prefix}:audit`
  const head = `${prefix}:audit:head`
  const append = defineScript<[number, string]>(writer, 'audit_append', appendScript, 2)
  let knownHead: string | undefined
  let waiting: Waiting[] = []
  let writing = false

  const chain = (entries: AuditEntry[], prev: string): AuditRecord[] =>
    entries.map((entry) => {
      const unhashed = { ...dropUndefined(entry), at: clock().toISOString(), prev }
      const record: AuditRecord = { ...unhashed, hash: hashRecord(unhashed) }
      prev = record.hash
      return record
    })
  const appendNow = async (entries: AuditEntry[]): Promise<AuditRecord[]> => {
    for (;;) {
      const prev = knownHead ?? (await writer.get(head)) ?? genesis
      const records = chain(entries, prev)
      const last = (records.at(-1) as AuditRecord).hash
      const [ok, current] = await append(head, stream, prev, genesis, last, ...records.map((r) => JSON.stringify(r)))
      knownHead = ok === 1 ? last : current
      if (ok === 1) return records
    }
  }
  const write = async () => {
    writing = true
    while (waiting.length > 0) {
      const batch = waiting.slice(0, maxBatch)
      waiting = waiting.slice(batch.length)
      try {
        const records = await appendNow(batch.map((w) => w.entry))
        for (const [i, w] of batch.entries()) w.resolve(records[i] as AuditRecord)
      } catch (error) {
        // Failed (Redis gone…): these callers learn it; the next batch starts from the head Redis holds.
        knownHead = undefined
        for (const w of batch) w.reject(error)
      }
    }
    writing = false
  }
  return {
    append(entry) {
      return new Promise<AuditRecord>((resolve, reject) => {
        waiting.push({ entry, resolve, reject })
        if (!writing) void write()
      })
    },
    async read({ after, since, count = 1000 } = {}) {
      // Stream ids begin with the append time in ms, so an instant is a position too.
      const start = after ? `(${after}` : since ? `${since.getTime()}-0` : '-'
      const rows = await writer.xrange(stream, start, '+', 'COUNT', count)
      return rows.map(([id, fields]) => ({ id, record: JSON.parse(fields[1] as string) as AuditRecord }))
    },
    async head() {
      return (await writer.get(head)) ?? genesis
    },
  }
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
