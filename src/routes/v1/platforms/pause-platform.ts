import type { Hono } from 'hono'
import { PauseList, PauseRequest, PlatformPause } from '../../../contracts/delivery-schemas.ts'
import { type DeliveryTarget, deliveryTargets } from '../../../config-schema.ts'
import type { Deps } from '../../../deps.ts'
import { SnodoError } from '../../../errors.ts'
import { type AppContext, type AppEnv, callerOf } from '../../app-env.ts'
import { audited } from '../../middleware/audited.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { validateJson } from '../../validate.ts'
import { assertMayActFor, tenantsOf } from '../tenant-scope.ts'

function targetOf(c: AppContext): DeliveryTarget {
  const platform = c.req.param('platform') as DeliveryTarget
  if (!deliveryTargets.includes(platform)) throw new SnodoError('not_found', `No platform ${platform}; one of ${deliveryTargets.join(', ')}`)
  return platform
}

/** pausePlatform, resumePlatform and listPauses. A pause keeps jobs queued; resume releases them at once. */
export function registerPausePlatform(app: Hono<AppEnv>, deps: Deps) {
  const pause = requireScope('platforms:pause', deps)
  const checked = (c: AppContext, tenant: string | undefined) => {
    assertMayActFor(tenantsOf(deps, callerOf(c).clientId), tenant)
    if (tenant !== undefined && !deps.tenants.has(tenant)) throw new SnodoError('tenant_not_found', `No tenant ${tenant}`)
  }

  app.post('/v1/platforms/:platform/pause', pause, audited('platform.pause', deps), validateJson(PauseRequest), async (c) => {
    const platform = targetOf(c)
    const { tenant, reason } = c.req.valid('json')
    checked(c, tenant)
    c.set('auditTenant', tenant)
    c.set('auditDetail', reason)
    const at = deps.clock().toISOString()
    await deps.pauses.pause({ target: platform, tenant, reason, by: callerOf(c).clientId, at })
    return c.json(PlatformPause.parse({ platform, ...(tenant ? { tenant } : {}), paused: true, reason, by: callerOf(c).clientId, at }))
  })

  app.post('/v1/platforms/:platform/resume', pause, audited('platform.resume', deps), validateJson(PauseRequest), async (c) => {
    const platform = targetOf(c)
    const { tenant, reason } = c.req.valid('json')
    checked(c, tenant)
    c.set('auditTenant', tenant)
    c.set('auditDetail', reason)
    const { parked } = await deps.pauses.resume(platform, tenant)
    await deps.engine.release(parked)
    return c.json(PlatformPause.parse({ platform, ...(tenant ? { tenant } : {}), paused: false, reason, by: callerOf(c).clientId, at: deps.clock().toISOString() }))
  })

  app.get('/v1/platforms/pauses', requireScope('deliveries:read', deps), async (c) => {
    const allowed = tenantsOf(deps, callerOf(c).clientId)
    const items = (await deps.pauses.list())
      .filter((p) => !allowed || p.tenant === undefined || allowed.has(p.tenant))
      .map((p) => ({ platform: p.target, ...(p.tenant ? { tenant: p.tenant } : {}), paused: true, reason: p.reason, by: p.by, at: p.at }))
    return c.json(PauseList.parse({ items }))
  })
}
