import type { Hono } from 'hono'
import { z } from 'zod'
import { deliveryTargets } from '../../../config/schema.ts'
import { DeliveryDetail, DeliveryPage } from '../../../contracts/delivery-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { SnodoError } from '../../../errors.ts'
import { deliveryStatuses } from '../../../queues/delivery.ts'
import { decodeCursor } from '../../../queues/delivery-store.ts'
import { type AppContext, type AppEnv, callerOf } from '../../app-env.ts'
import { Instant, Limit, parseInstant } from '../../instant.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { validateQuery } from '../../validate.ts'
import { assertMayActFor, tenantsOf } from '../tenant-scope.ts'
import { deliveryView } from '../views.ts'

const Query = z.strictObject({
  status: z.enum(deliveryStatuses).optional(),
  platform: z.enum(deliveryTargets).optional(),
  tenant: z.string().max(63).optional(),
  operation: z.string().max(64).optional(),
  errorCode: z.string().max(100).optional(),
  since: Instant.optional(),
  until: Instant.optional(),
  cursor: z
    .string()
    .max(200)
    .refine((v) => {
      try {
        return Boolean(decodeCursor(v))
      } catch {
        return false
      }
    }, 'the nextCursor of a previous page')
    .optional(),
  limit: Limit,
})

/** A delivery the caller may see, or 404: another tenant's deliveries do not exist for it. */
export async function visibleDelivery(c: AppContext, deps: Pick<Deps, 'deliveries' | 'config'>, id: string) {
  const delivery = await deps.deliveries.get(id)
  const allowed = tenantsOf(deps, callerOf(c).clientId)
  if (!delivery || (allowed && !allowed.has(delivery.tenant))) throw new SnodoError('not_found', `No delivery ${id}`)
  return delivery
}

/** listDeliveries and getDelivery. */
export function registerReadDeliveries(app: Hono<AppEnv>, deps: Pick<Deps, 'clients' | 'audit' | 'deliveries' | 'config' | 'clock'>) {
  const read = requireScope('deliveries:read', deps)
  app.get('/', read, validateQuery(Query), async (c) => {
    const q = c.req.valid('query')
    const allowed = tenantsOf(deps, callerOf(c).clientId)
    if (q.tenant) assertMayActFor(allowed, q.tenant)
    const now = deps.clock()
    const page = await deps.deliveries.list(
      {
        status: q.status,
        target: q.platform,
        tenant: q.tenant,
        tenants: allowed,
        operation: q.operation,
        errorCode: q.errorCode,
        since: q.since ? parseInstant(q.since, now) : undefined,
        until: q.until ? parseInstant(q.until, now) : undefined,
      },
      { cursor: q.cursor, limit: q.limit },
    )
    return c.json(DeliveryPage.parse({ items: page.items.map(deliveryView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }))
  })
  app.get('/:deliveryId', read, async (c) => {
    const delivery = await visibleDelivery(c, deps, c.req.param('deliveryId'))
    return c.json(DeliveryDetail.parse({ ...deliveryView(delivery), attempts: await deps.deliveries.attempts(delivery.id) }))
  })
}
