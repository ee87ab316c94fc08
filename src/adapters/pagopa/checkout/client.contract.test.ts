// The Checkout client against the Checkout simulator over loopback: the port conformance suite; the
// simulated checkout page (pay → the simulated Node sends paSendRT to a station → back to returnOkUrl;
// cancel; a notice that cannot be paid); then every cart request and answer checked against the real
// checkout-openapi.json, and every receipt envelope against paForNode.xsd (both read in place).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contractsAvailable, loadSpec } from '../../../../test/support/upstream-spec.ts'
import { soapBodyErrors, xsdPaths } from '../../../../test/support/xsd.ts'
import { createSimulatorContext, type RunningSimulator, startSimulator } from '../../simulator/harness.ts'
import { createGpdClient, type GpdClient } from '../gpd/client.ts'
import { aDebtPosition } from '../gpd/port.suite.ts'
import type { CartNotice, DebtPosition } from '../port.ts'
import { type CheckoutSimulator, createCheckoutSimulator } from '../simulator/checkout-app.ts'
import { createGpdSimulator, type GpdSimulator } from '../simulator/gpd-app.ts'
import { checkoutMagicTokens, nodoMagicTokens } from '../simulator/magic.ts'
import { createNodoSimulator, type NodoSimulator } from '../simulator/nodo/sender.ts'
import { createTestStation } from '../simulator/nodo/test-station.ts'
import { type CheckoutClient, createCheckoutClient } from './client.ts'
import { toCartRequest } from './mapping.ts'
import { describeCheckoutPort, someReturnUrls } from './port.suite.ts'

const ofc = '01234567890'
const credentials = { organizationFiscalCode: ofc, subscriptionKey: 'sim-key' }
const station = createTestStation()
let gpd: GpdSimulator
let nodo: NodoSimulator
let checkout: CheckoutSimulator
let running: { gpd: RunningSimulator; checkout: RunningSimulator; station: RunningSimulator }
let gpdClient: GpdClient
let client: CheckoutClient

beforeAll(async () => {
  gpd = createGpdSimulator(createSimulatorContext({ idPrefix: 'gpd-' }), { keys: [{ key: credentials.subscriptionKey, organizations: '*' }] })
  const stationRunning = await startSimulator(station.app)
  nodo = createNodoSimulator(createSimulatorContext({ idPrefix: 'nodo-' }), {
    positions: gpd,
    stations: [{ idPA: ofc, idBrokerPA: '01234567890', idStation: '01234567890_01', url: stationRunning.url }],
  })
  checkout = createCheckoutSimulator(createSimulatorContext({ idPrefix: 'cart-' }), { nodo, subscriptionKeys: [credentials.subscriptionKey], slowMs: 3_000 })
  running = { gpd: await startSimulator(gpd.app), checkout: await startSimulator(checkout.app), station: stationRunning }
  gpdClient = createGpdClient({ baseUrl: running.gpd.url })
  client = createCheckoutClient({ baseUrl: running.checkout.url, timeoutMs: 300 })
})
afterAll(async () => {
  await Promise.all([client.close(), gpdClient.close(), nodo.close()])
  await Promise.all(Object.values(running).map((r) => r.close()))
})

/** A VALID position on GPD, and the cart notice for it. */
async function aPublishedNotice(overrides: Partial<DebtPosition> = {}, description?: string): Promise<CartNotice & { iupd: string }> {
  const position = aDebtPosition(ofc, overrides)
  if (description) position.option.description = description
  await gpdClient.createAndPublish(credentials, position)
  const { option } = position
  return {
    iupd: position.iupd,
    noticeNumber: option.noticeNumber,
    organizationFiscalCode: ofc,
    amountCents: option.amountCents,
    companyName: position.companyName,
    description: option.description,
  }
}

describeCheckoutPort('client over loopback against the Checkout simulator', async () => ({
  port: client,
  credentials,
  wrongKey: { ...credentials, subscriptionKey: 'not-a-key-checkout-knows' },
  notices: async () => [await aPublishedNotice(), await aPublishedNotice()],
  troubleDescriptions: checkoutMagicTokens,
  outage: () => checkout.outage(60_000),
}))

const browser = (url: string, method: 'GET' | 'POST' = 'GET') => fetch(url, { method, redirect: 'manual' })

