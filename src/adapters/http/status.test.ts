// The one status table and its per-platform overrides, the one timeout detector, the one Retry-After reader.
import { errors } from 'undici'
import { describe, expect, it } from 'vitest'
import { isTimeout, retryAfterMs } from './failures.ts'
import { statusKind } from './status.ts'

describe('statusKind', () => {
  it('reads 429 as a throttle, 5xx as an outage, 401/403 as credentials, 400 as a refusal, the rest as protocol', () => {
    expect([429, 500, 503, 599, 401, 403, 400, 404, 409, 422, 302].map((s) => statusKind(s))).toEqual([
      'rate_limited',
      'unavailable',
      'unavailable',
      'unavailable',
      'unauthorized',
      'unauthorized',
      'rejected',
      'protocol',
      'protocol',
      'protocol',
      'protocol',
    ])
  })

  it('lets a platform override an exact status and the fallback, never 429 or 5xx unless it names them', () => {
    expect(statusKind(422, { 422: 'rejected' })).toBe('rejected')
    expect([403, 404, 401, 429, 502].map((s) => statusKind(s, { 403: 'rejected', otherwise: 'rejected' }))).toEqual([
      'rejected',
      'rejected',
      'unauthorized',
      'rate_limited',
      'unavailable',
    ])
  })
})

describe('isTimeout', () => {
  it('knows undici connect, headers and body timeouts and an AbortSignal.timeout deadline; nothing else', () => {
    const deadline = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
    expect([new errors.ConnectTimeoutError(), new errors.HeadersTimeoutError(), new errors.BodyTimeoutError(), deadline].map(isTimeout)).toEqual([
      true,
      true,
      true,
      true,
    ])
    expect([Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), new errors.SocketError('closed'), 'timeout', undefined].map(isTimeout)).toEqual([
      false,
      false,
      false,
      false,
    ])
  })
})

describe('retryAfterMs', () => {
  it('reads delta-seconds (first of a repeated header) or an HTTP date, and nothing from garbage', () => {
    const now = new Date('2026-01-01T00:00:00Z')
    expect(retryAfterMs('7', now)).toBe(7000)
    expect(retryAfterMs(['2', '9'], now)).toBe(2000)
    expect(retryAfterMs('1.5', now)).toBe(1500)
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000)
    expect(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0)
    expect([retryAfterMs(undefined, now), retryAfterMs('', now), retryAfterMs('soon', now)]).toEqual([undefined, undefined, undefined])
  })
})
