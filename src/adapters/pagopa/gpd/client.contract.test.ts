// The GPD client against the GPD simulator over loopback: the port conformance suite, then every
// request the client sent and every answer the simulator gave checked against GPD's real
// gpd-openapi.json (read from ../shared/contracts, never copied).
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contractsAvailable, loadSpec } from '../../../../test/support/upstream-spec.ts'
import { createSimulatorContext, type RunningSimulator, type SimulatorContext, startSimulator } from '../../simulator/harness.ts'
import { gpdRejectionCodes } from '../errors.ts'
import { createGpdSimulator, type GpdSimulator } from '../simulator/gpd-app.ts'
import { gpdMagicDebtors, gpdMagicIupdTokens } from '../simulator/magic.ts'
import { createGpdClient, type GpdClient } from './client.ts'
import { toPaymentPositionModel } from './mapping.ts'
import { aDebtPosition, describeGpdPort, inInstallments } from './port.suite.ts'

const ofc = '01234567890'
const credentials = { organizationFiscalCode: ofc, subscriptionKey: 'sim-gpd-key' }
let offsetMs = 0
let context: SimulatorContext
let sim: GpdSimulator
let running: RunningSimulator
let client: GpdClient
const paid = { receiptId: 'c110729d258c4ab1b765fe902d0a11a2', pspCompanyName: 'PSP simulato Snodo', paymentMethod: 'creditCard', feeCents: 100 }

beforeAll(async () => {
  context = createSimulatorContext({ idPrefix: 'gpd-', clock: () => new Date(Date.now() + offsetMs) })
  sim = createGpdSimulator(context, {
    keys: [
      { key: credentials.subscriptionKey, organizations: [ofc] },
      { key: 'other-key', organizations: ['99999999999'] },
    ],
    slowMs: 3_000,
  })
  running = await startSimulator(sim.app)
  client = createGpdClient({ baseUrl: `${running.url}/`, timeoutMs: 300 })
})
afterAll(async () => {
  await client.close()
  await running.close()
})

describeGpdPort('client over loopback against the GPD simulator', async () => ({
  port: client,
  credentials,
  wrongKey: { ...credentials, subscriptionKey: 'not-a-key-gpd-knows' },
  troubleDebtors: gpdMagicDebtors,
  troubleIupds: gpdMagicIupdTokens,
  outage: () => sim.outage(60_000),
  pay: async (c, position) => sim.markPaid(c.organizationFiscalCode, position.option.noticeNumber, { ...paid, at: context.clock() }),
}))

