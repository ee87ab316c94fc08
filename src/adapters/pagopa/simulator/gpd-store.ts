// The GPD simulator's positions: GPD's state rules (publish, validity, expiry on the fly) and the
// shapes GPD answers with (PaymentPositionModel, PaymentPositionModelBaseResponse). Pure: the clock
// comes in as an argument.

import type { GpdPositionStatus } from '../port.ts'
import type { PaymentOptionModel, PaymentPositionModel } from './gpd-payloads.ts'
import type { NoticePosition, PaymentRecord } from './nodo/receipt.ts'

export type StoredOption = {
  model: PaymentOptionModel
  iuv: string
  nav: string
  status: 'PO_UNPAID' | 'PO_PAID'
  payment?: PaymentRecord
}

export type StoredPosition = {
  organizationFiscalCode: string
  iupd: string
  /** The PaymentPositionModel as received. */
  body: PaymentPositionModel
  status: GpdPositionStatus
  insertedDate: string
  lastUpdatedDate: string
  publishDate?: string
  validityDate?: string
  paymentDate?: string
  options: StoredOption[]
}

/** GPD's aux digit is 3 (FACTS §6): a notice number not given is "3" + IUV. */
export function newPosition(organizationFiscalCode: string, body: PaymentPositionModel, now: Date): StoredPosition {
  const at = now.toISOString()
  const options = (body.paymentOption ?? []).map((model): StoredOption => ({ model, iuv: model.iuv, nav: model.nav ?? `3${model.iuv}`, status: 'PO_UNPAID' }))
  return {
    organizationFiscalCode,
    iupd: body.iupd,
    body,
    status: 'DRAFT',
    insertedDate: at,
    lastUpdatedDate: at,
    ...(body.validityDate ? { validityDate: body.validityDate } : {}),
    options,
  }
}

/**
 * PublishPaymentUtil: with no validity date and every due date ahead, VALID at once (validity = now);
 * with a validity date ahead, PUBLISHED until then. Answers the refusal when the dates do not allow it.
 */
export function publish(position: StoredPosition, now: Date): 'due_date_passed' | 'validity_date_passed' | undefined {
  const minDue = Math.min(...position.options.map((o) => Date.parse(o.model.dueDate)), Number.POSITIVE_INFINITY)
  if (!position.validityDate && minDue < now.getTime()) return 'due_date_passed'
  if (position.validityDate && Date.parse(position.validityDate) < now.getTime()) return 'validity_date_passed'
  position.publishDate = now.toISOString()
  position.lastUpdatedDate = position.publishDate
  position.status = position.validityDate ? 'PUBLISHED' : 'VALID'
  position.validityDate ??= position.publishDate
  return undefined
}

/** GPD's checks on the fly: PUBLISHED becomes VALID at its validity date, and a position that expires after its due date does. */
export function refresh(position: StoredPosition, now: Date): StoredPosition {
  if (position.status === 'PUBLISHED' && position.validityDate && Date.parse(position.validityDate) <= now.getTime()) position.status = 'VALID'
  const maxDue = Math.max(...position.options.map((o) => Date.parse(o.model.dueDate)))
  if ((position.status === 'PUBLISHED' || position.status === 'VALID') && position.body.switchToExpired && maxDue < now.getTime()) {
    position.status = 'EXPIRED'
    position.lastUpdatedDate = now.toISOString()
  }
  return position
}

/**
 * An option paid in full pays the position; an installment (isPartialPayment, FACTS §5) leaves it
 * PARTIALLY_PAID until every installment is paid (pagopa-debt-position PaymentsService).
 */
export function markPaid(position: StoredPosition, option: StoredOption, payment: PaymentRecord): void {
  option.status = 'PO_PAID'
  option.payment = payment
  position.lastUpdatedDate = payment.at.toISOString()
  const installments = position.options.filter((o) => o.model.isPartialPayment)
  const paidInstallments = installments.filter((o) => o.status === 'PO_PAID').length
  if (paidInstallments > 0 && paidInstallments < installments.length) {
    position.status = 'PARTIALLY_PAID'
    return
  }
  position.paymentDate = position.lastUpdatedDate
  position.status = 'PAID'
}

