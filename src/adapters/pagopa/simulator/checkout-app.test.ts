// The Checkout simulator and the pagoPA controls on their own (no network): deterministic carts and
// redirects, the page in Italian with every value escaped, the outage that spares the page, and the
// /__sim controls of GPD, Checkout and the Node.
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createSimulatorContext, sequentialIds } from '../../simulator/harness.ts'
import { createCheckoutSimulator } from './checkout-app.ts'
import { euroText } from './checkout-page.ts'
import { checkoutSimulatorControls, gpdSimulatorControls } from './controls.ts'
import { createGpdSimulator } from './gpd-app.ts'
import { createNodoSimulator } from './nodo/sender.ts'

const ofc = '01234567890'
const returnUrls = {
  returnOkUrl: 'https://portale.example.it/ok',
  returnCancelUrl: 'https://portale.example.it/annullato',
  returnErrorUrl: 'https://portale.example.it/errore',
  returnWaitingUrl: 'https://portale.example.it/attesa',
}

function aSandbox(options: { publicUrl?: string } = {}) {
  let now = new Date('2026-03-01T10:00:00.000Z')
  const clock = () => now
  const gpd = createGpdSimulator(createSimulatorContext({ clock }), { keys: [{ key: 'k', organizations: '*' }] })
  const nodo = createNodoSimulator(createSimulatorContext({ clock, nextId: sequentialIds('rt-') }), { positions: gpd, stations: [] })
  const checkout = createCheckoutSimulator(createSimulatorContext({ clock, nextId: sequentialIds('cart-') }), { nodo, subscriptionKeys: ['k'], ...options })
  const app = new Hono()
    .route('/gpd/__sim', gpdSimulatorControls(gpd))
    .route('/gpd', gpd.app)
    .route('/__sim', checkoutSimulatorControls(checkout, nodo))
    .route('/', checkout.app)
  const publish = async (iuv: string, description = 'Diritti di segreteria') => {
    const body = {
      iupd: `IUPD-${iuv}`,
      type: 'F',
      fiscalCode: 'GPDCTZ00A00Y001X',
      fullName: 'Maria Rossi',
      companyName: 'Comune di Prova',
      switchToExpired: false,
      paymentOption: [
        {
          iuv,
          amount: 5_000,
          description,
          isPartialPayment: false,
          dueDate: '2026-06-30T21:59:59Z',
          transfer: [{ idTransfer: '1', amount: 5_000, iban: 'IT60X0542811101000000123456', remittanceInformation: 'Diritti', category: '9/0101100IM/' }],
        },
      ],
    }
    expect(
      (
        await app.request(`/gpd/organizations/${ofc}/debtpositions?toPublish=true`, {
          method: 'POST',
          headers: { 'ocp-apim-subscription-key': 'k' },
          body: JSON.stringify(body),
        })
      ).status,
    ).toBe(201)
    return { noticeNumber: `3${iuv}`, fiscalCode: ofc, amount: 5_000, companyName: 'Comune di Prova', description }
  }
  const cart = (paymentNotices: unknown[], query = '') =>
    app.request(`/carts${query}`, {
      method: 'POST',
      headers: query ? {} : { 'ocp-apim-subscription-key': 'k' },
      body: JSON.stringify({ paymentNotices, returnUrls }),
    })
  return { app, gpd, nodo, checkout, publish, cart, at: (iso: string) => void (now = new Date(iso)) }
}

