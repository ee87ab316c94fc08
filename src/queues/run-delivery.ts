// The processor every delivery queue runs: pause → circuit → rate limit → one attempt → succeeded,
// retrying (delayed per the retry policy) or dead. Waiting for a pause, an open circuit or an empty
// bucket moves the job to delayed without counting an attempt (design §5).
import { DelayedError, type Job, type Processor } from 'bullmq'
import type { DeliveryConfig, DeliveryTarget, TargetTuning } from '../config-schema.ts'
import { UpstreamError } from '../errors.ts'
import type { CircuitBreaker } from './circuit-breaker.ts'
import type { Delivery, DeliveryError } from './delivery.ts'
import type { DeliveryStore } from './delivery-store.ts'
import type { JobData } from './engine.ts'
import type { Pauses } from './pauses.ts'
import type { TokenBucket } from './rate-limit.ts'
import { decideRetry, policyFor } from './retry-policy.ts'

/**
 * A finished call. `pendingRetryAfterMs`: the call worked but the platform has not reached a final
 * state yet (e.g. an IO message still ACCEPTED): look again then, without counting a failure.
 */
export type SendResult = { upstreamStatus?: number; detail?: string; pendingRetryAfterMs?: number }

/** What a target contributes: how to send one delivery, and what shares its rate limit and circuit. */
export type DeliveryHandler = {
  target: DeliveryTarget
  operation: string
  credentialKey(d: Delivery): string
  send(d: Delivery, options: { timeoutMs: number; attempt: number }): Promise<SendResult>
  onDead?(d: Delivery, error: DeliveryError): Promise<void>
}

export type DeliveryHooks = {
  dead(d: Delivery, error: DeliveryError): Promise<void>
  recovered(d: Delivery): Promise<void>
  attempt?(d: Delivery, outcome: 'succeeded' | 'failed' | 'dead'): void
}

type ProcessorDeps = {
  store: DeliveryStore
  pauses: Pauses
  bucket: TokenBucket
  breaker: CircuitBreaker
  config: DeliveryConfig
  hooks: DeliveryHooks
  clock: () => Date
}

const defaultCircuit = { failureThreshold: 5, cooldownMs: 30_000 }
const defaultTimeoutMs = 10_000
/** A parked job looks again this often even if no resume releases it (a lost release, a crash). */
const pauseRecheckMs = 60_000
const workable = new Set<Delivery['status']>(['queued', 'retrying', 'paused', 'in_progress'])

export function tuningFor(config: DeliveryConfig, target: Delivery['target']): TargetTuning {
  return config.targets[target] ?? {}
}

