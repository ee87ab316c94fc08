// Ops routes live outside /v1/tenants/{tenantId}: they see only the tenants the caller may act for.
import type { Deps } from '../../deps.ts'
import { SnodoError } from '../../errors.ts'

/** The caller's tenants, or undefined when it may act for every tenant ("*"). */
export function tenantsOf(deps: Pick<Deps, 'config'>, clientId: string): ReadonlySet<string> | undefined {
  const tenants = deps.config.clients.find((c) => c.id === clientId)?.tenants ?? []
  return tenants.includes('*') ? undefined : new Set(tenants)
}

export function assertMayActFor(allowed: ReadonlySet<string> | undefined, tenant: string | undefined) {
  if (tenant === undefined && allowed !== undefined)
    throw new SnodoError('tenant_forbidden', 'Only a client allowed for every tenant may act without naming one; add "tenant"')
  if (tenant !== undefined && allowed !== undefined && !allowed.has(tenant))
    throw new SnodoError('tenant_forbidden', `This client may not act for tenant ${tenant}`)
}
