// pagoPA as Snodo speaks of it (pagopa/FACTS.md §1, §4, §9): debt positions on GPD, carts on
// Checkout. Amounts are integer euro cents here, as on both APIs (FACTS §7). Every method throws
// UpstreamError, classified by kind.

/** A tenant's GPD / Checkout access: its fiscal code (the organization) and its subscription key. */
export type PagopaCredentials = { organizationFiscalCode: string; subscriptionKey: string }

export type Transfer = {
  /** "1".."5" (FACTS §5 TransferModel.idTransfer). */
  idTransfer: '1' | '2' | '3' | '4' | '5'
  amountCents: number
  /** Exactly one of iban and postalIban. */
  iban?: string
  postalIban?: string
  /** ≤ 140 characters. */
  remittance: string
  /** The taxonomy code of the transfer. */
  category: string
  /** The beneficiary, when not the organization itself (multi-beneficiary). */
  organizationFiscalCode?: string
}

export type PaymentOption = {
  iuv: string
  /** The 18-digit notice number: "3" + IUV with aux digit 3 (FACTS §6). */
  noticeNumber: string
  amountCents: number
  description: string
  /** ISO 8601. */
  dueDate: string
  /** The option can be paid after its due date only when false (FACTS §5 switchToExpired is per position). */
  transfers: Transfer[]
}

export type DebtPosition = {
  /** The organization's own unique id of the position (FACTS §5 IUPD). */
  iupd: string
  debtor: { type: 'F' | 'G'; fiscalCode: string; fullName: string; email?: string }
  companyName: string
  /** When the position stops being payable (ISO 8601), if ever. */
  expiresAt?: string
  switchToExpired: boolean
  /** The debt paid in full. */
  option: PaymentOption
  /** When the debt may also be paid in installments: each an option of its own (FACTS §5 isPartialPayment). */
  installments?: PaymentOption[]
}

export type GpdPositionStatus = 'DRAFT' | 'PUBLISHED' | 'VALID' | 'INVALID' | 'EXPIRED' | 'PARTIALLY_PAID' | 'PAID' | 'REPORTED'

/** FACTS §5 option status: PO_PAID once the Node collected it, *_REPORTED once its money was reported. */
export type GpdOptionStatus = 'PO_UNPAID' | 'PO_PAID' | 'PO_PARTIALLY_REPORTED' | 'PO_REPORTED'

/** A position as GPD has it now: its status and each payment option's. */
export type GpdPositionState = { status: GpdPositionStatus; options: { iuv: string; noticeNumber?: string; status: GpdOptionStatus }[] }

export type GpdPort = {
  /** Creates and publishes the position in one call; a position already there (409) is not an error. */
  createAndPublish(credentials: PagopaCredentials, position: DebtPosition): Promise<{ status: GpdPositionStatus; alreadyThere: boolean }>
  /** FACTS §4 invalidatePosition; an already invalid position is not an error. */
  invalidate(credentials: PagopaCredentials, iupd: string): Promise<void>
  status(credentials: PagopaCredentials, iupd: string): Promise<GpdPositionStatus>
  /** getOrganizationDebtPositionByIUPD with each option's status; undefined when GPD has no such position (its 404). */
  position(credentials: PagopaCredentials, iupd: string): Promise<GpdPositionState | undefined>
}

export type CartNotice = { noticeNumber: string; organizationFiscalCode: string; amountCents: number; companyName: string; description: string }
export type ReturnUrls = { returnOkUrl: string; returnCancelUrl: string; returnErrorUrl: string; returnWaitingUrl: string }

export type CheckoutPort = {
  /** FACTS §9: POST /carts → 302; answers the URL to send the citizen's browser to. */
  createCart(
    credentials: PagopaCredentials,
    cart: { notices: CartNotice[]; returnUrls: ReturnUrls; emailNotice?: string; idCart?: string },
  ): Promise<{ redirectUrl: string }>
}
