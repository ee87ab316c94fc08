// GPD v1 simulator (gpd-openapi.json, FACTS §4-5) on loopback: create (toPublish), get, publish and
// invalidate under /organizations/{ofc}/debtpositions, behind a simulated APIM that checks the
// subscription key. Positions live in memory; the simulated Node finds them by notice number and
// records them paid (PositionBook). Logs what it was asked and what it answered.
import { Hono } from 'hono'
import { type Answer, answersAndOutage, recordRequests, type SimulatorContext } from '../../simulator/harness.ts'
import { apim, incongruence, invalid, PaymentPositionModel, problem, readJson } from './gpd-payloads.ts'
import { baseAnswer, markPaid, modelAnswer, newPosition, noticeOf, publish, refresh, type StoredPosition } from './gpd-store.ts'
import { type Trouble, troubleOfDebtor, troubleOfIupd } from './magic.ts'
import type { NoticePosition, PaymentRecord, PositionBook } from './nodo/receipt.ts'

export type GpdSimulatorOptions = {
  /** Subscription keys APIM accepts, each for some organizations (fiscal codes) or all ('*'); any other key gets 401. */
  keys: { key: string; organizations: string[] | '*' }[]
  /** How long the `slow` magic values wait before answering (default 15 s). */
  slowMs?: number
  /** Retry-After (seconds) of the `rateLimited` magic values (default 2). */
  retryAfterSeconds?: number
}

export type GpdSimulator = PositionBook & {
  app: Hono
  /** Every position, keyed `<organization fiscal code>/<iupd>`. */
  positions: ReadonlyMap<string, StoredPosition>
  answers: Answer[]
  /** Every GPD call answers 503 until `ms` have passed on the context's clock, or until end(). */
  outage(ms: number): { end(): void }
}

const notFoundTitle = 'Not found the debt position'

