// App IO as Snodo speaks of it (appio/FACTS.md §2): check the citizen can receive from a service,
// submit a message, read its status. Every method throws UpstreamError, classified by kind.

/** One IO service of a tenant: its API key is the service (FACTS §1 "One API key = one IO service"). */
export type IoService = { name: string; apiKey: string }

export type IoPayment = {
  /** 18 digits, aux digit 0-3 (FACTS §3 notice_number). */
  noticeNumber: string
  /** Euro cents, 1..9 999 999 999. */
  amountCents: number
  invalidAfterDueDate?: boolean
  /** The creditor's 11-digit fiscal code: the tenant issuing the notice. */
  payeeFiscalCode?: string
}

/** Snodo's message: what a portal, a payment or a practice wants a citizen to read on IO. */
export type IoMessage = {
  fiscalCode: string
  subject: string
  markdown: string
  /** ISO 8601 UTC. */
  dueDate?: string
  payment?: IoPayment
}

export type ProfileCheck = { canReceive: true } | { canReceive: false; reason: 'not_on_io' | 'sender_not_allowed' }

/** IO's MessageStatusValue (FACTS §4). PROCESSED, REJECTED and FAILED are final. */
export type IoMessageStatus = 'ACCEPTED' | 'THROTTLED' | 'FAILED' | 'PROCESSED' | 'REJECTED'

export type AppIoPort = {
  checkProfile(service: IoService, fiscalCode: string): Promise<ProfileCheck>
  submit(service: IoService, message: IoMessage): Promise<{ ioMessageId: string }>
  status(service: IoService, fiscalCode: string, ioMessageId: string): Promise<IoMessageStatus>
}
