// The processor every delivery queue runs: pause → circuit → rate limit → one attempt → succeeded,
// retrying (delayed per the retry policy) or dead. Waiting for a pause, an open circuit or an empty
// bucket moves the job to delayed without counting an attempt (design §5). The checks before the send
// are one atomic step (the store's claim), the bookkeeping after it another (finish); the store runs
// the steps that jobs ask for in the same event-loop turn as one script.
import { DelayedError, type Job, type Processor } from 'bullmq'
import type { DeliveryConfig, DeliveryTarget, TargetTuning } from '../config/schema.ts'
import { isInfrastructureError, UpstreamError } from '../errors.ts'
import type { Attempt, Delivery, DeliveryError } from './delivery.ts'
import type { ClaimRules, DeliveryStore, Finish } from './delivery-store.ts'
import type { JobData } from './engine.ts'
import type { Pauses } from './pauses.ts'
import { decideRetry, policyFor } from './retry-policy.ts'

/**
 * A finished call. `pendingRetryAfterMs`: the call worked but the platform has not reached a final
 * state yet (e.g. an IO message still ACCEPTED): look again then, without counting a failure.
 */
export type SendResult = { upstreamStatus?: number; detail?: string; pendingRetryAfterMs?: number; uncertainSend?: boolean }

/**
 * Which rate limit and circuit a delivery shares, as a key. One made by `tenantCredential` the claim
 * script works out from the record itself; any other function is called on the record read first.
 */
export type CredentialKey = ((d: Delivery) => string) & { fromRecord?: { metaField?: string } }

/** The credential key `<tenant>` or `<tenant>|<meta[metaField]>`, which the claim script can work out by itself. */
export function tenantCredential(metaField?: string): CredentialKey {
  const key = (d: Delivery) => (metaField === undefined ? d.tenant : `${d.tenant}|${d.meta[metaField]}`)
  return Object.assign(key, { fromRecord: { metaField } })
}

/** What a target contributes: how to send one delivery, and what shares its rate limit and circuit. */
export type DeliveryHandler = {
  target: DeliveryTarget
  operation: string
  credentialKey: CredentialKey
  /**
   * A stored value every send reads (the webhook endpoint): field `meta[metaField]` of the hash
   * `<keyPrefix><tenant>`, read by the claim script in its round trip and given to send as `prefetched`.
   */
  prefetch?: { keyPrefix: string; metaField: string }
  send(d: Delivery, options: { timeoutMs: number; attempt: number; prefetched?: { value?: string } }): Promise<SendResult>
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
  config: DeliveryConfig
  hooks: DeliveryHooks
  clock: () => Date
}

const defaultCircuit = { failureThreshold: 5, cooldownMs: 30_000 }
const defaultTimeoutMs = 10_000
/** A parked job looks again this often even if no resume releases it (a lost release, a crash). */
const pauseRecheckMs = 60_000
const workable = new Set<Delivery['status']>(['queued', 'retrying', 'paused', 'in_progress'])
/**
 * After our own Redis failed a send (infrastructure, errors.ts): look again soon, then less often —
 * an outage of seconds costs seconds — whatever the schedule, replay or attempt count say.
 */
const infrastructureRetryMs = (attempt: number) => Math.min(30_000, 1_000 * 2 ** Math.min(Math.max(attempt - 1, 0), 5))

export function tuningFor(config: DeliveryConfig, target: Delivery['target']): TargetTuning {
  return config.targets[target] ?? {}
}

