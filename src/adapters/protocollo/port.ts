// Protocol registration ("protocollazione") as Snodo speaks of it: a practice — or the documents a
// later step of it adds — goes into the comune's protocollo informatico and comes back with its registration (backoffice/FACTS.md §3.8: number,
// year, date, plus registry/AOO, segnatura and the vendor's document id — store all of them, a
// number alone is not unique). Every method throws UpstreamError (platform 'backoffice').
import type { PracticeDocument } from '../soap-profile/documents.ts'

// Declared once for both back-office ports, where the SOAP profiles use them; the domain takes it from the port.
export type { PracticeDocument }

export type PracticeToRegister = {
  /** The practice id: unique, and what a vendor search looks for before a re-send (FACTS §3.10). */
  correlationKey: string
  subject: string
  serviceCode: string
  applicant: { fiscalCode: string; givenName: string; familyName: string; email?: string; pec?: string }
  /** ISO 8601. */
  submittedAt: string
  channel: 'online' | 'counter'
  main: PracticeDocument
  attachments: PracticeDocument[]
  /** Incoming (the citizen to the comune, "in entrata"; the default) or outgoing (the comune to the citizen, "in uscita"). */
  direction?: 'incoming' | 'outgoing'
  /** The registration this one follows (a practice's original protocol), linked where the profile can say so. */
  precedent?: ProtocolRegistration
  /**
   * An earlier attempt stopped inside this registration (its process died): it may have registered.
   * A profile that can search looks first, as always; one that cannot refuses (outcome_unknown).
   */
  interrupted?: boolean
  /** Awaited just before the registering call goes out (after login, search and uploads): the caller marks it. */
  beforeCommit?: () => Promise<void>
}

export type ProtocolRegistration = {
  /** As the vendor writes it, never "0" or empty (PORTALS.md §6: a success without a number is an error). */
  number: string
  year: number
  /** YYYY-MM-DD, or YYYY-MM-DDTHH:mm[:ss] in the vendor's (Italian) local time when it gives the time. */
  date: string
  registry?: string
  aoo?: string
  segnatura?: string
  documentId?: string
}

export type ProtocolPort = {
  register(practice: PracticeToRegister): Promise<ProtocolRegistration>
  /** Only where the vendor can search by the correlation key; absent otherwise. */
  findByCorrelationKey?(key: string): Promise<ProtocolRegistration | undefined>
}
