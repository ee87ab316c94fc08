// A message to a citizen on App IO, as Snodo keeps it: what was asked, where it stands, its history.
import type { Redis } from 'ioredis'
import type { IoPayment } from '../adapters/appio/port.ts'
import { createStatusStore, forwardOnly, type StoredResource } from '../resources/status-store.ts'

export const messageStatuses = ['queued', 'submitted', 'sent', 'rejected', 'failed', 'cancelled'] as const
export type MessageStatus = (typeof messageStatuses)[number]

/** Forward only: submitted after queued; sent, rejected, failed and cancelled are final. */
const rank: Record<MessageStatus, number> = { queued: 0, submitted: 1, sent: 2, rejected: 2, failed: 2, cancelled: 2 }
export const finalMessageStatuses: ReadonlySet<MessageStatus> = new Set(['sent', 'rejected', 'failed', 'cancelled'])

export type MessageData = {
  tenantId: string
  service: string
  fiscalCode: string
  subject: string
  markdown: string
  dueDate?: string
  payment?: IoPayment
  reference?: string
  batchId?: string
  deliveryId: string
}

export type StoredMessage = StoredResource<MessageData, MessageStatus>

export const createMessageStore = (redis: Redis, prefix: string, clock: () => Date) =>
  createStatusStore<MessageData, MessageStatus>(redis, `${prefix}:msg`, forwardOnly(rank), clock)
export type MessageStore = ReturnType<typeof createMessageStore>
