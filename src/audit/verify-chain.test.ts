import { describe, expect, it } from 'vitest'
import { type AuditRecord, genesis as genesisHash, hashRecord } from './audit-log.ts'
import { verifyChain } from './verify-chain.ts'

function aChain(n: number): (AuditRecord & { id: string })[] {
  const out: (AuditRecord & { id: string })[] = []
  let prev = genesisHash
  for (let i = 0; i < n; i++) {
    const unhashed = { who: 'ops', action: `action-${i}`, outcome: 'ok' as const, at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), prev }
    const hash = hashRecord(unhashed)
    out.push({ id: `${i + 1}-0`, ...unhashed, hash })
    prev = hash
  }
  return out
}

describe('verifyChain', () => {
  it('accepts an intact chain and an empty log', () => {
    const chain = aChain(5)
    expect(verifyChain(chain, chain.at(-1)?.hash as string)).toEqual({ ok: true, count: 5 })
    expect(verifyChain([], genesisHash)).toEqual({ ok: true, count: 0 })
  })

  it('names an altered record', () => {
    const chain = aChain(5)
    chain[2] = { ...(chain[2] as AuditRecord & { id: string }), who: 'intruder' }
    expect(verifyChain(chain, chain.at(-1)?.hash as string)).toMatchObject({ ok: false, recordId: '3-0', problem: expect.stringContaining('was altered') })
  })

  it('names the record after a removed or reordered one', () => {
    const removed = aChain(5).filter((r) => r.id !== '2-0')
    expect(verifyChain(removed, removed.at(-1)?.hash as string)).toMatchObject({
      ok: false,
      recordId: '3-0',
      problem: expect.stringContaining('removed or reordered'),
    })
    const chain = aChain(4)
    const swapped = [chain[0], chain[2], chain[1], chain[3]] as typeof chain
    expect(verifyChain(swapped, chain.at(-1)?.hash as string)).toMatchObject({ ok: false, recordId: '3-0' })
  })

  it('sees the newest records removed through the head', () => {
    const chain = aChain(5)
    expect(verifyChain(chain.slice(0, 3), chain.at(-1)?.hash as string)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('newest records were removed'),
    })
  })
})
