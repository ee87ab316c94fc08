// How a pagoPA REST failure (GPD, Checkout) becomes an UpstreamError (design §5). Retry only what can
// succeed later: 429, 5xx, timeouts and network errors; never what GPD or Checkout refused (4xx).
// Anything shaped like a personal fiscal code is masked: GPD and APIM may echo payload values.
import { UpstreamError } from '../../errors.ts'
import { type HttpAnswer, header, problemOf } from '../http/answer.ts'
import { maskPersonalData, networkFailure, retryAfterMs } from '../http/failures.ts'
import { statusKind } from '../http/status.ts'

export type PagopaApi = 'GPD' | 'Checkout'
export type PagopaAnswer = HttpAnswer

export const platform = 'pagopa'

/**
 * The `upstreamCode` of refusals the GPD client concludes from several answers (a 409 followed by a
 * GET), where GPD itself gives no code. Anything else carries GPD's or Checkout's ProblemJson title.
 */
export const gpdRejectionCodes = {
  /** No position with that IUPD for the organization (GPD 404 "Not found the debt position"). */
  positionNotFound: 'gpd_position_not_found',
  /** invalidate: the position is PAID, PARTIALLY_PAID or REPORTED: a citizen paid, it cannot be cancelled. */
  positionPaid: 'gpd_position_paid',
  /** create: 409, yet no position has this IUPD: another position of the organization holds the IUV or notice number. */
  noticeInUse: 'gpd_notice_in_use',
  /** create: 409, and the position with this IUPD has other notices: the IUPD was reused for another payment. */
  iupdInUse: 'gpd_iupd_in_use',
} as const

/** A non-success answer, classified by its status (FACTS §4, §9; APIM's 401/403/429). */
export function answerError(api: PagopaApi, operation: string, answer: PagopaAnswer): UpstreamError {
  const problem = problemOf(answer.text)
  const said = mask([problem.title, problem.detail].filter(Boolean).join(': ') || 'no problem details')
  const base = {
    platform,
    upstreamStatus: answer.status,
    upstreamCode: problem.title ? mask(problem.title) : undefined,
    message: `${api} ${operation} answered ${answer.status}${requestIdOf(answer)}: ${said}`,
  }
  // 400 = bean validation or "Error in the debt position request data" (GPD AppError); 422 = not processable.
  const kind = statusKind(answer.status, { 422: 'rejected' })
  if (kind === 'rate_limited') return new UpstreamError({ ...base, kind, retryAfterMs: retryAfterMs(header(answer, 'retry-after'), new Date()) })
  return new UpstreamError({ ...base, kind })
}

/** A refusal the client concludes itself, with one of gpdRejectionCodes. */
export function rejection(api: PagopaApi, operation: string, code: string, answer: PagopaAnswer, what: string): UpstreamError {
  return new UpstreamError({
    kind: 'rejected',
    platform,
    upstreamStatus: answer.status,
    upstreamCode: code,
    message: `${api} ${operation} answered ${answer.status}${requestIdOf(answer)}: ${mask(what)}`,
  })
}

/** An answer with the expected status whose body or headers are not what the spec says. */
export function protocolError(api: PagopaApi, operation: string, answer: PagopaAnswer, what: string): UpstreamError {
  return new UpstreamError({
    kind: 'protocol',
    platform,
    upstreamStatus: answer.status,
    message: `${api} ${operation} answered ${answer.status}${requestIdOf(answer)} with ${what}`,
  })
}

/** No answer at all: undici timeouts are `timeout`, anything else on the way is `unavailable`. */
export const failureError = (api: PagopaApi, operation: string, cause: unknown, timeoutMs: number) =>
  networkFailure(platform, `${api} ${operation}`, cause, timeoutMs)

export const mask = (text: string) => maskPersonalData(text)

// GPD's and Checkout's ProblemJson (FACTS §5) and APIM's {statusCode, message} read like every platform's.
export { header, problemOf, retryAfterMs }

/** GPD echoes X-Request-Id (FACTS §3): quoting it lets an operator find the call in pagoPA's support. */
function requestIdOf(answer: PagopaAnswer): string {
  const id = header(answer, 'x-request-id')
  return id ? ` (X-Request-Id ${id.slice(0, 80)})` : ''
}
