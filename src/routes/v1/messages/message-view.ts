import { Message } from '../../../contracts/message-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { SnodoError } from '../../../errors.ts'
import type { StoredMessage } from '../../../messages/message.ts'
import { deliverySummary } from '../views.ts'

/** The tenant's message; another tenant's is not found. */
export async function messageOf(deps: Pick<Deps, 'messages'>, tenantId: string, id: string) {
  const message = await deps.messages.get(id)
  if (!message || message.data.tenantId !== tenantId) throw new SnodoError('not_found', `No message ${id}`)
  return message
}

/** The message as its tenant's clients see it, with its delivery. */
export async function messageView(deps: Pick<Deps, 'deliveries'>, message: StoredMessage) {
  const { id } = message
  const { deliveryId, tenantId, markdown: _markdown, payment, ...data } = message.data
  const delivery = await deliverySummary(deps.deliveries, deliveryId)
  return Message.parse({
    id,
    tenantId,
    status: message.status,
    ...data,
    ...(payment
      ? { payment: { noticeNumber: payment.noticeNumber, amount: payment.amountCents, invalidAfterDueDate: payment.invalidAfterDueDate ?? false } }
      : {}),
    ...(message.fields.ioMessageId ? { ioMessageId: message.fields.ioMessageId } : {}),
    ...(message.fields.uncertainSend ? { uncertainSend: true } : {}),
    createdAt: message.createdAt,
    updatedAt: message.updatedAt,
    history: message.history,
    ...(delivery ? { delivery } : {}),
  })
}
