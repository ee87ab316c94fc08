// Who the App IO simulator knows, and the magic values that make it misbehave on purpose (design §6).
// Every fiscal code below has the shape IO checks (appio/FACTS.md §3, spec parameters.FiscalCode) but
// the birthplace code `Y…`, which no comune or country has: none can be a real person's.

/** Citizens with a fixed story. Any other well-formed fiscal code is on IO and accepts every service. */
export const appioTestCitizens = {
  /** On IO, accepts messages from every service; messages end PROCESSED. */
  onIo: 'IOUSER00A00Y001X',
  /** Another one, so a test can tell two citizens apart. */
  onIoToo: 'IOUSER00A00Y002X',
  /** Not on IO: profile 404 (FACTS §2.1 "do not send"); a message sent anyway ends REJECTED. */
  notOnIo: 'NOTONI00A00Y404X',
  /** On IO but opted out of every service: sender_allowed false; a message sent anyway ends REJECTED. */
  senderNotAllowed: 'BLOCKD00A00Y403X',
  /** Allowed at the profile check, yet every message ends REJECTED (blocked the service in between). */
  endsRejected: 'REJECT00A00Y422X',
} as const

/** Fiscal codes that make every call about that citizen (profile, submit, status) fail so. */
export const appioMagicFiscalCodes = {
  /** 429 with `Retry-After: <retryAfterSeconds>` (default 2). */
  rateLimited: 'TOOMNY00A00Y429X',
  /** 503 ProblemJson. */
  unavailable: 'UNAVAL00A00Y503X',
  /** Answers only after `slowMs` (default 15 s): past any sensible client timeout. A submit is still accepted. */
  slow: 'SLOWIO00A00Y504X',
} as const

/** Tokens that, anywhere in a message's subject, make that submit (only) misbehave. */
export const appioMagicSubjects = {
  rateLimited: '[sim:429]',
  unavailable: '[sim:503]',
  slow: '[sim:slow]',
  /** Accepted (201), then the message ends REJECTED. */
  rejected: '[sim:rejected]',
} as const

export type Trouble = 'rateLimited' | 'unavailable' | 'slow'

export function troubleOfFiscalCode(fiscalCode: string): Trouble | undefined {
  return (Object.keys(appioMagicFiscalCodes) as Trouble[]).find((t) => appioMagicFiscalCodes[t] === fiscalCode)
}

export function troubleOfSubject(subject: string): Trouble | undefined {
  return (['rateLimited', 'unavailable', 'slow'] as const).find((t) => subject.includes(appioMagicSubjects[t]))
}

export type Profile = { onIo: false } | { onIo: true; senderAllowed: boolean }

export function profileOf(fiscalCode: string): Profile {
  if (fiscalCode === appioTestCitizens.notOnIo) return { onIo: false }
  return { onIo: true, senderAllowed: fiscalCode !== appioTestCitizens.senderNotAllowed }
}

/** How a message to this citizen with this subject ends (FACTS §4: REJECTED = recipient missing or sender blocked). */
export function fateOf(fiscalCode: string, subject: string): 'PROCESSED' | 'REJECTED' {
  const profile = profileOf(fiscalCode)
  if (!profile.onIo || !profile.senderAllowed || fiscalCode === appioTestCitizens.endsRejected) return 'REJECTED'
  return subject.includes(appioMagicSubjects.rejected) ? 'REJECTED' : 'PROCESSED'
}
