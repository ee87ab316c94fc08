// One error body for every failing route (RFC 9457 problem+json) with a closed list of codes.
// The list is mirrored in openapi/snodo.v1.yaml (ProblemCode); a test keeps the two equal.
import { MaxRetriesPerRequestError } from 'ioredis/built/errors/index.js'

export const problemCatalogue = {
  token_missing: [401, 'Bearer token missing'],
  token_malformed: [401, 'Bearer token malformed'],
  token_algorithm_not_allowed: [401, 'Token algorithm not allowed'],
  token_issuer_unknown: [401, 'Token issuer is not a known client'],
  token_key_unknown: [401, 'Token key id unknown'],
  token_signature_invalid: [401, 'Token signature invalid'],
  token_claims_invalid: [401, 'Token claims invalid'],
  token_audience_invalid: [401, 'Token audience invalid'],
  token_expired: [401, 'Token expired'],
  token_issued_in_future: [401, 'Token issued in the future'],
  token_lifetime_too_long: [401, 'Token lifetime too long'],
  token_replayed: [401, 'Token replayed'],
  voucher_invalid: [401, 'PDND voucher invalid'],
  digest_missing: [401, 'Digest header missing'],
  digest_mismatch: [401, 'Digest does not match the body'],
  signature_missing: [401, 'Agid-JWT-Signature missing'],
  signature_invalid: [401, 'Agid-JWT-Signature invalid'],
  signed_headers_mismatch: [401, 'Signed headers do not match the request'],
  signature_replayed: [401, 'Agid-JWT-Signature replayed'],
  tenant_forbidden: [403, 'Client not allowed for this tenant'],
  scope_missing: [403, 'Client lacks the required scope'],
  not_found: [404, 'Not found'],
  tenant_not_found: [404, 'Tenant not found'],
  method_not_allowed: [405, 'Method not allowed'],
  idempotency_key_reused: [409, 'Idempotency key reused with another request'],
  request_in_progress: [409, 'A request with this idempotency key is in progress'],
  payload_too_large: [413, 'Payload too large'],
  request_header_too_large: [431, 'Request headers too large'],
  unsupported_media_type: [415, 'Unsupported media type'],
  validation_failed: [400, 'Request validation failed'],
  malformed_request: [400, 'Malformed request'],
  internal_error: [500, 'Internal error'],
  service_unavailable: [503, 'Service unavailable'],
  delivery_not_dead: [409, 'Only a dead delivery can be replayed'],
  replay_filter_matches_nothing: [422, 'The replay filter matches no dead delivery'],
  endpoint_limit_reached: [409, 'Too many webhook endpoints for this tenant'],
  platform_not_configured: [422, 'The tenant does not use this platform'],
  batch_not_cancellable: [409, 'The batch has finished'],
  payment_not_payable: [409, 'The payment cannot be paid now'],
  payment_already_paid: [409, 'The payment has been paid'],
  upstream_rejected: [502, 'The platform refused the request'],
  practice_transition_not_allowed: [409, 'The practice cannot take this step now'],
} as const satisfies Record<string, readonly [number, string]>

export type ProblemCode = keyof typeof problemCatalogue
export const problemCodes = Object.keys(problemCatalogue) as ProblemCode[]

export type FieldError = { path: string; message: string }

export type Problem = {
  type: string
  title: string
  status: number
  detail: string
  code: ProblemCode
  requestId: string
  errors?: FieldError[]
}

/** A failure Snodo reports to its caller; anything else that escapes a route is an internal_error. */
export class SnodoError extends Error {
  readonly code: ProblemCode
  readonly status: number
  readonly errors?: FieldError[]
  readonly headers?: Record<string, string>

  constructor(code: ProblemCode, detail?: string, extra: { errors?: FieldError[]; headers?: Record<string, string> } = {}) {
    super(detail ?? problemCatalogue[code][1])
    this.name = 'SnodoError'
    this.code = code
    this.status = problemCatalogue[code][0]
    this.errors = extra.errors
    this.headers = extra.headers
  }
}

export const upstreamErrorKinds = ['timeout', 'unavailable', 'rate_limited', 'rejected', 'unauthorized', 'protocol'] as const
export type UpstreamErrorKind = (typeof upstreamErrorKinds)[number]
const retryableKinds: ReadonlySet<UpstreamErrorKind> = new Set(['timeout', 'unavailable', 'rate_limited'])

/**
 * A platform call that failed, classified by the adapter that made it, so the delivery engine
 * decides retry or dead from `kind` and `retryAfterMs` without parsing upstream text (design §5).
 */
export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind
  readonly platform: string
  readonly retryable: boolean
  readonly retryAfterMs?: number
  readonly upstreamStatus?: number
  readonly upstreamCode?: string

  constructor(init: {
    kind: UpstreamErrorKind
    platform: string
    message: string
    retryAfterMs?: number
    upstreamStatus?: number
    upstreamCode?: string
    cause?: unknown
  }) {
    super(init.message, { cause: init.cause })
    this.name = 'UpstreamError'
    this.kind = init.kind
    this.platform = init.platform
    this.retryable = retryableKinds.has(init.kind)
    this.retryAfterMs = init.retryAfterMs
    this.upstreamStatus = init.upstreamStatus
    this.upstreamCode = init.upstreamCode
  }
}

export function toProblem(error: SnodoError, requestId: string): Problem {
  return {
    type: `urn:snodo:problem:${error.code}`,
    title: problemCatalogue[error.code][1],
    status: error.status,
    detail: error.message,
    code: error.code,
    requestId,
    ...(error.errors ? { errors: error.errors } : {}),
  }
}

/** Socket errors of a connection to our own infrastructure (Redis) failing or going away. */
const connectionCodes: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTCONN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'NR_CLOSED',
])
/** ioredis' and BullMQ's classes for a command given up on or cut off (by name too: a second copy of either). */
const connectionErrorNames: ReadonlySet<string> = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError', 'ConnectionClosedError'])
/**
 * Messages ioredis and BullMQ give a command cut off by the connection, and the reply prefixes of a
 * Redis that cannot serve for a while (LOADING: restarting from its AOF; OOM under noeviction…). A
 * batched script's error carries its call's name first (redis/batch.ts), hence no anchor for replies.
 */
const connectionMessage =
  /^Connection is closed|^Command aborted due to connection close|Stream isn't writeable|^Command timed out|(?:^|: )(?:LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|OOM)\b/

/**
 * Whether a failure is our own infrastructure's — Redis unreachable, restarting or cut off — and not
 * a platform's or a bug: it says nothing of the work, so the delivery engine retries it, never
 * counts it against a platform, never makes anything dead for it. An adapter's UpstreamError is the
 * platform's, whatever socket error caused it. Looks through `cause` and AggregateError's `errors`.
 */
export function isInfrastructureError(thrown: unknown, depth = 0): boolean {
  if (!(thrown instanceof Error) || thrown instanceof UpstreamError || thrown instanceof SnodoError || depth > 4) return false
  const { code } = thrown as { code?: unknown }
  if (typeof code === 'string' && connectionCodes.has(code)) return true
  if (thrown instanceof MaxRetriesPerRequestError || connectionErrorNames.has(thrown.name) || connectionMessage.test(thrown.message)) return true
  const nested = [thrown.cause, ...(thrown instanceof AggregateError ? thrown.errors : [])]
  return nested.some((e) => isInfrastructureError(e, depth + 1))
}
