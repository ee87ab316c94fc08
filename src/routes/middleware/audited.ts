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
      // A streamed upload is never held: its Digest header (checked against the bytes) stands for it.
      payloadDigest: body && body.length > 0 ? digestOf(body) : c.req.header('digest'),
      requestId: c.get('requestId'),
      detail: `${c.req.method} ${c.req.path} → ${c.res.status}${c.get('auditDetail') ? `: ${c.get('auditDetail')}` : ''}`,
    })
  }
}
