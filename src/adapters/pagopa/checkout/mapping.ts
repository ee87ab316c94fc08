// Snodo's cart → Checkout EC v2 CartRequestV2 (checkout-openapi.json components.schemas, FACTS §9).
// Upstream shapes stay in this file.
import type { CartNotice, ReturnUrls } from '../port.ts'

export type PaymentNoticeDto = { noticeNumber: string; fiscalCode: string; amount: number; companyName: string; description: string }
export type CartRequestV2Dto = { paymentNotices: PaymentNoticeDto[]; returnUrls: ReturnUrls; emailNotice?: string; idCart?: string }

export function toCartRequest(cart: { notices: CartNotice[]; returnUrls: ReturnUrls; emailNotice?: string; idCart?: string }): CartRequestV2Dto {
  return {
    paymentNotices: cart.notices.map((n) => ({
      noticeNumber: n.noticeNumber,
      // The creditor's fiscal code: Checkout calls it fiscalCode (PaymentNotice, "Public Administration tax code").
      fiscalCode: n.organizationFiscalCode,
      amount: n.amountCents,
      companyName: n.companyName,
      description: n.description,
    })),
    returnUrls: {
      returnOkUrl: cart.returnUrls.returnOkUrl,
      returnCancelUrl: cart.returnUrls.returnCancelUrl,
      returnErrorUrl: cart.returnUrls.returnErrorUrl,
      returnWaitingUrl: cart.returnUrls.returnWaitingUrl,
    },
    ...(cart.emailNotice !== undefined ? { emailNotice: cart.emailNotice } : {}),
    // Checkout hands idCart back to the creditor in paGetPayment.paymentNote (FACTS §9).
    ...(cart.idCart !== undefined ? { idCart: cart.idCart } : {}),
  }
}
