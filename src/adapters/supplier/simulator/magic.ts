// The simulated supplier's magic values (design §6): put one of these in a practice's subject and the
// supplier's riceviPratica misbehaves in the named way. They travel in `oggetto`, so the simulator sees
// them whatever profile built the message.
export const pushMagicSubjects = {
  /** A SOAP fault, HTTP 500 (rejected: dead at once, with the fault's code and text). */
  fault: '[sim:push-fault]',
  /** esito KO, codiceErrore E_DATI (rejected: dead at once, with the supplier's code and text). */
  inBandError: '[sim:push-errore]',
  /** Receives the practice, then answers after slowMs, past Snodo's timeout: the retry's cercaPratica finds it (once per practice). */
  slow: '[sim:push-lento]',
  /** esito KO, codiceErrore E_OCCUPATO, nothing received (unavailable: retried; once per practice). */
  busy: '[sim:push-occupato]',
} as const

export type PushMagic = keyof typeof pushMagicSubjects

export function pushMagicIn(subject: string): PushMagic | undefined {
  return (Object.keys(pushMagicSubjects) as PushMagic[]).find((name) => subject.includes(pushMagicSubjects[name]))
}

/** The codes the simulated supplier answers, as PraticheFornitore.wsdl documents them. */
export const supplierCodes = {
  invalid: { code: 'E_DATI', message: 'Pratica non conforme' },
  refused: { code: 'E_DATI', message: 'Pratica respinta dal gestionale (simulato)' },
  busy: { code: 'E_OCCUPATO', message: 'Gestionale occupato: riprovare più tardi' },
} as const
