// The App IO simulator on its own (no network): deterministic ids, status progression on the
// injected clock, the outage switch, both forms of each operation, and its logs.
import { describe, expect, it } from 'vitest'
import { createSimulatorContext, sequentialIds } from '../../simulator/harness.ts'
import { createAppIoSimulator, ulidLike } from './app.ts'
import { appioMagicSubjects, appioTestCitizens } from './citizens.ts'

const markdown = 'Gentile cittadino, la sua pratica è stata protocollata. Troverà gli aggiornamenti nella sua area personale.'

function aSimulator(options: { processingDelayMs?: number } = {}) {
  let now = new Date('2026-03-01T10:00:00.000Z')
  const context = createSimulatorContext({ clock: () => now, nextId: sequentialIds('io-') })
  const sim = createAppIoSimulator(context, { services: [{ apiKey: 'key-a', serviceId: 'SERVICEA' }], ...options })
  const call = async (method: string, path: string, body?: unknown, key = 'key-a') => {
    const res = await sim.app.request(path, {
      method,
      headers: { 'ocp-apim-subscription-key': key },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, headers: res.headers, body: await res.json() }
  }
  return { sim, context, call, advance: (ms: number) => void (now = new Date(now.getTime() + ms)) }
}

const aMessage = (fiscalCode: string, subject = 'Pratica protocollata') => ({ fiscal_code: fiscalCode, content: { subject, markdown } })

describe('App IO simulator', () => {
  it('gives ULID-shaped ids, the same on every run with the same clock and ids', async () => {
    const first = await aSimulator().call('POST', '/api/v1/messages', aMessage(appioTestCitizens.onIo))
    const second = await aSimulator().call('POST', '/api/v1/messages', aMessage(appioTestCitizens.onIo))
    expect(first).toMatchObject({ status: 201, body: { id: '01KJMDEB800000000000000001' } })
    expect(second.body).toEqual(first.body)
    expect(first.headers.get('location')).toBe(`http://localhost/api/v1/messages/${appioTestCitizens.onIo}/01KJMDEB800000000000000001`)
    expect(ulidLike(new Date(0), 'ILOU-0123456789abcdefghij')).toBe('00000000003456789ABCDEFGHJ')
  })

  it('keeps a message ACCEPTED for the processing delay, then PROCESSED or REJECTED', async () => {
    const { call, advance } = aSimulator({ processingDelayMs: 500 })
    const sent = (await call('POST', '/api/v1/messages', aMessage(appioTestCitizens.onIo))).body.id
    const refused = (
      await call('POST', `/api/v1/messages/${appioTestCitizens.onIo}`, { content: { subject: `Avviso ${appioMagicSubjects.rejected}`, markdown } })
    ).body.id
    const status = async (id: string) => (await call('GET', `/api/v1/messages/${appioTestCitizens.onIo}/${id}`)).body.status
    expect([await status(sent), await status(refused)]).toEqual(['ACCEPTED', 'ACCEPTED'])
    advance(499)
    expect(await status(sent)).toBe('ACCEPTED')
    advance(1)
    expect([await status(sent), await status(refused)]).toEqual(['PROCESSED', 'REJECTED'])
  })

  it('ends REJECTED what is sent anyway to a citizen not on IO or who blocked the service (FACTS §4)', async () => {
    const { call } = aSimulator()
    for (const fiscalCode of [appioTestCitizens.notOnIo, appioTestCitizens.senderNotAllowed]) {
      const id = (await call('POST', '/api/v1/messages', aMessage(fiscalCode))).body.id
      expect((await call('GET', `/api/v1/messages/${fiscalCode}/${id}`)).body.status).toBe('REJECTED')
    }
  })

  it('answers the profile the same by POST and by GET, and any other well-formed fiscal code is on IO', async () => {
    const { call } = aSimulator()
    for (const [fiscalCode, status, body] of [
      [appioTestCitizens.onIo, 200, { sender_allowed: true, preferred_languages: ['it_IT'] }],
      ['ZZZZZZ99T31Y999Z', 200, { sender_allowed: true, preferred_languages: ['it_IT'] }],
      [appioTestCitizens.senderNotAllowed, 200, { sender_allowed: false, preferred_languages: ['it_IT'] }],
      [
        appioTestCitizens.notOnIo,
        404,
        { type: 'about:blank', title: 'Profile not found', status: 404, detail: 'The profile you requested was not found in the system' },
      ],
    ] as const) {
      expect(await call('POST', '/api/v1/profiles', { fiscal_code: fiscalCode })).toMatchObject({ status, body })
      expect(await call('GET', `/api/v1/profiles/${fiscalCode}`)).toMatchObject({ status, body })
    }
    expect(await call('GET', '/api/v1/profiles/not-a-code')).toMatchObject({ status: 400, body: { title: 'Invalid FiscalCode' } })
  })

  it('stores the payee IO fills in, and answers the message as getMessage does', async () => {
    const { call } = aSimulator()
    const content = { subject: 'Avviso di pagamento', markdown, payment_data: { amount: 100, notice_number: '301000000000012345' } }
    const id = (await call('POST', '/api/v1/messages', { fiscal_code: appioTestCitizens.onIo, content })).body.id
    expect((await call('GET', `/api/v1/messages/${appioTestCitizens.onIo}/${id}`)).body).toEqual({
      message: {
        id,
        fiscal_code: appioTestCitizens.onIo,
        created_at: '2026-03-01T10:00:00.000Z',
        sender_service_id: 'SERVICEA',
        content: { ...content, payment_data: { ...content.payment_data, payee: { fiscal_code: '00000000000' } } },
        time_to_live: 3600,
        feature_level_type: 'STANDARD',
      },
      status: 'PROCESSED',
      notification: { email: 'SENT' },
    })
    expect((await call('GET', `/api/v1/messages/${appioTestCitizens.onIoToo}/${id}`)).status).toBe(404)
  })

  it('answers 503 to everything during an outage, logs every request and answer, accepts nothing', async () => {
    const { sim, context, call, advance } = aSimulator()
    const outage = sim.outage(1000)
    expect((await call('POST', '/api/v1/messages', aMessage(appioTestCitizens.onIo))).status).toBe(503)
    expect((await call('POST', '/api/v1/profiles', { fiscal_code: appioTestCitizens.onIo }, 'wrong')).status).toBe(503)
    advance(1000)
    expect((await call('POST', '/api/v1/profiles', { fiscal_code: appioTestCitizens.onIo })).status).toBe(200)
    sim.outage(60_000)
    outage.end()
    expect((await call('POST', '/api/v1/messages', aMessage(appioTestCitizens.onIo))).status).toBe(201)
    expect(sim.accepted).toHaveLength(1)
    expect(context.received).toHaveLength(4)
    expect(sim.answers.map((a) => [a.request, a.status])).toEqual(context.received.map((r, i) => [r, [503, 503, 200, 201][i]]))
  })

  it('refuses a missing or unknown key (401), a body that is not JSON, and a POST /messages without fiscal code (400)', async () => {
    const { call, sim } = aSimulator()
    expect(await call('POST', '/api/v1/profiles', { fiscal_code: appioTestCitizens.onIo }, '')).toMatchObject({
      status: 401,
      body: { status: 401, title: 'Unauthorized' },
    })
    const notJson = await sim.app.request('/api/v1/messages', { method: 'POST', headers: { 'ocp-apim-subscription-key': 'key-a' }, body: '{' })
    expect(notJson.status).toBe(400)
    expect(await call('POST', '/api/v1/messages', { content: { subject: 'Pratica protocollata', markdown } })).toMatchObject({
      status: 400,
      body: { title: 'Invalid NewMessage' },
    })
    expect(await call('GET', '/api/v1/nothing-here')).toMatchObject({ status: 404, body: { statusCode: 404 } })
    expect(sim.accepted).toEqual([])
  })
})
