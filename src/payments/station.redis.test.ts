// The receipt is the last word: recorded once, even on a payment Snodo saw expire or be cancelled.
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, expect, it } from 'vitest'
import { readEnv } from '../config.ts'
import { createPaymentStore, type PaymentData, type Receipt } from './payment.ts'
import { createStation } from './station.ts'

const redis = new Redis(readEnv().REDIS_URL)
const prefix = `test-station-${randomUUID().slice(0, 8)}`
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
})

const payments = createPaymentStore(redis, prefix, () => new Date())
const paid: string[] = []
const station = createStation({ tenants: new Map(), payments, expireIfDue: async (p) => p, paid: async (p) => void paid.push(p.id) })
const data = (n: string): PaymentData => ({ tenantId: 'comune-a', iuv: `0100000000000${n}44`, noticeNumber: `30100000000000${n}44`, iupd: `x-${n}`, debtor: { type: 'F', fiscalCode: 'IOUSER00A00Y001X', fullName: 'M' }, amountCents: 100, description: 'd', transfers: [], deliveryId: `d${n}` })
const receipt = (id: string, n: string): Receipt => ({ receiptId: id, noticeNumber: `30100000000000${n}44`, creditorReferenceId: `0100000000000${n}44`, amountCents: 100, outcome: 'OK', pspId: 'psp', pspName: 'PSP', version: 'paSendRTV2' })

it('records a receipt once; the same again is a duplicate, another one changes nothing', async () => {
  await payments.create('p1', data('01'))
  await payments.transition('p1', 'published')
  const p1 = await payments.get('p1')
  expect(await station.recordReceipt(p1 as NonNullable<typeof p1>, receipt('r1', '01'))).toBe('recorded')
  const now = await payments.get('p1')
  expect(await station.recordReceipt(now as NonNullable<typeof now>, receipt('r1', '01'))).toBe('duplicate')
  expect(await station.recordReceipt(now as NonNullable<typeof now>, receipt('r2', '01'))).toBe('already_final')
  expect((await payments.get('p1'))?.fields.receiptId).toBe('r1')
  expect(paid).toEqual(['p1'])
})

it.each(['expired', 'cancelled'] as const)('a receipt for a payment already %s still makes it paid: the money was collected', async (status) => {
  const id = `p-${status}`
  await payments.create(id, data(status === 'expired' ? '02' : '03'))
  await payments.transition(id, status)
  const before = await payments.get(id)
  expect(await station.recordReceipt(before as NonNullable<typeof before>, receipt(`r-${status}`, status === 'expired' ? '02' : '03'))).toBe('recorded')
  expect((await payments.get(id))?.history.map((h) => h.status)).toEqual(['queued', status, 'paid'])
})
