// Bulk messages: the batch is checked line by line at once (the broken lines are reported, the good
// ones go), then a background job turns its recipients into messages in chunks, each message its own
// delivery paced by the service's rate limit. Outcomes are counted as messages settle.
import { createHash, randomUUID } from 'node:crypto'
import type { Processor } from 'bullmq'
import type { Timeline } from '../../citizens/timeline.ts'
import type { DeliveryEngine } from '../../queues/engine.ts'
import { queueNames } from '../../queues/names.ts'
import { acceptMessages } from '../accept-message.ts'
import type { MessageOutcomes } from '../deliver-message.ts'
import type { MessageStore, StoredMessage } from '../message.ts'
import { type Batch, type BatchStore, errorsKept, noCounts } from './batch-store.ts'
import { type LineError, parseRecipients } from './recipients.ts'
import { render, type Template } from './template.ts'

export type BatchRequest = {
  tenantId: string
  service: string
  template: Template & { dueDate?: string }
  format: 'csv' | 'jsonl'
  recipients: string
  reference?: string
}

const chunk = 1_000

/** One message id per (batch, line): re-expanding after a crash makes no second message. */
const messageIdFor = (batchId: string, line: number) => `msg_${createHash('sha256').update(`${batchId}|${line}`).digest('hex').slice(0, 32)}`

export function createMessageBatches(deps: { batches: BatchStore; messages: MessageStore; engine: DeliveryEngine; clock: () => Date; timeline: Timeline }) {
  const addExpansion = (batchId: string) =>
    deps.engine
      .queue(queueNames.messageBatches)
      .add(queueNames.messageBatches, { batchId }, { jobId: batchId, removeOnComplete: true, attempts: 20, backoff: { type: 'exponential', delay: 1_000 } })
  return {
    /**
     * Checks every line; answers the batch, or only the errors when no line is good. Idempotent for a
     * given id (the route derives it from the Idempotency-Key): a batch already written is answered as
     * it is and its expansion job added again (a no-op while it exists; an expansion with nothing left
     * to do otherwise), so a retry after a crash makes no second batch and no message twice. The batch
     * answered is the one stored: written now (nothing counted yet), or the one that was there.
     */
    async accept(request: BatchRequest, id = `mb_${randomUUID().replaceAll('-', '')}`): Promise<{ batch: Batch } | { errors: LineError[] }> {
      const existing = await deps.batches.get(id)
      if (existing) {
        await addExpansion(id)
        return { batch: existing }
      }
      const parsed = parseRecipients(request.format, request.recipients)
      const errors = [...parsed.errors]
      const good = parsed.recipients.filter((r) => {
        const rendered = render(request.template, r.vars)
        if ('error' in rendered) errors.push({ line: r.line, message: rendered.error })
        return !('error' in rendered)
      })
      errors.sort((a, b) => a.line - b.line)
      if (good.length === 0) return { errors }
      const data = {
        id,
        tenantId: request.tenantId,
        service: request.service,
        template: request.template,
        ...(request.reference ? { reference: request.reference } : {}),
        createdAt: deps.clock().toISOString(),
        total: good.length,
        invalid: errors.length,
      }
      await deps.batches.create(data, errors, good)
      await addExpansion(data.id)
      return { batch: { ...data, errors: errors.slice(0, errorsKept), counts: noCounts() } }
    },

    /** The expansion job: recipients → messages, a chunk at a time, until done or cancelled. */
    expand: (async (job) => {
      const batch = await deps.batches.get(job.data.batchId)
      if (!batch) return
      for (;;) {
        if (await deps.batches.cancelled(batch.id)) {
          const left = await deps.batches.dropTodo(batch.id)
          if (left > 0) await deps.batches.count(batch.id, 'cancelled', left)
          return
        }
        const recipients = await deps.batches.todo(batch.id, chunk)
        if (recipients.length === 0) return
        const requests = recipients.map((r) => {
          const { subject, markdown } = render(batch.template, r.vars) as { subject: string; markdown: string }
          return {
            id: messageIdFor(batch.id, r.line),
            batchId: batch.id,
            fiscalCode: r.fiscalCode,
            subject,
            markdown,
            service: batch.service,
            ...(batch.template.dueDate ? { dueDate: batch.template.dueDate } : {}),
            reference: `${batch.reference ?? batch.id}#${r.line}`,
          }
        })
        await acceptMessages(deps, batch.tenantId, requests)
        await deps.batches.made(
          batch.id,
          recipients.map((r, i) => ({ line: r.line, messageId: requests[i]?.id as string })),
        )
        await job.updateProgress(recipients.at(-1)?.line ?? 0)
      }
    }) as Processor<{ batchId: string }>,

    outcomes: {
      async settled(message, status) {
        if (message.data.batchId && status !== 'queued' && status !== 'submitted')
          await deps.batches.countOnce(message.data.batchId, status, deps.messages.keyOf(message.id))
      },
    } satisfies MessageOutcomes,

    async isCancelled(message: StoredMessage) {
      return message.data.batchId !== undefined && (await deps.batches.cancelled(message.data.batchId))
    },
  }
}
export type MessageBatches = ReturnType<typeof createMessageBatches>
