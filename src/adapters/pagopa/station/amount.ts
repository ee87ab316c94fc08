// Amounts on the nodo are decimal euro strings with exactly two decimals, `\d+\.\d{2}`, at most
// 999999999.99 (pagopa/FACTS.md §7, sac-common-types stAmount); Snodo keeps integer cents. Both ways
// go through the digits, never through a float, so "0.10" is 10 and 1234567.89 is 123456789.

const amountPattern = /^(\d+)\.(\d{2})$/
export const maxAmountCents = 99_999_999_999

/** Integer cents of an stAmount string, or undefined when it is not one. */
export function parseAmountCents(text: string): number | undefined {
  const match = amountPattern.exec(text)
  if (!match) return undefined
  const cents = BigInt(match[1] as string) * 100n + BigInt(match[2] as string)
  return cents <= BigInt(maxAmountCents) ? Number(cents) : undefined
}

/** "%.2f" of integer cents. */
export function formatAmount(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`not an amount in cents: ${cents}`)
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
}
