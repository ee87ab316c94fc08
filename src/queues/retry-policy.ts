// Retry policy as data (design §5): a schedule with jitter, Retry-After honoured but clamped, a floor
// after 429 and timeouts, overridable per target. Pure: the engine asks, this answers.
import type { UpstreamErrorKind } from '../errors.ts'

export type RetryPolicy = {
  /** Delay before each retry, in ms; its length is the number of retries. */
  scheduleMs: number[]
  /** ±fraction applied to each scheduled delay, so a burst of failures does not retry in lockstep. */
  jitter: number
  /** Upper bound on a platform's Retry-After. */
  maxRetryAfterMs: number
  /** Minimum wait after a 429 or a timeout, whatever the schedule says. */
  floorAfterThrottleMs: number
}

const s = 1000
const m = 60 * s
const h = 60 * m

export const defaultRetryPolicy: RetryPolicy = {
  scheduleMs: [5 * s, 30 * s, 2 * m, 10 * m, 30 * m, 1 * h, 2 * h, 5 * h, 10 * h],
  jitter: 0.2,
  maxRetryAfterMs: 1 * h,
  floorAfterThrottleMs: 30 * s,
}

export type FailedAttempt = {
  /** 1 for the first attempt. */
  attempt: number
  kind: UpstreamErrorKind
  retryable: boolean
  retryAfterMs?: number
  /** True when an operator replayed this delivery: it gets one attempt, never a retry loop. */
  replayed?: boolean
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: 'not_retryable' | 'attempts_exhausted' | 'replay_failed' }

export function decideRetry(policy: RetryPolicy, failure: FailedAttempt, random: () => number = Math.random): RetryDecision {
  if (!failure.retryable) return { retry: false, reason: 'not_retryable' }
  if (failure.replayed) return { retry: false, reason: 'replay_failed' }
  const scheduled = policy.scheduleMs[failure.attempt - 1]
  if (scheduled === undefined) return { retry: false, reason: 'attempts_exhausted' }
  let delayMs = scheduled * (1 + policy.jitter * (2 * random() - 1))
  if (failure.retryAfterMs !== undefined) delayMs = Math.max(delayMs, Math.min(failure.retryAfterMs, policy.maxRetryAfterMs))
  if (failure.kind === 'rate_limited' || failure.kind === 'timeout') delayMs = Math.max(delayMs, policy.floorAfterThrottleMs)
  return { retry: true, delayMs: Math.round(delayMs) }
}

/** A target's override replaces only the fields it names. */
export function policyFor(overrides: Partial<RetryPolicy> | undefined, base: RetryPolicy = defaultRetryPolicy): RetryPolicy {
  return { ...base, ...overrides }
}
