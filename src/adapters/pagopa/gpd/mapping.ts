// Snodo's DebtPosition → GPD v1 PaymentPositionModel (gpd-openapi.json components.schemas, FACTS §5),
// and what the client reads back from GPD's answers. Upstream shapes stay in this file.
import type { DebtPosition, GpdOptionStatus, GpdPositionState, GpdPositionStatus, PaymentOption } from '../port.ts'

export type TransferModelDto = {
  idTransfer: '1' | '2' | '3' | '4' | '5'
  amount: number
  remittanceInformation: string
  category: string
  iban?: string
  postalIban?: string
  organizationFiscalCode?: string
}

export type PaymentOptionModelDto = {
  iuv: string
  nav: string
  amount: number
  description: string
  dueDate: string
  isPartialPayment: boolean
  retentionDate?: string
  transfer: TransferModelDto[]
}

export type PaymentPositionModelDto = {
  iupd: string
  type: 'F' | 'G'
  fiscalCode: string
  fullName: string
  email?: string
  companyName: string
  switchToExpired: boolean
  paymentOption: PaymentOptionModelDto[]
}

export function toPaymentPositionModel(position: DebtPosition): PaymentPositionModelDto {
  const { debtor } = position
  return {
    iupd: position.iupd,
    type: debtor.type,
    fiscalCode: debtor.fiscalCode,
    fullName: debtor.fullName,
    ...(debtor.email !== undefined ? { email: debtor.email } : {}),
    companyName: position.companyName,
    switchToExpired: position.switchToExpired,
    // No validityDate: with toPublish=true GPD makes the position VALID at once (FACTS §1 "validityDate=null").
    // It is left out rather than sent as null, which the spec's `type: string` does not allow; GPD reads both alike.
    // The option paid in full, then one per installment (FACTS §5, inference on isPartialPayment: true = installments).
    paymentOption: [toOption(position, position.option, false), ...(position.installments ?? []).map((o) => toOption(position, o, true))],
  }
}

function toOption(position: DebtPosition, option: PaymentOption, isPartialPayment: boolean): PaymentOptionModelDto {
  return {
    iuv: option.iuv,
    nav: option.noticeNumber,
    amount: option.amountCents,
    description: option.description,
    dueDate: instant(option.dueDate),
    isPartialPayment,
    ...(position.expiresAt !== undefined ? { retentionDate: instant(position.expiresAt) } : {}),
    transfer: option.transfers.map((t) => ({
      idTransfer: t.idTransfer,
      amount: t.amountCents,
      remittanceInformation: t.remittance,
      category: t.category,
      ...(t.iban !== undefined ? { iban: t.iban } : {}),
      ...(t.postalIban !== undefined ? { postalIban: t.postalIban } : {}),
      ...(t.organizationFiscalCode !== undefined ? { organizationFiscalCode: t.organizationFiscalCode } : {}),
    })),
  }
}

/** GPD wants an RFC 3339 date-time (spec format date-time); whatever ISO form Snodo holds, in UTC. */
function instant(iso: string): string {
  const at = new Date(iso)
  // An unreadable date goes as it is: GPD refuses it with 400, and the error says so.
  return Number.isNaN(at.getTime()) ? iso : at.toISOString()
}

const statuses: ReadonlySet<string> = new Set<GpdPositionStatus>(['DRAFT', 'PUBLISHED', 'VALID', 'INVALID', 'EXPIRED', 'PARTIALLY_PAID', 'PAID', 'REPORTED'])

/** The status of a PaymentPositionModel or PaymentPositionModelBaseResponse, or undefined. */
export function statusOf(body: unknown): GpdPositionStatus | undefined {
  return isObject(body) && typeof body.status === 'string' && statuses.has(body.status) ? (body.status as GpdPositionStatus) : undefined
}

/** The IUVs of the position's payment options, or undefined when the answer has none. */
export function iuvsOf(body: unknown): string[] | undefined {
  if (!isObject(body) || !Array.isArray(body.paymentOption)) return undefined
  return body.paymentOption.flatMap((o: unknown) => (isObject(o) && typeof o.iuv === 'string' ? [o.iuv] : []))
}

const optionStatuses: ReadonlySet<string> = new Set<GpdOptionStatus>(['PO_UNPAID', 'PO_PAID', 'PO_PARTIALLY_REPORTED', 'PO_REPORTED'])

/** Each PaymentOptionModelResponse with an IUV and a status it knows; an option it cannot read is left out (so never read as paid). */
export function optionsOf(body: unknown): GpdPositionState['options'] {
  if (!isObject(body) || !Array.isArray(body.paymentOption)) return []
  return body.paymentOption.flatMap((o: unknown) =>
    isObject(o) && typeof o.iuv === 'string' && typeof o.status === 'string' && optionStatuses.has(o.status)
      ? [{ iuv: o.iuv, ...(typeof o.nav === 'string' ? { noticeNumber: o.nav } : {}), status: o.status as GpdOptionStatus }]
      : [],
  )
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