export function createGpdSimulator(context: SimulatorContext, options: GpdSimulatorOptions): GpdSimulator {
  const slowMs = options.slowMs ?? 15_000
  const retryAfter = String(options.retryAfterSeconds ?? 2)
  const keys = new Map(options.keys.map((k) => [k.key, k.organizations]))
  const positions = new Map<string, StoredPosition>()
  const log = answersAndOutage(context)
  const now = () => context.clock()
  const find = (ofc: string, iupd: string) => {
    const found = positions.get(`${ofc}/${iupd}`)
    return found && refresh(found, now())
  }
  const findOption = (ofc: string, nav: string) => {
    for (const p of positions.values()) {
      const option = p.organizationFiscalCode === ofc ? p.options.find((o) => o.nav === nav) : undefined
      if (option) return { position: refresh(p, now()), option }
    }
    return undefined
  }

  const troubled = async (trouble: Trouble | undefined, signal: AbortSignal): Promise<Response | undefined> => {
    if (trouble === 'rateLimited') return apim(429, `Rate limit is exceeded. Try again in ${retryAfter} seconds.`, { 'retry-after': retryAfter })
    if (trouble === 'unavailable') return problem(503, 'Service Unavailable', 'The debt position service is temporarily unavailable')
    if (trouble === 'unprocessable') return problem(422, 'Unprocessable Entity', 'The debt position cannot be processed (simulated refusal)')
    if (trouble === 'slow') await sleep(slowMs, signal)
    return undefined
  }

  const app = new Hono()
  app.use(recordRequests(context))
  app.use(
    log.middleware({
      whileDown: () => problem(503, 'Service Unavailable', 'GPD is down (simulated outage)'),
      // GPD returns the caller's X-Request-Id, or one of its own (FACTS §3).
      after: (c) => c.res.headers.set('x-request-id', c.req.header('x-request-id') ?? context.nextId()),
    }),
  )
  app.notFound(() => apim(404, 'Resource not found'))

  const gpd = new Hono<{ Variables: { ofc: string } }>()
  // APIM checks the subscription key before GPD sees the call (FACTS §3; spec 401 and 403).
  gpd.use('/:ofc/*', async (c, next) => {
    const organizations = keys.get(c.req.header('ocp-apim-subscription-key') ?? '')
    if (!organizations)
      return apim(401, 'Access denied due to missing or invalid subscription key. Make sure to provide a valid key for an active subscription.')
    const ofc = c.req.param('ofc')
    if (organizations !== '*' && !organizations.includes(ofc)) return apim(403, 'You are not allowed to access this resource.')
    c.set('ofc', ofc)
    await next()
  })

  gpd.post('/:ofc/debtpositions', async (c) => {
    const ofc = c.get('ofc')
    const body = await readJson(c.req.raw)
    if (!body.ok) return body.answer
    const raw = body.value as { iupd?: unknown; fiscalCode?: unknown } | null
    const early = await troubled(typeof raw?.iupd === 'string' ? troubleOfIupd(raw.iupd) : undefined, c.req.raw.signal)
    if (early) return early
    const debtorTrouble = troubleOfDebtor(raw?.fiscalCode)
    if (debtorTrouble !== 'slow') {
      const refused = await troubled(debtorTrouble, c.req.raw.signal)
      if (refused) return refused
    }
    const toPublish = c.req.query('toPublish') ?? 'false'
    if (toPublish !== 'true' && toPublish !== 'false') return problem(400, 'BAD REQUEST', `Invalid value ${toPublish} for property toPublish`)
    const parsed = PaymentPositionModel.safeParse(body.value)
    if (!parsed.success) return invalid(parsed.error)
    const wrong = incongruence(parsed.data, now())
    if (wrong) return problem(400, 'Error in the debt position request data', wrong)
    const created = newPosition(ofc, parsed.data, now())
    // GPD's unique constraints: the IUPD, and each option's IUV and notice number, within the organization.
    const duplicate = () => {
      const navs = created.options.map((o) => o.nav)
      if (new Set(navs).size !== navs.length) return true
      const clashes = (p: StoredPosition) => p.iupd === created.iupd || p.options.some((o) => created.options.some((n) => n.iuv === o.iuv || n.nav === o.nav))
      return [...positions.values()].some((p) => p.organizationFiscalCode === ofc && clashes(p))
    }
    const conflict = () =>
      problem(
        409,
        'The debt position violated constraints of uniqueness',
        `Already exists a debt position for the Organization Fiscal Code ${ofc} or one of its payment options is not unique`,
      )
    if (duplicate()) return conflict()
    if (debtorTrouble === 'slow') {
      await sleep(slowMs, c.req.raw.signal)
      if (duplicate()) return conflict()
    }
    if (toPublish === 'true') {
      const refused = publish(created, now())
      // GPD's create catches this AppException in its generic handler: a 500 (PaymentPositionCRUDService.create).
      if (refused) return problem(500, 'The debt position creation is failed', `Creation failed for the debt position with Organization Fiscal Code ${ofc}`)
    }
    positions.set(`${ofc}/${created.iupd}`, created)
    return c.json(modelAnswer(created), 201)
  })

  // The IUPD magic tokens apply to every call about the position.
  const iupdTrouble = (c: { req: { param(name: 'iupd'): string; raw: Request } }) => troubled(troubleOfIupd(c.req.param('iupd')), c.req.raw.signal)

  const notFound = (ofc: string, iupd: string) => problem(404, notFoundTitle, `Not found a debt position for Organization Fiscal Code ${ofc} and IUPD ${iupd}`)

  gpd.get('/:ofc/debtpositions/:iupd', async (c) => {
    const trouble = await iupdTrouble(c)
    if (trouble) return trouble
    const found = find(c.get('ofc'), c.req.param('iupd'))
    return found ? c.json(baseAnswer(found)) : notFound(c.get('ofc'), c.req.param('iupd'))
  })

  gpd.post('/:ofc/debtpositions/:iupd/publish', async (c) => {
    const trouble = await iupdTrouble(c)
    if (trouble) return trouble
    const [ofc, iupd] = [c.get('ofc'), c.req.param('iupd')]
    const found = find(ofc, iupd)
    if (!found) return notFound(ofc, iupd)
    const unpublishable = problem(
      409,
      'Existing related payment found or not in publishable state',
      `A payment transaction has already been carried out or, the debt position with Organization Fiscal Code ${ofc} and IUPD ${iupd}, is not in publishable state`,
    )
    if (found.status !== 'DRAFT') return unpublishable
    const refused = publish(found, now())
    if (refused === 'due_date_passed')
      return problem(
        409,
        'Publish request occurred after the due date of a payment options has expired',
        `A publish request occurred after the due date of a payment options has expired for the debt position with Organization Fiscal Code ${ofc} and IUPD ${iupd}`,
      )
    if (refused)
      return problem(
        409,
        'Publish request occurred after the validity date began',
        `A publish request has been made after the validity date began for the debt position with Organization Fiscal Code ${ofc} and IUPD ${iupd}`,
      )
    return c.json(modelAnswer(found))
  })

  gpd.post('/:ofc/debtpositions/:iupd/invalidate', async (c) => {
    const trouble = await iupdTrouble(c)
    if (trouble) return trouble
    const [ofc, iupd] = [c.get('ofc'), c.req.param('iupd')]
    const found = find(ofc, iupd)
    if (!found) return notFound(ofc, iupd)
    // Only PUBLISHED and VALID positions can be invalidated (DebtPositionStatus.getPaymentPosNotInvalidableStatus).
    if (found.status !== 'PUBLISHED' && found.status !== 'VALID') {
      return problem(
        409,
        'Existing related payment found or not in invalidable state',
        `A payment transaction has already been carried out or, the debt position with Organization Fiscal Code ${ofc} and IUPD ${iupd}, is not in invalidable state`,
      )
    }
    found.status = 'INVALID'
    found.lastUpdatedDate = now().toISOString()
    return c.json(modelAnswer(found))
  })

  app.route('/organizations', gpd)
  return {
    app,
    positions,
    answers: log.answers,
    outage: log.outage,
    findByNotice(ofc, nav): NoticePosition | undefined {
      const found = findOption(ofc, nav)
      return found && noticeOf(found.position, found.option)
    },
    markPaid(ofc, nav, payment: PaymentRecord) {
      const found = findOption(ofc, nav)
      if (!found) throw new Error(`no notice ${nav} for ${ofc}`)
      markPaid(found.position, found.option, payment)
    },
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
  })
}
