// How an App IO failure becomes an UpstreamError (design §5). Retry only what can succeed later:
// 429, 5xx, timeouts and network errors; never 400/401/403/404 (appio/FACTS.md §5, "Idempotency").
// A fiscal code never goes into a message: IO echoes offending values in its details, so they are masked.
import { UpstreamError } from '../../errors.ts'
import { type HttpAnswer, header, problemOf } from '../http/answer.ts'
import { maskPersonalData, networkFailure, retryAfterMs } from '../http/failures.ts'
import { statusKind } from '../http/status.ts'

export type IoOperation = 'getProfile' | 'submitMessage' | 'getMessage'
export type IoAnswer = HttpAnswer

export const platform = 'appio'

/** A non-success answer from IO, classified by its status. */
export function answerError(operation: IoOperation, answer: IoAnswer, fiscalCode?: string): UpstreamError {
  const problem = problemOf(answer.text)
  const said = mask([problem.title, problem.detail].filter(Boolean).join(': ') || 'no problem details', fiscalCode)
  const base = {
    platform,
    upstreamStatus: answer.status,
    upstreamCode: problem.title ? mask(problem.title, fiscalCode) : undefined,
    message: `App IO ${operation} answered ${answer.status}: ${said}`,
  }
  // The common table fits IO: 429 per FACTS §5 ("all APIs can return status code 429 … implement a retry
  // mechanism"); 401 = bad or missing key, 403 = IP not authorized or recipient not allowed (FACTS §1).
  // getMessage 404 = "No message found for the provided ID" (spec): final, like a refusal.
  const kind = answer.status === 404 && operation === 'getMessage' && problem.isProblemJson ? 'rejected' : statusKind(answer.status)
  if (kind === 'rate_limited') return new UpstreamError({ ...base, kind, retryAfterMs: retryAfterMs(header(answer, 'retry-after'), new Date()) })
  return new UpstreamError({ ...base, kind })
}

/** An answer with the expected status whose body is not what the spec says it is. */
export function protocolError(operation: IoOperation, status: number, what: string): UpstreamError {
  return new UpstreamError({ kind: 'protocol', platform, upstreamStatus: status, message: `App IO ${operation} answered ${status} with ${what}` })
}

/** No answer at all: undici timeouts are `timeout`, anything else on the way is `unavailable`. */
export const failureError = (operation: IoOperation, cause: unknown, timeoutMs: number) => networkFailure(platform, `App IO ${operation}`, cause, timeoutMs)

/** Masks anything shaped like a fiscal code, and the one at hand even when malformed. */
export const mask = (text: string, fiscalCode?: string) => maskPersonalData(text, [fiscalCode])

export { retryAfterMs }

/** Whether the body is IO's own ProblemJson, as opposed to what a gateway or proxy answers. */
export function isProblemJson(text: string): boolean {
  return problemOf(text).isProblemJson
}
