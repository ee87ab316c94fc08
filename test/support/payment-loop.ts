// A whole Snodo app for payment route tests, served on loopback (not just app.request) so the
// simulated Node can call /pagopa/nodo, against the GPD, Checkout and Node simulators and App IO,
// with its workers running: the loop create → publish → checkout → pay → receipt, end to end.
import { createAppIoSimulator } from '../../src/adapters/appio/simulator/app.ts'
import { type CheckoutSimulator, createCheckoutSimulator } from '../../src/adapters/pagopa/simulator/checkout-app.ts'
import { createGpdSimulator, type GpdSimulator } from '../../src/adapters/pagopa/simulator/gpd-app.ts'
import { createNodoSimulator } from '../../src/adapters/pagopa/simulator/nodo/sender.ts'
import { createSimulatorContext, type RunningSimulator, startSimulator } from '../../src/adapters/simulator/harness.ts'
import { freePort } from '../../src/sandbox/private-redis.ts'
import { startWorkers } from '../../src/workers.ts'
import { expectConforms } from './contract.ts'
import { signedInit } from './signed.ts'
import { createTestApp, type TestApp } from './test-app.ts'

export const station = { idPA: '00000000001', idBrokerPA: '00000000001', idStation: '00000000001_01' }
export const citizen = 'IOUSER00A00Y001X'
export const paymentsPath = '/v1/tenants/comune-a/payments'
export const returnUrls = { ok: 'https://portale.example/ok', cancel: 'https://portale.example/ko', error: 'https://portale.example/err' }

export type PaymentLoop = {
  t: TestApp
  gpd: GpdSimulator
  checkout: CheckoutSimulator
  /** A signed call as the portal, its answer checked against the contract for `template`. */
  call(method: string, path: string, template: string, body?: object): Promise<Response>
  /** GET …/payments/{id}, as the portal sees it. */
  get(id: string): Promise<Record<string, any>>
  /** The types of comune-a's events about this payment, in order. */
  eventsOf(id: string, types: string[]): Promise<{ type: string; data: Record<string, any> }[]>
  close(): Promise<void>
}

export async function startPaymentLoop(): Promise<PaymentLoop> {
  process.env.TEST_GPD_KEY = 'gpd-key'
  process.env.TEST_PAY_IO_KEY = 'io-key'
  const gpd = createGpdSimulator(createSimulatorContext({ idPrefix: 'gpd-' }), { keys: [{ key: 'gpd-key', organizations: '*' }], slowMs: 3_000 })
  const io = createAppIoSimulator(createSimulatorContext({ idPrefix: 'io-' }), { services: [{ apiKey: 'io-key', organizationFiscalCode: station.idPA }] })
  const [gpdRunning, ioRunning] = [await startSimulator(gpd.app), await startSimulator(io.app)]
  const pagopa = {
    enabled: true,
    mode: 'gpd' as const,
    baseUrl: gpdRunning.url,
    checkoutUrl: '',
    subscriptionKey: 'env:TEST_GPD_KEY',
    idBrokerPA: station.idBrokerPA,
    idStation: station.idStation,
    segregationCode: '01',
    defaultTransfer: { iban: 'IT60X0542811101000000123456', category: '9/0101108TS/' },
  }
  const port = await freePort()
  const snodoUrl = `http://127.0.0.1:${port}`
  // The Node authenticates as live mode wants it to: the station URL carries the shared secret.
  process.env.TEST_NODO_SECRET = 'payment-loop-nodo-secret-0123'
  const nodo = createNodoSimulator(createSimulatorContext({ idPrefix: 'rt-' }), {
    stations: [{ ...station, url: `${snodoUrl}/pagopa/nodo/${process.env.TEST_NODO_SECRET}` }],
    positions: gpd,
  })
  const checkout = createCheckoutSimulator(createSimulatorContext({ idPrefix: 'cart-' }), { nodo, subscriptionKeys: ['gpd-key'] })
  const checkoutRunning = await startSimulator(checkout.app)
  const t = await createTestApp({
    tenantOverrides: {
      platforms: {
        pagopa: { ...pagopa, checkoutUrl: checkoutRunning.url },
        appio: { enabled: true, baseUrl: `${ioRunning.url}/api/v1`, services: [{ name: 'tributi', apiKey: 'env:TEST_PAY_IO_KEY', default: true }] },
      },
    },
    config: {
      nodoEndpoint: { secret: 'env:TEST_NODO_SECRET' },
      delivery: { targets: { pagopa: { retry: { scheduleMs: [300, 600, 1200, 2400], floorAfterThrottleMs: 300 }, timeoutMs: 1_000 } } },
    },
  })
  const running: RunningSimulator[] = [gpdRunning, ioRunning, checkoutRunning, await startSimulator(t.app, { port })]
  const workers = await startWorkers(t.deps)

  const call = async (method: string, path: string, template: string, body?: object) => {
    const res = await t.app.request(path, await signedInit(t.clients.portal, { method, body }))
    await expectConforms(res, method, template)
    return res
  }
  return {
    t,
    gpd,
    checkout,
    call,
    get: async (id) => (await call('GET', `${paymentsPath}/${id}`, '/v1/tenants/{tenantId}/payments/{paymentId}')).json(),
    async eventsOf(id, types) {
      return (await t.deps.events.read('comune-a', { limit: 500, types: new Set(types) })).items.filter((e) => e.data.paymentId === id)
    },
    async close() {
      await workers.close()
      await t.close()
      for (const r of running) await r.close()
      await nodo.close()
    },
  }
}
