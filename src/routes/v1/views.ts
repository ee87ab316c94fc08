// What the API shows of internal records: never a secret's value, never a delivery's payload.
import { Delivery } from '../../contracts/delivery-schemas.ts'
import type { Delivery as DeliveryRecord } from '../../queues/delivery.ts'
import type { DeliveryStore } from '../../queues/delivery-store.ts'
import type { Endpoint, EndpointStore } from '../../webhooks/endpoint-store.ts'

export function endpointView(e: Endpoint, endpoints: EndpointStore) {
  const active = new Set(endpoints.activeSecrets(e))
  return {
    id: e.id,
    tenantId: e.tenantId,
    url: e.url,
    events: e.events,
    description: e.description,
    enabled: e.enabled,
    ...(e.disabledReason ? { disabledReason: e.disabledReason } : {}),
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    signingSecrets: e.secrets.filter((s) => active.has(s.value)).map((s) => ({ createdAt: s.createdAt, ...(s.expiresAt ? { expiresAt: s.expiresAt } : {}) })),
  }
}

export function deliveryView(d: DeliveryRecord) {
  const { payload: _payload, operational: _operational, ...shown } = d
  return Delivery.parse(shown)
}

/** A resource's delivery as the resource shows it: status, attempts, last error; undefined if gone. */
export async function deliverySummary(deliveries: DeliveryStore, id: string) {
  const [d, attempts] = await Promise.all([deliveries.get(id), deliveries.attempts(id)])
  if (!d) return undefined
  return {
    id: d.id,
    status: d.status,
    attemptCount: d.attemptCount,
    ...(d.nextTryAt ? { nextTryAt: d.nextTryAt } : {}),
    ...(d.lastError ? { lastError: d.lastError } : {}),
    attempts,
  }
}
