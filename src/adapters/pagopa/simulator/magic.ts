// The values that make the pagoPA simulators misbehave on purpose (design §6). Every debtor fiscal
// code below has the shape of a real one but the birthplace code `Y…`, which no comune or country
// has: none can be a real person's.

/** Debtor fiscal codes: a create (POST debtpositions) for that debtor fails so. */
export const gpdMagicDebtors = {
  /** 429 with `Retry-After: <retryAfterSeconds>` (default 2). */
  rateLimited: 'PAGRTL00A00Y429X',
  /** 503 ProblemJson. */
  unavailable: 'PAGUNA00A00Y503X',
  /** Answers only after `slowMs` (default 15 s); the position is still created, as GPD may after a client timeout. */
  slow: 'PAGSLW00A00Y504X',
  /** 422 ProblemJson: GPD will not process the position. */
  unprocessable: 'PAGUNP00A00Y422X',
} as const

/** Tokens that, anywhere in an IUPD, make every call about that position (create, get, publish, invalidate) fail so. */
export const gpdMagicIupdTokens = {
  rateLimited: 'sim429',
  unavailable: 'sim503',
  slow: 'simslow',
} as const

/** Tokens that, anywhere in the description of a cart's notice, make that POST /carts fail so. */
export const checkoutMagicTokens = {
  rateLimited: '[sim:429]',
  unavailable: '[sim:503]',
  slow: '[sim:slow]',
} as const

/** Tokens that, anywhere in a payment option's description, change how the Node delivers its receipt. */
export const nodoMagicTokens = {
  /** The same receipt (same receiptId) is sent twice, as the Node may do. */
  duplicate: '[sim:rt-twice]',
  /** paSendRT (ctReceipt), whatever the station's version. */
  v1: '[sim:rt-v1]',
  /** paSendRTV2 (ctReceiptV2), whatever the station's version. */
  v2: '[sim:rt-v2]',
} as const

export type Trouble = 'rateLimited' | 'unavailable' | 'slow' | 'unprocessable'

export function troubleOfDebtor(fiscalCode: unknown): Trouble | undefined {
  return (Object.keys(gpdMagicDebtors) as Trouble[]).find((t) => gpdMagicDebtors[t as keyof typeof gpdMagicDebtors] === fiscalCode)
}

export function troubleOfIupd(iupd: string): Trouble | undefined {
  return (['rateLimited', 'unavailable', 'slow'] as const).find((t) => iupd.includes(gpdMagicIupdTokens[t]))
}

export function troubleOfCart(descriptions: string[]): Trouble | undefined {
  return (['rateLimited', 'unavailable', 'slow'] as const).find((t) => descriptions.some((d) => d.includes(checkoutMagicTokens[t])))
}