export function createDeliveryProcessor(handler: DeliveryHandler, deps: ProcessorDeps): Processor<JobData> {
  const { store } = deps
  // Every delivery of this queue is of the handler's target: its tuning is read once.
  const tuning = tuningFor(deps.config, handler.target)
  const circuit = tuning.circuit ?? defaultCircuit
  const policy = policyFor(tuning.retry)
  const timeoutMs = tuning.timeoutMs ?? defaultTimeoutMs
  const fromRecord = handler.credentialKey.fromRecord

  /** The claim's rules; a credential the script cannot work out needs the record read first. */
  const rulesFor = async (id: string, replay: number): Promise<ClaimRules | undefined> => {
    const limits = { circuit, rateLimit: tuning.rateLimit, prefetch: handler.prefetch }
    if (fromRecord) return { ...limits, credential: { metaField: fromRecord.metaField } }
    const d = await store.get(id)
    // Already finished (a repaired duplicate job), expired, or a replay job overtaken by a newer one.
    if (!d || !workable.has(d.status) || replay !== d.replays) return undefined
    return { ...limits, credential: `${d.target}|${handler.credentialKey(d)}` }
  }

  /**
   * Parks a paused delivery's job: listed for the resume to release, then delayed. A resume landing
   * between the two finds the job not yet delayed and leaves it be: the look at the pause after the
   * delay releases it then, instead of a minute later.
   */
  const park = async (job: Job<JobData>, token: string | undefined, d: Delivery): Promise<never> => {
    const jobId = job.id as string
    await deps.pauses.park(d.target, { jobId, tenant: d.tenant, operation: d.operation })
    await job.moveToDelayed(Date.now() + pauseRecheckMs, token)
    if (!(await deps.pauses.covers(d.target, d.tenant))) {
      await deps.pauses.unpark(d.target, jobId)
      // The resume may have promoted it already: then it is no longer delayed, and that is fine.
      await job.promote().catch(async (error) => {
        if (await job.isDelayed()) throw error
      })
    }
    throw new DelayedError()
  }

  /**
   * What follows a dead delivery: the handler's outcome (a resource failed, an endpoint disabled) and
   * delivery.dead. Both idempotent: a job stopped after the move to dead (a crash, Redis lost) runs
   * them again when it is taken over and finds its delivery dead (skipped below).
   */
  const deadOutcomes = async (d: Delivery, error: DeliveryError) => {
    await handler.onDead?.(d, error)
    if (!d.operational) await deps.hooks.dead(d, error)
  }
  /** A job with nothing to work: if it is this delivery's own, what followed its end is finished (dead, or a replay recovered). */
  const skipped = async (id: string, replay: number) => {
    const d = await store.get(id)
    if (d?.replays !== replay) return 'skipped'
    if (d.status === 'dead' && d.lastError) await deadOutcomes(d, d.lastError)
    if (d.status === 'succeeded' && replay > 0) await deps.hooks.recovered(d)
    return 'skipped'
  }

  return async (job, token) => {
    const replay = job.data.replay ?? 0
    const rules = await rulesFor(job.data.deliveryId, replay)
    const claim = rules ? await store.claim(job.data.deliveryId, { replay }, rules) : ({ kind: 'skip' } as const)
    if (claim.kind === 'skip') return skipped(job.data.deliveryId, replay)
    if (claim.kind === 'wait') return delay(job, token, claim.ms)
    if (claim.kind === 'paused') return park(job, token, claim.delivery)

    const { delivery: d, attempt, credential, prefetched } = claim
    const started = deps.clock()
    const replayed = d.replays > 0
    const finish = (outcome: Omit<Finish, 'circuit'>, circuitOutcome: Finish['circuit']['outcome']) =>
      store.finish(d.id, { ...outcome, circuit: { credential, outcome: circuitOutcome, ...circuit } })
    const attemptOf = (fields: Omit<Attempt, 'number' | 'at' | 'durationMs' | 'replay'>): Attempt => ({
      number: attempt,
      at: started.toISOString(),
      durationMs: elapsed(started, deps.clock()),
      ...fields,
      replay: replayed,
    })
    // Classifies a failed send: retry (delayed, per the policy) or dead, with the upstream's own words.
    const failed = async (thrown: unknown) => {
      if (isInfrastructureError(thrown)) return interrupted(thrown)
      const { error, retryable, retryAfterMs } = classify(thrown)
      const decision = decideRetry(policy, { attempt, kind: error.kind === 'internal' ? 'protocol' : error.kind, retryable, retryAfterMs, replayed })
      const base = attemptOf({
        outcome: 'failed',
        upstreamStatus: error.upstreamStatus,
        upstreamCode: error.upstreamCode,
        errorKind: error.kind,
        message: error.message,
      })
      // Only a retryable failure counts towards opening the circuit.
      const circuitOutcome = retryable ? 'failure' : 'none'
      if (decision.retry) {
        const nextTryAt = new Date(deps.clock().getTime() + decision.delayMs).toISOString()
        await finish({ attempt: { ...base, nextTryAt }, to: 'retrying', fields: { nextTryAt, lastError: JSON.stringify(error) } }, circuitOutcome)
        deps.hooks.attempt?.(d, 'failed')
        return delay(job, token, decision.delayMs)
      }
      const deadError = { ...error, message: `${error.message} (${decision.reason})` }
      await finish(
        { attempt: base, to: 'dead', fields: { nextTryAt: undefined, lastError: JSON.stringify(deadError) }, expireSeconds: deps.config.deadRetentionSeconds },
        circuitOutcome,
      )
      deps.hooks.attempt?.(d, 'dead')
      await deadOutcomes(d, deadError)
      return 'dead'
    }
    /**
     * Our Redis failed the send (down, restarting, cut off): nothing is known of the work, so it is
     * neither a platform failure (the circuit is not told) nor dead — the delivery is retried, soon.
     */
    const interrupted = async (thrown: unknown) => {
      const message = `Snodo's Redis failed (${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}); retried, not the platform's failure`
      const delayMs = infrastructureRetryMs(attempt)
      const nextTryAt = new Date(deps.clock().getTime() + delayMs).toISOString()
      await finish(
        {
          attempt: { ...attemptOf({ outcome: 'failed', errorKind: 'internal', message }), nextTryAt },
          to: 'retrying',
          fields: { nextTryAt, lastError: JSON.stringify({ kind: 'internal', message }) },
        },
        'none',
      )
      deps.hooks.attempt?.(d, 'failed')
      return delay(job, token, delayMs)
    }
    let result: SendResult
    try {
      result = await handler.send(d, { timeoutMs, attempt, prefetched })
    } catch (thrown) {
      return failed(thrown)
    }
    // Only the send is in the try: a failure to record a success must never turn it into a failure.
    const done = { upstreamStatus: result.upstreamStatus, message: result.detail, ...(result.uncertainSend ? { uncertainSend: true } : {}) }
    if (result.pendingRetryAfterMs !== undefined) {
      const nextTryAt = new Date(deps.clock().getTime() + result.pendingRetryAfterMs).toISOString()
      await finish({ attempt: attemptOf({ ...done, outcome: 'pending', nextTryAt }), to: 'retrying', fields: { nextTryAt, lastError: undefined } }, 'success')
      return delay(job, token, result.pendingRetryAfterMs)
    }
    await finish(
      {
        attempt: attemptOf({ ...done, outcome: 'succeeded' }),
        to: 'succeeded',
        fields: { lastError: undefined, nextTryAt: undefined },
        expireSeconds: deps.config.succeededRetentionSeconds,
      },
      'success',
    )
    deps.hooks.attempt?.(d, 'succeeded')
    if (replayed) await deps.hooks.recovered(d)
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
