// Append-only, hash-chained audit log in a Redis stream: each record carries the previous record's
// hash, so altering, removing or reordering one breaks the chain (design §4).
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

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

// Appends only if the head is still the record's `prev` (compare-and-set): one round trip, and an
// instance whose idea of the head is stale learns the real one and tries again.
const appendScript = `
local head = redis.call('GET', KEYS[1]) or ARGV[3]
if head ~= ARGV[1] then return {0, head} end
redis.call('XADD', KEYS[2], '*', 'record', ARGV[2])
redis.call('SET', KEYS[1], ARGV[4])
return {1, ''}`

/** Appends are serialised in-process (each names the one before); other instances by the script. */
export function createAuditLog(writer: Redis, prefix: string, clock: () => Date = () => new Date()): AuditLog {
  const stream = `${prefix}:audit`
  const head = `${prefix}:audit:head`
  let queue: Promise<unknown> = Promise.resolve()
  let knownHead: string | undefined
  const appendNow = async (entry: AuditEntry): Promise<AuditRecord> => {
    for (;;) {
      const prev = knownHead ?? (await writer.get(head)) ?? genesis
      const unhashed = { ...dropUndefined(entry), at: clock().toISOString(), prev }
      const record: AuditRecord = { ...unhashed, hash: hashRecord(unhashed) }
      const [ok, current] = (await writer.eval(appendScript, 2, head, stream, prev, JSON.stringify(record), genesis, record.hash)) as [number, string]
      knownHead = ok === 1 ? record.hash : current
      if (ok === 1) return record
    }
  }
  return {
    append(entry) {
      const next = queue.then(() => appendNow(entry))
      queue = next.catch(() => undefined)
      return next
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
