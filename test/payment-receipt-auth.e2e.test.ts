// Issue 14, defect 1, as an attacker sees it: Snodo running as a process, a payment published on GPD,
// and a forged paSendRT — the tenant's public ids, the notice, its IUV and amount, idPSP ATTACKER —
// posted to the station endpoint. Refused in sandbox mode and in live mode, and the payment stays
// unpaid; the sandbox's own Node still pays. Live mode will not start with the endpoint open unless
// the operator says so, and then it warns.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { createGpdSimulator } from '../src/adapters/pagopa/simulator/gpd-app.ts'
import { createSimulatorContext, type RunningSimulator, startSimulator } from '../src/adapters/simulator/harness.ts'
import { createSnodoClient, readClientFile } from '../src/client/index.ts'
import { scopes } from '../src/trust/scopes.ts'
import { livePublicUrl, writeLiveConfig } from './support/live-config.ts'
import { aReceipt, readAnswer, sendRTCall } from './support/nodo-calls.ts'
import { type RedisServer, startRedisServer } from './support/redis-server.ts'
import { exitOf, type SnodoProcess, startSnodo } from './support/sandbox-process.ts'
import { eventually } from './support/webhook-receiver.ts'

type Client = ReturnType<typeof createSnodoClient>
type Ids = { idPA: string; idBrokerPA: string; idStation: string }
type Payment = { id: string; status: string; noticeNumber: string; amountCents: number }