const post = (path: string, body?: unknown) =>
  fetch(`${running.url}${path}`, {
    method: 'POST',
    headers: { 'ocp-apim-subscription-key': credentials.subscriptionKey, 'content-type': 'application/json', 'x-test': 'direct' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

describe('the GPD client, beyond the port suite', () => {
  it('publishes a position it finds in DRAFT after a 409, and GPD keeps one position', async () => {
    const position = aDebtPosition(ofc)
    expect((await post(`/organizations/${ofc}/debtpositions`, toPaymentPositionModel(position))).status).toBe(201)
    expect(await client.status(credentials, position.iupd)).toBe('DRAFT')
    expect(await client.createAndPublish(credentials, position)).toEqual({ status: 'VALID', alreadyThere: true })
    expect(context.received.filter((r) => r.path === `/organizations/${ofc}/debtpositions/${position.iupd}/publish`)).toHaveLength(1)
    expect([...sim.positions.values()].filter((p) => p.iupd === position.iupd)).toHaveLength(1)
  })

  it('refuses an IUPD reused for another notice, and takes invalidating a DRAFT as done (nothing payable)', async () => {
    const position = aDebtPosition(ofc)
    await client.createAndPublish(credentials, position)
    const reused = { ...aDebtPosition(ofc), iupd: position.iupd }
    await expect(client.createAndPublish(credentials, reused)).rejects.toMatchObject({
      kind: 'rejected',
      upstreamStatus: 409,
      upstreamCode: gpdRejectionCodes.iupdInUse,
    })
    const draft = aDebtPosition(ofc)
    await post(`/organizations/${ofc}/debtpositions`, toPaymentPositionModel(draft))
    await client.invalidate(credentials, draft.iupd)
    expect(await client.status(credentials, draft.iupd)).toBe('DRAFT')
  })

  it('sees a position expire after its due date (switchToExpired), and takes invalidating it as done', async () => {
    const position = aDebtPosition(ofc, { switchToExpired: true })
    await client.createAndPublish(credentials, position)
    offsetMs = 61 * 86_400_000
    try {
      expect(await client.status(credentials, position.iupd)).toBe('EXPIRED')
      await client.invalidate(credentials, position.iupd)
    } finally {
      offsetMs = 0
    }
  })

  it("sends the subscription key and a fresh X-Request-Id on every call, and quotes GPD's in errors", async () => {
    const wrongSum = aDebtPosition(ofc)
    wrongSum.option.amountCents = 1
    await expect(client.createAndPublish(credentials, wrongSum)).rejects.toThrow(
      /^GPD createPosition answered 400 \(X-Request-Id [0-9a-f-]{36}\): Error in the debt position request data: /,
    )
    const position = aDebtPosition(ofc)
    await client.createAndPublish(credentials, position)
    await client.status(credentials, position.iupd)
    // Every call in the log: these three at least, so the check stands alone.
    const gpdCalls = context.received.filter((r) => r.path.startsWith('/organizations/') && r.headers['x-test'] !== 'direct')
    const ids = gpdCalls.map((r) => r.headers['x-request-id'])
    expect(gpdCalls.length).toBeGreaterThanOrEqual(3)
    expect(gpdCalls.every((r) => r.headers['ocp-apim-subscription-key'])).toBe(true)
    expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id ?? ''))).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('classifies a key for another organization (403) as unauthorized', async () => {
    await expect(client.status({ ...credentials, subscriptionKey: 'other-key' }, 'x')).rejects.toMatchObject({ kind: 'unauthorized', upstreamStatus: 403 })
  })

  it('takes a bare 404 from a gateway (wrong baseUrl) for a protocol error, not for "no position"', async () => {
    const misconfigured = createGpdClient({ baseUrl: `${running.url}/gpd/v1`, timeoutMs: 300 })
    await expect(misconfigured.status(credentials, 'x')).rejects.toMatchObject({ kind: 'protocol', upstreamStatus: 404, retryable: false })
    await misconfigured.close()
  })

  it('asks for the status when a 201 leaves it out (readOnly in the spec), and calls an answer without one a protocol error', async () => {
    const bare = new Hono()
    bare.post('/organizations/:ofc/debtpositions', (c) => c.json({}, 201))
    bare.get('/organizations/:ofc/debtpositions/:iupd', (c) => (c.req.param('iupd') === 'odd' ? c.json({ iupd: 'odd' }) : c.json({ status: 'VALID' })))
    const server = await startSimulator(bare)
    const odd = createGpdClient({ baseUrl: server.url, timeoutMs: 300 })
    try {
      expect(await odd.createAndPublish(credentials, aDebtPosition(ofc))).toEqual({ status: 'VALID', alreadyThere: false })
      await expect(odd.status(credentials, 'odd')).rejects.toMatchObject({
        kind: 'protocol',
        upstreamStatus: 200,
        message: expect.stringMatching(/no debt position status$/),
      })
    } finally {
      await odd.close()
      await server.close()
    }
  })

  it('classifies a platform nobody listens on as unavailable', async () => {
    const nowhere = createGpdClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 300 })
    await expect(nowhere.createAndPublish(credentials, aDebtPosition(ofc))).rejects.toMatchObject({ kind: 'unavailable', retryable: true })
    await nowhere.close()
  })
})

