// The appio-messages target (appio/FACTS.md §2, mandatory order): profile check, then submit with
// the IO message id stored before the job completes, then follow its status until IO says PROCESSED,
// REJECTED or FAILED. A citizen who cannot receive is a business outcome (rejected), not a failure.
import type { AppIoPort, IoMessageStatus } from '../adapters/appio/port.ts'
import type { TenantConfig } from '../config/schema.ts'
import { UpstreamError } from '../errors.ts'
import type { EventFeed } from '../events/event-feed.ts'
import type { EventType } from '../events/event-types.ts'
import type { Delivery, DeliveryError } from '../queues/delivery.ts'
import { queueNames } from '../queues/names.ts'
import { type DeliveryHandler, type SendResult, tenantCredential } from '../queues/run-delivery.ts'
import { throughOutage } from '../queues/through-outage.ts'
import { ioService } from './io-services.ts'
import { finalMessageStatuses, type MessageStatus, type MessageStore, type StoredMessage } from './message.ts'

export type MessageOutcomes = { settled(message: StoredMessage, status: MessageStatus): Promise<void> }

const finalFromIo: Partial<Record<IoMessageStatus, MessageStatus>> = { PROCESSED: 'sent', REJECTED: 'rejected', FAILED: 'failed' }
/** IO reports THROTTLED messages for up to 7 days (FACTS §4); give up following after this many looks. */
const maxStatusChecks = 60

