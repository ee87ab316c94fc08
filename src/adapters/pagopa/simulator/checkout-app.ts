// Checkout simulator: the EC API `POST /carts` (checkout-openapi.json PostCartsV2, FACTS §9) that
// answers 302 to the simulated checkout page, and that page: `GET /checkout/{cartId}` lists the
// notices; `POST …/pay` has the simulated Node collect each notice and deliver its receipt (paSendRT),
// then sends the browser to returnOkUrl; `POST …/cancel` sends it to returnCancelUrl. A cart with a
// notice that cannot be paid goes to returnErrorUrl. Logs what it was asked and what it answered.
import { Hono } from 'hono'
import { type Answer, answersAndOutage, recordRequests, type SimulatorContext } from '../../simulator/harness.ts'
import { cartPage, messagePage } from './checkout-page.ts'
import { CartRequestV2, invalid, problem } from './checkout-payloads.ts'
import { troubleOfCart } from './magic.ts'
import type { NodoSimulator, Payment } from './nodo/sender.ts'

export type CheckoutSimulatorOptions = {
  /** The Node that collects the notices and sends the receipts. */
  nodo: NodoSimulator
  /** Subscription keys accepted, in `Ocp-Apim-Subscription-Key` or `?subscription-key=` (spec securitySchemes). */
  subscriptionKeys: string[]
  /** The origin (and prefix) the citizen's browser reaches this app at; default the origin of each POST /carts. */
  publicUrl?: string
  /** How long the `slow` magic token waits before answering (default 15 s). */
  slowMs?: number
  /** Retry-After (seconds) of the `rateLimited` magic token (default 2). */
  retryAfterSeconds?: number
}

export type Cart = { id: string; at: string; body: CartRequestV2; state: 'open' | 'paid' | 'cancelled' | 'refused'; payments: Payment[] }

export type CheckoutSimulator = {
  app: Hono
  /** Every cart, by id. */
  carts: ReadonlyMap<string, Cart>
  answers: Answer[]
  /** POST /carts answers 503 until `ms` have passed on the context's clock, or until end(); the page stays up. */
  outage(ms: number): { end(): void }
}

export function createCheckoutSimulator(context: SimulatorContext, options: CheckoutSimulatorOptions): CheckoutSimulator {
  const slowMs = options.slowMs ?? 15_000
  const retryAfter = String(options.retryAfterSeconds ?? 2)
  const keys = new Set(options.subscriptionKeys)
  const carts = new Map<string, Cart>()
  const log = answersAndOutage(context)

  const app = new Hono()
  app.use(recordRequests(context))
  app.use(log.middleware())

  app.post('/carts', async (c) => {
    if (log.down()) return problem(503, 'Service Unavailable', 'Checkout is down (simulated outage)')
    if (!keys.has(c.req.header('ocp-apim-subscription-key') ?? c.req.query('subscription-key') ?? '')) {
      return c.json(
        { statusCode: 401, message: 'Access denied due to missing or invalid subscription key. Make sure to provide a valid key for an active subscription.' },
        401,
      )
    }
    let value: unknown
    try {
      value = JSON.parse(await c.req.text())
    } catch {
      return problem(400, 'Bad Request', 'The body is not valid JSON')
    }
    const notices = (value as { paymentNotices?: { description?: unknown }[] } | null)?.paymentNotices
    const trouble = troubleOfCart(Array.isArray(notices) ? notices.map((n) => String(n?.description ?? '')) : [])
    if (trouble === 'rateLimited')
      return c.json({ statusCode: 429, message: `Rate limit is exceeded. Try again in ${retryAfter} seconds.` }, 429, { 'retry-after': retryAfter })
    if (trouble === 'unavailable') return problem(503, 'Service Unavailable', 'Checkout is temporarily unavailable')
    if (trouble === 'slow') await sleep(slowMs, c.req.raw.signal)
    const parsed = CartRequestV2.safeParse(value)
    if (!parsed.success) return invalid(parsed.error)
    const id = context.nextId()
    carts.set(id, { id, at: context.clock().toISOString(), body: parsed.data, state: 'open', payments: [] })
    const origin = (options.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '')
    return new Response(null, { status: 302, headers: { location: `${origin}/checkout/${encodeURIComponent(id)}` } })
  })

  const notFound = () => messagePage('Carrello non trovato', 'Il carrello richiesto non esiste o è scaduto.')

  app.get('/checkout/:cartId', async (c) => {
    const cart = carts.get(c.req.param('cartId'))
    if (!cart) return c.html(notFound(), 404)
    if (cart.state === 'paid') return c.html(messagePage('Pagamento eseguito', 'Questo carrello è già stato pagato.'))
    const notices = cart.body.paymentNotices.map((n) => {
      const refusal = options.nodo.verify(n.fiscalCode, n.noticeNumber)
      return { ...n, amountCents: n.amount, ...(refusal ? { refusal } : {}) }
    })
    return c.html(cartPage({ id: cart.id, notices, ...(cart.body.emailNotice ? { emailNotice: cart.body.emailNotice } : {}) }))
  })

  // 303: the browser follows a POST's redirect with a GET to the creditor's page.
  app.post('/checkout/:cartId/pay', async (c) => {
    const cart = carts.get(c.req.param('cartId'))
    if (!cart) return c.html(notFound(), 404)
    const urls = cart.body.returnUrls
    if (cart.state === 'paid') return c.redirect(urls.returnOkUrl, 303)
    if (cart.state === 'cancelled') return c.redirect(urls.returnCancelUrl, 303)
    const notices = cart.body.paymentNotices
    if (notices.some((n) => options.nodo.verify(n.fiscalCode, n.noticeNumber))) {
      cart.state = 'refused'
      return c.redirect(urls.returnErrorUrl, 303)
    }
    // Marked first, so a second click while the receipts go out does not pay twice.
    cart.state = 'paid'
    for (const n of notices) {
      cart.payments.push(await options.nodo.pay(n.fiscalCode, n.noticeNumber, cart.body.idCart ? { idCart: cart.body.idCart } : {}))
    }
    return c.redirect(urls.returnOkUrl, 303)
  })

  app.post('/checkout/:cartId/cancel', (c) => {
    const cart = carts.get(c.req.param('cartId'))
    if (!cart) return c.html(notFound(), 404)
    if (cart.state === 'paid') return c.redirect(cart.body.returnUrls.returnOkUrl, 303)
    cart.state = 'cancelled'
    return c.redirect(cart.body.returnUrls.returnCancelUrl, 303)
  })

  return {
    app,
    carts,
    answers: log.answers,
    outage: log.outage,
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
  })
}
