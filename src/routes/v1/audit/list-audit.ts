import type { Hono } from 'hono'
import { z } from 'zod'
import { AuditPage } from '../../../contracts/delivery-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { SnodoError } from '../../../errors.ts'
import { type AppEnv, callerOf } from '../../app-env.ts'
import { Instant, Limit, parseInstant } from '../../instant.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { validateQuery } from '../../validate.ts'
import { tenantsOf } from '../tenant-scope.ts'

const Query = z.strictObject({
  since: Instant.optional(),
  after: z
    .string()
    .regex(/^\d{1,20}-\d{1,20}$/, 'the id of a record')
    .optional(),
  limit: Limit,
})

export function registerListAudit(app: Hono<AppEnv>, deps: Pick<Deps, 'clients' | 'audit' | 'config' | 'clock'>) {
  return app.get('/', requireScope('audit:read', deps), validateQuery(Query), async (c) => {
    // The chain can only be checked whole: reading it is for clients allowed for every tenant.
    if (tenantsOf(deps, callerOf(c).clientId) !== undefined)
      throw new SnodoError('tenant_forbidden', 'The audit log is readable only by clients allowed for every tenant')
    const { since, after, limit } = c.req.valid('query')
    const rows = await deps.audit.read({ after, since: since ? parseInstant(since, deps.clock()) : undefined, count: limit })
    const items = rows.map(({ id, record }) => ({ id, ...record }))
    const last = rows.at(-1)
    return c.json(AuditPage.parse({ items, head: await deps.audit.head(), ...(last && rows.length === limit ? { nextCursor: last.id } : {}) }))
  })
}
