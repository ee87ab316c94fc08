// Accepting a message: the record first, then its delivery on the appio-messages queue, under one
// business key, so a repeated accept (same message id) changes nothing, sends nothing twice, and
// finishes an accept that stopped between the record and the delivery.
import { randomUUID } from 'node:crypto'
import type { IoPayment } from '../adapters/appio/port.ts'
import type { Timeline } from '../citizens/timeline.ts'
import type { DeliveryEngine } from '../queues/engine.ts'
import { deliveryIdFor } from '../queues/engine.ts'
import { queueNames } from '../queues/names.ts'
import type { MessageData, MessageStore, StoredMessage } from './message.ts'

export type MessageRequest = {
  fiscalCode: string
  subject: string
  markdown: string
  service: string
  dueDate?: string
  payment?: Omit<IoPayment, 'payeeFiscalCode'>
  reference?: string
}

export const newMessageId = () => `msg_${randomUUID().replaceAll('-', '')}`

/** Answers the messages as stored, in the order asked: each the one written now, or the one that was there. */
export async function acceptMessages(
  deps: { messages: MessageStore; engine: DeliveryEngine; timeline: Timeline },
  tenantId: string,
  requests: (MessageRequest & { id: string; batchId?: string })[],
): Promise<StoredMessage[]> {
  // All at once: the connection pipelines them, where one after another would wait a round trip each.
  const accepted = await Promise.all(
    requests.map(async (request) => {
      const { id, ...fields } = request
      const deliveryId = deliveryIdFor(`appio|${tenantId}|${id}`)
      const data: MessageData = { tenantId, ...fields, deliveryId }
      // An id already there may be an accept that stopped before its delivery was queued: the timeline
      // and the enqueue are done again (both keep what exists), so a retry finishes it.
      const { record } = await deps.messages.create(id, data, 'queued')
      await deps.timeline.record(tenantId, request.fiscalCode, 'message', id, new Date())
      return {
        record,
        delivery: {
          id: deliveryId,
          tenant: tenantId,
          target: 'appio' as const,
          operation: queueNames.appioMessages,
          resourceId: id,
          payload: {},
          meta: { service: request.service, ...(request.batchId ? { batchId: request.batchId } : {}) },
        },
      }
    }),
  )
  if (accepted.length > 0) await deps.engine.enqueue(accepted.map((a) => a.delivery))
  return accepted.map((a) => a.record)
}