const debtor = { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' }

async function publishedPayment(client: Client, tenantId: string): Promise<Payment> {
  const created = await client.post(`/v1/tenants/${tenantId}/payments`, { debtor, amountCents: 10_050, description: 'TARI 2026' })
  expect(created.status).toBe(202)
  const { id } = created.body as Payment
  await eventually(async () => ((await client.get(`/v1/tenants/${tenantId}/payments/${id}`)).body as Payment).status === 'published', 30_000)
  return (await client.get(`/v1/tenants/${tenantId}/payments/${id}`)).body as Payment
}

/** The receipt an attacker can write from public facts alone: the IUV is the notice number less its aux digit 3. */
const forged = (ids: Ids, p: Payment, receiptId: string) =>
  sendRTCall(
    2,
    ids,
    aReceipt({
      receiptId,
      noticeNumber: p.noticeNumber,
      fiscalCode: ids.idPA,
      creditorReferenceId: p.noticeNumber.slice(1),
      paymentAmount: (p.amountCents / 100).toFixed(2),
      idPSP: 'ATTACKER',
      PSPCompanyName: 'Attacker Ltd',
    }),
  )

async function post(url: string, envelope: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"paSendRTV2"' }, body: envelope })
  return { status: res.status, answer: await readAnswer(await res.text()) }
}

const refusedAsCaller = { status: 403, answer: { element: 'Fault', soapFault: { faultcode: 'soapenv:Client' } } }
const statusOf = async (client: Client, tenantId: string, p: Payment) => ((await client.get(`/v1/tenants/${tenantId}/payments/${p.id}`)).body as Payment).status

describe('sandbox mode', () => {
  const ids = { idPA: '00000000000', idBrokerPA: '00000000000', idStation: '00000000000_01' }
  let snodo: SnodoProcess
  let client: Client
  beforeAll(async () => {
    snodo = await startSnodo()
    client = createSnodoClient(readClientFile(join(snodo.home, 'sandbox', 'demo-client.json')), { rejectUnverified: true })
  }, 60_000)
  afterAll(() => snodo?.stop())

  it('refuses a forged receipt, anonymous or with the secret while GPD shows the notice unpaid; the Node itself pays', { timeout: 90_000 }, async () => {
    const p = await publishedPayment(client, 'comune-demo')
    expect(await post(`${snodo.baseUrl}/pagopa/nodo`, forged(ids, p, 'rt-anonymous'))).toMatchObject(refusedAsCaller)
    const secretFile = join(snodo.home, 'sandbox', 'pagopa', 'nodo-endpoint.secret')
    expect(snodo.stdout()).toContain(`the Node sending paSendRT to /pagopa/nodo/<secret in ${secretFile}>`)
    const secret = readFileSync(secretFile, 'utf8').trim()
    const withSecret = await post(`${snodo.baseUrl}/pagopa/nodo/${secret}`, forged(ids, p, 'rt-with-secret'))
    expect(withSecret.answer).toMatchObject({ outcome: 'KO', fault: { faultCode: 'PAA_SEMANTICA' } })
    expect(await statusOf(client, 'comune-demo', p)).toBe('published')

    // The sandbox's Node authenticates as live mode requires: the citizen pays on Checkout, the receipt is taken.
    const cart = await client.post(`/v1/tenants/comune-demo/payments/${p.id}/checkout`, {
      returnUrls: { ok: 'https://portale.example/ok', cancel: 'https://portale.example/ko', error: 'https://portale.example/err' },
    })
    expect(cart.status).toBe(200)
    await fetch(`${(cart.body as { redirectUrl: string }).redirectUrl}/pay`, { method: 'POST', redirect: 'manual' })
    await eventually(async () => (await statusOf(client, 'comune-demo', p)) === 'paid', 20_000)
  })
})

describe('live mode', () => {
  const ids = { idPA: '00000000001', idBrokerPA: '00000000001', idStation: '00000000001_01' }
  let redis: RedisServer
  let gpdRunning: RunningSimulator
  const gpd = createGpdSimulator(createSimulatorContext({ idPrefix: 'gpd-' }), { keys: [{ key: 'live-gpd-key', organizations: '*' }] })
  let live: Awaited<ReturnType<typeof writeLiveConfig>>
  /** The live config, its one tenant on pagoPA (GPD on the simulator), its client allowed payments; then `nodoEndpoint`. */
  const configWith = (nodoEndpoint: Record<string, unknown> | undefined, name: string) => {
    const pagopa = {
      baseUrl: gpdRunning.url,
      mode: 'gpd',
      subscriptionKey: 'env:SNODO_E2E_GPD_KEY',
      idBrokerPA: ids.idBrokerPA,
      idStation: ids.idStation,
      segregationCode: '01',
      defaultTransfer: { iban: 'IT60X0542811101000000123456', category: '9/0101108TS/' },
    }
    const config = {
      ...live.config,
      ...(nodoEndpoint ? { nodoEndpoint } : {}),
      tenants: [{ id: 'comune-a', name: 'Comune A', fiscalCode: ids.idPA, platforms: { pagopa } }],
      clients: [{ id: 'portale', jwks: { keys: [live.client.publicJwk] }, tenants: ['comune-a'], scopes: [...scopes] }],
    }
    const path = join(live.dir, `${name}.yaml`)
    writeFileSync(path, stringify(config))
    return path
  }
  const env = (config: string) => ({
    SNODO_CONFIG: config,
    REDIS_URL: redis.url,
    SNODO_E2E_GPD_KEY: 'live-gpd-key',
    SNODO_E2E_NODO_SECRET: 'live-nodo-secret-0123456789',
  })
  beforeAll(async () => {
    redis = await startRedisServer({ appendonly: 'yes', 'maxmemory-policy': 'noeviction' })
    gpdRunning = await startSimulator(gpd.app)
    live = await writeLiveConfig()
  })
  afterAll(async () => {
    await gpdRunning?.close()
    await redis?.stop()
  })

  it('refuses to start with a pagoPA tenant and the endpoint neither authenticated nor explicitly open', async () => {
    const { code, stderr } = await exitOf({ env: env(configWith(undefined, 'unauthenticated')) })
    expect(code).toBe(1)
    expect(stderr).toContain('Snodo cannot start: ')
    expect(stderr).toContain(
      '  - nodoEndpoint: tenant comune-a uses pagoPA, so /pagopa/nodo must authenticate the pagoPA Node: set nodoEndpoint.mtls, allowFrom or secret (or open: true to leave it open on purpose)\n',
    )
  })

  it('starts with open: true, warning at every start', { timeout: 60_000 }, async () => {
    const snodo = await startSnodo({ env: env(configWith({ open: true }, 'open')) })
    try {
      await snodo.waitForOutput('nodoEndpoint.open is true: anyone who reaches /pagopa/nodo can send receipts and make payments paid')
    } finally {
      await snodo.stop()
    }
  })

  it('with a secret: a forged receipt is refused, anonymous or not borne out by GPD, and the payment stays unpaid', { timeout: 90_000 }, async () => {
    const snodo = await startSnodo({ env: env(configWith({ secret: 'env:SNODO_E2E_NODO_SECRET' }, 'secret')) })
    try {
      const client = createSnodoClient({ baseUrl: snodo.baseUrl, audience: livePublicUrl, clientId: 'portale', privateJwk: live.client.privateJwk })
      const p = await publishedPayment(client, 'comune-a')
      expect(await post(`${snodo.baseUrl}/pagopa/nodo`, forged(ids, p, 'rt-live-anonymous'))).toMatchObject(refusedAsCaller)
      expect(await post(`${snodo.baseUrl}/pagopa/nodo/not-the-secret-at-all`, forged(ids, p, 'rt-live-guess'))).toMatchObject(refusedAsCaller)
      const unpaid = await post(`${snodo.baseUrl}/pagopa/nodo/live-nodo-secret-0123456789`, forged(ids, p, 'rt-live-forged'))
      expect(unpaid.answer).toMatchObject({ outcome: 'KO', fault: { faultCode: 'PAA_SEMANTICA' } })
      expect(await statusOf(client, 'comune-a', p)).toBe('published')
      expect(snodo.output()).toContain('nodo call refused: the caller is not authenticated as the pagoPA Node')
    } finally {
      await snodo.stop()
    }
  })
})
