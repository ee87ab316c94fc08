// A payment in installments in a sandbox process: created with two installments → published on the
// GPD simulator as one position with three options → the citizen pays installment 1 through Checkout
// and the Node (paSendRT to Snodo) → partially_paid, payment.installment_paid → then installment 2 →
// paid, payment.paid; the citizen hears of the notice and of each installment on IO.
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createSnodoClient, readClientFile } from '../src/client/index.ts'
import { type SnodoProcess, startSnodo } from './support/sandbox-process.ts'
import { eventually } from './support/webhook-receiver.ts'

let snodo: SnodoProcess
let client: ReturnType<typeof createSnodoClient>
beforeAll(async () => {
  snodo = await startSnodo()
  client = createSnodoClient(readClientFile(join(snodo.home, 'sandbox', 'demo-client.json')), { rejectUnverified: true })
})
afterAll(() => snodo?.stop())

type Payment = { id: string; status: string; noticeNumber: string; installments: { noticeNumber: string; status: string; receipt?: { amountCents: number } }[] }
const payments = '/v1/tenants/comune-demo/payments'
const gpd = () => new URL(/Simulator:\s+gpd\s+(\S+)/.exec(snodo.stdout())?.[1] as string).origin
const returnUrls = { ok: 'https://portale.example/ok', cancel: 'https://portale.example/ko', error: 'https://portale.example/err' }

/** The portal asks for the cart of one installment; the citizen presses "Paga" on the Checkout page. */
async function payInstallment(id: string, installment: number) {
  const cart = await client.post(`${payments}/${id}/checkout`, { returnUrls, installment })
  expect(cart.status).toBe(200)
  const paid = await fetch(`${(cart.body as { redirectUrl: string }).redirectUrl}/pay`, { method: 'POST', redirect: 'manual' })
  expect(paid.headers.get('location')).toBe(returnUrls.ok)
}

it('two installments: pay one (partially_paid), then the other (paid), with events and IO messages', { timeout: 90_000 }, async () => {
  const month = 30 * 86_400_000
  const created = await client.post(payments, {
    debtor: { type: 'F', fiscalCode: 'IOUSER00A00Y001X', fullName: 'Mario Rossi' },
    amountCents: 24_000,
    description: 'TARI 2026',
    installments: [
      { amountCents: 12_000, dueDate: new Date(Date.now() + month).toISOString() },
      { amountCents: 12_000, dueDate: new Date(Date.now() + 2 * month).toISOString() },
    ],
    notify: { io: {} },
  })
  expect(created.status).toBe(202)
  const { id } = created.body as Payment
  const payment = async () => (await client.get(`${payments}/${id}`)).body as Payment
  await eventually(async () => (await payment()).status === 'published', 30_000)
  const { positions } = (await (await fetch(`${gpd()}/__sim/positions`)).json()) as {
    positions: { iupd: string; status: string; notices: { noticeNumber: string }[] }[]
  }
  const position = positions.find((p) => p.notices.some((n) => n.noticeNumber === (created.body as Payment).noticeNumber))
  expect(position?.notices.map((n) => n.noticeNumber)).toEqual([
    (created.body as Payment).noticeNumber,
    ...(created.body as Payment).installments.map((i) => i.noticeNumber),
  ])

  await payInstallment(id, 1)
  await eventually(async () => (await payment()).status === 'partially_paid', 20_000)
  expect((await payment()).installments.map((i) => [i.status, i.receipt?.amountCents])).toEqual([
    ['paid', 12_000],
    ['unpaid', undefined],
  ])
  const cancel = await client.post(`${payments}/${id}/cancel`, {})
  expect([cancel.status, (cancel.body as { code: string }).code]).toEqual([409, 'payment_already_paid'])

  await payInstallment(id, 2)
  await eventually(async () => (await payment()).status === 'paid', 20_000)
  const events = async () =>
    (
      (await client.get('/v1/tenants/comune-demo/events?types=payment.installment_paid,payment.paid,message.sent&limit=100')).body as {
        items: { type: string; data: Record<string, unknown> }[]
      }
    ).items
  await eventually(async () => (await events()).filter((e) => e.type === 'message.sent' && String(e.data.reference).startsWith(id)).length === 3, 20_000)
  const mine = (await events()).filter((e) => e.data.paymentId === id || String(e.data.reference).startsWith(id))
  expect(mine.filter((e) => e.type !== 'message.sent').map((e) => e.type)).toEqual(['payment.installment_paid', 'payment.installment_paid', 'payment.paid'])
  expect(
    mine
      .filter((e) => e.type === 'message.sent')
      .map((e) => e.data.reference)
      .sort(),
  ).toEqual([`${id}#installment-1`, `${id}#installment-2`, `${id}#published`])
})
