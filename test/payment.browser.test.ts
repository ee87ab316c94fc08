// The whole payment loop in a sandbox process, with a real browser for the citizen: create (while GPD
// is down for a while) → published → Checkout redirect → the citizen presses "Paga" in Chromium → the
// Node sends paSendRT to Snodo → payment.paid reaches the portal's webhook → the citizen gets IO messages.
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createSnodoClient, readClientFile } from '../src/client/index.ts'
import { launchChromium } from './support/browser.ts'
import { type SnodoProcess, startSnodo } from './support/sandbox-process.ts'
import { eventually, startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts'

let snodo: SnodoProcess
let receiver: WebhookReceiver
let browser: Browser
let client: ReturnType<typeof createSnodoClient>
const simulatorUrl = (name: string) => new URL(new RegExp(`Simulator:\\s+${name}\\s+(\\S+)`).exec(snodo.stdout())?.[1] as string).origin

beforeAll(async () => {
  snodo = await startSnodo()
  receiver = await startWebhookReceiver()
  browser = await launchChromium()
  client = createSnodoClient(readClientFile(join(snodo.home, 'sandbox', 'demo-client.json')), { rejectUnverified: true })
})
afterAll(async () => {
  await browser?.close()
  await receiver?.close()
  await snodo?.stop()
})

it('create (GPD down for a while) → publish → Checkout → "Paga" in the browser → paSendRT → payment.paid webhook → IO messages', {
  timeout: 90_000,
}, async () => {
  const endpoint = (
    await client.post('/v1/tenants/comune-demo/webhook-endpoints', { url: receiver.url, events: ['payment.published', 'payment.paid', 'message.sent'] })
  ).body as { secret: string }
  receiver.secrets.push(endpoint.secret)
  expect((await fetch(`${simulatorUrl('gpd')}/__sim/outage`, { method: 'POST', body: JSON.stringify({ ms: 3_000 }) })).status).toBe(200)

  const created = await client.post('/v1/tenants/comune-demo/payments', {
    debtor: { type: 'F', fiscalCode: 'IOUSER00A00Y001X', fullName: 'Mario Rossi' },
    amountCents: 12_050,
    description: 'Diritti di segreteria SUAP',
    notify: { io: {} },
  })
  expect(created.status).toBe(202)
  const { id, noticeNumber } = created.body as { id: string; noticeNumber: string }
  const payment = () =>
    client
      .get(`/v1/tenants/comune-demo/payments/${id}`)
      .then((r) => r.body as { status: string; delivery: { attempts: { upstreamStatus?: number }[] }; receipt?: { amountCents: number } })
  await eventually(async () => (await payment()).status === 'published', 30_000)
  expect((await payment()).delivery.attempts.some((a) => a.upstreamStatus === 503)).toBe(true)

  const checkout = await client.post(`/v1/tenants/comune-demo/payments/${id}/checkout`, {
    returnUrls: { ok: `${receiver.url}/ok`, cancel: `${receiver.url}/cancel`, error: `${receiver.url}/error` },
  })
  expect(checkout.status).toBe(200)
  const page = await browser.newPage()
  await page.goto((checkout.body as { redirectUrl: string }).redirectUrl)
  await page.getByText(noticeNumber).waitFor()
  await Promise.all([page.waitForURL(`${receiver.url}/ok`), page.locator('#pay').click()])

  await eventually(async () => (await payment()).status === 'paid', 20_000)
  expect((await payment()).receipt).toMatchObject({ amountCents: 12_050 })
  const received = (type: string) => receiver.received.filter((r) => r.body && JSON.parse(r.body).type === type && r.status === 200)
  await eventually(() => received('payment.paid').length === 1 && received('message.sent').length === 2, 20_000)
  expect(JSON.parse(received('payment.paid')[0]?.body as string).data).toMatchObject({ paymentId: id, noticeNumber, receipt: { amountCents: 12_050 } })
  expect(receiver.received.filter((r) => r.body).every((r) => r.verified)).toBe(true)
})
