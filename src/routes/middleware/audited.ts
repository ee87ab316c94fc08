// Every state-changing call goes to the hash-chained audit log once answered: who, tenant, what,
// the digest of the payload and the outcome (design §4). Refusals before the route are audited by
// the authorisation middleware.
import type { MiddlewareHandler } from 'hono'
import type { AuditLog } from '../../audit/audit-log.ts'
import { digestOf } from '../../trust/modi.ts'
import { type AppEnv, callerOf } from '../app-env.ts'

export function audited(action: string, deps: { audit: AuditLog }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next()
    const body = c.get('rawBody')
    await deps.audit.append({
      who: callerOf(c).clientId,
      tenant: c.req.param('tenantId') ?? c.get('auditTenant'),
      action,
      outcome: c.res.status < 400 ? 'ok' : 'failed',
      // A streamed upload is never held: its Digest header stands for it once it was checked against
      // the bytes (the upload succeeded); a refused one's is only what the client claimed.
      payloadDigest: body && body.length > 0 ? digestOf(body) : c.res.status < 400 ? c.req.header('digest') : undefined,
      requestId: c.get('requestId'),
      detail: `${c.req.method} ${c.req.path} → ${c.res.status}${c.get('auditDetail') ? `: ${c.get('auditDetail')}` : ''}`,
    })
  }
}
