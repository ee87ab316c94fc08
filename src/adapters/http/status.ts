// One reading of an HTTP status as an error kind (design §5), with each platform's exceptions
// written as overrides: what a platform says differently is visible in one line beside its adapter.
import type { UpstreamErrorKind } from '../../errors.ts'

export type StatusKinds = { [status: number]: UpstreamErrorKind; serverError: UpstreamErrorKind; otherwise: UpstreamErrorKind }

/**
 * What a REST platform's status means unless it says otherwise: 429 is a throttle and 5xx an outage
 * (both retried), 401/403 a key or permission problem, 400 a refusal of this request, and any other
 * status something this client does not understand.
 */
export const httpStatusKinds: StatusKinds = {
  400: 'rejected',
  401: 'unauthorized',
  403: 'unauthorized',
  429: 'rate_limited',
  serverError: 'unavailable',
  otherwise: 'protocol',
}

/** The kind of a non-success status: an exact status in the table first, then 5xx, then `otherwise`. */
export function statusKind(status: number, overrides: Partial<StatusKinds> = {}): UpstreamErrorKind {
  const table = { ...httpStatusKinds, ...overrides }
  return table[status] ?? (status >= 500 ? table.serverError : table.otherwise)
}