export function createMessageSender(deps: {
  messages: MessageStore
  events: EventFeed
  tenants: ReadonlyMap<string, TenantConfig>
  appio(tenant: TenantConfig): AppIoPort
  /** Told of every final status (batches count them). */
  outcomes?: MessageOutcomes
  isCancelled?(message: StoredMessage): Promise<boolean>
}): DeliveryHandler {
  /** The portal's event and the batch's count of a final status: each idempotent (dedupeKey, counted once). */
  const tell = async (message: StoredMessage, status: MessageStatus, detail: string) => {
    if (status !== 'cancelled') {
      const type = `message.${status}` as EventType
      await deps.events.publish(
        message.data.tenantId,
        type,
        {
          messageId: message.id,
          status,
          reason: detail,
          ...(message.data.reference ? { reference: message.data.reference } : {}),
          ...(message.fields.ioMessageId ? { ioMessageId: message.fields.ioMessageId } : {}),
        },
        { dedupeKey: `${message.id}|${status}` },
      )
    }
    await deps.outcomes?.settled(message, status)
  }
  /** Moves to a final status and tells it; already there (a stopped attempt's move), it is told again. */
  const settle = async (message: StoredMessage, status: MessageStatus, detail: string, fields: Record<string, string> = {}) => {
    const moved = await deps.messages.transition(message.id, status, { detail, fields })
    if (moved.ok || moved.from === status) await tell(message, status, detail)
  }
  const messageOf = async (d: Delivery) => {
    const message = await deps.messages.get(d.resourceId)
    if (!message) throw new UpstreamError({ kind: 'protocol', platform: 'appio', message: `message ${d.resourceId} no longer exists` })
    return message
  }

  return {
    target: 'appio',
    operation: queueNames.appioMessages,
    credentialKey: tenantCredential('service'),
    async send(d, { attempt }): Promise<SendResult> {
      let message = await messageOf(d)
      // An operator replaying the dead delivery asks for the message to be tried again.
      if (d.replays > 0 && message.status === 'failed' && message.fields.failedBy === 'delivery') {
        await deps.messages.reopen(message.id, 'failed', message.fields.ioMessageId ? 'submitted' : 'queued', 'delivery replayed by an operator')
        message = await messageOf(d)
      }
      if (finalMessageStatuses.has(message.status)) {
        // Settled by an attempt that stopped before telling (a crash, Redis lost): told now, as the same event.
        await tell(message, message.status, message.history.at(-1)?.detail ?? message.status)
        return { detail: `already ${message.status}` }
      }
      const tenant = deps.tenants.get(d.tenant)
      if (!tenant) throw new UpstreamError({ kind: 'protocol', platform: 'appio', message: `tenant ${d.tenant} is no longer configured` })
      const io = deps.appio(tenant)
      const service = ioService(tenant, message.data.service)
      let ioMessageId = message.fields.ioMessageId
      let uncertainSend = false
      if (!ioMessageId) {
        if (await deps.isCancelled?.(message)) {
          await settle(message, 'cancelled', 'the batch was cancelled before this message was sent')
          return { detail: 'cancelled' }
        }
        const profile = await io.checkProfile(service, message.data.fiscalCode)
        if (!profile.canReceive) {
          await settle(
            message,
            'rejected',
            profile.reason === 'not_on_io' ? 'the citizen is not on App IO' : 'the citizen does not accept messages from this service',
          )
          return { detail: `rejected: ${profile.reason}` }
        }
        // An attempt marked submitting that never kept an IO id was cut off mid-submit: IO may hold the
        // message. IO has no idempotency key and no list of a citizen's messages to look in (FACTS §5,
        // §7; services-openapi.yaml: POST /messages, GET /messages/{fiscal_code}/{id} only), so it is
        // sent again and flagged `uncertainSend`: a possible duplicate rather than a lost message.
        uncertainSend = Boolean(message.fields.submitting)
        const marker = JSON.stringify({ attempt, at: new Date().toISOString(), replays: d.replays })
        await deps.messages.setFields(message.id, { submitting: marker, ...(uncertainSend ? { uncertainSend: 'true' } : {}) })
        const { fiscalCode, subject, markdown, dueDate, payment } = message.data
        try {
          ioMessageId = (
            await io.submit(service, { fiscalCode, subject, markdown, dueDate, payment: payment && { ...payment, payeeFiscalCode: tenant.fiscalCode } })
          ).ioMessageId
        } catch (error) {
          // IO answered (a 4xx, 5xx or 429): it took nothing, so the next attempt is not uncertain. A timeout or a cut connection leaves the marker.
          if (error instanceof UpstreamError && error.upstreamStatus !== undefined && error.kind !== 'timeout')
            await deps.messages.setFields(message.id, { submitting: '' })
          throw error
        }
        // IO's id first, alone, before anything else can fail — through a Redis blip too: a retry then
        // follows this message instead of sending another.
        const kept = ioMessageId
        await throughOutage(() => deps.messages.setFields(message.id, { ioMessageId: kept }))
        const again = uncertainSend ? " (sent again: an earlier attempt was cut off before IO's answer was kept, IO may hold two)" : ''
        await deps.messages.transition(message.id, 'submitted', { detail: `IO message ${ioMessageId}${again}`, fields: { ioMessageId } })
        message = { ...message, fields: { ...message.fields, ioMessageId } }
      }
      const status = await io.status(service, message.data.fiscalCode, ioMessageId)
      const final = finalFromIo[status]
      const flag = uncertainSend ? { uncertainSend } : {}
      if (final) {
        await settle(message, final, `IO status ${status}`)
        return { detail: `IO status ${status}`, ...flag }
      }
      if (attempt >= maxStatusChecks)
        throw new UpstreamError({ kind: 'protocol', platform: 'appio', message: `IO still reports ${status} after ${attempt} checks` })
      return { detail: `IO status ${status}`, pendingRetryAfterMs: Math.min(60_000, 250 * 2 ** Math.min(attempt, 8)), ...flag }
    },
    async onDead(d: Delivery, error: DeliveryError) {
      const message = await deps.messages.get(d.resourceId)
      // IO took it (its id is kept): only IO's own verdict fails it, never a failure of ours (internal) —
      // it stays submitted, its delivery dead for an operator to replay (which follows it again).
      if (!message || (message.fields.ioMessageId && error.kind === 'internal')) return
      await settle(message, 'failed', error.message, { failedBy: 'delivery' })
    },
  }
}
