// Accepting a message: the record first, then its delivery on the appio-messages queue, under one
// business key, so a repeated accept (same message id) is a no-op and nothing is sent twice.
import { randomUUID } from 'node:crypto'
import type { IoPayment } from '../adapters/appio/port.ts'
import type { Timeline } from '../citizens/timeline.ts'
import type { DeliveryEngine } from '../queues/engine.ts'
import { deliveryIdFor } from '../queues/engine.ts'
import { queueNames } from '../queues/names.ts'
import type { MessageData, MessageStore } from './message.ts'

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

export async function acceptMessages(deps: { messages: MessageStore; engine: DeliveryEngine; timeline: Timeline }, tenantId: string, requests: (MessageRequest & { id: string; batchId?: string })[]) {
  const deliveries = []
  for (const request of requests) {
    const { id, ...fields } = request
    const deliveryId = deliveryIdFor(`appio|${tenantId}|${id}`)
    const data: MessageData = { tenantId, ...fields, deliveryId }
    if (await deps.messages.create(id, data, 'queued')) {
      await deps.timeline.record(tenantId, request.fiscalCode, 'message', id, new Date())
      deliveries.push({ id: deliveryId, tenant: tenantId, target: 'appio' as const, operation: queueNames.appioMessages, resourceId: id, payload: {}, meta: { service: request.service, ...(request.batchId ? { batchId: request.batchId } : {}) } })
    }
  }
  if (deliveries.length > 0) await deps.engine.enqueue(deliveries)
}
