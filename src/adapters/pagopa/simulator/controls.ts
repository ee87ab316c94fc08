// The sandbox's remote controls for the pagoPA simulators, outside the platforms' paths (mount them
// at /__sim in front of each simulator, so an outage does not switch them off too): outages, and what
// GPD holds, what carts Checkout has, which receipts the Node sent and how the station answered.
import { type Context, Hono } from 'hono'
import { outageControl } from '../../simulator/outage.ts'
import type { CheckoutSimulator } from './checkout-app.ts'
import type { GpdSimulator } from './gpd-app.ts'
import type { NodoSimulator } from './nodo/sender.ts'

export function gpdSimulatorControls(gpd: GpdSimulator): Hono {
  const controls = new Hono()
  outageControl(controls, gpd)
  controls.get('/positions', (c) =>
    c.json({
      positions: [...gpd.positions.values()].map((p) => ({
        organizationFiscalCode: p.organizationFiscalCode,
        iupd: p.iupd,
        status: p.status,
        notices: p.options.map((o) => ({ iuv: o.iuv, noticeNumber: o.nav, amountCents: o.model.amount, status: o.status, receiptId: o.payment?.receiptId })),
      })),
    }),
  )
  return controls
}

/** Checkout's outage and carts, and the Node's receipts: GET /receipts, POST /receipts/{receiptId}/resend {"version"?, "duplicate"?}. */
export function checkoutSimulatorControls(checkout: CheckoutSimulator, nodo: NodoSimulator): Hono {
  const controls = new Hono()
  outageControl(controls, checkout)
  controls.get('/carts', (c) =>
    c.json({
      carts: [...checkout.carts.values()].map((cart) => ({
        id: cart.id,
        at: cart.at,
        state: cart.state,
        notices: cart.body.paymentNotices.map((n) => n.noticeNumber),
      })),
    }),
  )
  controls.get('/receipts', (c) => c.json({ receipts: nodo.receipts, deliveries: nodo.deliveries.map(({ envelope, ...delivery }) => delivery) }))
  controls.post('/receipts/:receiptId/resend', async (c: Context) => {
    const body = (await c.req.json().catch(() => ({}))) as { version?: unknown; duplicate?: unknown }
    if (body.version !== undefined && body.version !== 'V1' && body.version !== 'V2') return c.json({ error: 'version is V1 or V2' }, 400)
    if (!nodo.receipts.some((r) => r.receiptId === c.req.param('receiptId'))) return c.json({ error: 'no such receipt' }, 404)
    const deliveries = await nodo.resend(c.req.param('receiptId') as string, {
      ...(body.version ? { version: body.version } : {}),
      duplicate: body.duplicate === true,
    })
    return c.json({ deliveries: deliveries.map(({ envelope, ...delivery }) => delivery) })
  })
  return controls
}
