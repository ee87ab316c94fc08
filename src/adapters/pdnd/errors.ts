// How a PDND token endpoint failure becomes an UpstreamError (design §5). PDND answers 400, 401 and 429
// (pdnd/FACTS.md "Voucher (access token) request"): 401 is a key problem, any other 4xx a refusal.
import { UpstreamError } from '../../errors.ts'
import { type HttpAnswer, header } from '../http/answer.ts'
import { type StatusKinds, statusKind } from '../http/status.ts'

export const platform = 'pdnd'

/** PDND's exceptions to the shared table: a 403 or an unknown 4xx refuses this request, not the protocol. */
export const pdndStatusKinds: Partial<StatusKinds> = { 403: 'rejected', otherwise: 'rejected' }

/** A non-200 answer from the token endpoint, classified by its status. */
export function answerError({ status, headers, text }: HttpAnswer): UpstreamError {
  let detail = text.slice(0, 300)
  try {
    detail = String((JSON.parse(text) as { detail?: string }).detail ?? detail)
  } catch {}
  const base = { platform, upstreamStatus: status, message: `PDND token endpoint answered ${status}: ${detail}` }
  const kind = statusKind(status, pdndStatusKinds)
  if (kind === 'rate_limited') {
    // PDND's throttle says when in X-Rate-Limit-Interval (milliseconds, FACTS "Response 200"), not in Retry-After.
    const interval = Number(header({ headers }, 'x-rate-limit-interval'))
    return new UpstreamError({ ...base, kind, retryAfterMs: Number.isFinite(interval) ? interval : undefined })
  }
  return new UpstreamError({ ...base, kind })
}
