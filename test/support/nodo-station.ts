// A Snodo on real Redis serving /pagopa/nodo for three pagoPA tenants — comune-a in 'station' mode,
// comune-b in 'gpd' mode on a GPD simulator, comune-c with pagoPA disabled — with payments created
// straight in the payment store (comune-b's on GPD too), a call() that sends an envelope the way the
// nodo does, to the station URL with its secret, and checks both it and the answer against
// paForNode.xsd, and the endpoint's log lines.
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { expect, vi } from 'vitest'
import { createGpdSimulator } from '../../src/adapters/pagopa/simulator/gpd-app.ts'
import { createSimulatorContext, startSimulator } from '../../src/adapters/simulator/harness.ts'
import type { TenantConfig } from '../../src/config/schema.ts'
import { createLogger } from '../../src/logger.ts'
import { credentialsOf, toDebtPosition } from '../../src/payments/deliver-position.ts'
import { iuvFor } from '../../src/payments/notice-number.ts'
import type { PaymentData, PaymentStatus, StoredPayment } from '../../src/payments/payment.ts'
import { nodoPath, registerNodoEndpoint } from '../../src/routes/pagopa/nodo-endpoint.ts'
import { type Ids, type NodoAnswer, readAnswer } from './nodo-calls.ts'
import { createTestApp } from './test-app.ts'
import { contractsAvailable } from './upstream-spec.ts'
import { soapBodyErrors, xsdPaths } from './xsd.ts'

const broker = '15376371009'
export const stationA: Ids = { idPA: '00000000001', idBrokerPA: broker, idStation: `${broker}_01` }
export const stationB: Ids = { idPA: '00000000002', idBrokerPA: broker, idStation: `${broker}_02` }
/** A tenant whose pagoPA is configured but not enabled. */
export const stationC: Ids = { idPA: '00000000003', idBrokerPA: broker, idStation: `${broker}_03` }

/** The station URL's secret (nodoEndpoint.secret), as the Node has it. */
export const nodoSecret = 'test-nodo-secret-0123456789abcdef'

const pagopa = (
  mode: 'station' | 'gpd',
  idStation: string,
  segregationCode: string,
  baseUrl = 'https://api.uat.platform.pagopa.it/gpd/debt-positions-service/v1',
) => ({
  baseUrl,
  subscriptionKey: 'env:SNODO_TEST_PAGOPA_KEY',
  idBrokerPA: broker,
  idStation,
  segregationCode,
  mode,
})

export type Call = { status: number; contentType: string | null; text: string; answer: NodoAnswer }

