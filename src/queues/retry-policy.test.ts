import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decideRetry, defaultRetryPolicy, policyFor } from './retry-policy.ts'

const unavailable = { kind: 'unavailable' as const, retryable: true }

describe('decideRetry', () => {
  it('follows the schedule, within ±20 % jitter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const decision = decideRetry(defaultRetryPolicy, { ...unavailable, attempt }, () => r)
        const scheduled = defaultRetryPolicy.scheduleMs[attempt - 1] as number
        expect(decision.retry).toBe(true)
        if (decision.retry) {
          expect(decision.delayMs).toBeGreaterThanOrEqual(Math.floor(scheduled * 0.8))
          expect(decision.delayMs).toBeLessThanOrEqual(Math.ceil(scheduled * 1.2))
        }
      }),
    )
  })

  it('gives up after the last scheduled retry', () => {
    expect(decideRetry(defaultRetryPolicy, { ...unavailable, attempt: 10 })).toEqual({ retry: false, reason: 'attempts_exhausted' })
  })

  it('sends non-retryable kinds to dead at once', () => {
    for (const kind of ['rejected', 'unauthorized', 'protocol'] as const) {
      expect(decideRetry(defaultRetryPolicy, { kind, retryable: false, attempt: 1 })).toEqual({ retry: false, reason: 'not_retryable' })
    }
  })

  it('never retries a replayed delivery that fails again', () => {
    expect(decideRetry(defaultRetryPolicy, { ...unavailable, attempt: 1, replayed: true })).toEqual({ retry: false, reason: 'replay_failed' })
  })

  it('honours Retry-After but clamps it, and keeps a floor after 429 and timeouts', () => {
    const mid = () => 0.5
    expect(decideRetry(defaultRetryPolicy, { ...unavailable, attempt: 1, retryAfterMs: 90_000 }, mid)).toEqual({ retry: true, delayMs: 90_000 })
    expect(decideRetry(defaultRetryPolicy, { ...unavailable, attempt: 1, retryAfterMs: 86_400_000 }, mid)).toEqual({ retry: true, delayMs: 3_600_000 })
    expect(decideRetry(defaultRetryPolicy, { kind: 'rate_limited', retryable: true, attempt: 1 }, mid)).toEqual({ retry: true, delayMs: 30_000 })
    expect(decideRetry(defaultRetryPolicy, { kind: 'timeout', retryable: true, attempt: 1 }, mid)).toEqual({ retry: true, delayMs: 30_000 })
  })

  it('lets a target override part of the policy', () => {
    const policy = policyFor({ scheduleMs: [100, 200] })
    expect(policy.jitter).toBe(0.2)
    expect(decideRetry(policy, { ...unavailable, attempt: 2 }, () => 0.5)).toEqual({ retry: true, delayMs: 200 })
    expect(decideRetry(policy, { ...unavailable, attempt: 3 })).toEqual({ retry: false, reason: 'attempts_exhausted' })
  })
})
