// Handing a registered practice to the back-office supplier that handles its service, over the
// supplier's own SOAP service ("SOAP push", issue 6): the structured practice, its documents (bytes or
// references) and its protocol registration. No vendor API is idempotent (backoffice/FACTS.md §3.10):
// where the supplier can be asked whether it has a practice, a re-send asks first. Every method throws
// UpstreamError (platform 'backoffice').
import type { DescribedDocument, OutgoingDocument } from '../soap-profile/documents.ts'

// Declared once for both back-office ports, where the SOAP profiles use them; the domain takes them from the port.
export type { DescribedDocument, OutgoingDocument }

export type PracticeToPush = {
  /** The practice id: unique, and what the supplier is asked about before a re-send. */
  correlationKey: string
  serviceCode: string
  subject: string
  applicant: { fiscalCode: string; givenName: string; familyName: string; email?: string; pec?: string }
  /** The form data, as the portal sent it. */
  data: Record<string, unknown>
  /** ISO 8601. */
  submittedAt: string
  channel: 'online' | 'counter'
  /** The protocol registration, once the practice is registered. */
  registration?: { number: string; year: number; date: string; registry?: string; aoo?: string; segnatura?: string; documentId?: string }
  main: OutgoingDocument
  attachments: OutgoingDocument[]
}

/** What a practice looks like before it is accepted: its documents known by their metadata only. */
export type PracticeToCheck = Omit<PracticeToPush, 'correlationKey' | 'registration' | 'main' | 'attachments'> & {
  main: DescribedDocument
  attachments: DescribedDocument[]
}

export type SupplierReceipt = {
  /** The supplier's own id of the practice, when its service gives one. */
  supplierPracticeId?: string
  /** True when the supplier already had it (a search found it), so nothing was sent again. */
  found: boolean
}

export type SupplierPort = {
  push(practice: PracticeToPush): Promise<SupplierReceipt>
  /** Only where the supplier can be asked by correlation key; absent otherwise. */
  findByCorrelationKey?(key: string): Promise<SupplierReceipt | undefined>
  /** What the practice lacks for what this supplier receives (a SUAP riepilogo needs the impresa), by path; [] when nothing. */
  problemsOf(practice: PracticeToCheck): { path: string; message: string }[]
}
