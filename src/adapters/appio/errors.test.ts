import { errors as undiciErrors } from 'undici'
import { describe, expect, it } from 'vitest'
import { answerError, failureError, mask, retryAfterMs } from './errors.ts'

const problem = (status: number, title: string, detail: string) => JSON.stringify({ type: 'about:blank', title, status, detail })
const answer = (status: number, text = '', headers: Record<string, string> = {}) => ({ status, headers, text })

describe('App IO errors', () => {
  it('classifies each status as FACTS §5 says: retry 429 and 5xx, never 400/401/403/404', () => {
    const cases: [number, string, boolean][] = [
      [400, 'rejected', false],
      [401, 'unauthorized', false],
      [403, 'unauthorized', false],
      [429, 'rate_limited', true],
      [500, 'unavailable', true],
      [502, 'unavailable', true],
      [503, 'unavailable', true],
      [302, 'protocol', false],
      [409, 'protocol', false],
      [418, 'protocol', false],
    ]
    for (const [status, kind, retryable] of cases) {
      expect(answerError('submitMessage', answer(status, problem(status, 'T', 'D'))), String(status)).toMatchObject({
        kind,
        retryable,
        upstreamStatus: status,
        platform: 'appio',
      })
    }
  })

  it("takes getMessage 404 with IO's ProblemJson for rejected, any other 404 for protocol", () => {
    expect(answerError('getMessage', answer(404, problem(404, 'Message not found', 'No message')))).toMatchObject({ kind: 'rejected' })
    expect(answerError('getMessage', answer(404, JSON.stringify({ statusCode: 404, message: 'Resource not found' })))).toMatchObject({ kind: 'protocol' })
    expect(answerError('submitMessage', answer(404, problem(404, 'Not found', 'x')))).toMatchObject({ kind: 'protocol' })
  })

  it('says what IO said: title and detail in the message, the title as upstreamCode', () => {
    const error = answerError('submitMessage', answer(400, problem(400, 'Invalid NewMessage', 'value "x" at [root.content.subject] is not valid')))
    expect(error.message).toBe('App IO submitMessage answered 400: Invalid NewMessage: value "x" at [root.content.subject] is not valid')
    expect(error.upstreamCode).toBe('Invalid NewMessage')
    expect(answerError('getProfile', answer(401, JSON.stringify({ statusCode: 401, message: 'Access denied' }))).message).toBe(
      'App IO getProfile answered 401: Access denied',
    )
    expect(answerError('getProfile', answer(502, '<html>bad gateway</html>')).message).toBe('App IO getProfile answered 502: no problem details')
  })

  it('never lets a fiscal code through: any code-shaped text, and the one at hand even malformed', () => {
    const detail = 'value ["rssmra80a01h501u"] at [root.fiscal_code] is not a valid FiscalCode; also IOUSER00A00Y001X'
    const error = answerError('submitMessage', answer(400, problem(400, 'Invalid NewMessage', detail)), 'rssmra80a01h501u')
    expect(error.message).toBe('App IO submitMessage answered 400: Invalid NewMessage: value ["***"] at [root.fiscal_code] is not a valid FiscalCode; also ***')
    expect(mask('code abc+def( here', 'abc+def(')).toBe('code *** here')
    expect(mask('nothing to hide', '')).toBe('nothing to hide')
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-03-01T10:00:00Z')
    expect(retryAfterMs('2', now)).toBe(2000)
    expect(retryAfterMs(' 0 ', now)).toBe(0)
    expect(retryAfterMs('Sun, 01 Mar 2026 10:00:30 GMT', now)).toBe(30_000)
    expect(retryAfterMs('Sun, 01 Mar 2026 09:00:00 GMT', now)).toBe(0)
    expect(retryAfterMs('soon', now)).toBeUndefined()
    expect(retryAfterMs(undefined, now)).toBeUndefined()
    expect(answerError('getProfile', answer(429, '', { 'retry-after': '7' }))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000 })
    expect(answerError('getProfile', answer(429, ''))).toMatchObject({ kind: 'rate_limited', retryAfterMs: undefined })
  })

  it('takes undici timeouts for timeout and other failures on the way for unavailable', () => {
    for (const cause of [new undiciErrors.HeadersTimeoutError(), new undiciErrors.BodyTimeoutError(), new undiciErrors.ConnectTimeoutError()]) {
      expect(failureError('getProfile', cause, 300)).toMatchObject({ kind: 'timeout', retryable: true, message: 'App IO getProfile: no answer within 300 ms' })
    }
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })
    expect(failureError('submitMessage', refused, 300)).toMatchObject({
      kind: 'unavailable',
      retryable: true,
      message: 'App IO submitMessage unreachable: ECONNREFUSED',
    })
    expect(failureError('submitMessage', new undiciErrors.SocketError('other side closed'), 300)).toMatchObject({ kind: 'unavailable' })
  })
})
