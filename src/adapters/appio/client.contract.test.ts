// The App IO client against the App IO simulator over loopback: the port conformance suite, then every
// request the client sent and every answer the simulator gave checked against IO's real
// services-openapi.yaml (read from ../shared/contracts, never copied).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contractsAvailable, loadSpec } from '../../../test/support/upstream-spec.ts'
import { createSimulatorContext, type RunningSimulator, type SimulatorContext, startSimulator } from '../simulator/harness.ts'
import { type AppIoClient, createAppIoClient } from './client.ts'
import { toNewMessage } from './mapping.ts'
import { anIoMessage, describeAppIoPort } from './port.suite.ts'
import { type AppIoSimulator, createAppIoSimulator } from './simulator/app.ts'
import { appioMagicFiscalCodes, appioMagicSubjects, appioTestCitizens } from './simulator/citizens.ts'

const keys = { generale: 'sim-key-generale', tributi: 'sim-key-tributi' }
const generale = { name: 'generale', apiKey: keys.generale }
let context: SimulatorContext
let sim: AppIoSimulator
let running: RunningSimulator
let client: AppIoClient

beforeAll(async () => {
  context = createSimulatorContext({ idPrefix: 'io-' })
  sim = createAppIoSimulator(context, { services: [{ apiKey: keys.generale }, { apiKey: keys.tributi, organizationFiscalCode: '01234567890' }], slowMs: 5_000 })
  running = await startSimulator(sim.app)
  client = createAppIoClient({ baseUrl: `${running.url}/api/v1/`, timeoutMs: 300 })
})
afterAll(async () => {
  await client.close()
  await running.close()
})

describeAppIoPort('client over loopback against the App IO simulator', async () => ({
  port: client,
  service: generale,
  wrongKey: { name: 'generale', apiKey: 'not-a-key-io-knows' },
  citizens: appioTestCitizens,
  trouble: appioMagicFiscalCodes,
  troubleSubjects: appioMagicSubjects,
  outage: () => sim.outage(60_000),
}))

/** A profile check, a submit and a status read: traffic of its own for a test that sweeps the log. */
async function driveEveryOperation() {
  await client.checkProfile(generale, appioTestCitizens.onIo)
  const { ioMessageId } = await client.submit(generale, anIoMessage(appioTestCitizens.onIo))
  await client.status(generale, appioTestCitizens.onIo, ioMessageId)
}

describe('the App IO client, beyond the port suite', () => {
  it('sends one POST per submit, with the service key, and IO keeps exactly one message for it', async () => {
    const before = sim.accepted.length
    const { ioMessageId } = await client.submit(
      { name: 'tributi', apiKey: keys.tributi },
      anIoMessage(appioTestCitizens.onIoToo, { payment: { noticeNumber: '001000000000000042', amountCents: 4200 } }),
    )
    expect(sim.accepted.slice(before)).toEqual([expect.objectContaining({ id: ioMessageId, fiscalCode: appioTestCitizens.onIoToo, serviceId: 'SIMSERVICE02' })])
    const request = context.received.findLast((r) => r.method === 'POST' && r.path === '/api/v1/messages')
    expect(request?.headers['ocp-apim-subscription-key']).toBe(keys.tributi)
    // The key is the service (FACTS §1): another service's key may not read the message.
    await expect(client.status(generale, appioTestCitizens.onIoToo, ioMessageId)).rejects.toMatchObject({ kind: 'unauthorized', upstreamStatus: 403 })
    expect(await client.status({ name: 'tributi', apiKey: keys.tributi }, appioTestCitizens.onIoToo, ioMessageId)).toBe('PROCESSED')
  })

  it('never puts the fiscal code in a URL, but for getMessage, which has no other form', async () => {
    await driveEveryOperation()
    const paths = context.received.map((r) => `${r.method} ${r.path}`)
    expect(paths.some((p) => p.startsWith('GET /api/v1/profiles/'))).toBe(false)
    expect(paths.some((p) => /^POST \/api\/v1\/messages\/./.test(p))).toBe(false)
  })

  it('takes a bare 404 from a gateway (wrong baseUrl) for a protocol error, not for "not on IO"', async () => {
    const misconfigured = createAppIoClient({ baseUrl: running.url, timeoutMs: 300 })
    await expect(misconfigured.checkProfile(generale, appioTestCitizens.onIo)).rejects.toMatchObject({
      kind: 'protocol',
      upstreamStatus: 404,
      retryable: false,
    })
    await misconfigured.close()
  })

  it('classifies a platform nobody listens on as unavailable', async () => {
    const nowhere = createAppIoClient({ baseUrl: 'http://127.0.0.1:9/api/v1', timeoutMs: 300 })
    await expect(nowhere.checkProfile(generale, appioTestCitizens.onIo)).rejects.toMatchObject({ kind: 'unavailable', retryable: true })
    await nowhere.close()
  })

  it('may leave a message behind after a timeout, as IO may: why the id is saved before the job is acked (FACTS §5)', async () => {
    const before = sim.accepted.length
    const subject = `Promemoria ${appioMagicSubjects.slow}`
    await expect(client.submit(generale, anIoMessage(appioTestCitizens.onIo, { subject }))).rejects.toMatchObject({ kind: 'timeout' })
    await expect.poll(() => sim.accepted.slice(before).map((m) => m.body.content.subject), { timeout: 6_000 }).toEqual([subject])
  })
})

