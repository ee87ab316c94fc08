// The sandbox's pagoPA: GPD, Checkout (with the page where a test citizen presses "Paga") and the
// Node, which sends each receipt (paSendRT) to Snodo's own station endpoint — so the whole payment loop
// runs on one machine. Controls at <simulator>/__sim (outages, positions, carts, receipts). The
// endpoint is not open here either: the Node knows the station URL's secret (kept in a file of the
// sandbox home, as the config refers to it), and an anonymous receipt to /pagopa/nodo is refused.
import { join } from 'node:path'
import { Hono } from 'hono'
import { createCheckoutSimulator } from '../adapters/pagopa/simulator/checkout-app.ts'
import { checkoutSimulatorControls, gpdSimulatorControls } from '../adapters/pagopa/simulator/controls.ts'
import { createGpdSimulator } from '../adapters/pagopa/simulator/gpd-app.ts'
import { createNodoSimulator } from '../adapters/pagopa/simulator/nodo/sender.ts'
import { createSimulatorContext, startSimulator } from '../adapters/simulator/harness.ts'
import { keyFile } from './key-file.ts'

export async function startPagopaSandbox(options: { dir: string; fiscalCode: string; publicUrl: string }) {
  const { path: keyPath, key } = keyFile(join(options.dir, 'pagopa', 'subscription.key'))
  const station = { idPA: options.fiscalCode, idBrokerPA: options.fiscalCode, idStation: `${options.fiscalCode}_01` }
  const nodoSecret = keyFile(join(options.dir, 'pagopa', 'nodo-endpoint.secret'))
  const gpd = createGpdSimulator(createSimulatorContext({ idPrefix: 'gpd-' }), { keys: [{ key, organizations: '*' }] })
  const nodo = createNodoSimulator(createSimulatorContext({ idPrefix: 'rt-' }), {
    stations: [{ ...station, url: `${options.publicUrl}/pagopa/nodo/${nodoSecret.key}` }],
    positions: gpd,
  })
  const checkout = createCheckoutSimulator(createSimulatorContext({ idPrefix: 'cart-' }), { nodo, subscriptionKeys: [key] })
  const gpdRunning = await startSimulator(new Hono().route('/__sim', gpdSimulatorControls(gpd)).route('/', gpd.app))
  const checkoutRunning = await startSimulator(new Hono().route('/__sim', checkoutSimulatorControls(checkout, nodo)).route('/', checkout.app))
  return {
    nodoEndpoint: { secret: `file:${nodoSecret.path}` },
    platform: {
      baseUrl: gpdRunning.url,
      checkoutUrl: checkoutRunning.url,
      subscriptionKey: `file:${keyPath}`,
      idBrokerPA: station.idBrokerPA,
      idStation: station.idStation,
      segregationCode: '01',
      mode: 'gpd' as const,
      defaultTransfer: { iban: 'IT60X0542811101000000123456', category: '9/0101108TS/' },
    },
    simulators: [
      { name: 'gpd', url: gpdRunning.url, note: 'pagoPA GPD v1; controls at /__sim' },
      {
        name: 'checkout',
        url: checkoutRunning.url,
        note: `POST /carts, the payment page, and the Node sending paSendRT to /pagopa/nodo/<secret in ${nodoSecret.path}>`,
      },
    ],
    close: async () => {
      await Promise.all([gpdRunning.close(), checkoutRunning.close(), nodo.close()])
    },
  }
}
