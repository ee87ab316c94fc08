import type { Hono } from 'hono'
import { type DeliveryTarget, deliveryTargets } from '../../../config/schema.ts'
import { PauseList, PauseRequest, PlatformPause } from '../../../contracts/delivery-schemas.ts'
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
export function registerPausePlatform(app: Hono<AppEnv>, deps: Pick<Deps, 'clients' | 'audit' | 'config' | 'tenants' | 'clock' | 'pauses' | 'engine'>) {
  const pause = requireScope('platforms:pause', deps)
  // Pause and resume read the same request, check the same rights and are audited alike.
  const request = (c: AppContext, body: { tenant?: string; reason: string }) => {
    assertMayActFor(tenantsOf(deps, callerOf(c).clientId), body.tenant)
    if (body.tenant !== undefined && !deps.tenants.has(body.tenant)) throw new SnodoError('tenant_not_found', `No tenant ${body.tenant}`)
    c.set('auditTenant', body.tenant)
    c.set('auditDetail', body.reason)
    return { platform: targetOf(c), ...body, by: callerOf(c).clientId, at: deps.clock().toISOString() }
  }
  const answer = (r: ReturnType<typeof request>, paused: boolean) =>
    PlatformPause.parse({ platform: r.platform, ...(r.tenant ? { tenant: r.tenant } : {}), paused, reason: r.reason, by: r.by, at: r.at })

  app.post('/:platform/pause', pause, audited('platform.pause', deps), validateJson(PauseRequest), async (c) => {
    const r = request(c, c.req.valid('json'))
    await deps.pauses.pause({ target: r.platform, tenant: r.tenant, reason: r.reason, by: r.by, at: r.at })
    return c.json(answer(r, true))
  })

  app.post('/:platform/resume', pause, audited('platform.resume', deps), validateJson(PauseRequest), async (c) => {
    const r = request(c, c.req.valid('json'))
    await deps.engine.release((await deps.pauses.resume(r.platform, r.tenant)).parked)
    return c.json(answer(r, false))
  })

  app.get('/pauses', requireScope('deliveries:read', deps), async (c) => {
    const allowed = tenantsOf(deps, callerOf(c).clientId)
    const items = (await deps.pauses.list())
      .filter((p) => !allowed || p.tenant === undefined || allowed.has(p.tenant))
      .map((p) => ({ platform: p.target, ...(p.tenant ? { tenant: p.tenant } : {}), paused: true, reason: p.reason, by: p.by, at: p.at }))
    return c.json(PauseList.parse({ items }))
  })
}
