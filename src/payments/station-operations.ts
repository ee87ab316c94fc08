// What the station answers to each paForNode operation, in Snodo's terms (the station port,
// adapters/pagopa/station/port.ts): checks in the order the nodo's fault catalogue expects (caller
// ids, then the notice, then its state), then the payment's facts or the recorded receipt. Every
// refusal is a thrown NodoFault; the station codec turns it into KO.
import type { Logger } from 'pino'
import type { GpdPort } from '../adapters/pagopa/port.ts'
import {
  type CallerIds,
  fault,
  formatAmount,
  type GetPaymentRequest,
  type NodoFault,
  type PaymentFacts,
  type Requests,
  type SendRTRequest,
  type StationOperations,
} from '../adapters/pagopa/station/port.ts'
import type { TenantConfig } from '../config/schema.ts'
import { romeLocal } from '../rome-time.ts'
import { credentialsOf } from './deliver-position.ts'
import { type NotPayable, whyNotPayable } from './payable-notice.ts'
import { noticeOf, type PaymentNotice, type Receipt, receiptOf, type StoredPayment } from './payment.ts'
import type { Station } from './station.ts'

type Pagopa = NonNullable<TenantConfig['platforms']['pagopa']>

/** The tenant behind idPA, once idBrokerPA and idStation are its own (FACTS §8: the EC must check them). */
export function callerTenant(station: Station, ids: CallerIds): TenantConfig & { platforms: { pagopa: Pagopa } } {
  const tenant = station.tenantByIdPA(ids.idPA)
  const pagopa = tenant?.platforms.pagopa
  if (!tenant || !pagopa) throw fault('PAA_ID_DOMINIO_ERRATO', `idPA ${ids.idPA} is not a creditor institution served by this station`)
  if (ids.idBrokerPA !== pagopa.idBrokerPA) throw fault('PAA_ID_INTERMEDIARIO_ERRATO', `idBrokerPA ${ids.idBrokerPA} is not the broker of ${ids.idPA}`)
  if (ids.idStation !== pagopa.idStation) throw fault('PAA_STAZIONE_INT_ERRATA', `idStation ${ids.idStation} is not the station of ${ids.idPA}`)
  return tenant as TenantConfig & { platforms: { pagopa: Pagopa } }
}

/** YYYY-MM-DD of a date or an instant (the day in Italy), if it is one. */
function isoDate(value: string | undefined): string | undefined {
  if (!value) return undefined
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value
  const instant = new Date(value)
  return Number.isNaN(instant.getTime()) ? undefined : romeLocal(instant).slice(0, 10)
}
// ctPaymentPA.dueDate is required; a payment with neither due date nor expiry never falls due.
const noDueDate = '9999-12-31'

/** A notice the nodo may verify or activate: of this tenant, known, and payable now (payable-notice.ts), else the FACTS §8 fault. */
async function verifiableNotice(
  station: Station,
  tenant: TenantConfig & { platforms: { pagopa: Pagopa } },
  qrCode: { fiscalCode: string; noticeNumber: string },
  operation: string,
) {
  // In 'gpd' mode the positions live on GPD and pagoPA answers verify/activate itself (FACTS §1): a call here means the
  // station is registered for a service Snodo does not provide for this tenant — a configuration error on the EC side.
  if (tenant.platforms.pagopa.mode !== 'station')
    throw fault('PAA_SYSTEM_ERROR', `${operation} is not served here for ${tenant.fiscalCode}: its positions are on GPD (mode gpd)`)
  if (qrCode.fiscalCode !== tenant.fiscalCode) throw fault('PAA_ID_DOMINIO_ERRATO', `qrCode.fiscalCode ${qrCode.fiscalCode} is not idPA ${tenant.fiscalCode}`)
  const payment = await station.paymentByNotice(tenant.id, qrCode.noticeNumber)
  if (!payment) throw fault('PAA_PAGAMENTO_SCONOSCIUTO', `notice ${qrCode.noticeNumber} is unknown`)
  const found = noticeOf(payment.data, qrCode.noticeNumber) as PaymentNotice
  const why = whyNotPayable(payment, found)
  if (why) throw notPayableFault(`notice ${qrCode.noticeNumber}`, why)
  return { payment, notice: found }
}

function notPayableFault(notice: string, why: NotPayable): NodoFault {
  switch (why.reason) {
    case 'not_published':
      return fault(
        'PAA_PAGAMENTO_SCONOSCIUTO',
        `${notice} is not payable yet: its debt position is ${why.status === 'queued' ? 'still being published' : 'not published'}`,
      )
    case 'expired':
      return fault('PAA_PAGAMENTO_SCADUTO', `${notice} expired`)
    case 'cancelled':
      return fault('PAA_PAGAMENTO_ANNULLATO', `${notice} was cancelled`)
    case 'paid':
      return fault('PAA_PAGAMENTO_DUPLICATO', `${notice} is already paid`)
    case 'installments_paid':
      return fault('PAA_PAGAMENTO_DUPLICATO', `${notice} is the payment in full, and installments ${why.paidInstallments.join(', ')} are paid already`)
    case 'installment_paid':
      return fault('PAA_PAGAMENTO_DUPLICATO', `${notice} (installment ${why.installment}) is already paid`)
  }
}

