// Snodo's IoMessage ↔ IO's NewMessage (services-openapi.yaml definitions.NewMessage, appio/FACTS.md §3),
// and IO's getMessage answer → IoMessageStatus (FACTS §4). Upstream shapes stay in this file.
import type { IoMessage, IoMessageStatus } from './port.ts'

/** The part of IO's NewMessage Snodo sends: always the fiscal code in the body (FACTS §2.2). */
export type NewMessageDto = {
  fiscal_code: string
  content: {
    subject: string
    markdown: string
    due_date?: string
    payment_data?: { amount: number; notice_number: string; invalid_after_due_date?: boolean; payee?: { fiscal_code: string } }
  }
}

export function toNewMessage(message: IoMessage): NewMessageDto {
  const { payment } = message
  return {
    fiscal_code: message.fiscalCode,
    content: {
      subject: message.subject,
      markdown: message.markdown,
      ...(message.dueDate !== undefined ? { due_date: message.dueDate } : {}),
      ...(payment
        ? {
            payment_data: {
              // FACTS §3: amount in euro cents, notice_number the 18-digit notice code.
              amount: payment.amountCents,
              notice_number: payment.noticeNumber,
              ...(payment.invalidAfterDueDate !== undefined ? { invalid_after_due_date: payment.invalidAfterDueDate } : {}),
              ...(payment.payeeFiscalCode !== undefined ? { payee: { fiscal_code: payment.payeeFiscalCode } } : {}),
            },
          }
        : {}),
    },
  }
}

export function fromNewMessage(dto: NewMessageDto): IoMessage {
  const { content } = dto
  const payment = content.payment_data
  return {
    fiscalCode: dto.fiscal_code,
    subject: content.subject,
    markdown: content.markdown,
    ...(content.due_date !== undefined ? { dueDate: content.due_date } : {}),
    ...(payment
      ? {
          payment: {
            noticeNumber: payment.notice_number,
            amountCents: payment.amount,
            ...(payment.invalid_after_due_date !== undefined ? { invalidAfterDueDate: payment.invalid_after_due_date } : {}),
            ...(payment.payee ? { payeeFiscalCode: payment.payee.fiscal_code } : {}),
          },
        }
      : {}),
  }
}

const statuses: ReadonlySet<string> = new Set<IoMessageStatus>(['ACCEPTED', 'THROTTLED', 'FAILED', 'PROCESSED', 'REJECTED'])

/**
 * The status of an ExternalMessageResponseWithContent, or undefined when the answer is not one.
 * `status` is optional in the spec: a message whose status IO has not written yet is still ACCEPTED (inference).
 */
export function statusOf(body: unknown): IoMessageStatus | undefined {
  if (!isObject(body) || !isObject(body.message)) return undefined
  if (body.status === undefined) return 'ACCEPTED'
  return typeof body.status === 'string' && statuses.has(body.status) ? (body.status as IoMessageStatus) : undefined
}

/** sender_allowed of a LimitedProfile (FACTS §2.1), or undefined when the answer is not one. */
export function senderAllowedOf(body: unknown): boolean | undefined {
  return isObject(body) && typeof body.sender_allowed === 'boolean' ? body.sender_allowed : undefined
}

/** The id of IO's 201 answer (spec definitions.CreatedMessage), or undefined. */
export function createdIdOf(body: unknown): string | undefined {
  return isObject(body) && typeof body.id === 'string' && body.id.length > 0 ? body.id : undefined
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
