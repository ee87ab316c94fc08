import type { Hono } from 'hono'
import { z } from 'zod'
import { BatchRecipientPage, CreateMessageBatch, MessageBatch } from '../../../contracts/message-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { SnodoError } from '../../../errors.ts'
import type { Batch } from '../../../messages/batches/batch-store.ts'
import { serviceName } from '../../../messages/io-services.ts'
import { messageStatuses } from '../../../messages/message.ts'
import { type AppEnv, tenantIdOf } from '../../app-env.ts'
import { Limit } from '../../instant.ts'
import { audited } from '../../middleware/audited.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { commandId } from '../../middleware/idempotency.ts'
import { validateJson, validateQuery } from '../../validate.ts'

function batchView(b: Batch) {
  const { accepted: _accepted, ...counts } = b.counts
  const settled = counts.sent + counts.rejected + counts.failed + counts.cancelled
  const status = settled < b.total ? 'running' : b.cancelledAt ? 'cancelled' : 'completed'
  return MessageBatch.parse({
    id: b.id,
    tenantId: b.tenantId,
    status,
    service: b.service,
    subject: b.template.subject,
    ...(b.reference ? { reference: b.reference } : {}),
    createdAt: b.createdAt,
    ...(b.cancelledAt ? { cancelledAt: b.cancelledAt } : {}),
    counts: { total: b.total, invalid: b.invalid, queued: b.total - settled, ...counts },
    errors: b.errors,
  })
}

async function batchOf(deps: Pick<Deps, 'batches'>, tenantId: string, id: string) {
  const batch = await deps.batches.get(id)
  if (!batch || batch.tenantId !== tenantId) throw new SnodoError('not_found', `No message batch ${id}`)
  return batch
}

const RecipientsQuery = z.strictObject({
  status: z.enum(messageStatuses).optional(),
  cursor: z
    .string()
    .regex(/^[0-9]{1,7}$/)
    .optional(),
  limit: Limit,
})

/** createMessageBatch, getMessageBatch, listBatchRecipients and cancelMessageBatch, on the message-batches sub-app. */
export function registerMessageBatches(
  app: Hono<AppEnv>,
  deps: Pick<Deps, 'clients' | 'audit' | 'tenants' | 'messageBatches' | 'batches' | 'messages' | 'clock'>,
) {
  app.post('/', requireScope('messages:write', deps), audited('message-batch.create', deps), validateJson(CreateMessageBatch), async (c) => {
    const tenant = deps.tenants.get(tenantIdOf(c)) as NonNullable<ReturnType<Deps['tenants']['get']>>
    const body = c.req.valid('json')
    const accepted = await deps.messageBatches.accept(
      {
        tenantId: tenant.id,
        service: serviceName(tenant, body.template.service, 'template.service'),
        template: body.template,
        format: body.format,
        recipients: body.recipients,
        reference: body.reference,
      },
      commandId(c, 'mb'),
    )
    if ('errors' in accepted) {
      throw new SnodoError('validation_failed', 'No recipient line can be sent', {
        errors: accepted.errors.slice(0, 100).map((e) => ({ path: `recipients.line.${e.line}`, message: e.message })),
      })
    }
    const { batch } = accepted
    return c.json(batchView(batch), 202, { Location: `/v1/tenants/${tenant.id}/message-batches/${batch.id}` })
  })

  app.get('/:batchId', requireScope('messages:read', deps), async (c) => c.json(batchView(await batchOf(deps, tenantIdOf(c), c.req.param('batchId')))))

  app.get('/:batchId/recipients', requireScope('messages:read', deps), validateQuery(RecipientsQuery), async (c) => {
    const batch = await batchOf(deps, tenantIdOf(c), c.req.param('batchId'))
    const { status, cursor, limit } = c.req.valid('query')
    const items = []
    let offset = Number(cursor ?? 0)
    // Filtering by status reads on until the page is full, a bounded number of rows per call.
    for (let read = 0; items.length < limit && read < 5_000; ) {
      const rows = await deps.batches.messages(batch.id, offset, 500)
      if (rows.length === 0) break
      // Read together (the connection pipelines them), then taken in line order until the page is full.
      const found = await Promise.all(rows.map((row) => deps.messages.get(row.messageId)))
      for (const [i, row] of rows.entries()) {
        offset++
        read++
        const message = found[i]
        if (message && (!status || message.status === status)) {
          const reason = message.history.at(-1)?.detail
          items.push({ line: row.line, messageId: row.messageId, fiscalCode: message.data.fiscalCode, status: message.status, ...(reason ? { reason } : {}) })
        }
        if (items.length === limit) break
      }
    }
    const more = offset < batch.counts.accepted
    return c.json(BatchRecipientPage.parse({ items, ...(more ? { nextCursor: String(offset) } : {}) }))
  })

  app.post('/:batchId/cancel', requireScope('messages:write', deps), audited('message-batch.cancel', deps), async (c) => {
    const batch = await batchOf(deps, tenantIdOf(c), c.req.param('batchId'))
    if (batchView(batch).status !== 'running') throw new SnodoError('batch_not_cancellable', `Batch ${batch.id} has nothing left to send`)
    await deps.batches.cancel(batch.id, deps.clock().toISOString())
    return c.json(batchView(await batchOf(deps, batch.tenantId, batch.id)))
  })
}
