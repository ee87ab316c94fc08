import { describe, expect, it } from 'vitest'
import { answerError } from './errors.ts'

const problem = (status: number, detail: string) => JSON.stringify({ type: 'about:blank', status, title: 'T', detail, errors: [] })
const answer = (status: number, text = '', headers: Record<string, string> = {}) => ({ status, headers, text })

describe('PDND errors', () => {
  it('classifies each status: retry 429 and 5xx; 401 is the key, any other 4xx a refusal', () => {
    const cases: [number, string, boolean][] = [
      [400, 'rejected', false],
      [401, 'unauthorized', false],
      [403, 'rejected', false],
      [404, 'rejected', false],
      [429, 'rate_limited', true],
      [500, 'unavailable', true],
      [503, 'unavailable', true],
      [302, 'rejected', false],
    ]
    for (const [status, kind, retryable] of cases) {
      expect(answerError(answer(status, problem(status, 'D'))), String(status)).toMatchObject({ kind, retryable, upstreamStatus: status, platform: 'pdnd' })
    }
  })

  it("says PDND's detail, or the start of whatever else it answered", () => {
    expect(answerError(answer(400, problem(400, 'purposeId is required'))).message).toBe('PDND token endpoint answered 400: purposeId is required')
    expect(answerError(answer(502, '<html>bad gateway</html>')).message).toBe('PDND token endpoint answered 502: <html>bad gateway</html>')
    expect(answerError(answer(502, 'x'.repeat(400))).message).toBe(`PDND token endpoint answered 502: ${'x'.repeat(300)}`)
  })

  it('takes the retry delay of a 429 from X-Rate-Limit-Interval (ms), not Retry-After', () => {
    expect(answerError(answer(429, problem(429, 'slow down'), { 'x-rate-limit-interval': '1000' })).retryAfterMs).toBe(1000)
    expect(answerError(answer(429, problem(429, 'slow down'), { 'retry-after': '5' })).retryAfterMs).toBeUndefined()
  })
})
