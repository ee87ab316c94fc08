// Runtime schemas of App IO messages (appio/FACTS.md §3 rules, refused here rather than by IO later),
// checked at compile time against the types generated from the contract.
import { z } from 'zod'
import { IoFiscalCode } from '../citizens/fiscal-code.ts'
import { messageStatuses } from '../messages/message.ts'

export { IoFiscalCode }

import { Attempt, DeliveryError } from './delivery-schemas.ts'
import type { components } from './generated/snodo.v1.ts'

type Schemas = components['schemas']

export const IoPayment = z.strictObject({
  noticeNumber: z.string().regex(/^[0123][0-9]{17}$/, 'the 18-digit notice number (aux digit 0-3)'),
  amount: z.number().int().min(1).max(9_999_999_999),
  invalidAfterDueDate: z.boolean().default(false),
}) satisfies z.ZodType<Schemas['IoPayment']>

/** The fields a message and a batch template share: their limits are IO's own. */
export const messageContent = {
  subject: z.string().min(10).max(120),
  markdown: z.string().min(80).max(10_000),
  service: z.string().max(63).optional(),
  dueDate: z.iso.datetime({ error: 'an ISO 8601 instant in UTC, e.g. 2026-12-31T23:00:00.000Z' }).optional(),
  payment: IoPayment.optional(),
}

export const CreateMessage = z.strictObject({ fiscalCode: IoFiscalCode, ...messageContent, reference: z.string().max(200).optional() }) satisfies z.ZodType<
  Schemas['CreateMessage']
>

export const HistoryEntry = z.strictObject({ status: z.string(), at: z.iso.datetime(), detail: z.string().optional() }) satisfies z.ZodType<
  Schemas['HistoryEntry']
>

export const DeliverySummary = z.strictObject({
  id: z.string(),
  status: z.enum(['queued', 'in_progress', 'retrying', 'succeeded', 'dead', 'paused']),
  attemptCount: z.number().int(),
  nextTryAt: z.iso.datetime().optional(),
  lastError: DeliveryError.optional(),
  attempts: z.array(Attempt),
}) satisfies z.ZodType<Schemas['DeliverySummary']>

export const Message = z.strictObject({
  id: z.string(),
  tenantId: z.string(),
  status: z.enum(messageStatuses),
  service: z.string(),
  fiscalCode: z.string(),
  subject: z.string(),
  dueDate: z.string().optional(),
  payment: IoPayment.optional(),
  reference: z.string().optional(),
  batchId: z.string().optional(),
  ioMessageId: z.string().optional(),
  uncertainSend: z.boolean().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  history: z.array(HistoryEntry),
  delivery: DeliverySummary.optional(),
}) satisfies z.ZodType<Schemas['Message']>

export const CreateMessageBatch = z.strictObject({
  template: z.strictObject({
    subject: z.string().min(1).max(1000),
    markdown: z.string().min(1).max(20_000),
    service: z.string().max(63).optional(),
    dueDate: messageContent.dueDate,
  }),
  format: z.enum(['csv', 'jsonl']),
  recipients: z.string(),
  reference: z.string().max(200).optional(),
}) satisfies z.ZodType<Schemas['CreateMessageBatch']>

export const LineError = z.strictObject({ line: z.number().int(), message: z.string() }) satisfies z.ZodType<Schemas['LineError']>

export const MessageBatch = z.strictObject({
  id: z.string(),
  tenantId: z.string(),
  status: z.enum(['running', 'completed', 'cancelled']),
  service: z.string(),
  subject: z.string(),
  reference: z.string().optional(),
  createdAt: z.iso.datetime(),
  cancelledAt: z.iso.datetime().optional(),
  counts: z.strictObject({
    total: z.number().int(),
    invalid: z.number().int(),
    queued: z.number().int(),
    sent: z.number().int(),
    rejected: z.number().int(),
    failed: z.number().int(),
    cancelled: z.number().int(),
  }),
  errors: z.array(LineError),
}) satisfies z.ZodType<Schemas['MessageBatch']>

export const BatchRecipientPage = z.strictObject({
  items: z.array(
    z.strictObject({ line: z.number().int(), messageId: z.string(), fiscalCode: z.string(), status: z.enum(messageStatuses), reason: z.string().optional() }),
  ),
  nextCursor: z.string().optional(),
}) satisfies z.ZodType<Schemas['BatchRecipientPage']>