describe.runIf(contractsAvailable('GPD conformance'))('conformance with gpd-openapi.json', () => {
  let loaded: ReturnType<typeof loadSpec> | undefined
  const spec = () => (loaded ??= loadSpec('pagopa/gpd-openapi.json'))
  const operations: [RegExp, string, string][] = [
    [/^\/organizations\/[^/]+\/debtpositions$/, 'POST', 'createPosition'],
    [/^\/organizations\/[^/]+\/debtpositions\/[^/]+$/, 'GET', 'getPosition'],
    [/^\/organizations\/[^/]+\/debtpositions\/[^/]+\/publish$/, 'POST', 'publishPosition'],
    [/^\/organizations\/[^/]+\/debtpositions\/[^/]+\/invalidate$/, 'POST', 'invalidatePosition'],
  ]
  const operationOf = (method: string, path: string) => operations.find(([re, m]) => m === method && re.test(path))?.[2]

  // The sweeps below check every request and answer in the simulator's log; this traffic of their own
  // (each operation, each status and schema they expect) lets them stand alone.
  beforeAll(async () => {
    const refused = () => undefined
    const position = aDebtPosition(ofc)
    await client.createAndPublish(credentials, position)
    await client.createAndPublish(credentials, position)
    await client.invalidate(credentials, position.iupd)
    const draft = aDebtPosition(ofc)
    await post(`/organizations/${ofc}/debtpositions`, toPaymentPositionModel(draft))
    await client.createAndPublish(credentials, draft) // found in DRAFT after the 409: publishPosition
    await client.status(credentials, aDebtPosition(ofc).iupd).catch(refused)
    await client.createAndPublish(credentials, aDebtPosition(ofc, { companyName: 'C'.repeat(141) })).catch(refused)
    for (const fiscalCode of [gpdMagicDebtors.unprocessable, gpdMagicDebtors.unavailable, gpdMagicDebtors.rateLimited]) {
      await client.createAndPublish(credentials, aDebtPosition(ofc, { debtor: { type: 'F', fiscalCode, fullName: 'Maria Rossi' } })).catch(refused)
    }
    await client.status({ ...credentials, subscriptionKey: 'not-a-key-gpd-knows' }, position.iupd).catch(refused)
    await client.status({ ...credentials, subscriptionKey: 'other-key' }, position.iupd).catch(refused)
    const misconfigured = createGpdClient({ baseUrl: `${running.url}/gpd/v1`, timeoutMs: 300 })
    await misconfigured.status(credentials, position.iupd).catch(refused)
    await misconfigured.close()
  })

  it('every request the client sent is a GPD v1 operation with a valid PaymentPositionModel, or GPD refused it', () => {
    const seen = new Set<string>()
    for (const { request, status, body } of sim.answers) {
      const operation = operationOf(request.method, request.path)
      if (!operation) continue
      seen.add(operation)
      expect(request.headers['ocp-apim-subscription-key']).toBeTruthy()
      if (operation !== 'createPosition') continue
      expect(request.headers['content-type']).toBe('application/json')
      const errors = spec().errors('PaymentPositionModel', JSON.parse(request.body))
      // The simulator refuses with "BAD REQUEST" exactly what the spec refuses; its other 400s are GPD's congruence rules.
      const refused = status === 400 && JSON.parse(body).title === 'BAD REQUEST'
      expect({ iupd: JSON.parse(request.body).iupd, refused }).toEqual({ iupd: JSON.parse(request.body).iupd, refused: errors.length > 0 })
    }
    expect([...seen].sort()).toEqual(['createPosition', 'getPosition', 'invalidatePosition', 'publishPosition'])
  })

  it('every answer the simulator gave has the schema the spec gives that operation and status', () => {
    const seen = new Set<string>()
    for (const answer of sim.answers) {
      const operation = operationOf(answer.request.method, answer.request.path)
      const body = JSON.parse(answer.body)
      let schema: string
      if ([401, 403, 429].includes(answer.status) || !operation) {
        // APIM answers these before GPD: the spec's 403 example {statusCode, message}; 401 and 429 have no schema.
        expect(Object.keys(body).sort()).toEqual(['message', 'statusCode'])
        seen.add(`APIM ${answer.status}`)
        continue
      }
      if (answer.status === 201 || (answer.status === 200 && operation !== 'getPosition')) schema = 'PaymentPositionModel'
      else if (answer.status === 200) schema = 'PaymentPositionModelBaseResponse'
      else schema = 'ProblemJson'
      if (schema === 'ProblemJson') expect(Object.keys(body).sort()).toEqual(['detail', 'status', 'title'])
      if (answer.request.headers['x-request-id']) expect(answer.headers['x-request-id']).toBe(answer.request.headers['x-request-id'])
      const label = `${operation} ${answer.status}`
      expect({ label, errors: spec().errors(schema, body) }).toEqual({ label, errors: [] })
      seen.add(`${schema} ${answer.status}`)
    }
    for (const expected of [
      'PaymentPositionModel 201',
      'PaymentPositionModel 200',
      'PaymentPositionModelBaseResponse 200',
      'ProblemJson 400',
      'ProblemJson 404',
      'ProblemJson 409',
      'ProblemJson 422',
      'ProblemJson 503',
      'APIM 401',
      'APIM 403',
      'APIM 404',
      'APIM 429',
    ]) {
      expect(seen).toContain(expected)
    }
  })

  it('a position payable in installments is a valid PaymentPositionModel: the option in full and one per installment', () => {
    const body = toPaymentPositionModel(inInstallments(aDebtPosition(ofc), [4_000, 4_000, 4_345]))
    expect(body.paymentOption.map((o) => o.isPartialPayment)).toEqual([false, true, true, true])
    expect(spec().errors('PaymentPositionModel', body)).toEqual([])
  })

  it('the simulator agrees with the spec at the edges of PaymentPositionModel', async () => {
    const probe = createGpdSimulator(createSimulatorContext(), { keys: [{ key: 'k', organizations: '*' }] })
    const base = toPaymentPositionModel(aDebtPosition(ofc)) as unknown as Record<string, unknown>
    const option = (base.paymentOption as Record<string, unknown>[])[0] as Record<string, unknown>
    const transfer = (option.transfer as Record<string, unknown>[])[0] as Record<string, unknown>
    const withOption = (o: Record<string, unknown>) => ({ ...base, paymentOption: [{ ...option, ...o }] })
    const withTransfer = (t: Record<string, unknown>) => withOption({ transfer: [{ ...transfer, ...t }] })
    const variants: Record<string, unknown>[] = [
      base,
      { ...base, type: 'X' },
      { ...base, companyName: 'C'.repeat(140) },
      { ...base, companyName: 'C'.repeat(141) },
      { ...base, switchToExpired: undefined },
      { ...base, country: 'it' },
      { ...base, fullName: undefined },
      withOption({ amount: 0 }),
      withOption({ description: 'D'.repeat(141) }),
      withOption({ dueDate: '2030-01-01T10:00:00' }),
      withOption({ isPartialPayment: undefined }),
      withOption({ paymentOptionMetadata: Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }),
      withTransfer({ idTransfer: '6' }),
      withTransfer({ iban: 'IT60 X054' }),
      withTransfer({ iban: 'I'.repeat(36) }),
      withTransfer({ remittanceInformation: 'R'.repeat(141) }),
      withTransfer({ category: undefined }),
    ]
    for (const body of variants) {
      const answer = await probe.app.request(`/organizations/${ofc}/debtpositions`, {
        method: 'POST',
        headers: { 'ocp-apim-subscription-key': 'k' },
        body: JSON.stringify(body),
      })
      const refused = answer.status === 400 && (await answer.json()).title === 'BAD REQUEST'
      expect({ body, refused }).toEqual({ body, refused: spec().errors('PaymentPositionModel', body).length > 0 })
    }
  })
})