describe.runIf(contractsAvailable('App IO conformance'))('conformance with services-openapi.yaml', () => {
  let loaded: ReturnType<typeof loadSpec> | undefined
  const spec = () => (loaded ??= loadSpec('appio/services-openapi.yaml'))
  const ioAnswers = () => sim.answers.filter((a) => a.request.path.startsWith('/api/v1/'))

  // The sweeps below check every request and answer in the simulator's log; this traffic of their own
  // (each operation, each status and schema they expect) lets them stand alone.
  beforeAll(async () => {
    const refused = () => undefined
    await driveEveryOperation()
    await client.submit(generale, anIoMessage(appioTestCitizens.onIo, { subject: 'Avviso' })).catch(refused)
    await client.submit({ name: 'generale', apiKey: 'not-a-key-io-knows' }, anIoMessage(appioTestCitizens.onIo)).catch(refused)
    await client.checkProfile(generale, appioTestCitizens.notOnIo)
    for (const fiscalCode of [appioMagicFiscalCodes.rateLimited, appioMagicFiscalCodes.unavailable])
      await client.checkProfile(generale, fiscalCode).catch(refused)
  })

  it('every request the client sent is a valid IO request, or IO refused it with 400', () => {
    const checked = { profile: 0, submit: 0, status: 0 }
    for (const { request, status } of ioAnswers()) {
      expect(request.headers['ocp-apim-subscription-key']).toBeTruthy()
      let errors: string[]
      if (request.method === 'POST' && request.path === '/api/v1/profiles') {
        errors = spec().errors('FiscalCodePayload', JSON.parse(request.body))
        checked.profile++
      } else if (request.method === 'POST' && request.path === '/api/v1/messages') {
        expect(request.headers['content-type']).toBe('application/json')
        errors = spec().errors('NewMessage', JSON.parse(request.body))
        checked.submit++
      } else {
        const [, fiscalCode, id] = request.path.match(/^\/api\/v1\/messages\/([^/]+)\/([^/]+)$/) ?? []
        expect(request.method === 'GET' && id, `unexpected request ${request.method} ${request.path}`).toBeTruthy()
        errors = spec().errors('FiscalCode', decodeURIComponent(fiscalCode ?? ''))
        checked.status++
      }
      // The simulator refuses exactly what the spec refuses: the suite's bad payloads, and nothing else.
      expect({ path: request.path, refused: status === 400 }).toEqual({ path: request.path, refused: errors.length > 0 })
    }
    expect(Object.values(checked).every((n) => n > 0)).toBe(true)
  })

  it('every answer the simulator gave has the schema the spec gives that operation and status', () => {
    const seen = new Set<string>()
    for (const answer of ioAnswers()) {
      const { method, path } = answer.request
      const body = JSON.parse(answer.body)
      const schema =
        answer.status === 201
          ? 'CreatedMessage'
          : answer.status === 200 && path.includes('/profiles')
            ? 'LimitedProfile'
            : answer.status === 200
              ? 'ExternalMessageResponseWithContent'
              : 'ProblemJson'
      if (schema === 'ProblemJson') expect(answer.headers['content-type']).toBe('application/problem+json')
      if (schema === 'CreatedMessage') expect(answer.headers.location).toMatch(/\/api\/v1\/messages\/[A-Z0-9]{16}\/[0-9A-HJKMNP-TV-Z]{26}$/)
      expect({ answer: `${method} ${path} ${answer.status}`, errors: spec().errors(schema, body) }).toEqual({
        answer: `${method} ${path} ${answer.status}`,
        errors: [],
      })
      seen.add(`${schema} ${answer.status}`)
    }
    for (const expected of [
      'LimitedProfile 200',
      'CreatedMessage 201',
      'ExternalMessageResponseWithContent 200',
      'ProblemJson 400',
      'ProblemJson 401',
      'ProblemJson 404',
      'ProblemJson 429',
      'ProblemJson 503',
    ]) {
      expect(seen).toContain(expected)
    }
  })

  it('the simulator agrees with the spec at the edges of NewMessage', async () => {
    const probe = createAppIoSimulator(createSimulatorContext(), { services: [{ apiKey: 'k' }] })
    const base = toNewMessage(anIoMessage(appioTestCitizens.onIo))
    const variants: Record<string, unknown>[] = [
      base,
      { ...base, content: { ...base.content, subject: 'x'.repeat(10) } },
      { ...base, content: { ...base.content, subject: 'x'.repeat(121) } },
      { ...base, content: { ...base.content, markdown: 'x'.repeat(79) } },
      { ...base, content: { ...base.content, markdown: 'x'.repeat(10_000) } },
      { ...base, content: { ...base.content, payment_data: { amount: 0, notice_number: '301000000000012345' } } },
      { ...base, content: { ...base.content, payment_data: { amount: 9_999_999_999, notice_number: '301000000000012345' } } },
      { ...base, content: { ...base.content, payment_data: { amount: 1, notice_number: '401000000000012345' } } },
      { ...base, content: { ...base.content, payment_data: { amount: 1, notice_number: '301000000000012345', payee: { fiscal_code: '123' } } } },
      { ...base, content: { ...base.content, due_date: '2026-06-30T22:00:00+02:00' } },
      { ...base, fiscal_code: 'IOUSER00A00Y00IX' },
      { ...base, time_to_live: 60 },
    ]
    for (const body of variants) {
      const answer = await probe.app.request('/api/v1/messages', { method: 'POST', headers: { 'ocp-apim-subscription-key': 'k' }, body: JSON.stringify(body) })
      const specErrors = spec().errors('NewMessage', body)
      expect({ body, refused: answer.status === 400 }).toEqual({ body, refused: specErrors.length > 0 })
    }
  })
})
