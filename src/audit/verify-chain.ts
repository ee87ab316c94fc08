// Checks an audit log read in order: each record's hash must be the hash of its content, each must
// name the previous record's hash, and the last must be the head. The first break is named.
import { type AuditRecord, genesis, hashRecord } from './audit-log.ts'

export type ChainVerdict = { ok: true; count: number } | { ok: false; count: number; recordId?: string; problem: string }

export function verifyChain(records: (AuditRecord & { id: string })[], head: string): ChainVerdict {
  let prev = genesis
  for (const [i, { id, hash, ...unhashed }] of records.entries()) {
    if (hashRecord(unhashed) !== hash)
      return {
        ok: false,
        count: i,
        recordId: id,
        problem: `record ${id} (${unhashed.at}, ${unhashed.action} by ${unhashed.who}) was altered: its content does not match its hash`,
      }
    if (unhashed.prev !== prev)
      return {
        ok: false,
        count: i,
        recordId: id,
        problem: `record ${id} (${unhashed.at}, ${unhashed.action} by ${unhashed.who}) does not follow the record before it: a record was removed or reordered just before it`,
      }
    prev = hash
  }
  if (prev !== head)
    return {
      ok: false,
      count: records.length,
      problem: `the log ends at ${prev.slice(0, 12)}… but its head is ${head.slice(0, 12)}…: its newest records were removed`,
    }
  return { ok: true, count: records.length }
}
