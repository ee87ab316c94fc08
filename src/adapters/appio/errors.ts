// How an App IO failure becomes an UpstreamError (design §5). Retry only what can succeed later:
// 429, 5xx, timeouts and network errors; never 400/401/403/404 (appio/FACTS.md §5, "Idempotency").
// A fiscal code never goes into a message: IO echoes offending values in its details, so they are masked.
import { UpstreamError } from '../../errors.ts'
import { isObject } from './mapping.ts'

export type IoOperation = 'getProfile' | 'submitMessage' | 'getMessage'
export type IoAnswer = { status: number; headers: Record<string, string | string[] | undefined>; text: string }

const platform = 'appio'
const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])

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
  const status = answer.status
  // FACTS §5: "all APIs can return status code 429 … implement a retry mechanism and lower the request rate".
  if (status === 429) return new UpstreamError({ ...base, kind: 'rate_limited', retryAfterMs: retryAfterMs(header(answer, 'retry-after'), new Date()) })
  if (status >= 500) return new UpstreamError({ ...base, kind: 'unavailable' })
  // FACTS §1: 401 = bad or missing key; 403 = IP not authorized or recipient not allowed for this service.
  if (status === 401 || status === 403) return new UpstreamError({ ...base, kind: 'unauthorized' })
  if (status === 400) return new UpstreamError({ ...base, kind: 'rejected' })
  // getMessage 404 = "No message found for the provided ID" (spec): final, like a refusal.
  if (status === 404 && operation === 'getMessage' && problem.isProblemJson) return new UpstreamError({ ...base, kind: 'rejected' })
  return new UpstreamError({ ...base, kind: 'protocol' })
}

/** An answer with the expected status whose body is not what the spec says it is. */
export function protocolError(operation: IoOperation, status: number, what: string): UpstreamError {
  return new UpstreamError({ kind: 'protocol', platform, upstreamStatus: status, message: `App IO ${operation} answered ${status} with ${what}` })
}

/** No answer at all: undici timeouts are `timeout`, anything else on the way is `unavailable`. */
export function failureError(operation: IoOperation, cause: unknown, timeoutMs: number): UpstreamError {
  if (cause instanceof UpstreamError) return cause
  const code = isObject(cause) && typeof cause.code === 'string' ? cause.code : undefined
  if ((code && timeoutCodes.has(code)) || (cause instanceof Error && cause.name === 'TimeoutError')) {
    return new UpstreamError({ kind: 'timeout', platform, message: `App IO ${operation}: no answer within ${timeoutMs} ms`, cause })
  }
  const reason = code ?? (cause instanceof Error ? cause.message : String(cause))
  return new UpstreamError({ kind: 'unavailable', platform, message: `App IO ${operation} unreachable: ${mask(reason)}`, cause })
}

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: Date): number | undefined {
  const text = value?.trim()
  if (!text) return undefined
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime())
}

const fiscalCodeShape = /[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]/gi

/** Masks anything shaped like a fiscal code, and the one at hand even when malformed. */
export function mask(text: string, fiscalCode?: string): string {
  const masked = text.replace(fiscalCodeShape, '***')
  return fiscalCode ? masked.replace(new RegExp(escape(fiscalCode), 'gi'), '***') : masked
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function header(answer: IoAnswer, name: string): string | undefined {
  const value = answer.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Whether the body is IO's own ProblemJson, as opposed to what a gateway or proxy answers. */
export function isProblemJson(text: string): boolean {
  return problemOf(text).isProblemJson
}

/** IO's ProblemJson (FACTS §5), or APIM's {statusCode, message}; whatever else, nothing. */
function problemOf(text: string): { title?: string; detail?: string; isProblemJson: boolean } {
  try {
    const body: unknown = JSON.parse(text)
    if (!isObject(body)) return { isProblemJson: false }
    const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v.slice(0, 500) : undefined)
    if (str(body.title) || str(body.detail)) return { title: str(body.title), detail: str(body.detail), isProblemJson: true }
    return { detail: str(body.message), isProblemJson: false }
  } catch {
    return { isProblemJson: false }
  }
}
