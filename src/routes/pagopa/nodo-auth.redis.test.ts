// Only the pagoPA Node may call the station endpoint (issue 14): a forged paSendRT — the right ids,
// notice, IUV and amount, all public, and idPSP ATTACKER — from anyone else is refused before its body
// is read, with a SOAP Fault and HTTP 403, a warning, and the payment as it was. Over real sockets on
// loopback, since the source address and the URL are the wire's. (mTLS: station-listener.redis.test.ts.)
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { aReceipt, readAnswer, sendRTCall } from '../../../test/support/nodo-calls.ts'
import { createNodoStation, nodoSecret, stationA } from '../../../test/support/nodo-station.ts'
import { startSimulator } from '../../adapters/simulator/harness.ts'
import type { StoredPayment } from '../../payments/payment.ts'

type Station = Awaited<ReturnType<typeof createNodoStation>>

async function served(nodoEndpoint: Record<string, unknown>) {
  const s = await createNodoStation('pagoPA nodo station, who may call it', { nodoEndpoint })
  const running = await startSimulator(s.t.app)
  return { s, url: running.url, close: async () => (await running.close(), await s.close()) }
}

const forgedFor = (p: StoredPayment, receiptId: string) =>
  sendRTCall(
    1,
    stationA,
    aReceipt({
      receiptId,
      noticeNumber: p.data.noticeNumber,
      fiscalCode: stationA.idPA,
      creditorReferenceId: p.data.iuv,
      paymentAmount: '10.50',
      idPSP: 'ATTACKER',
      PSPCompanyName: 'Not a PSP',
    }),
  )

async function post(url: string, envelope: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"paSendRT"', ...headers }, body: envelope })
  const text = await res.text()
  return { status: res.status, contentType: res.headers.get('content-type'), answer: await readAnswer(text) }
}

/** Refused as a caller: SOAP 1.1 Fault, HTTP 403, never problem+json; logged with its reason; the payment untouched. */
async function expectRefused(s: Station, p: StoredPayment, answer: Awaited<ReturnType<typeof post>>, reason: string) {
  expect(answer).toMatchObject({
    status: 403,
    contentType: 'text/xml; charset=utf-8',
    answer: { element: 'Fault', soapFault: { faultcode: 'soapenv:Client', faultstring: 'The caller is not authenticated as the pagoPA Node' } },
  })
  expect(s.logs).toContainEqual(expect.objectContaining({ level: 40, reason, msg: 'nodo call refused: the caller is not authenticated as the pagoPA Node' }))
  expect(await s.stored(p)).toEqual(p)
}

const expectTaken = async (s: Station, p: StoredPayment, answer: Awaited<ReturnType<typeof post>>) => {
  expect([answer.status, answer.answer.outcome]).toEqual([200, 'OK'])
  expect((await s.stored(p)).status).toBe('paid')
}

describe('secret in the station URL', () => {
  let x: Awaited<ReturnType<typeof served>>
  beforeAll(async () => {
    x = await served({ secret: 'env:SNODO_TEST_NODO_SECRET' })
  })
  afterAll(() => x.close())

  it('refuses an anonymous receipt at /pagopa/nodo', async () => {
    const p = await x.s.aPayment()
    await expectRefused(x.s, p, await post(`${x.url}/pagopa/nodo`, forgedFor(p, 'rt-anon')), 'no_secret')
  })

  it('refuses a wrong secret, even one that differs in its last character', async () => {
    const p = await x.s.aPayment()
    await expectRefused(x.s, p, await post(`${x.url}/pagopa/nodo/${nodoSecret.slice(0, -1)}x`, forgedFor(p, 'rt-wrong')), 'wrong_secret')
  })

  it('takes the receipt at /pagopa/nodo/<secret>, and the access log never shows the secret', async () => {
    const info = vi.spyOn(x.s.t.deps.logger, 'info')
    const p = await x.s.aPayment()
    await expectTaken(x.s, p, await post(`${x.url}/pagopa/nodo/${nodoSecret}`, forgedFor(p, 'rt-right')))
    expect(info).toHaveBeenCalledWith(expect.objectContaining({ route: '/pagopa/nodo/:secret', path: '/pagopa/nodo/…', status: 200 }), 'request')
    expect(JSON.stringify(info.mock.calls)).not.toContain(nodoSecret)
    info.mockRestore()
  })
})

describe('allow-list of source addresses, no trusted proxy', () => {
  let x: Awaited<ReturnType<typeof served>>
  let loopback: Awaited<ReturnType<typeof served>>
  beforeAll(async () => {
    x = await served({ allowFrom: ['192.0.2.0/24'] })
    loopback = await served({ allowFrom: ['127.0.0.0/8', '::1'] })
  })
  afterAll(async () => {
    await x.close()
    await loopback.close()
  })

  it('refuses a caller from another address', async () => {
    const p = await x.s.aPayment()
    await expectRefused(x.s, p, await post(`${x.url}/pagopa/nodo`, forgedFor(p, 'rt-outsider')), 'source_address')
  })

  it('ignores the X-Forwarded-For of a peer that is not a trusted proxy (spoofing)', async () => {
    const p = await x.s.aPayment()
    await expectRefused(x.s, p, await post(`${x.url}/pagopa/nodo`, forgedFor(p, 'rt-spoof'), { 'x-forwarded-for': '192.0.2.7' }), 'source_address')
  })

  it('takes the receipt from an allowed address (the loopback peer, IPv4-mapped or not)', async () => {
    const p = await loopback.s.aPayment()
    await expectTaken(loopback.s, p, await post(`${loopback.url}/pagopa/nodo`, forgedFor(p, 'rt-allowed')))
  })

  it('with no secret configured, there is no /pagopa/nodo/<anything>', async () => {
    const p = await loopback.s.aPayment()
    expect((await fetch(`${loopback.url}/pagopa/nodo/guess`, { method: 'POST', body: forgedFor(p, 'rt-guess') })).status).toBe(404)
  })
})

describe('allow-list behind a trusted proxy', () => {
  let x: Awaited<ReturnType<typeof served>>
  beforeAll(async () => {
    x = await served({ allowFrom: ['192.0.2.0/24'], trustedProxies: ['127.0.0.1/32', '::1/128', '10.0.0.0/8'] })
  })
  afterAll(() => x.close())

  it.each([
    ['no X-Forwarded-For: the proxy itself is the caller', undefined],
    ['the proxy saw an outsider', '198.51.100.7'],
    ['an outsider put an allowed address in front: the rightmost untrusted one counts', '192.0.2.7, 198.51.100.7'],
    ['an entry that is not an address', 'nodo.pagopa.it'],
  ])('refuses when %s', async (_case, forwarded) => {
    const p = await x.s.aPayment()
    await expectRefused(
      x.s,
      p,
      await post(`${x.url}/pagopa/nodo`, forgedFor(p, `rt-proxy-${forwarded ?? 'none'}`), forwarded ? { 'x-forwarded-for': forwarded } : {}),
      'source_address',
    )
  })

  it.each([
    ['the proxy saw the Node', '192.0.2.7'],
    ['through two trusted proxies, whatever the caller claimed before them', '198.51.100.7, 192.0.2.7, 10.1.2.3'],
  ])('takes the receipt when %s', async (_case, forwarded) => {
    const p = await x.s.aPayment()
    await expectTaken(x.s, p, await post(`${x.url}/pagopa/nodo`, forgedFor(p, `rt-via-${forwarded.length}`), { 'x-forwarded-for': forwarded }))
  })
})
