// App IO simulator: the services API (services-openapi.yaml, basePath /api/v1) on loopback, with
// the test citizens and magic values of citizens.ts, an outage switch, and logs of what it was asked,
// what it answered and which messages it accepted (so a test can prove nothing was sent twice).
import { type Context, Hono } from 'hono'
import { type Answer, answersAndOutage, recordRequests, type SimulatorContext } from '../../simulator/harness.ts'
import { fateOf, profileOf, type Trouble, troubleOfFiscalCode, troubleOfSubject } from './citizens.ts'
import { FiscalCodePayload, fiscalCodePattern, invalid, NewMessage, problem, readJson } from './payloads.ts'

export type AppIoSimulatorService = { apiKey: string; serviceId?: string; organizationFiscalCode?: string }

export type AppIoSimulatorOptions = {
  /** The services (one API key each, FACTS §1) the simulator accepts; any other key gets 401. */
  services: AppIoSimulatorService[]
  /** How long a message stays ACCEPTED before its final status (default 0: final at once). */
  processingDelayMs?: number
  /** How long the `slow` magic values wait before answering (default 15 s). */
  slowMs?: number
  /** Retry-After (seconds) of the `rateLimited` magic values (default 2). */
  retryAfterSeconds?: number
}

export type AcceptedMessage = { id: string; at: string; serviceId: string; fiscalCode: string; body: NewMessage }

export type AppIoSimulator = {
  app: Hono
  /** Every message that got a 201, in order. */
  accepted: AcceptedMessage[]
  /** Every answer, with the request it answered (the same object as in context.received). */
  answers: Answer[]
  /** Every call answers 503 until `ms` have passed on the context's clock, or until end(). */
  outage(ms: number): { end(): void }
}

type Stored = AcceptedMessage & { createdAt: Date; fate: 'PROCESSED' | 'REJECTED'; content: Record<string, unknown> }
type Service = Required<AppIoSimulatorService>
type IoEnv = { Variables: { service: Service } }

