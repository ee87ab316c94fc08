import type { Hono } from 'hono'
import { z } from 'zod'
import { EventPage } from '../../../contracts/delivery-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { type AppEnv, tenantIdOf } from '../../app-env.ts'
import { Limit } from '../../instant.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { validateQuery } from '../../validate.ts'

const Query = z.strictObject({
  after: z
    .string()
    .regex(/^\d{1,20}-\d{1,20}$/, 'a cursor from a previous page')
    .optional(),
  limit: Limit,
  types: z.string().max(1000).optional(),
})

export function registerListEvents(app: Hono<AppEnv>, deps: Pick<Deps, 'clients' | 'audit' | 'events'>) {
  return app.get('/', requireScope('events:read', deps), validateQuery(Query), async (c) => {
    const { after, limit, types } = c.req.valid('query')
    const page = await deps.events.read(tenantIdOf(c), { after, limit, types: types ? new Set(types.split(',').map((t) => t.trim())) : undefined })
    return c.json(EventPage.parse(page))
  })
}
