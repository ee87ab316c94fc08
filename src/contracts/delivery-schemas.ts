// Runtime schemas of the delivery engine's resources (webhook endpoints, events, deliveries, replays,
// pauses, audit), each checked at compile time against the type generated from the contract.
import { z } from 'zod'
import { deliveryTargets } from '../config/schema.ts'
import { eventTypes } from '../events/event-types.ts'
import { deliveryStatuses } from '../queues/delivery.ts'
import type { components } from './generated/snodo.v1.ts'

type Schemas = components['schemas']

const EventTypeOrAll = z.union([z.enum(eventTypes), z.literal('*')], { error: `an event type (${eventTypes.join(', ')}) or *` })
const EventList = z.array(EventTypeOrAll).min(1).max(50)

export const CreateWebhookEndpoint = z.strictObject({
  url: z.string().max(2048),
  events: EventList,
  description: z.string().max(500).optional(),
}) satisfies z.ZodType<Schemas['CreateWebhookEndpoint']>

export const UpdateWebhookEndpoint = z
  .strictObject({ events: EventList.optional(), description: z.string().max(500).optional(), enabled: z.boolean().optional() })
  .refine((v) => Object.keys(v).length > 0, 'name at least one of events, description, enabled') satisfies z.ZodType<Schemas['UpdateWebhookEndpoint']>

export const RotateWebhookSecret = z.strictObject({ overlapSeconds: z.number().int().min(0).max(604_800).optional() }) satisfies z.ZodType<
  Schemas['RotateWebhookSecret']
>

export const WebhookEndpoint = z.strictObject({
  id: z.string(),
  tenantId: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  description: z.string(),
  enabled: z.boolean(),
  disabledReason: z.string().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  signingSecrets: z.array(z.strictObject({ createdAt: z.iso.datetime(), expiresAt: z.iso.datetime().optional() })),
}) satisfies z.ZodType<Schemas['WebhookEndpoint']>

export const WebhookEndpointWithSecret = WebhookEndpoint.extend({ secret: z.string().startsWith('whsec_') }) satisfies z.ZodType<
  Schemas['WebhookEndpointWithSecret']
>
export const WebhookEndpointList = z.strictObject({ items: z.array(WebhookEndpoint) }) satisfies z.ZodType<Schemas['WebhookEndpointList']>
export const PingResult = z.strictObject({ eventId: z.string(), deliveryIds: z.array(z.string()) }) satisfies z.ZodType<Schemas['PingResult']>

export const Event = z.strictObject({
  id: z.string(),
  type: z.enum(eventTypes),
  tenantId: z.string(),
  occurredAt: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
  cursor: z.string(),
}) satisfies z.ZodType<Schemas['Event']>
export const EventPage = z.strictObject({ items: z.array(Event), nextCursor: z.string().optional() }) satisfies z.ZodType<Schemas['EventPage']>

export const DeliveryError = z.strictObject({
  kind: z.enum(['timeout', 'unavailable', 'rate_limited', 'rejected', 'unauthorized', 'protocol', 'internal']),
  message: z.string(),
  upstreamStatus: z.number().int().optional(),
  upstreamCode: z.string().optional(),
}) satisfies z.ZodType<Schemas['DeliveryError']>

export const Delivery = z.strictObject({
  id: z.string(),
  tenant: z.string(),
  target: z.enum(deliveryTargets),
  operation: z.string(),
  resourceId: z.string(),
  status: z.enum(deliveryStatuses),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  attemptCount: z.number().int(),
  replays: z.number().int(),
  nextTryAt: z.iso.datetime().optional(),
  lastError: DeliveryError.optional(),
  meta: z.record(z.string(), z.string()),
}) satisfies z.ZodType<Schemas['Delivery']>

export const Attempt = z.strictObject({
  number: z.number().int(),
  at: z.iso.datetime(),
  durationMs: z.number().int(),
  outcome: z.enum(['succeeded', 'failed', 'pending']),
  upstreamStatus: z.number().int().optional(),
  upstreamCode: z.string().optional(),
  errorKind: z.string().optional(),
  message: z.string().optional(),
  nextTryAt: z.iso.datetime().optional(),
  replay: z.boolean().optional(),
  uncertainSend: z.boolean().optional(),
}) satisfies z.ZodType<Schemas['Attempt']>

export const DeliveryDetail = Delivery.extend({ attempts: z.array(Attempt) }) satisfies z.ZodType<Schemas['DeliveryDetail']>
export const DeliveryPage = z.strictObject({ items: z.array(Delivery), nextCursor: z.string().optional() }) satisfies z.ZodType<Schemas['DeliveryPage']>

const Reason = z.string().trim().min(1).max(500)
export const ReplayDelivery = z.strictObject({ reason: Reason }) satisfies z.ZodType<Schemas['ReplayDelivery']>

export const ReplayFilter = z.strictObject({
  status: z.literal('dead').optional(),
  platform: z.enum(deliveryTargets).optional(),
  tenant: z.string().max(63).optional(),
  operation: z.string().max(64).optional(),
  errorCode: z.string().max(100).optional(),
  since: z.string().max(40).optional(),
  until: z.string().max(40).optional(),
}) satisfies z.ZodType<Schemas['ReplayFilter']>

export const ReplayDeliveries = z.strictObject({ filter: ReplayFilter, reason: Reason, dryRun: z.boolean().default(false) }) satisfies z.ZodType<
  Schemas['ReplayDeliveries']
>
export const ReplayPreview = z.strictObject({ dryRun: z.literal(true), matched: z.number().int(), sample: z.array(z.string()) }) satisfies z.ZodType<
  Schemas['ReplayPreview']
>

export const ReplayBatch = z.strictObject({
  id: z.string(),
  status: z.enum(['running', 'done']),
  reason: z.string(),
  requestedBy: z.string(),
  filter: z.record(z.string(), z.string()),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().optional(),
  total: z.number().int(),
  replayed: z.number().int(),
  skipped: z.number().int(),
}) satisfies z.ZodType<Schemas['ReplayBatch']>

export const PauseRequest = z.strictObject({ tenant: z.string().max(63).optional(), reason: Reason }) satisfies z.ZodType<Schemas['PauseRequest']>
export const PlatformPause = z.strictObject({
  platform: z.enum(deliveryTargets),
  tenant: z.string().optional(),
  paused: z.boolean(),
  reason: z.string().optional(),
  by: z.string().optional(),
  at: z.iso.datetime().optional(),
}) satisfies z.ZodType<Schemas['PlatformPause']>
export const PauseList = z.strictObject({ items: z.array(PlatformPause) }) satisfies z.ZodType<Schemas['PauseList']>

export const AuditRecord = z.strictObject({
  id: z.string(),
  who: z.string(),
  tenant: z.string().optional(),
  action: z.string(),
  outcome: z.enum(['ok', 'denied', 'failed']),
  payloadDigest: z.string().optional(),
  requestId: z.string().optional(),
  detail: z.string().optional(),
  at: z.iso.datetime(),
  prev: z.string(),
  hash: z.string(),
}) satisfies z.ZodType<Schemas['AuditRecord']>
export const AuditPage = z.strictObject({ items: z.array(AuditRecord), nextCursor: z.string().optional(), head: z.string() }) satisfies z.ZodType<
  Schemas['AuditPage']
>
