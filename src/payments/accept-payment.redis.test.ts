// Accepting a payment is idempotent for its id (derived from the Idempotency-Key): run again after a
// stop at any point it makes one payment, one reservation of IUVs and one debt position on GPD; a record
// write that fails leaves no timeline entry, and its intent is forgotten by the sweeper, never sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citizen, type PaymentLoop, startPaymentLoop } from '../../test/support/payment-loop.ts'
import { eventually } from '../../test/support/webhook-receiver.ts'
import type { TenantConfig } from '../config/schema.ts'
import { startSweeper } from '../queues/sweeper.ts'
import { acceptPayment, type PaymentRequest } from './accept-payment.ts'

let loop: PaymentLoop
beforeAll(async () => {
  loop = await startPaymentLoop()
})
afterAll(() => loop.close())

const aPayment = (description: string) =>
  ({ debtor: { type: 'F', fiscalCode: citizen, fullName: 'Mario Rossi' }, amountCents: 5400, description }) as PaymentRequest
const tenant = () => loop.t.deps.tenants.get('comune-a') as TenantConfig
const sweep = () =>
  startSweeper({
    store: loop.t.deps.deliveries,
    engine: loop.t.deps.engine,
    config: loop.t.deps.config.delivery,
    onError: (e) => expect.fail(String(e)),
    graceMs: 0,
  }).stop()
const counter = async () => Number(await loop.t.deps.redis.get(`${loop.t.prefix}:iuv-seq:comune-a`))
const inTimeline = async (id: string) => (await loop.t.deps.timeline.page('comune-a', citizen, undefined, 500)).filter((i) => i.id === id).length
const positionsOf = (iupds: string[]) => [...loop.gpd.positions.values()].filter((p) => iupds.includes(p.iupd))
const failingRecord = (deps: PaymentLoop['t']['deps']) => ({
  ...deps,
  payments: { ...deps.payments, create: () => Promise.reject(new Error('the process stopped here')) },
})

describe('the same payment id accepted again', () => {
  it('after a stop between the intent and the record: the same IUVs, one payment, one position on GPD', async () => {
    const { deps } = loop.t
    const id = 'pay_00000000000000000000000000000001'
    await expect(acceptPayment(failingRecord(deps), tenant(), aPayment('Ripresa dopo un arresto'), id)).rejects.toThrow('the process stopped here')
    const [intent] = (await deps.deliveries.staleIntents(0, 100)).filter((i) => i.delivery.resourceId === id)
    expect(intent).toMatchObject({ written: false })
    const reserved = await counter()

    expect((await acceptPayment(deps, tenant(), aPayment('Ripresa dopo un arresto'), id)).id).toBe(id)
    const payment = await deps.payments.get(id)
    // Had the retry reserved other IUVs, the first intent (swept) would publish a second position.
    expect(payment?.data.iupd).toBe(intent?.delivery.meta.iupd)
    expect(await counter()).toBe(reserved)
    await sweep()
    await eventually(async () => (await deps.payments.get(id))?.status === 'published')
    expect(positionsOf([payment?.data.iupd as string, intent?.delivery.meta.iupd as string])).toHaveLength(1)
    expect(await inTimeline(id)).toBe(1)
  })

  it('after it was written whole: the same answer, nothing reserved or queued again', async () => {
    const { deps } = loop.t
    const id = 'pay_00000000000000000000000000000002'
    const first = await acceptPayment(deps, tenant(), aPayment('Accettata due volte'), id)
    // What the accept answers is what it stored: the record as a read finds it.
    expect(first).toEqual(await deps.payments.get(id))
    const reserved = await counter()
    expect(await acceptPayment(deps, tenant(), aPayment('Accettata due volte'), id)).toEqual(first)
    expect(await counter()).toBe(reserved)
    const payment = await deps.payments.get(id)
    await eventually(async () => (await deps.payments.get(id))?.status === 'published')
    expect(positionsOf([payment?.data.iupd as string])).toHaveLength(1)
    expect(payment?.history.map((h) => h.status)).toEqual(['queued', 'published'])
  })
})

describe('a record write that fails', () => {
  it('leaves no timeline entry; its intent is forgotten by the sweeper, no delivery made', async () => {
    const { deps } = loop.t
    const id = 'pay_00000000000000000000000000000003'
    await expect(acceptPayment(failingRecord(deps), tenant(), aPayment('Mai scritta'), id)).rejects.toThrow('the process stopped here')
    expect(await inTimeline(id)).toBe(0)
    // Whatever id it had: every payment in the citizen's timeline was written.
    const listed = (await deps.timeline.page('comune-a', citizen, undefined, 500)).filter((i) => i.kind === 'payment')
    for (const item of listed) expect(await deps.payments.get(item.id), item.id).toBeDefined()
    const [intent] = (await deps.deliveries.staleIntents(0, 100)).filter((i) => i.delivery.resourceId === id)
    await sweep()
    expect((await deps.deliveries.staleIntents(0, 100)).filter((i) => i.delivery.resourceId === id)).toEqual([])
    expect(await deps.deliveries.get(intent?.delivery.id as string)).toBeUndefined()
    expect(await deps.payments.get(id)).toBeUndefined()
  })

  it('an intent whose record names another delivery is forgotten, not sent', async () => {
    const { deps } = loop.t
    const { id } = await acceptPayment(deps, tenant(), aPayment('Un intento di troppo'), 'pay_00000000000000000000000000000004')
    const stray = {
      id: 'dlv_stray-intent-of-a-rerun',
      tenant: 'comune-a',
      target: 'pagopa' as const,
      operation: 'pagopa-positions' as const,
      resourceId: id,
      payload: {},
      meta: { iupd: 'another', noticeNumber: '301000000000000000' },
    }
    await deps.engine.intend(stray as Parameters<typeof deps.engine.intend>[0], deps.payments.keyOf(id))
    await sweep()
    expect(await deps.deliveries.get(stray.id)).toBeUndefined()
    expect((await deps.deliveries.staleIntents(0, 100)).filter((i) => i.delivery.id === stray.id)).toEqual([])
  })
})
