// The webhooks target: one signed POST per attempt (Standard Webhooks). Any 2xx is success; 410
// disables the endpoint; 429 honours Retry-After; other answers and network failures retry.
import { setMaxListeners } from 'node:events'
import { request } from 'undici'
import { createPooledAgent } from '../adapters/http/agent.ts'
import { isTimeout, retryAfterMs } from '../adapters/http/failures.ts'
import { statusKind } from '../adapters/http/status.ts'
import { UpstreamError } from '../errors.ts'
import type { Delivery, DeliveryError } from '../queues/delivery.ts'
import { queueNames } from '../queues/names.ts'
import { type DeliveryHandler, tenantCredential } from '../queues/run-delivery.ts'
import type { EndpointStore } from './endpoint-store.ts'
import { webhookHeaders } from './signature.ts'
import type { UrlGuard } from './url-guard.ts'

const platform = 'webhooks'

export function createWebhookSender(deps: {
  endpoints: EndpointStore
  guard: UrlGuard
  clock: () => Date
  /** Told when a 410 disabled an endpoint, to raise endpoint.disabled. */
  /** `dedupeKey`: the same death told again (a job taken over after a crash) is the same event. */
  onEndpointDisabled(tenantId: string, endpointId: string, reason: string, dedupeKey: string): Promise<void>
}): DeliveryHandler & { close(): Promise<void> } {
  const agent = createPooledAgent({ connections: 256, lookup: deps.guard.lookup })
  const deadline = sharedDeadlines()
  return {
    target: 'webhooks',
    operation: queueNames.webhooks,
    credentialKey: tenantCredential('endpointId'),
    // The endpoint is read by the claim, in the round trip that starts the attempt.
    prefetch: { keyPrefix: deps.endpoints.keyPrefix, metaField: 'endpointId' },
    async send(d, { timeoutMs, prefetched }) {
      const endpoint = prefetched ? deps.endpoints.decode(prefetched.value) : await deps.endpoints.get(d.tenant, d.meta.endpointId as string)
      if (!endpoint) throw new UpstreamError({ kind: 'rejected', platform, message: 'the endpoint was deleted', upstreamCode: 'endpoint_deleted' })
      if (!endpoint.enabled)
        throw new UpstreamError({
          kind: 'rejected',
          platform,
          message: `the endpoint is disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}`,
          upstreamCode: 'endpoint_disabled',
        })
      // The guard's lookup never sees an IP-literal host (no DNS query is made for it): checked here.
      const literal = deps.guard.literalRefusal(endpoint.url)
      if (literal)
        throw new UpstreamError({
          kind: 'rejected',
          platform,
          message: `POST ${new URL(endpoint.url).origin} refused: ${literal}`,
          upstreamCode: 'address_forbidden',
        })
      const body = JSON.stringify(d.payload)
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'Snodo-Webhooks/1',
        ...webhookHeaders(deps.endpoints.activeSecrets(endpoint), webhookIdOf(d), Math.floor(deps.clock().getTime() / 1000), body),
      }
      let res: Awaited<ReturnType<typeof request>>
      try {
        res = await request(endpoint.url, {
          method: 'POST',
          headers,
          body,
          dispatcher: agent,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: deadline(timeoutMs + 1000),
        })
      } catch (error) {
        throw networkError(error, endpoint.url)
      }
      await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined)
      const status = res.statusCode
      if (status >= 200 && status < 300) return { upstreamStatus: status }
      const kind = statusKind(status, receiverStatusKinds)
      if (kind === 'rejected')
        throw new UpstreamError({ kind, platform, message: 'the endpoint answered 410 Gone', upstreamStatus: status, upstreamCode: 'gone' })
      if (kind === 'rate_limited')
        throw new UpstreamError({
          kind,
          platform,
          message: 'the endpoint answered 429',
          upstreamStatus: status,
          retryAfterMs: retryAfterMs(res.headers['retry-after'], new Date()),
        })
      throw new UpstreamError({ kind, platform, message: `the endpoint answered ${status}`, upstreamStatus: status })
    },
    async onDead(d: Delivery, error: DeliveryError) {
      if (error.upstreamCode !== 'gone') return
      const reason = 'the endpoint answered 410 Gone'
      await deps.endpoints.update(d.tenant, d.meta.endpointId as string, { enabled: false, disabledReason: reason })
      await deps.onEndpointDisabled(d.tenant, d.meta.endpointId as string, reason, `${d.id}|${d.replays}|endpoint.disabled`)
    },
    close: () => agent.close(),
  }
}

/**
 * An overall deadline for requests, as AbortSignal.timeout(ms) gives one, but one signal per 100 ms
 * slot shared by every request started in it: each is aborted between ms - 100 and ms after it
 * started, and a send no longer pays for a signal, a timer and, ms later, the TimeoutError it fires.
 */
function sharedDeadlines(slotMs = 100) {
  let current: { ms: number; slotEnds: number; signal: AbortSignal } | undefined
  return (ms: number): AbortSignal => {
    const now = performance.now()
    if (!current || current.ms !== ms || now >= current.slotEnds) {
      const signal = AbortSignal.timeout(ms)
      setMaxListeners(0, signal) // one listener per request in flight, by design
      current = { ms, slotEnds: now + slotMs, signal }
    }
    return current.signal
  }
}

/**
 * A receiver is not a platform with a contract: only 410 (disable the endpoint) and 429 (back off)
 * mean something; any other answer, 4xx included, is retried until the schedule runs out.
 */
const receiverStatusKinds = { 400: 'unavailable', 401: 'unavailable', 403: 'unavailable', 410: 'rejected', otherwise: 'unavailable' } as const

/** The event id: stable across retries and replays, so the receiver dedupes on it (Standard Webhooks `webhook-id`). */
export const webhookIdOf = (d: Delivery) => d.resourceId

function networkError(error: unknown, url: string): UpstreamError {
  const code = (error as { code?: string }).code
  const message = `POST ${new URL(url).origin} failed: ${error instanceof Error ? error.message : String(error)}`
  if (code === 'SNODO_ADDRESS_FORBIDDEN') return new UpstreamError({ kind: 'rejected', platform, message, upstreamCode: 'address_forbidden', cause: error })
  return new UpstreamError({ kind: isTimeout(error) ? 'timeout' : 'unavailable', platform, message, upstreamCode: code, cause: error })
}