export function createDeliveryProcessor(handler: DeliveryHandler, deps: ProcessorDeps): Processor<JobData> {
  const { store } = deps
  return async (job, token) => {
    const d = await store.get(job.data.deliveryId)
    // Already finished (a repaired duplicate job), expired, or a replay job overtaken by a newer one.
    if (!d || !workable.has(d.status) || (job.data.replay ?? 0) !== d.replays) return 'skipped'
    const tuning = tuningFor(deps.config, d.target)
    const credential = `${d.target}|${handler.credentialKey(d)}`
    const circuit = tuning.circuit ?? defaultCircuit

    if (await deps.pauses.pausedFor(d.target, d.tenant)) {
      await store.transition(d.id, 'paused')
      await deps.pauses.park(d.target, { jobId: job.id as string, tenant: d.tenant, operation: d.operation })
      return delay(job, token, pauseRecheckMs)
    }
    const circuitWait = await deps.breaker.admit(credential, circuit)
    if (circuitWait > 0) return delay(job, token, circuitWait)
    if (tuning.rateLimit) {
      const wait = await deps.bucket.take(credential, tuning.rateLimit)
      if (wait > 0) return delay(job, token, wait)
    }

    const attempt = d.attemptCount + 1
    if (!(await store.transition(d.id, 'in_progress', { attemptCount: attempt })).ok) return 'skipped'
    const started = deps.clock()
    const replay = d.replays > 0
    // Classifies a failed send: retry (delayed, per the policy) or dead, with the upstream's own words.
    const failed = async (thrown: unknown) => {
      const { error, retryable, retryAfterMs } = classify(thrown)
      if (retryable) await deps.breaker.failure(credential, circuit)
      const decision = decideRetry(policyFor(tuning.retry), { attempt, kind: error.kind === 'internal' ? 'protocol' : error.kind, retryable, retryAfterMs, replayed: replay })
      const base = { number: attempt, at: started.toISOString(), durationMs: elapsed(started, deps.clock()), outcome: 'failed' as const, upstreamStatus: error.upstreamStatus, upstreamCode: error.upstreamCode, errorKind: error.kind, message: error.message, replay }
      if (decision.retry) {
        const nextTryAt = new Date(deps.clock().getTime() + decision.delayMs).toISOString()
        await store.addAttempt(d.id, { ...base, nextTryAt })
        await store.transition(d.id, 'retrying', { nextTryAt, lastError: JSON.stringify(error) })
        deps.hooks.attempt?.(d, 'failed')
        return delay(job, token, decision.delayMs)
      }
      await store.addAttempt(d.id, base)
      const deadError = { ...error, message: `${error.message} (${decision.reason})` }
      await store.transition(d.id, 'dead', { nextTryAt: undefined, lastError: JSON.stringify(deadError) }, deps.config.deadRetentionSeconds)
      deps.hooks.attempt?.(d, 'dead')
      await handler.onDead?.(d, deadError)
      if (!d.operational) await deps.hooks.dead(d, deadError)
      return 'dead'
    }
    let result: SendResult
    try {
      result = await handler.send(d, { timeoutMs: tuning.timeoutMs ?? defaultTimeoutMs, attempt })
    } catch (thrown) {
      return failed(thrown)
    }
    // Only the send is in the try: a failure to record a success must never turn it into a failure.
    const done = { number: attempt, at: started.toISOString(), durationMs: elapsed(started, deps.clock()), upstreamStatus: result.upstreamStatus, message: result.detail, replay }
    await deps.breaker.success(credential)
    if (result.pendingRetryAfterMs !== undefined) {
      const nextTryAt = new Date(deps.clock().getTime() + result.pendingRetryAfterMs).toISOString()
      await store.addAttempt(d.id, { ...done, outcome: 'pending', nextTryAt })
      await store.transition(d.id, 'retrying', { nextTryAt, lastError: undefined })
      return delay(job, token, result.pendingRetryAfterMs)
    }
    await store.addAttempt(d.id, { ...done, outcome: 'succeeded' })
    await store.transition(d.id, 'succeeded', { lastError: undefined, nextTryAt: undefined }, deps.config.succeededRetentionSeconds)
    deps.hooks.attempt?.(d, 'succeeded')
    if (replay) await deps.hooks.recovered(d)
    return 'succeeded'
  }
}

async function delay(job: Job, token: string | undefined, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + Math.max(1, Math.round(ms)), token)
  throw new DelayedError()
}

const elapsed = (a: Date, b: Date) => b.getTime() - a.getTime()

/** An adapter's UpstreamError keeps its own kind; anything else is a bug of ours: dead, not retried. */
function classify(thrown: unknown): { error: DeliveryError; retryable: boolean; retryAfterMs?: number } {
  if (thrown instanceof UpstreamError) {
    const error: DeliveryError = { kind: thrown.kind, message: thrown.message, upstreamStatus: thrown.upstreamStatus, upstreamCode: thrown.upstreamCode }
    return { error: dropUndefined(error), retryable: thrown.retryable, retryAfterMs: thrown.retryAfterMs }
  }
  return { error: { kind: 'internal', message: thrown instanceof Error ? thrown.message : String(thrown) }, retryable: false }
}

const dropUndefined = <T extends object>(v: T): T => Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as T
