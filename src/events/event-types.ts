// The closed list of events Snodo publishes (design §3), on webhooks and on the /events feed.
export const businessEventTypes = [
  'payment.published',
  'payment.installment_paid',
  'payment.paid',
  'payment.cancelled',
  'payment.expired',
  'message.sent',
  'message.rejected',
  'message.failed',
  'notification.accepted',
  'notification.refused',
  'notification.delivered',
  'notification.viewed',
  'notification.unreachable',
  'notification.cancelled',
  'practice.registered',
  'practice.forwarded',
  'practice.status_changed',
  'practice.document_registered',
] as const

/** About deliveries themselves, for ops endpoints; their own deliveries never raise more of them. */
export const operationalEventTypes = ['delivery.dead', 'delivery.recovered', 'endpoint.disabled', 'webhook.ping'] as const

export const eventTypes = [...businessEventTypes, ...operationalEventTypes] as const
export type EventType = (typeof eventTypes)[number]

export type SnodoEvent = { id: string; type: EventType; tenantId: string; occurredAt: string; data: Record<string, unknown> }