export function createAppIoSimulator(context: SimulatorContext, options: AppIoSimulatorOptions): AppIoSimulator {
  const delayMs = options.processingDelayMs ?? 0
  const slowMs = options.slowMs ?? 15_000
  const retryAfter = String(options.retryAfterSeconds ?? 2)
  const services = new Map<string, Service>(
    options.services.map((s, i) => [s.apiKey, { organizationFiscalCode: '00000000000', serviceId: `SIMSERVICE${String(i + 1).padStart(2, '0')}`, ...s }]),
  )
  const messages = new Map<string, Stored>()
  const accepted: AcceptedMessage[] = []
  const log = answersAndOutage(context)

  const troubled = async (trouble: Trouble | undefined, signal: AbortSignal): Promise<Response | undefined> => {
    if (trouble === 'rateLimited') {
      const answer = problem(429, 'Too many requests', 'Rate limit is exceeded')
      answer.headers.set('retry-after', retryAfter)
      return answer
    }
    if (trouble === 'unavailable') return problem(503, 'Service Unavailable', 'The service is temporarily unavailable')
    if (trouble === 'slow') await sleep(slowMs, signal)
    return undefined
  }

  const app = new Hono()
  app.use(recordRequests(context))
  app.use(log.middleware({ whileDown: () => problem(503, 'Service Unavailable', 'App IO is down (simulated outage)') }))
  app.notFound(() => apimNotFound())

  const io = new Hono<IoEnv>()
  // Every IO operation needs the service's key (FACTS §1); APIM refuses others before IO sees them.
  io.use(async (c, next) => {
    const service = services.get(c.req.header('ocp-apim-subscription-key') ?? '')
    if (!service) return problem(401, 'Unauthorized', 'Access denied due to missing or invalid subscription key')
    c.set('service', service)
    await next()
  })

  const answerProfile = async (fiscalCode: string, signal: AbortSignal) => {
    const trouble = await troubled(troubleOfFiscalCode(fiscalCode), signal)
    if (trouble) return trouble
    const profile = profileOf(fiscalCode)
    if (!profile.onIo) return problem(404, 'Profile not found', 'The profile you requested was not found in the system')
    return Response.json({ sender_allowed: profile.senderAllowed, preferred_languages: ['it_IT'] })
  }
  io.post('/profiles', async (c) => {
    const body = await readJson(c.req.raw)
    if (!body.ok) return body.answer
    const payload = FiscalCodePayload.safeParse(body.value, { reportInput: true })
    return payload.success ? answerProfile(payload.data.fiscal_code, c.req.raw.signal) : invalid('FiscalCodePayload', payload.error)
  })
  io.get('/profiles/:fiscal_code', (c) => {
    const fiscalCode = c.req.param('fiscal_code')
    return fiscalCodePattern.test(fiscalCode) ? answerProfile(fiscalCode, c.req.raw.signal) : badFiscalCode(fiscalCode)
  })

  const submit = async (c: Context<IoEnv>, pathFiscalCode?: string) => {
    const body = await readJson(c.req.raw)
    if (!body.ok) return body.answer
    const fiscalCode = pathFiscalCode ?? (body.value as { fiscal_code?: unknown } | null)?.fiscal_code
    if (typeof fiscalCode === 'string') {
      const trouble = await troubled(troubleOfFiscalCode(fiscalCode), c.req.raw.signal)
      if (trouble) return trouble
    }
    const parsed = NewMessage.safeParse(body.value, { reportInput: true })
    if (!parsed.success) return invalid('NewMessage', parsed.error)
    if (typeof fiscalCode !== 'string') return problem(400, 'Invalid NewMessage', 'value undefined at [root.fiscal_code] is not a valid FiscalCode')
    const content = parsed.data.content
    const trouble = await troubled(troubleOfSubject(content.subject), c.req.raw.signal)
    if (trouble) return trouble
    const service = c.get('service')
    const createdAt = context.clock()
    const id = ulidLike(createdAt, context.nextId())
    const record: AcceptedMessage = { id, at: createdAt.toISOString(), serviceId: service.serviceId, fiscalCode, body: parsed.data }
    // The stored message always names its payee (spec PaymentDataWithRequiredPayee): the service's organization.
    const payment = content.payment_data && { ...content.payment_data, payee: content.payment_data.payee ?? { fiscal_code: service.organizationFiscalCode } }
    messages.set(id, {
      ...record,
      createdAt,
      fate: fateOf(fiscalCode, content.subject),
      content: { ...content, ...(payment ? { payment_data: payment } : {}) },
    })
    accepted.push(record)
    return c.json({ id }, 201, { Location: `${new URL(c.req.url).origin}/api/v1/messages/${fiscalCode}/${id}` })
  }
  io.post('/messages', (c) => submit(c))
  io.post('/messages/:fiscal_code', (c) => {
    const fiscalCode = c.req.param('fiscal_code')
    return fiscalCodePattern.test(fiscalCode) ? submit(c, fiscalCode) : badFiscalCode(fiscalCode)
  })

  io.get('/messages/:fiscal_code/:id', async (c) => {
    const fiscalCode = c.req.param('fiscal_code')
    if (!fiscalCodePattern.test(fiscalCode)) return badFiscalCode(fiscalCode)
    const trouble = await troubled(troubleOfFiscalCode(fiscalCode), c.req.raw.signal)
    if (trouble) return trouble
    const stored = messages.get(c.req.param('id'))
    if (!stored || stored.fiscalCode !== fiscalCode) return problem(404, 'Message not found', 'No message found for the provided ID')
    if (stored.serviceId !== c.get('service').serviceId) return problem(403, 'Forbidden', 'The message was sent by another service')
    const final = context.clock().getTime() - stored.createdAt.getTime() >= delayMs
    const message = {
      id: stored.id,
      fiscal_code: fiscalCode,
      created_at: stored.at,
      sender_service_id: stored.serviceId,
      content: stored.content,
      time_to_live: 3600,
      feature_level_type: 'STANDARD',
    }
    return c.json({ message, status: final ? stored.fate : 'ACCEPTED', ...(final && stored.fate === 'PROCESSED' ? { notification: { email: 'SENT' } } : {}) })
  })

  app.route('/api/v1', io)
  return {
    app,
    accepted,
    answers: log.answers,
    outage: log.outage,
  }
}

function badFiscalCode(value: string): Response {
  return problem(400, 'Invalid FiscalCode', `value ${JSON.stringify(value)} at [root.fiscal_code] is not a valid FiscalCode`)
}

/** What Azure APIM answers for a path no API serves: not IO's ProblemJson, so a client can tell a wrong baseUrl. */
function apimNotFound(): Response {
  return Response.json({ statusCode: 404, message: 'Resource not found' }, { status: 404 })
}

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** IO ids are ULIDs (FACTS §2.2): 10 characters of time, then 16 taken from the context's next id. */
export function ulidLike(at: Date, seed: string): string {
  let time = ''
  for (let ms = at.getTime(), i = 0; i < 10; i++, ms = Math.floor(ms / 32)) time = crockford.charAt(ms % 32) + time
  const tail = [...seed.toUpperCase()].filter((ch) => crockford.includes(ch)).join('')
  return time + tail.slice(-16).padStart(16, '0')
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
  })
}