/** The PaymentPositionModel GPD answers to create, publish and invalidate. */
export function modelAnswer(p: StoredPosition): Record<string, unknown> {
  return {
    ...p.body,
    ...(p.validityDate ? { validityDate: p.validityDate } : {}),
    ...(p.paymentDate ? { paymentDate: p.paymentDate } : {}),
    status: p.status,
    paymentOption: p.options.map((o) => ({ ...o.model, nav: o.nav, fee: o.payment?.feeCents ?? 0, notificationFee: 0 })),
  }
}

/** The PaymentPositionModelBaseResponse GPD answers to getOrganizationDebtPositionByIUPD. */
export function baseAnswer(p: StoredPosition): Record<string, unknown> {
  return {
    iupd: p.iupd,
    organizationFiscalCode: p.organizationFiscalCode,
    type: p.body.type,
    companyName: p.body.companyName,
    ...(p.body.officeName ? { officeName: p.body.officeName } : {}),
    insertedDate: p.insertedDate,
    ...(p.publishDate ? { publishDate: p.publishDate } : {}),
    ...(p.validityDate ? { validityDate: p.validityDate } : {}),
    ...(p.paymentDate ? { paymentDate: p.paymentDate } : {}),
    status: p.status,
    lastUpdatedDate: p.lastUpdatedDate,
    paymentOption: p.options.map((o) => ({
      nav: o.nav,
      iuv: o.iuv,
      organizationFiscalCode: p.organizationFiscalCode,
      amount: o.model.amount,
      description: o.model.description,
      isPartialPayment: o.model.isPartialPayment,
      dueDate: o.model.dueDate,
      ...(o.model.retentionDate ? { retentionDate: o.model.retentionDate } : {}),
      ...(o.payment
        ? {
            paymentDate: o.payment.at.toISOString(),
            paymentMethod: o.payment.paymentMethod,
            pspCompany: o.payment.pspCompanyName,
            idReceipt: o.payment.receiptId,
          }
        : {}),
      insertedDate: p.insertedDate,
      fee: o.payment?.feeCents ?? 0,
      notificationFee: 0,
      status: o.status,
      lastUpdatedDate: p.lastUpdatedDate,
      paymentOptionMetadata: o.model.paymentOptionMetadata ?? [],
      transfer: (o.model.transfer ?? []).map((t) => ({
        ...t,
        organizationFiscalCode: t.organizationFiscalCode ?? p.organizationFiscalCode,
        insertedDate: p.insertedDate,
        status: 'T_UNREPORTED',
        lastUpdatedDate: p.lastUpdatedDate,
        transferMetadata: t.transferMetadata ?? [],
      })),
    })),
  }
}

/** What the simulated Node sees of one option of a position. */
export function noticeOf(p: StoredPosition, option: StoredOption): NoticePosition {
  const { body } = p
  return {
    organizationFiscalCode: p.organizationFiscalCode,
    companyName: body.companyName,
    ...(body.officeName ? { officeName: body.officeName } : {}),
    iupd: p.iupd,
    status: p.status,
    debtor: { type: body.type, fiscalCode: body.fiscalCode, fullName: body.fullName, ...(body.email ? { email: body.email } : {}) },
    option: {
      iuv: option.iuv,
      noticeNumber: option.nav,
      amountCents: option.model.amount,
      description: option.model.description,
      partial: option.model.isPartialPayment,
      paid: option.status !== 'PO_UNPAID',
      transfers: (option.model.transfer ?? []).map((t) => ({
        idTransfer: t.idTransfer,
        amountCents: t.amount,
        organizationFiscalCode: t.organizationFiscalCode ?? p.organizationFiscalCode,
        ...(t.companyName ? { companyName: t.companyName } : {}),
        ...(t.iban ? { iban: t.iban } : {}),
        ...(t.postalIban ? { postalIban: t.postalIban } : {}),
        remittanceInformation: t.remittanceInformation,
        category: t.category,
      })),
    },
  }
}