/** What the nodo is told of one notice: its own amount, due date, description and transfers; the rest is the payment's. */
function noticeFacts(
  { payment, notice }: { payment: StoredPayment; notice: PaymentNotice },
  tenant: TenantConfig & { platforms: { pagopa: Pagopa } },
  transferType?: 'POSTAL' | 'PAGOPA',
): PaymentFacts {
  const { data } = payment
  // acceptPayment stores at least one transfer (the tenant's default when none is named) for every notice.
  const transfers = notice.transfers
  return {
    iuv: notice.iuv,
    amountCents: notice.amountCents,
    dueDate: isoDate(notice.dueDate) ?? isoDate(data.expiresAt) ?? noDueDate,
    description: notice.description,
    companyName: tenant.name,
    fiscalCodePA: tenant.fiscalCode,
    debtor: data.debtor,
    transfers: transfers.map((t) => ({
      idTransfer: t.idTransfer,
      amountCents: t.amountCents,
      fiscalCodePA: t.organizationFiscalCode ?? tenant.fiscalCode,
      // transferType POSTAL: the PSP can credit postal accounts, so offer the postal IBAN where there is one.
      iban: (transferType === 'POSTAL' ? (t.postalIban ?? t.iban) : (t.iban ?? t.postalIban)) as string,
      remittance: t.remittance,
      category: t.category,
    })),
    allCCP: transfers.every((t) => t.postalIban !== undefined),
    metadata: data.metadata,
  }
}

/** The receipt as Snodo keeps it; amounts are already integer cents (adapters/pagopa/station/amount.ts). */
export function toReceipt(request: SendRTRequest, version: Receipt['version']): Receipt {
  const r = request.receipt
  return {
    receiptId: r.receiptId,
    noticeNumber: r.noticeNumber,
    creditorReferenceId: r.creditorReferenceId,
    amountCents: r.paymentAmount,
    outcome: r.outcome,
    pspId: r.idPSP,
    pspName: r.PSPCompanyName,
    channelId: r.idChannel,
    ...(r.paymentMethod ? { paymentMethod: r.paymentMethod } : {}),
    ...(r.fee !== undefined ? { feeCents: r.fee } : {}),
    ...(r.paymentDateTime ? { paidAt: r.paymentDateTime } : {}),
    version,
  }
}

/** GPD's option states once the Node collected it: paid, or paid and its money reported (FACTS §5). */
const paidOnGpd: ReadonlySet<string> = new Set(['PO_PAID', 'PO_PARTIALLY_REPORTED', 'PO_REPORTED'])

