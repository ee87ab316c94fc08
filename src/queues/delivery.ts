// What a delivery is: one command or event on its way to one target, with every attempt it took.
import type { DeliveryTarget } from '../config/schema.ts'
import type { UpstreamErrorKind } from '../errors.ts'
import type { QueueName } from './names.ts'

export const deliveryStatuses = ['queued', 'in_progress', 'retrying', 'succeeded', 'dead', 'paused'] as const
export type DeliveryStatus = (typeof deliveryStatuses)[number]

/**
 * Which status may follow which. `succeeded` is final; `dead` is left only by an operator's replay.
 * A worker that took a job over after a crash may find it `in_progress`, hence in_progress → in_progress.
 */
export const allowedTransitions: Record<DeliveryStatus, readonly DeliveryStatus[]> = {
  queued: ['in_progress', 'paused', 'dead'],
  in_progress: ['in_progress', 'succeeded', 'retrying', 'dead', 'paused'],
  retrying: ['in_progress', 'paused', 'dead'],
  paused: ['in_progress', 'retrying', 'queued', 'dead'],
  dead: ['queued'],
  succeeded: [],
}

export type DeliveryError = {
  kind: UpstreamErrorKind | 'internal'
  message: string
  upstreamStatus?: number
  upstreamCode?: string
}

export type Attempt = {
  number: number
  at: string
  durationMs: number
  /** `pending`: the call worked, the platform is not done yet. */
  outcome: 'succeeded' | 'failed' | 'pending'
  upstreamStatus?: number
  upstreamCode?: string
  errorKind?: DeliveryError['kind']
  message?: string
  nextTryAt?: string
  replay?: boolean
  /** The attempt could not know whether an earlier one reached the platform (a send cut off mid-way). */
  uncertainSend?: boolean
}

export type Delivery = {
  id: string
  tenant: string
  target: DeliveryTarget
  operation: QueueName
  resourceId: string
  status: DeliveryStatus
  createdAt: string
  updatedAt: string
  attemptCount: number
  replays: number
  nextTryAt?: string
  lastError?: DeliveryError
  /** The target-specific request, opaque to the engine. */
  payload: unknown
  /** Target-specific routing facts (endpoint id, event type…), shown to ops. */
  meta: Record<string, string>
  /** Deliveries of operational events never raise operational events themselves (no loops). */
  operational: boolean
}

export type NewDelivery = Pick<Delivery, 'id' | 'tenant' | 'target' | 'operation' | 'resourceId' | 'payload' | 'meta'> & { operational?: boolean }

export type DeliveryFilter = {
  status?: DeliveryStatus
  target?: string
  tenant?: string
  /** Restricts results to these tenants (the caller's allow-list); undefined = every tenant. */
  tenants?: ReadonlySet<string>
  operation?: string
  errorCode?: string
  since?: Date
  until?: Date
}
