// How pagoPA answers become UpstreamError kinds (design §5), with nothing personal in the text.
import { describe, expect, it } from 'vitest'
import { answerError, failureError, retryAfterMs } from './errors.ts'

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers,
  text: typeof body === 'string' ? body : JSON.stringify(body),
})

describe('pagoPA error classification', () => {
  it('retries 429 (with Retry-After), 5xx, timeouts and network errors; never 4xx', () => {
    expect(
      answerError(
        'GPD',
        'createPosition',
        answer(429, { statusCode: 429, message: 'Rate limit is exceeded. Try again in 1 seconds.' }, { 'retry-after': '1' }),
      ),
    ).toMatchObject({ kind: 'rate_limited', retryable: true, retryAfterMs: 1000 })
    expect(answerError('GPD', 'createPosition', answer(500, { title: 'INTERNAL SERVER ERROR', status: 500, detail: 'x' }))).toMatchObject({
      kind: 'unavailable',
      upstreamCode: 'INTERNAL SERVER ERROR',
    })
    expect(answerError('Checkout', 'postCarts', answer(502, '<html>Bad gateway</html>'))).toMatchObject({
      kind: 'unavailable',
      message: 'Checkout postCarts answered 502: no problem details',
    })
    for (const status of [401, 403])
      expect(answerError('GPD', 'getPosition', answer(status, { statusCode: status, message: 'no' }))).toMatchObject({ kind: 'unauthorized', retryable: false })
    for (const status of [400, 422])
      expect(answerError('GPD', 'createPosition', answer(status, { title: 'BAD REQUEST', status, detail: 'iupd: must not be null' }))).toMatchObject({
        kind: 'rejected',
        upstreamCode: 'BAD REQUEST',
      })
    expect(answerError('GPD', 'getPosition', answer(409, {}))).toMatchObject({ kind: 'protocol', retryable: false })
    expect(failureError('GPD', 'getPosition', Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), 300)).toMatchObject({
      kind: 'timeout',
      message: 'GPD getPosition: no answer within 300 ms',
    })
    expect(failureError('GPD', 'getPosition', Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 300)).toMatchObject({
      kind: 'unavailable',
      message: 'GPD getPosition unreachable: ECONNREFUSED',
    })
  })

  it("quotes GPD's X-Request-Id and masks anything shaped like a personal fiscal code", () => {
    const error = answerError(
      'GPD',
      'createPosition',
      answer(400, { title: 'BAD REQUEST', status: 400, detail: 'fiscalCode RSSMRA80A01Y501X is odd' }, { 'x-request-id': 'abc-123' }),
    )
    expect(error.message).toBe('GPD createPosition answered 400 (X-Request-Id abc-123): BAD REQUEST: fiscalCode *** is odd')
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-03-01T10:00:00.000Z')
    expect(retryAfterMs('7', now)).toBe(7000)
    expect(retryAfterMs('Sun, 01 Mar 2026 10:00:30 GMT', now)).toBe(30_000)
    expect(retryAfterMs('soon', now)).toBeUndefined()
    expect(retryAfterMs(undefined, now)).toBeUndefined()
  })
})