/** nodoEndpoint: the station endpoint's config (default: the secret nodoSecret, which call() sends). */
export async function createNodoStation(suite: string, options: { nodoEndpoint?: Record<string, unknown> } = {}) {
  process.env.SNODO_TEST_PAGOPA_KEY ??= 'test-subscription-key'
  process.env.SNODO_TEST_NODO_SECRET = nodoSecret
  const conformance = contractsAvailable(suite)
  const gpd = createGpdSimulator(createSimulatorContext({ idPrefix: 'gpd-' }), { keys: [{ key: process.env.SNODO_TEST_PAGOPA_KEY, organizations: '*' }] })
  const gpdRunning = await startSimulator(gpd.app)
  const t = await createTestApp({
    config: {
      nodoEndpoint: options.nodoEndpoint ?? { secret: 'env:SNODO_TEST_NODO_SECRET' },
      tenants: [
        { id: 'comune-a', name: 'Comune A', fiscalCode: stationA.idPA, platforms: { pagopa: pagopa('station', stationA.idStation, '01') } },
        { id: 'comune-b', name: 'Comune B', fiscalCode: stationB.idPA, platforms: { pagopa: pagopa('gpd', stationB.idStation, '02', gpdRunning.url) } },
        {
          id: 'comune-c',
          name: 'Comune C',
          fiscalCode: stationC.idPA,
          platforms: { pagopa: { ...pagopa('station', stationC.idStation, '03'), enabled: false } },
        },
      ],
    },
  })
  const lines: Record<string, unknown>[] = []
  const capture = createLogger('debug', new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }))
  // The endpoint logs through deps.logger.child(): route its lines here, whoever registered the route.
  vi.spyOn(t.deps.logger, 'child').mockImplementation((bindings) => capture.child(bindings))
  if (!t.deps.config.nodoEndpoint?.mtls && !t.app.routes.some((r) => r.method === 'POST' && r.path === nodoPath)) registerNodoEndpoint(t.app, t.deps)

  let sequence = 0
  /** A payment of comune-a (or `tenantId`), created in the store and moved to `status`; comune-b's is on GPD too, unpaid. */
  async function aPayment(
    overrides: Partial<PaymentData> = {},
    status: PaymentStatus = 'published',
    options: { onGpd?: boolean } = {},
  ): Promise<StoredPayment> {
    const tenantId = overrides.tenantId ?? 'comune-a'
    // GPD publishes only a position whose due date is ahead.
    if (tenantId === 'comune-b') overrides = { dueDate: '2099-12-31', ...overrides }
    const { iuv, noticeNumber } = iuvFor(tenantId === 'comune-a' ? '01' : '02', ++sequence)
    const id = `pay-${randomUUID()}`
    const amountCents = overrides.amountCents ?? 1050
    await t.deps.payments.create(id, {
      tenantId,
      iuv,
      noticeNumber,
      iupd: `${tenantId}-${id}`,
      debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi', email: 'mario.rossi@example.it' },
      amountCents,
      description: 'TARI 2025 rata unica',
      dueDate: '2025-12-31',
      transfers: [{ idTransfer: '1', amountCents, iban: 'IT60X0542811101000000123456', remittance: 'TARI 2025', category: '9/0101100IM/' }],
      deliveryId: `delivery-${id}`,
      ...overrides,
    })
    if (status !== 'queued') await t.deps.payments.transition(id, status, { detail: 'test' })
    const stored = (await t.deps.payments.get(id)) as StoredPayment
    const tenant = t.deps.tenants.get(tenantId) as TenantConfig
    if (tenant.platforms.pagopa?.mode === 'gpd' && options.onGpd !== false)
      await t.deps.gpd(tenant).createAndPublish(credentialsOf(tenant), toDebtPosition(stored, tenant))
    return stored
  }

  /** The Node collects the notice on GPD (as it does before it sends the receipt): GPD shows it paid. */
  function payOnGpd(p: StoredPayment, noticeNumber = p.data.noticeNumber) {
    gpd.markPaid(stationB.idPA, noticeNumber, {
      at: new Date(),
      receiptId: `gpd-${noticeNumber}`,
      pspCompanyName: 'Intesa Sanpaolo S.p.A',
      paymentMethod: 'creditCard',
      feeCents: 100,
    })
  }

  /** A payment of comune-a (or `tenantId`) also payable in installments of these amounts, each to the same account, due a month apart. */
  async function aPaymentInInstallments(amounts: number[], overrides: Partial<PaymentData> = {}, status: PaymentStatus = 'published'): Promise<StoredPayment> {
    const segregation = (overrides.tenantId ?? 'comune-a') === 'comune-a' ? '01' : '02'
    const installments = amounts.map((amountCents, k) => ({
      index: k + 1,
      ...iuvFor(segregation, ++sequence),
      amountCents,
      // A 'gpd' tenant's go to GPD, which publishes only due dates ahead.
      dueDate: `${segregation === '02' ? 2099 : 2026}-0${k + 1}-28T12:00:00Z`,
      description: `TARI 2025 rata ${k + 1}`,
      transfers: [
        { idTransfer: '1' as const, amountCents, iban: 'IT60X0542811101000000123456', remittance: `TARI 2025 rata ${k + 1}`, category: '9/0101100IM/' },
      ],
    }))
    return aPayment({ amountCents: amounts.reduce((s, a) => s + a, 0), installments, ...overrides }, status)
  }

  /** Sends the envelope as the nodo does; the request (unless `invalid`) and every …Res answer must validate against paForNode.xsd. */
  async function call(
    envelope: string | Uint8Array | ReadableStream,
    options: { soapAction?: string; invalid?: boolean; headers?: Record<string, string>; path?: string } = {},
  ): Promise<Call> {
    if (conformance && !options.invalid && typeof envelope === 'string')
      expect(soapBodyErrors(envelope, xsdPaths.paForNode), 'request envelope vs paForNode.xsd').toEqual([])
    const headers: Record<string, string> = {
      'content-type': 'text/xml; charset=utf-8',
      ...(options.soapAction !== undefined ? { soapaction: `"${options.soapAction}"` } : {}),
      ...options.headers,
    }
    const init: RequestInit & { duplex?: 'half' } = {
      method: 'POST',
      headers,
      body: envelope as BodyInit,
      ...(envelope instanceof ReadableStream ? { duplex: 'half' } : {}),
    }
    const res = await t.app.request(options.path ?? `${nodoPath}/${nodoSecret}`, init)
    const text = await res.text()
    const answer = await readAnswer(text)
    if (conformance && answer.element !== 'Fault') expect(soapBodyErrors(text, xsdPaths.paForNode), `answer vs paForNode.xsd:\n${text}`).toEqual([])
    return { status: res.status, contentType: res.headers.get('content-type'), text, answer }
  }

  return {
    t,
    gpd,
    payOnGpd,
    aPayment,
    aPaymentInInstallments,
    call,
    /** The payment as stored now. */
    stored: async (p: StoredPayment) => (await t.deps.payments.get(p.id)) as StoredPayment,
    logs: lines,
    close: async () => {
      await t.close()
      await gpdRunning.close()
    },
  }
}
