import type { Hono } from 'hono'
import { Tenant } from '../../../contracts/schemas.ts'
import type { Deps } from '../../../deps.ts'
import { type AppEnv, callerOf, tenantIdOf } from '../../app-env.ts'
import { requireScope } from '../../middleware/authorize.ts'

/** getTenant, on the tenants sub-app (mounted at /v1/tenants/{tenantId}). */
export function registerGetTenant(app: Hono<AppEnv>, deps: Pick<Deps, 'clients' | 'audit' | 'tenants' | 'health'>) {
  return app.get('/', requireScope('tenants:read', deps), async (c) => {
    const tenant = deps.tenants.get(tenantIdOf(c)) as NonNullable<ReturnType<Deps['tenants']['get']>>
    const clientId = callerOf(c).clientId
    const pagopa = tenant.platforms.pagopa?.enabled ? tenant.platforms.pagopa : undefined
    const body = Tenant.parse({
      id: tenant.id,
      name: tenant.name,
      fiscalCode: tenant.fiscalCode,
      platforms: await deps.health.platformsOf(tenant.platforms),
      acceptsPdndVouchers: tenant.pdnd !== undefined,
      ...(pagopa
        ? {
            pagopa: {
              idPA: tenant.fiscalCode,
              idBrokerPA: pagopa.idBrokerPA,
              idStation: pagopa.idStation,
              segregationCode: pagopa.segregationCode,
              mode: pagopa.mode,
            },
          }
        : {}),
      access: { clientId, scopes: [...(deps.clients.get(clientId)?.scopes ?? [])] },
    })
    return c.json(body)
  })
}
