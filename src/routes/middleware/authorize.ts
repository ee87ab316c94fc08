// Authorisation: the caller must be allowed for the path's tenant and hold the operation's scope.
// Every refusal is written to the audit log (design §4).
import type { MiddlewareHandler } from 'hono'
import type { AuditLog } from '../../audit/audit-log.ts'
import { SnodoError } from '../../errors.ts'
import type { ClientRegistry } from '../../trust/clients.ts'
import type { Scope } from '../../trust/scopes.ts'
import { type AppContext, type AppEnv, callerOf } from '../app-env.ts'

type AuthorizeDeps = { clients: ClientRegistry; audit: AuditLog }

export function tenantAccess(deps: AuthorizeDeps & { tenantExists(id: string): boolean }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const tenantId = c.req.param('tenantId') as string
    const caller = callerOf(c)
    // A client that is not allowed learns nothing about which tenants exist.
    if (!deps.clients.get(caller.clientId)?.mayActFor(tenantId)) {
      await deny(c, deps.audit, tenantId, `client ${caller.clientId} is not allowed for tenant ${tenantId}`)
      throw new SnodoError('tenant_forbidden', `Client ${caller.clientId} may not act for tenant ${tenantId}`)
    }
    if (!deps.tenantExists(tenantId)) throw new SnodoError('tenant_not_found', `No tenant ${tenantId}`)
    await next()
  }
}

export function requireScope(scope: Scope, deps: AuthorizeDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const caller = callerOf(c)
    if (!deps.clients.get(caller.clientId)?.scopes.has(scope)) {
      await deny(c, deps.audit, c.req.param('tenantId'), `scope ${scope} missing`)
      throw new SnodoError('scope_missing', `This operation needs the scope ${scope}`)
    }
    await next()
  }
}

async function deny(c: AppContext, audit: AuditLog, tenant: string | undefined, detail: string) {
  await audit.append({
    who: callerOf(c).clientId,
    tenant,
    action: `${c.req.method} ${c.req.routePath}`,
    outcome: 'denied',
    requestId: c.get('requestId'),
    detail,
  })
}