describe('the simulated checkout page', () => {
  it('lists the notices, pays them: GPD has them PAID, the station got each receipt, the browser goes back to returnOkUrl', async () => {
    const notices = [await aPublishedNotice({}, 'TARI 2026 <b>acconto</b> & saldo'), await aPublishedNotice()]
    const before = station.requests.length
    const { redirectUrl } = await client.createCart(credentials, { notices, returnUrls: someReturnUrls, idCart: 'snodo-cart-42' })
    const page = await (await browser(redirectUrl)).text()
    expect(page).toContain('Riepilogo del pagamento')
    expect(page).toContain(notices[0]?.noticeNumber)
    expect(page).toContain('TARI 2026 &lt;b&gt;acconto&lt;/b&gt; &amp; saldo')
    expect(page).toMatch(/Paga 246,90\s€/)
    const paid = await browser(`${redirectUrl}/pay`, 'POST')
    expect({ status: paid.status, location: paid.headers.get('location') }).toEqual({ status: 303, location: someReturnUrls.returnOkUrl })
    for (const n of notices) expect(await gpdClient.status(credentials, n.iupd)).toBe('PAID')
    const sent = station.requests.slice(before)
    expect(sent.map((r) => [r.soapAction, r.contentType])).toEqual([
      ['"paSendRTV2"', 'text/xml; charset=utf-8'],
      ['"paSendRTV2"', 'text/xml; charset=utf-8'],
    ])
    expect(sent[0]?.body).toContain(`<noticeNumber>${notices[0]?.noticeNumber}</noticeNumber>`)
    expect(sent[0]?.body).toContain('<paymentAmount>123.45</paymentAmount>')
    expect(sent[0]?.body).toContain('<paymentNote>snodo-cart-42</paymentNote>')
    expect(nodo.deliveries.slice(-2).map((d) => d.answer)).toEqual([
      { kind: 'response', outcome: 'OK' },
      { kind: 'response', outcome: 'OK' },
    ])
    // A second click does not pay twice.
    expect((await browser(`${redirectUrl}/pay`, 'POST')).headers.get('location')).toBe(someReturnUrls.returnOkUrl)
    expect(station.requests.length).toBe(before + 2)
  })

  it('sends the browser to returnCancelUrl on "Annulla", paying nothing', async () => {
    const notice = await aPublishedNotice()
    const { redirectUrl } = await client.createCart(credentials, { notices: [notice], returnUrls: someReturnUrls })
    const cancelled = await browser(`${redirectUrl}/cancel`, 'POST')
    expect({ status: cancelled.status, location: cancelled.headers.get('location') }).toEqual({ status: 303, location: someReturnUrls.returnCancelUrl })
    expect((await browser(`${redirectUrl}/pay`, 'POST')).headers.get('location')).toBe(someReturnUrls.returnCancelUrl)
    expect(await gpdClient.status(credentials, notice.iupd)).toBe('VALID')
  })

  it('will not pay a cart with a cancelled or unknown notice: says why, and sends the browser to returnErrorUrl', async () => {
    const cancelled = await aPublishedNotice()
    await gpdClient.invalidate(credentials, cancelled.iupd)
    const unknown = { ...cancelled, noticeNumber: '301999999999999999' }
    const { redirectUrl } = await client.createCart(credentials, { notices: [cancelled, unknown], returnUrls: someReturnUrls })
    const page = await (await browser(redirectUrl)).text()
    expect(page).toContain('Avviso annullato dall’ente')
    expect(page).toContain('Avviso non trovato')
    expect(page).not.toContain('id="pay"')
    const before = nodo.receipts.length
    expect((await browser(`${redirectUrl}/pay`, 'POST')).headers.get('location')).toBe(someReturnUrls.returnErrorUrl)
    expect(nodo.receipts.length).toBe(before)
    expect((await browser(`${running.checkout.url}/checkout/nothing-here`)).status).toBe(404)
  })

  it('sends the same receipt twice, or paSendRT V1, when the description asks for it', async () => {
    const twice = await aPublishedNotice({}, `Diritti di segreteria ${nodoMagicTokens.duplicate}`)
    const v1 = await aPublishedNotice({}, `Diritti di segreteria ${nodoMagicTokens.v1}`)
    const before = station.requests.length
    const { redirectUrl } = await client.createCart(credentials, { notices: [twice, v1], returnUrls: someReturnUrls })
    await browser(`${redirectUrl}/pay`, 'POST')
    const sent = station.requests.slice(before)
    expect(sent.map((r) => r.soapAction)).toEqual(['"paSendRTV2"', '"paSendRTV2"', '"paSendRT"'])
    const receiptId = (body: string | undefined) => /<receiptId>(\w+)<\/receiptId>/.exec(body ?? '')?.[1]
    expect(receiptId(sent[0]?.body)).toBe(receiptId(sent[1]?.body))
    expect(sent[2]?.body).toContain('<paf:paSendRTReq ')
  })
})