export function createStationOperations(deps: { station: Station; logger: Logger; gpd(tenant: TenantConfig): GpdPort }): StationOperations {
  const { station } = deps

  /**
   * A 'gpd' tenant's positions live on GPD, which the Node marks paid when it collects (FACTS §1): a receipt
   * GPD does not bear out is not taken, whoever sent it. Refused as PAA_SEMANTICA, as the other receipts that
   * contradict the notice; GPD out of reach is the station's own failure, PAA_SYSTEM_ERROR, which the Node
   * retries (FACTS §8 retry guideline).
   */
  async function confirmOnGpd(tenant: TenantConfig, payment: StoredPayment, r: SendRTRequest['receipt']) {
    let position: Awaited<ReturnType<GpdPort['position']>>
    try {
      position = await deps.gpd(tenant).position(credentialsOf(tenant), payment.data.iupd)
    } catch (error) {
      deps.logger.warn(
        { tenant: tenant.id, noticeNumber: r.noticeNumber, receiptId: r.receiptId, err: error instanceof Error ? error.message : String(error) },
        'receipt not taken: GPD could not be asked whether its notice is paid',
      )
      throw fault('PAA_SYSTEM_ERROR', `GPD cannot be reached to confirm notice ${r.noticeNumber}; try again later`)
    }
    const option = position?.options.find((o) => o.iuv === r.creditorReferenceId)
    if (option && paidOnGpd.has(option.status)) return
    const state = !position ? 'has no position for it' : !option ? `has no option with IUV ${r.creditorReferenceId}` : `shows it unpaid (${option.status})`
    // The endpoint logs this KO as a warning, description included: who claimed the payment, and what GPD says.
    throw fault('PAA_SEMANTICA', `receipt ${r.receiptId} of PSP ${r.idPSP} is not borne out by GPD: GPD ${state} for notice ${r.noticeNumber}`)
  }

  async function verify(request: Requests['paVerifyPaymentNotice']) {
    const tenant = callerTenant(station, request)
    const payable = await verifiableNotice(station, tenant, request.qrCode, 'paVerifyPaymentNotice')
    return noticeFacts(payable, tenant)
  }

  async function getPayment(request: GetPaymentRequest, version: 1 | 2) {
    const tenant = callerTenant(station, request)
    const payable = await verifiableNotice(station, tenant, request.qrCode, version === 1 ? 'paGetPayment' : 'paGetPaymentV2')
    const due = payable.notice.amountCents
    if (request.amount !== undefined && request.amount !== due)
      throw fault('PAA_ATTIVA_RPT_IMPORTO_NON_VALIDO', `amount ${formatAmount(request.amount)} is not the amount due, ${formatAmount(due)}`)
    return noticeFacts(payable, tenant, request.transferType)
  }

  async function sendRT(request: SendRTRequest, version: Receipt['version']): Promise<void> {
    const tenant = callerTenant(station, request)
    const r = request.receipt
    if (r.fiscalCode !== tenant.fiscalCode) {
      // The nodo sends a receipt to every EC involved (FACTS §1): a beneficiary of another EC's notice gets it too,
      // with that EC in receipt.fiscalCode. It is acknowledged and not recorded: the notice is not the tenant's.
      if (r.transferList.transfer.some((t) => t.fiscalCodePA === tenant.fiscalCode)) {
        deps.logger.info(
          { operation: version, tenant: tenant.id, creditor: r.fiscalCode, noticeNumber: r.noticeNumber, receiptId: r.receiptId },
          'receipt of another creditor acknowledged as beneficiary; nothing recorded',
        )
        return
      }
      throw fault('PAA_ID_DOMINIO_ERRATO', `receipt.fiscalCode ${r.fiscalCode} is not idPA ${tenant.fiscalCode}, nor is idPA a beneficiary of its transfers`)
    }
    const payment = await station.paymentByNotice(tenant.id, r.noticeNumber)
    const notice = payment && noticeOf(payment.data, r.noticeNumber)
    if (!payment || !notice) throw fault('PAA_PAGAMENTO_SCONOSCIUTO', `notice ${r.noticeNumber} is unknown`)
    if (r.creditorReferenceId !== notice.iuv)
      throw fault('PAA_SEMANTICA', `receipt.creditorReferenceId ${r.creditorReferenceId} is not the IUV of notice ${r.noticeNumber}`)
    if (r.paymentAmount !== notice.amountCents) {
      throw fault(
        'PAA_SEMANTICA',
        `receipt.paymentAmount ${formatAmount(r.paymentAmount)} is not the amount due for notice ${r.noticeNumber}, ${formatAmount(notice.amountCents)}`,
      )
    }
    if (r.outcome !== 'OK') throw fault('PAA_SEMANTICA', `receipt.outcome ${r.outcome}: only receipts of successful payments are accepted`)
    // The same receipt again was confirmed the first time; it only finishes what that left undone.
    const known = receiptOf(payment, notice.installment?.index)?.receiptId === r.receiptId
    if (tenant.platforms.pagopa.mode === 'gpd' && !known) await confirmOnGpd(tenant, payment, r)
    const outcome = await station.recordReceipt(payment, toReceipt(request, version))
    const log = {
      operation: version,
      tenant: tenant.id,
      noticeNumber: r.noticeNumber,
      ...(notice.installment ? { installment: notice.installment.index } : {}),
      receiptId: r.receiptId,
      outcome,
      status: payment.status,
    }
    // Only the same receipt again (duplicate) is benign: another receipt for a notice that has one is a second collection.
    if (outcome === 'already_final')
      deps.logger.error(log, 'receipt not recorded: its notice has another receipt already, so the money was collected twice and a refund is due')
    else if (outcome === 'recorded_overpaid')
      deps.logger.error(log, 'receipt recorded, but other notices of the same debt were paid too: the money was collected twice, a refund is due')
    else deps.logger.info(log, 'receipt received')
  }

  async function demandPaymentNotice(request: Requests['paDemandPaymentNotice']): Promise<never> {
    const tenant = callerTenant(station, request)
    throw fault('PAA_SYSTEM_ERROR', `spontaneous payments (paDemandPaymentNotice) are not offered for ${tenant.fiscalCode}`)
  }

  return {
    paVerifyPaymentNotice: verify,
    paGetPayment: (request: Requests['paGetPayment']) => getPayment(request, 1),
    paGetPaymentV2: (request: Requests['paGetPaymentV2']) => getPayment(request, 2),
    paSendRT: (request: Requests['paSendRT']) => sendRT(request, 'paSendRT'),
    paSendRTV2: (request: Requests['paSendRTV2']) => sendRT(request, 'paSendRTV2'),
    paDemandPaymentNotice: demandPaymentNotice,
  }
}
