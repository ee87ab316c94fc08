// A 'gpd' tenant's receipt is taken only when GPD bears it out (issue 14): the Node marks the option
// paid on GPD when it collects (FACTS §1), so a receipt for an option GPD shows unpaid did not come
// from a payment — refused, PAA_SEMANTICA, nothing changes. GPD out of reach → PAA_SYSTEM_ERROR, which
// the Node retries (FACTS §8). A 'station' tenant's receipts are not sent to GPD at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aReceipt, sendRTCall } from '../../../test/support/nodo-calls.ts'
import { createNodoStation, stationA, stationB } from '../../../test/support/nodo-station.ts'

let s: Awaited<ReturnType<typeof createNodoStation>>
beforeAll(async () => {
  s = await createNodoStation('pagoPA nodo station, receipts checked on GPD')
})
afterAll(() => s.close())

const forged = (p: { data: { noticeNumber: string; iuv: string } }, receiptId: string, idPA = stationB.idPA) =>
  aReceipt({ receiptId, noticeNumber: p.data.noticeNumber, fiscalCode: idPA, creditorReferenceId: p.data.iuv, paymentAmount: '10.50', idPSP: 'ATTACKER' })

describe("a 'gpd' tenant's paSendRT", () => {
  it('is refused while GPD shows the option unpaid: PAA_SEMANTICA, a warning, and the payment stays as it was', async () => {
    const p = await s.aPayment({ tenantId: 'comune-b' })
    const { status, answer } = await s.call(sendRTCall(2, stationB, forged(p, 'rt-forged-1')))
    expect(status).toBe(200)
    expect(answer).toMatchObject({
      outcome: 'KO',
      fault: { faultCode: 'PAA_SEMANTICA', id: stationB.idPA, description: expect.stringContaining('unpaid (PO_UNPAID)') },
    })
    expect(await s.stored(p)).toEqual(p)
    expect(s.logs).toContainEqual(
      expect.objectContaining({
        level: 40,
        faultCode: 'PAA_SEMANTICA',
        description: expect.stringMatching(/rt-forged-1 of PSP ATTACKER is not borne out by GPD/),
        msg: 'nodo call answered KO',
      }),
    )
  })

  it('is refused when GPD has no position for it', async () => {
    const p = await s.aPayment({ tenantId: 'comune-b' }, 'published', { onGpd: false })
    const { answer } = await s.call(sendRTCall(2, stationB, forged(p, 'rt-forged-2')))
    expect(answer.fault).toMatchObject({ faultCode: 'PAA_SEMANTICA', description: expect.stringContaining('no position') })
  })

  it('is taken once GPD shows the option paid, and its repetition answers OK without asking again', async () => {
    const p = await s.aPayment({ tenantId: 'comune-b' })
    s.payOnGpd(p)
    expect((await s.call(sendRTCall(2, stationB, forged(p, 'rt-paid')))).answer.outcome).toBe('OK')
    expect((await s.stored(p)).status).toBe('paid')
    const outage = s.gpd.outage(60_000)
    try {
      expect((await s.call(sendRTCall(2, stationB, forged(p, 'rt-paid')))).answer.outcome).toBe('OK')
    } finally {
      outage.end()
    }
  })

  it('answers PAA_SYSTEM_ERROR while GPD cannot be reached, so the Node retries; taken once GPD answers again', async () => {
    const p = await s.aPayment({ tenantId: 'comune-b' })
    s.payOnGpd(p)
    const outage = s.gpd.outage(60_000)
    const during = await s.call(sendRTCall(2, stationB, forged(p, 'rt-outage')))
    outage.end()
    expect(during.answer.fault).toMatchObject({ faultCode: 'PAA_SYSTEM_ERROR', description: expect.stringContaining('GPD cannot be reached') })
    expect((await s.stored(p)).status).toBe('published')
    expect((await s.call(sendRTCall(2, stationB, forged(p, 'rt-outage')))).answer.outcome).toBe('OK')
    expect((await s.stored(p)).status).toBe('paid')
  })
})

it("a 'station' tenant's receipt is not checked on GPD (its positions are Snodo's own)", async () => {
  const p = await s.aPayment()
  const asked = s.gpd.answers.length
  expect((await s.call(sendRTCall(1, stationA, forged(p, 'rt-station', stationA.idPA)))).answer.outcome).toBe('OK')
  expect(s.gpd.answers.length).toBe(asked)
})