describe('Checkout simulator', () => {
  it('answers 302 to its own page, with ids that repeat run after run, at the public URL when given one', async () => {
    const first = aSandbox()
    const notice = await first.publish('01000000000000199')
    expect((await first.cart([notice])).headers.get('location')).toBe('http://localhost/checkout/cart-000001')
    const second = aSandbox({ publicUrl: 'https://sandbox.example.it/pagopa/' })
    expect((await second.cart([notice], '?subscription-key=k')).headers.get('location')).toBe('https://sandbox.example.it/pagopa/checkout/cart-000001')
    expect((await second.cart([notice], '?subscription-key=nope')).status).toBe(401)
  })

  it('renders the page in Italian with every value escaped, and forms relative to the page', async () => {
    const { publish, cart, app } = aSandbox()
    const notice = await publish('01000000000000299', 'Mensa <script>alert(1)</script> "scolastica"')
    await cart([notice])
    const page = await (await app.request('/checkout/cart-000001')).text()
    expect(page).toContain('<html lang="it">')
    expect(page).toContain('Mensa &lt;script&gt;alert(1)&lt;/script&gt; &quot;scolastica&quot;')
    expect(page).not.toContain('<script>')
    expect(page).toContain('action="cart-000001/pay"')
    expect(page).toContain('action="cart-000001/cancel"')
    expect([euroText(5_000), euroText(123_456_789)]).toEqual(['50,00 €', '1.234.567,89 €'])
  })

  it('keeps the page up during an API outage, and pays through it', async () => {
    const { publish, cart, checkout, app, gpd, at } = aSandbox()
    const notice = await publish('01000000000000399')
    await cart([notice])
    checkout.outage(60_000)
    expect((await cart([notice])).status).toBe(503)
    expect((await app.request('/checkout/cart-000001')).status).toBe(200)
    const paid = await app.request('/checkout/cart-000001/pay', { method: 'POST' })
    expect({ status: paid.status, location: paid.headers.get('location') }).toEqual({ status: 303, location: returnUrls.returnOkUrl })
    expect(gpd.findByNotice(ofc, notice.noticeNumber)?.status).toBe('PAID')
    expect(await (await app.request('/checkout/cart-000001')).text()).toContain('Questo carrello è già stato pagato.')
    at('2026-03-01T10:01:00.000Z')
    expect((await cart([notice])).status).toBe(302)
  })
})

describe('pagoPA simulator controls', () => {
  it('switch outages on and off, and refuse what is not a duration', async () => {
    const { app, publish, cart } = aSandbox()
    const outage = (prefix: string, body: unknown) => app.request(`${prefix}/__sim/outage`, { method: 'POST', body: JSON.stringify(body) })
    expect((await outage('/gpd', { ms: 'soon' })).status).toBe(400)
    expect(await (await outage('/gpd', { ms: 30_000 })).json()).toEqual({ outageMs: 30_000 })
    const down = await app.request(`/gpd/organizations/${ofc}/debtpositions/X`, { headers: { 'ocp-apim-subscription-key': 'k' } })
    expect(down.status).toBe(503)
    await outage('/gpd', { ms: 0 })
    const notice = await publish('01000000000000499')
    await outage('', { ms: 30_000 })
    expect((await cart([notice])).status).toBe(503)
    await outage('', { ms: 0 })
    expect((await cart([notice])).status).toBe(302)
  })

  it('list positions, carts, receipts and deliveries, and deliver a receipt again', async () => {
    const { app, publish, cart } = aSandbox()
    const notice = await publish('01000000000000599')
    await cart([notice])
    await app.request('/checkout/cart-000001/pay', { method: 'POST' })
    const json = async (path: string, init?: RequestInit) => (await app.request(path, init)).json()
    expect(await json('/gpd/__sim/positions')).toMatchObject({
      positions: [{ iupd: 'IUPD-01000000000000599', status: 'PAID', notices: [{ noticeNumber: notice.noticeNumber, status: 'PO_PAID' }] }],
    })
    expect(await json('/__sim/carts')).toMatchObject({ carts: [{ id: 'cart-000001', state: 'paid', notices: [notice.noticeNumber] }] })
    const { receipts, deliveries } = await json('/__sim/receipts')
    expect(deliveries).toEqual([expect.objectContaining({ idPA: ofc, error: `no station for idPA ${ofc}` })])
    expect(deliveries[0]).not.toHaveProperty('envelope')
    const again = await app.request(`/__sim/receipts/${receipts[0].receiptId}/resend`, {
      method: 'POST',
      body: JSON.stringify({ version: 'V1', duplicate: true }),
    })
    expect((await again.json()).deliveries.map((d: { soapAction: string }) => d.soapAction)).toEqual(['paSendRT', 'paSendRT'])
    expect((await app.request('/__sim/receipts/nope/resend', { method: 'POST' })).status).toBe(404)
    expect((await app.request(`/__sim/receipts/${receipts[0].receiptId}/resend`, { method: 'POST', body: '{"version":"V3"}' })).status).toBe(400)
  })
})
