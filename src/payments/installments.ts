// Payments in installments (pagopa/FACTS.md §5: GPD PaymentOptionModel.isPartialPayment=true): one
// debt position holding the option paid in full plus one option per installment, each with its own
// IUV and notice number. Here, pure: the rules a request must follow, and its transfers shared out.

/**
 * 36 installments (three years, monthly): the full option plus them stays far below the 100 options
 * GPD takes per position (gpd-v3-openapi paymentOption maxItems), and their list fits an IO message.
 */
export const maxInstallments = 36

export type InstallmentRequest = { amountCents: number; dueDate: string; description?: string }
type Issue = { path: (string | number)[]; message: string }

/**
 * What is wrong with the installments of a payment request, by field: their sum must be the amount,
 * their due dates strictly increasing and not after `expiresAt`, and with transfers named, every
 * installment must hold one cent per transfer and every transfer one cent per installment (GPD wants
 * each transfer of each option ≥ 1 cent, FACTS §5).
 */
export function installmentIssues(p: {
  amountCents: number
  expiresAt?: string
  transfers?: { amountCents: number }[]
  installments?: InstallmentRequest[]
}): Issue[] {
  const installments = p.installments
  if (!installments) return []
  const issues: Issue[] = []
  const sum = installments.reduce((total, i) => total + i.amountCents, 0)
  if (sum !== p.amountCents) issues.push({ path: ['installments'], message: `the installments add up to ${sum} cents, not amountCents (${p.amountCents})` })
  installments.forEach((installment, k) => {
    const due = Date.parse(installment.dueDate)
    const previous = installments[k - 1]
    if (previous && due <= Date.parse(previous.dueDate))
      issues.push({ path: ['installments', k, 'dueDate'], message: `must be after the due date of installment ${k} (${previous.dueDate})` })
    if (p.expiresAt && due > Date.parse(p.expiresAt))
      issues.push({ path: ['installments', k, 'dueDate'], message: `must not be after expiresAt (${p.expiresAt}): the installment could never be paid` })
    const transfers = p.transfers?.length ?? 0
    if (installment.amountCents < transfers)
      issues.push({ path: ['installments', k, 'amountCents'], message: `at least ${transfers} cents: one for each transfer` })
  })
  p.transfers?.forEach((t, j) => {
    if (t.amountCents < installments.length)
      issues.push({ path: ['transfers', j, 'amountCents'], message: `at least ${installments.length} cents: one for each installment` })
  })
  return issues
}

/**
 * The transfers of each installment: each transfer's share of each installment in whole cents, in
 * proportion, such that every installment's shares add up to it, every transfer's shares add up to
 * the transfer (each beneficiary gets exactly its amount over the whole plan), and every share is at
 * least one cent. Needs what installmentIssues checks.
 *
 * One cent of each transfer goes into each installment; the rest is shared in proportion, each
 * share rounded down, and the cents left over in each installment go to the transfers still owed
 * the most (a bipartite Havel–Hakimi step, which always completes: the fractional parts of the exact
 * shares are a fractional solution with the same margins, so a 0/1 one exists).
 */
export function shareTransfers<T extends { amountCents: number }>(transfers: T[], installmentAmounts: number[]): T[][] {
  const [m, n] = [transfers.length, installmentAmounts.length]
  const total = installmentAmounts.reduce((s, a) => s + a, 0)
  if (total !== transfers.reduce((s, t) => s + t.amountCents, 0)) throw new RangeError('the transfers and the installments must add up to the same amount')
  if (installmentAmounts.some((a) => a < m) || transfers.some((t) => t.amountCents < n))
    throw new RangeError('every installment needs a cent per transfer and every transfer a cent per installment')
  // BigInt: a transfer times an installment can pass 2^53.
  const rest = BigInt(total - m * n)
  const columnRest = transfers.map((t) => BigInt(t.amountCents - n))
  const cells = installmentAmounts.map((a) =>
    columnRest.map((c) => (rest === 0n ? { whole: 0n, fraction: 0n } : { whole: (c * BigInt(a - m)) / rest, fraction: (c * BigInt(a - m)) % rest })),
  )
  const owed = columnRest.map((c, j) => cells.reduce((left, row) => left - (row[j] as { whole: bigint }).whole, c))
  const shares = cells.map((row, k) => {
    const leftOver = BigInt((installmentAmounts[k] as number) - m) - row.reduce((s, cell) => s + cell.whole, 0n)
    const byNeed = row
      .map((cell, j) => ({ j, owed: owed[j] as bigint, fraction: cell.fraction }))
      .sort((x, y) => (x.owed !== y.owed ? (y.owed > x.owed ? 1 : -1) : x.fraction !== y.fraction ? (y.fraction > x.fraction ? 1 : -1) : x.j - y.j))
    const plusOne = new Set(byNeed.slice(0, Number(leftOver)).map((c) => c.j))
    for (const j of plusOne) owed[j] = (owed[j] as bigint) - 1n
    return transfers.map((t, j) => ({ ...t, amountCents: 1 + Number((row[j] as { whole: bigint }).whole) + (plusOne.has(j) ? 1 : 0) }))
  })
  if (owed.some((o) => o !== 0n)) throw new Error('shareTransfers: the cents left over could not be placed')
  return shares
}
