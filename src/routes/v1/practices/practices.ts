import type { Hono } from 'hono'
import { z } from 'zod'
import { CreatePractice, PracticePage, PracticeStatusReport } from '../../../contracts/practice-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { acceptPractice } from '../../../practices/accept-practice.ts'
import { practiceStatuses, type StoredPractice } from '../../../practices/practice.ts'
import { otherSuppliers } from '../../../practices/practice-events.ts'
import { reportStep } from '../../../practices/report-step.ts'
import { type AppContext, type AppEnv, tenantIdOf } from '../../app-env.ts'
import { Limit } from '../../instant.ts'
import { audited } from '../../middleware/audited.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { commandId } from '../../middleware/idempotency.ts'
import { validateJson, validateQuery } from '../../validate.ts'
import { practiceOf, practiceView } from './practice-view.ts'

const ListQuery = z.strictObject({
  status: z.enum(practiceStatuses).optional(),
  after: z
    .string()
    .regex(/^\d{1,15}$/, 'the cursor of a practice')
    .optional(),
  limit: Limit,
})

type PracticesDeps = Pick<
  Deps,
  'clients' | 'audit' | 'tenants' | 'practices' | 'deliveries' | 'documents' | 'engine' | 'timeline' | 'clock' | 'supplier' | 'events' | 'practiceMessages'
>

/** createPractice, listPractices, getPractice, ackPractice and reportPracticeStatus, on the practices sub-app. */
export function registerPractices(app: Hono<AppEnv>, deps: PracticesDeps) {
  const tenantOf = (c: AppContext) => deps.tenants.get(tenantIdOf(c)) as NonNullable<ReturnType<Deps['tenants']['get']>>
  const reply = async (c: AppContext, p: StoredPractice, status: 200 | 202 = 200) => c.json(await practiceView(deps, p), status)

  app.post('/', requireScope('practices:write', deps), audited('practice.create', deps), validateJson(CreatePractice), async (c) => {
    const tenant = tenantOf(c)
    const practice = await acceptPractice(deps, tenant, c.req.valid('json'), commandId(c, 'prat'))
    c.header('Location', `/v1/tenants/${tenant.id}/practices/${practice.id}`)
    return reply(c, practice, 202)
  })

  app.get('/', requireScope('practices:read', deps), validateQuery(ListQuery), async (c) => {
    const { status, after, limit } = c.req.valid('query')
    const items = []
    let cursor = after === undefined ? undefined : Number(after)
    // A status filter reads on, a bounded number of practices per call, until the page is full.
    for (let read = 0; items.length < limit && read < 5_000; ) {
      const rows = await deps.practices.page(tenantIdOf(c), cursor, 200)
      if (rows.length === 0) break
      // Read together (the connection pipelines them), then taken in order until the page is full.
      const found = await Promise.all(rows.map((row) => deps.practices.get(row.id)))
      const picked: StoredPractice[] = []
      for (const [i, row] of rows.entries()) {
        read++
        cursor = row.seq
        const practice = found[i]
        if (practice && (!status || practice.status === status)) picked.push(practice)
        if (items.length + picked.length === limit) break
      }
      items.push(...(await Promise.all(picked.map((p) => practiceView(deps, p)))))
    }
    return c.json(PracticePage.parse({ items, ...(cursor !== undefined ? { nextCursor: String(cursor) } : {}) }))
  })

  app.get('/:practiceId', requireScope('practices:read', deps), async (c) => reply(c, await practiceOf(deps, tenantIdOf(c), c.req.param('practiceId'))))

  app.post('/:practiceId/ack', requireScope('practices:status', deps), audited('practice.ack', deps), async (c) => {
    const practice = await practiceOf(deps, tenantIdOf(c), c.req.param('practiceId'))
    if (practice.fields.ackedAt) return reply(c, practice)
    // Told first (the same event however often): an ack that fails after it is retried, never left untold.
    await deps.events.publish(
      practice.data.tenantId,
      'practice.forwarded',
      { practiceId: practice.id, serviceCode: practice.data.serviceCode, via: 'pull' },
      { dedupeKey: `${practice.id}|forwarded`, except: otherSuppliers(deps.tenants.get(practice.data.tenantId), practice.data.serviceCode) },
    )
    const ackedAt = deps.clock().toISOString()
    await deps.practices.setFields(practice.id, { ackedAt })
    return reply(c, { ...practice, fields: { ...practice.fields, ackedAt } })
  })

  app.post('/:practiceId/status', requireScope('practices:status', deps), audited('practice.status', deps), validateJson(PracticeStatusReport), async (c) => {
    const practice = await practiceOf(deps, tenantIdOf(c), c.req.param('practiceId'))
    return reply(c, await reportStep(deps, practice, c.req.valid('json'), c.get('caller')?.clientId))
  })
}
