// What a vendor simulator can be told to do to the next call of one operation, and the little state
// every simulator keeps: what it stored, what it registered, and every problem it saw in what arrived.

export type Trouble =
  /** An in-band error code in an otherwise successful answer. */
  | { inBand: { code: number | string; message: string } }
  /** A SOAP 1.1 fault, with HTTP 500. */
  | { fault: string }
  /** Answer after ms; `actFirst`: do the work (store, register) before waiting, as a slow vendor does. */
  | { slowMs: number; actFirst: boolean }
  /** A successful answer without a protocol number. */
  | { noNumber: true }

export type Troubles = {
  once(operation: string, trouble: Trouble): void
  take(operation: string): Trouble | undefined
}

export function createTroubles(): Troubles {
  const next = new Map<string, Trouble>()
  return {
    once: (operation, trouble) => void next.set(operation, trouble),
    take: (operation) => {
      const trouble = next.get(operation)
      next.delete(operation)
      return trouble
    },
  }
}

export function soapFault(message: string): { Fault: { faultcode: string; faultstring: string; statusCode: number } } {
  return { Fault: { faultcode: 'soap:Server', faultstring: message, statusCode: 500 } }
}

/** dd/mm/yyyy, the way DOCAREA servers commonly write strDataPG. */
export function italianDate(at: Date): string {
  return `${String(at.getUTCDate()).padStart(2, '0')}/${String(at.getUTCMonth() + 1).padStart(2, '0')}/${at.getUTCFullYear()}`
}
