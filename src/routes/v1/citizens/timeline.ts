import type { Hono } from 'hono'
import { z } from 'zod'
import { IoFiscalCode } from '../../../contracts/message-schemas.ts'
import { TimelinePage } from '../../../contracts/practice-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { stepSubject } from '../../../practices/register-step-documents.ts'
import { type AppEnv, tenantIdOf } from '../../app-env.ts'
import { Limit } from '../../instant.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { validateQuery } from '../../validate.ts'

const Query = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,15}:[a-z_]+:[\w-]+$/, 'the nextCursor of a previous page')
    .optional(),
  limit: Limit,
})

/** The cartella del cittadino: practices (and the documents their steps registered), payments and messages of one citizen, newest first. */
type TimelineDeps = Pick<Deps, 'clients' | 'audit' | 'timeline' | 'practices' | 'payments' | 'messages'>

export function registerCitizenTimeline(app: Hono<AppEnv>, deps: TimelineDeps) {
  return app.get('/:fiscalCode/timeline', requireScope('citizens:read', deps), validateQuery(Query), async (c) => {
    const tenantId = tenantIdOf(c)
    const fiscalCode = IoFiscalCode.safeParse(c.req.param('fiscalCode').toUpperCase())
    if (!fiscalCode.success) return c.json(TimelinePage.parse({ items: [] }))
    const { cursor, limit } = c.req.valid('query')
    const before = cursor ? { at: Number(cursor.split(':')[0]), member: cursor.slice(cursor.indexOf(':') + 1) } : undefined
    const rows = await deps.timeline.page(tenantId, fiscalCode.data, before, limit)
    const described = await Promise.all(rows.map((row) => describe(deps, tenantId, row.kind, row.id)))
    const items = rows.flatMap((row, i) => {
      const item = described[i]
      return item ? [{ kind: row.kind, id: row.id, at: new Date(row.at).toISOString(), ...item }] : []
    })
    const last = rows.at(-1)
    return c.json(TimelinePage.parse({ items, ...(last && rows.length === limit ? { nextCursor: `${last.at}:${last.kind}:${last.id}` } : {}) }))
  })
}

/** Status and a title of one item, read from its own store; another tenant's is never shown. */
async function describe(deps: TimelineDeps, tenantId: string, kind: string, id: string): Promise<{ status: string; title: string } | undefined> {
  if (kind === 'practice_document') return describeStepDocuments(deps, tenantId, id)
  const found =
    kind === 'practice'
      ? await deps.practices.get(id)
      : kind === 'payment'
        ? await deps.payments.get(id)
        : kind === 'message'
          ? await deps.messages.get(id)
          : undefined
  if (!found || found.data.tenantId !== tenantId) return undefined
  const data = found.data as { subject?: string; description?: string }
  return { status: found.status, title: data.subject ?? data.description ?? id }
}

/** `<practiceId>-<step>`: the step's documents, titled with their protocol number. */
async function describeStepDocuments(deps: Pick<Deps, 'practices'>, tenantId: string, id: string) {
  const cut = id.lastIndexOf('-')
  const practice = await deps.practices.get(id.slice(0, cut))
  if (!practice || practice.data.tenantId !== tenantId) return undefined
  const step = deps.practices.stepDocuments(practice).find((s) => s.step === Number(id.slice(cut + 1)))
  if (!step?.registration) return undefined
  return { status: 'registered', title: `${stepSubject(practice, step.status)} (protocollo n. ${step.registration.number}/${step.registration.year})` }
}
