import type { HttpBindings } from '@hono/node-server'
import type { Context } from 'hono'

/** Who is calling: a client that signed its own token, or one a PDND voucher maps to. */
export type Caller = {
  clientId: string
  via: 'client-jwt' | 'pdnd-voucher'
  purposeId?: string
  /** For a voucher: its PDND client_id and the e-service audience, which INTEGRITY_REST_02 signs as iss and aud. */
  pdnd?: { clientId: string; audience: string }
}

export type AppEnv = {
  /** What @hono/node-server passes (the Node request and response); absent under app.request(). */
  Bindings: Partial<HttpBindings> | undefined
  Variables: {
    requestId: string
    caller?: Caller
    /** The raw request body, read once by the integrity check; handlers parse from it. */
    rawBody?: Uint8Array
    /** For routes outside /v1/tenants/{tenantId}: the tenant the audit record names. */
    auditTenant?: string
    /** A word for the audit record, e.g. the operator's reason. */
    auditDetail?: string
    /** Set by the idempotency middleware for a POST with a key: what commandId() derives resource ids from. */
    commandSeed?: string
    /** A streamed answer body and its Digest, known without reading it (see signedWithDigest). */
    streamedAnswer?: { body: ReadableStream<Uint8Array>; digest: string }
    /** The path the access log shows when the real one carries a secret (the station URL's). */
    logPath?: string
  }
}

export type AppContext = Context<AppEnv>

/** The caller, once authentication has run; routes behind it can rely on it. */
export function callerOf(c: AppContext): Caller {
  const caller = c.get('caller')
  if (!caller) throw new Error('route reached without authentication')
  return caller
}

/**
 * The tenant of a route under /v1/tenants/{tenantId}. Its resource's sub-app is mounted there, so the
 * route's own path does not name it; tenantAccess has checked it before any such route runs.
 */
export function tenantIdOf(c: AppContext): string {
  const tenantId = c.req.param('tenantId')
  if (tenantId === undefined) throw new Error('tenant route mounted outside /v1/tenants/{tenantId}')
  return tenantId
}