describe.runIf(contractsAvailable('Checkout conformance'))('conformance with checkout-openapi.json and paForNode.xsd', () => {
  let loaded: ReturnType<typeof loadSpec> | undefined
  const spec = () => (loaded ??= loadSpec('pagopa/checkout-openapi.json'))
  const cartAnswers = () => checkout.answers.filter((a) => a.request.method === 'POST' && a.request.path === '/carts')

  // The sweeps below check every cart and receipt in the logs; this traffic of their own (one cart per
  // status the spec gives POST /carts, five receipts of both versions) lets them stand alone.
  beforeAll(async () => {
    const refused = () => undefined
    const tour = [await aPublishedNotice(), await aPublishedNotice()]
    const paidCart = await client.createCart(credentials, { notices: tour, returnUrls: someReturnUrls })
    await browser(`${paidCart.redirectUrl}/pay`, 'POST')
    const odd = [await aPublishedNotice({}, `Diritti ${nodoMagicTokens.duplicate}`), await aPublishedNotice({}, `Diritti ${nodoMagicTokens.v1}`)]
    await browser(`${(await client.createCart(credentials, { notices: odd, returnUrls: someReturnUrls })).redirectUrl}/pay`, 'POST')
    const first = tour[0] as CartNotice
    const withToken = (token: string) => ({ notices: [{ ...first, description: `${first.description} ${token}` }], returnUrls: someReturnUrls })
    await client.createCart(credentials, { notices: [], returnUrls: someReturnUrls }).catch(refused)
    await client.createCart({ ...credentials, subscriptionKey: 'not-a-key-checkout-knows' }, { notices: [first], returnUrls: someReturnUrls }).catch(refused)
    await client.createCart(credentials, withToken(checkoutMagicTokens.rateLimited)).catch(refused)
    await client.createCart(credentials, withToken(checkoutMagicTokens.unavailable)).catch(refused)
  })

  it('every cart the client sent is a CartRequestV2, or Checkout refused it with 400', () => {
    expect(cartAnswers().length).toBeGreaterThan(5)
    for (const { request, status } of cartAnswers()) {
      expect(request.headers['content-type']).toBe('application/json')
      expect(request.headers['ocp-apim-subscription-key']).toBeTruthy()
      const errors = spec().errors('CartRequestV2', JSON.parse(request.body))
      expect({ body: request.body, refused: status === 400 }).toEqual({ body: request.body, refused: errors.length > 0 })
    }
  })

  it('every answer to POST /carts has the status and schema the spec gives it', () => {
    const seen = new Set<number>()
    for (const answer of cartAnswers()) {
      seen.add(answer.status)
      if (answer.status === 302) {
        expect(answer.body).toBe('')
        expect(answer.headers.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/checkout\/cart-\d{6}$/)
      } else if (answer.status === 401 || answer.status === 429) {
        expect(Object.keys(JSON.parse(answer.body)).sort()).toEqual(['message', 'statusCode'])
      } else {
        expect(spec().errors('ProblemJson', JSON.parse(answer.body))).toEqual([])
      }
    }
    expect([...seen].sort()).toEqual([302, 400, 401, 429, 503])
  })

  it('every receipt the simulated Node sent validates against paForNode.xsd', () => {
    expect(station.requests.length).toBeGreaterThanOrEqual(5)
    for (const request of station.requests) expect(soapBodyErrors(request.body, xsdPaths.paForNode)).toEqual([])
  })

  it('the simulator agrees with the spec at the edges of CartRequestV2', async () => {
    const probe = createCheckoutSimulator(createSimulatorContext(), { nodo, subscriptionKeys: ['k'] })
    const notice = { noticeNumber: '301000000000012345', organizationFiscalCode: ofc, amountCents: 100, companyName: 'Comune di Prova', description: 'TARI' }
    const base = toCartRequest({ notices: [notice], returnUrls: someReturnUrls }) as unknown as Record<string, unknown>
    const first = (base.paymentNotices as Record<string, unknown>[])[0] as Record<string, unknown>
    const withNotice = (n: Record<string, unknown>) => ({ ...base, paymentNotices: [{ ...first, ...n }] })
    for (const body of [
      base,
      { ...base, emailNotice: 'maria.rossi@example.it' },
      { ...base, emailNotice: 'not-an-email' },
      { ...base, paymentNotices: Array.from({ length: 5 }, () => first) },
      { ...base, returnUrls: { ...someReturnUrls, returnWaitingUrl: undefined } },
      { ...base, allCCP: true },
      { ...base, allCCP: 'false' },
      withNotice({ fiscalCode: '0123456789' }),
      withNotice({ amount: 0 }),
      withNotice({ amount: 1.5 }),
      withNotice({ companyName: 'C'.repeat(141) }),
      withNotice({ description: undefined }),
    ]) {
      const answer = await probe.app.request('/carts', { method: 'POST', headers: { 'ocp-apim-subscription-key': 'k' }, body: JSON.stringify(body) })
      expect({ body, refused: answer.status === 400 }).toEqual({ body, refused: spec().errors('CartRequestV2', body).length > 0 })
    }
  })
})
