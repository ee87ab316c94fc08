// How a SOAP profile call (protocollo, supplier push) that failed becomes an UpstreamError (design §5). Vendors signal errors in
// three ways (backoffice/FACTS.md §3.2): SOAP faults, in-band codes in a successful answer, and HTTP
// trouble. The committing call (that registers, or hands the practice over) is special: "no vendor API is idempotent" (FACTS §3.10), so when its
// outcome is unknown it is retried only where the profile can search for the practice first.
import { UpstreamError, type UpstreamErrorKind } from '../../errors.ts'
import { maskPersonalData, retryAfterMs } from '../http/failures.ts'
import { statusKind } from '../http/status.ts'
import type { SoapProfile, Step } from './profile.ts'
import { AnswerUnusable } from './render.ts'
import { ProfileMismatch } from './soap-clients.ts'
import { get, TemplateError } from './template.ts'
import { TransportFailure } from './transport.ts'
import { XmlRefused } from './xml.ts'

const platform = 'backoffice'
const retryable: ReadonlySet<UpstreamErrorKind> = new Set(['timeout', 'unavailable', 'rate_limited'])

/** An error code the vendor put inside a successful answer. */
export class InBandError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.name = 'InBandError'
    this.code = code
  }
}

/** What one kind of back-office adapter says of its own failures (protocollo/errors.ts, supplier/errors.ts). */
export type PlatformErrors = {
  /** The operator's advice when the committing call's outcome is unknown and the profile cannot search. */
  uncertainCommit(correlationKey: string): string
}

export type CallContext = {
  profile: SoapProfile
  errors: PlatformErrors
  step: Pick<Step, 'name' | 'operation' | 'commit'> & { inBand?: Step['inBand']; faultKind?: Step['faultKind'] }
  correlationKey?: string
  /** Secret values and the applicant's fiscal code: never in a message. */
  hide: string[]
}

export function classify(error: unknown, ctx: CallContext): UpstreamError {
  if (error instanceof UpstreamError) return error
  const { kind, message, upstreamStatus, upstreamCode, definite, retryAfterMs } = describe(error, ctx)
  const base = { platform, upstreamStatus, upstreamCode, retryAfterMs, cause: error }
  const said = `${ctx.profile.name} ${ctx.step.operation}: ${mask(message, ctx.hide)}`
  if (!ctx.step.commit || definite) return new UpstreamError({ ...base, kind, message: said })
  // The registering call may have registered: safe to retry only if the next attempt searches first.
  const searchable = ctx.profile.search !== undefined
  if (searchable || ctx.profile.onUncertainCommit === 'retry')
    return new UpstreamError({ ...base, kind, message: `${said} (outcome unknown${searchable ? '; the next attempt searches first' : ''})` })
  const advice = ctx.errors.uncertainCommit(ctx.correlationKey ?? '?')
  return new UpstreamError({ ...base, kind: retryable.has(kind) ? 'protocol' : kind, upstreamCode: 'outcome_unknown', message: `${said}; ${advice}` })
}

type Described = { kind: UpstreamErrorKind; message: string; definite: boolean; upstreamStatus?: number; upstreamCode?: string; retryAfterMs?: number }

function describe(error: unknown, ctx: CallContext): Described {
  if (error instanceof InBandError) {
    const kind = ctx.profile.errors.codes[error.code] ?? ctx.step.inBand?.kind ?? ctx.profile.errors.codeKind
    return { kind, definite: true, upstreamCode: error.code, message: `error ${error.code}: ${error.message || 'no text'}` }
  }
  if (error instanceof TransportFailure) return { kind: error.kind, definite: !error.reached, upstreamStatus: error.status, message: error.message }
  if (error instanceof AnswerUnusable || error instanceof XmlRefused) return { kind: 'protocol', definite: false, message: error.message }
  if (error instanceof ProfileMismatch) return { kind: 'protocol', definite: true, message: error.message }
  if (error instanceof TemplateError) return { kind: 'rejected', definite: true, message: `the profile cannot map this practice: ${error.message}` }
  const fault = faultOf(error)
  const status = numberOr(get(error, 'response.status'))
  if (fault) {
    const text = `${fault.code} ${fault.text} ${fault.detail}`
    const rule = ctx.profile.errors.faults.find((r) => new RegExp(r.match, 'i').test(text))
    return {
      kind: rule?.kind ?? ctx.step.faultKind ?? ctx.profile.errors.faultKind,
      definite: true,
      upstreamStatus: status,
      upstreamCode: fault.code,
      message: `SOAP fault ${fault.code}: ${fault.text}`,
    }
  }
  if (status !== undefined && status >= 400) return httpTrouble(status, get(error, 'response.headers.retry-after'))
  // The soap library reports an answer it could not parse as a pseudo-fault { Fault: { faultstring: 'Invalid XML' } }.
  const parse = get(error, 'Fault')
  const text =
    parse && typeof parse === 'object'
      ? `${String(get(parse, 'faultstring'))}: ${String(get(parse, 'detail') ?? '').split('\n')[0]}`
      : error instanceof Error
        ? error.message.split('\n')[0]
        : String(error)
  // Anything else the soap library raises after an answer arrived: it was not a SOAP answer we can read.
  return { kind: 'protocol', definite: false, upstreamStatus: status, message: `the answer is not a readable SOAP message (${text})` }
}

/**
 * HTTP trouble with no SOAP fault: a vendor's 400 is not a refusal we can read (a fault would say
 * why), and 408 a timeout. Only a throttle or a refused credential says the call did nothing.
 */
function httpTrouble(status: number, retryAfter: unknown): Described {
  const base = { upstreamStatus: status, message: `HTTP ${status} without a SOAP fault` }
  const kind = statusKind(status, { 400: 'protocol', 408: 'timeout' })
  const definite = kind === 'rate_limited' || kind === 'unauthorized'
  if (kind === 'rate_limited')
    return { ...base, kind, definite, retryAfterMs: retryAfterMs(retryAfter === undefined || retryAfter === null ? undefined : String(retryAfter), new Date()) }
  return { ...base, kind, definite }
}

/** A SOAP 1.1 (faultcode/faultstring) or 1.2 (Code/Reason) fault the soap library parsed. */
function faultOf(error: unknown): { code: string; text: string; detail: string } | undefined {
  const fault = get(error, 'root.Envelope.Body.Fault')
  if (!fault || typeof fault !== 'object') return undefined
  const code = String(get(fault, 'faultcode') ?? get(fault, 'Code.Value') ?? 'Fault')
  const text = String(get(fault, 'faultstring') ?? get(fault, 'Reason.Text') ?? '')
  const detail = get(fault, 'detail') ?? get(fault, 'Detail')
  return { code, text: text.slice(0, 500), detail: detail && typeof detail === 'object' ? Object.keys(detail).join(' ') : String(detail ?? '') }
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** Fiscal codes and the given values (secrets) never leave in a message. */
export const mask = (text: string, hide: string[] = []) => maskPersonalData(text, hide)
