// What every HTTP adapter says the same way: a call that got no answer (undici timeouts are
// `timeout`, anything else on the way `unavailable`), a Retry-After header, and personal data kept
// out of messages (platforms echo offending values, fiscal codes included, in their error details).
import { UpstreamError } from '../../errors.ts'

const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])

/** No answer at all, described as `<what> unreachable` or `<what>: no answer within …`. */
export function networkFailure(platform: string, what: string, cause: unknown, timeoutMs: number): UpstreamError {
  if (cause instanceof UpstreamError) return cause
  const code = codeOf(cause)
  if (isTimeout(cause)) {
    return new UpstreamError({ kind: 'timeout', platform, message: `${what}: no answer within ${timeoutMs} ms`, cause })
  }
  const reason = code ?? (cause instanceof Error ? cause.message : String(cause))
  return new UpstreamError({ kind: 'unavailable', platform, message: `${what} unreachable: ${maskPersonalData(reason)}`, cause })
}

/** The error's `code` (undici's UND_ERR_*, Node's E*), when it has one. */
export function codeOf(cause: unknown): string | undefined {
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined
  return typeof code === 'string' ? code : undefined
}

/** undici gave up waiting (connect, headers or a body chunk), or an AbortSignal.timeout deadline fired. */
export function isTimeout(cause: unknown): boolean {
  const code = codeOf(cause)
  return (code !== undefined && timeoutCodes.has(code)) || (cause instanceof Error && cause.name === 'TimeoutError')
}

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now: Date = new Date()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim()
  if (!text) return undefined
  // RFC delta-seconds are digits; a fraction some receivers send is read, not mistaken for a date.
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime())
}

const fiscalCodeShape = /[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]/gi

/** Anything shaped like a fiscal code, and the given values (a malformed code, a secret), become ***. */
export function maskPersonalData(text: string, hide: (string | undefined)[] = []): string {
  let out = text.replace(fiscalCodeShape, '***')
  for (const value of hide) if (value && value.length >= 4) out = out.split(value).join('***')
  return out
}
