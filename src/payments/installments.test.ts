import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { installmentIssues, shareTransfers } from './installments.ts'

const cents = (...amounts: number[]) => amounts.map((amountCents, i) => ({ amountCents, iban: `IBAN${i + 1}` }))
const amountsOf = (rows: { amountCents: number }[][]) => rows.map((row) => row.map((t) => t.amountCents))

/** `total` cut into `parts` whole pieces ≥ 0 at random points. */
const composition = (total: number, parts: number) =>
  fc.array(fc.integer({ min: 0, max: total }), { minLength: parts - 1, maxLength: parts - 1 }).map((cuts) => {
    const points = [0, ...cuts.sort((a, b) => a - b), total]
    return points.slice(1).map((p, i) => p - (points[i] as number))
  })

/** m transfers of at least n cents and n installments of at least m cents, adding up to the same amount. */
const plans = (maxExtra: number) =>
  fc.record({ m: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 2, max: 36 }), extra: fc.integer({ min: 0, max: maxExtra }) }).chain(({ m, n, extra }) =>
    fc.record({
      transfers: composition(extra, m).map((parts) => parts.map((p) => p + n)),
      installments: composition(extra, n).map((parts) => parts.map((p) => p + m)),
    }),
  )

describe('shareTransfers', () => {
  it('shares in exact proportion when the proportion is whole', () => {
    expect(amountsOf(shareTransfers(cents(6_000, 4_000), [5_000, 5_000]))).toEqual([
      [3_000, 2_000],
      [3_000, 2_000],
    ])
    expect(amountsOf(shareTransfers(cents(5_400), [1_800, 1_800, 1_800]))).toEqual([[1_800], [1_800], [1_800]])
  })

  it('keeps each transfer as it was but for its amount', () => {
    const [first] = shareTransfers([{ amountCents: 100, iban: 'IT60X0542811101000000123456', remittance: 'TARI', category: '9/0101100IM/' }], [40, 60])
    expect(first).toEqual([{ amountCents: 40, iban: 'IT60X0542811101000000123456', remittance: 'TARI', category: '9/0101100IM/' }])
  })

  it('gives a transfer of one cent per installment exactly one cent in each, even where its proportion rounds to 0', () => {
    expect(amountsOf(shareTransfers(cents(3, 9_997), [3_334, 3_333, 3_333]))).toEqual([
      [1, 3_333],
      [1, 3_332],
      [1, 3_332],
    ])
  })

  const exact = (rows: { amountCents: number }[][], transfers: number[], installments: number[]) => {
    const [m, n] = [transfers.length, installments.length]
    const rest = BigInt(installments.reduce((s, a) => s + a, 0) - m * n)
    rows.forEach((row, k) => {
      expect(row.reduce((s, t) => s + t.amountCents, 0)).toBe(installments[k])
      row.forEach((t, j) => {
        expect(t.amountCents).toBeGreaterThanOrEqual(1)
        // Within a cent of one cent plus its exact share of what is left: (share − 1)·rest − exact·rest ∈ (−rest, rest].
        const off = BigInt(t.amountCents - 1) * rest - BigInt((transfers[j] as number) - n) * BigInt((installments[k] as number) - m)
        if (rest > 0n) expect(off > -rest && off <= rest).toBe(true)
      })
    })
    for (const [j, amount] of transfers.entries()) expect(rows.reduce((s, row) => s + (row[j] as { amountCents: number }).amountCents, 0)).toBe(amount)
  }

  it('every installment adds up, every beneficiary gets exactly its transfer, every share is ≥ 1 cent and within a cent of its proportion', () => {
    fc.assert(fc.property(plans(1_000_000), ({ transfers, installments }) => exact(shareTransfers(cents(...transfers), installments), transfers, installments)))
  })

  it('the same with amounts near the largest a payment takes (products past 2^53)', () => {
    fc.assert(
      fc.property(plans(99_999_999_000), ({ transfers, installments }) => exact(shareTransfers(cents(...transfers), installments), transfers, installments)),
      { numRuns: 200 },
    )
  })

  it('refuses what cannot be shared', () => {
    expect(() => shareTransfers(cents(100), [40, 50])).toThrow(RangeError)
    expect(() => shareTransfers(cents(1, 99), [50, 50])).toThrow(RangeError)
    expect(() => shareTransfers(cents(50, 50), [1, 99])).toThrow(RangeError)
  })
})

describe('installmentIssues', () => {
  const due = (day: number) => `2026-0${day}-28T23:59:59+01:00`
  const base = {
    amountCents: 10_000,
    installments: [
      { amountCents: 5_000, dueDate: due(3) },
      { amountCents: 5_000, dueDate: due(4) },
    ],
  }

  it('has nothing to say about a sound plan, or about a payment without one', () => {
    expect(installmentIssues(base)).toEqual([])
    expect(installmentIssues({ amountCents: 10_000 })).toEqual([])
  })

  it('names the field of each broken rule', () => {
    const issues = installmentIssues({
      amountCents: 10_001,
      expiresAt: '2026-05-01T00:00:00Z',
      transfers: [{ amountCents: 10_000 }, { amountCents: 2 }],
      installments: [
        { amountCents: 5_000, dueDate: due(4) },
        { amountCents: 1, dueDate: due(4) },
        { amountCents: 4_999, dueDate: due(5) },
      ],
    })
    expect(issues.map((i) => i.path.join('.'))).toEqual([
      'installments',
      'installments.1.dueDate',
      'installments.1.amountCents',
      'installments.2.dueDate',
      'transfers.1.amountCents',
    ])
    expect(issues[0]?.message).toBe('the installments add up to 10000 cents, not amountCents (10001)')
  })

  it('compares due dates as instants, whatever their offset', () => {
    const sameInstant = {
      amountCents: 2,
      installments: [
        { amountCents: 1, dueDate: '2026-03-01T00:00:00Z' },
        { amountCents: 1, dueDate: '2026-03-01T01:00:00+01:00' },
      ],
    }
    expect(installmentIssues(sameInstant).map((i) => i.path.join('.'))).toEqual(['installments.1.dueDate'])
  })
})
