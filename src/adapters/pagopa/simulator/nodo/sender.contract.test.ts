// The simulated Node on its own, against test stations over loopback: what it verifies before
// collecting, the receipt it writes from the GPD position, which station gets which version, and what
// it records when a station says KO, fails, or is not there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulatorContext, type RunningSimulator, sequentialIds, startSimulator } from '../../../simulator/harness.ts'
import { toPaymentPositionModel } from '../../gpd/mapping.ts'
import { aDebtPosition, inInstallments } from '../../gpd/port.suite.ts'
import type { DebtPosition } from '../../port.ts'
import { createGpdSimulator } from '../gpd-app.ts'
import { createNodoSimulator, receiptIdOf } from './sender.ts'
import { createTestStation } from './test-station.ts'

const creditor = '01234567890'
const partner = '00000000018'
let now = new Date('2026-03-01T10:00:00.000Z')
const clock = () => now
const gpd = createGpdSimulator(createSimulatorContext({ clock }), { keys: [{ key: 'k', organizations: '*' }] })
const mainStation = createTestStation((r) => (r.body.includes('[station:ko]') ? 'KO' : r.body.includes('[station:500]') ? 'http500' : 'OK'))
const partnerStation = createTestStation()
let servers: RunningSimulator[] = []
let nodo: ReturnType<typeof createNodoSimulator>

beforeAll(async () => {
  servers = [await startSimulator(mainStation.app), await startSimulator(partnerStation.app)]
  nodo = createNodoSimulator(createSimulatorContext({ clock, nextId: sequentialIds('rt-') }), {
    positions: gpd,
    stations: [
      { idPA: creditor, idBrokerPA: '01234567890', idStation: '01234567890_01', url: servers[0]?.url as string },
      { idPA: partner, idBrokerPA: '00000000018', idStation: '00000000018_01', url: servers[1]?.url as string, version: 'V1' },
      { idPA: '22222222222', idBrokerPA: '22222222222', idStation: '22222222222_01', url: 'http://127.0.0.1:9' },
    ],
    timeoutMs: 500,
  })
})
afterAll(async () => {
  await nodo.close()
  await Promise.all(servers.map((s) => s.close()))
})

async function published(organization: string, change: (p: DebtPosition) => void = () => {}): Promise<DebtPosition> {
  const position = aDebtPosition(organization)
  position.option.dueDate = '2026-06-30T21:59:59.000Z'
  change(position)
  const answer = await gpd.app.request(`/organizations/${organization}/debtpositions?toPublish=true`, {
    method: 'POST',
    headers: { 'ocp-apim-subscription-key': 'k' },
    body: JSON.stringify(toPaymentPositionModel(position)),
  })
  expect(answer.status).toBe(201)
  return position
}

describe('the simulated pagoPA Node', () => {
  it('collects a VALID notice once: GPD has it PAID, the receipt says what GPD holds, the station got paSendRTV2', async () => {
    const position = await published(creditor)
    const payment = await nodo.pay(creditor, position.option.noticeNumber, { idCart: 'cart-1' })
    expect(payment).toMatchObject({
      paid: true,
      receipt: {
        receiptId: receiptIdOf('rt-000001'),
        noticeNumber: position.option.noticeNumber,
        fiscalCode: creditor,
        creditorReferenceId: position.option.iuv,
        paymentAmountCents: 12_345,
        debtor: { type: 'F', fiscalCode: 'GPDCTZ00A00Y001X', fullName: 'Maria Rossi', email: 'maria.rossi@example.it' },
        paymentNote: 'cart-1',
        paymentDateTime: '2026-03-01T11:00:00',
      },
      deliveries: [{ idPA: creditor, version: 'V2', soapAction: 'paSendRTV2', httpStatus: 200, answer: { kind: 'response', outcome: 'OK' } }],
    })
    expect(receiptIdOf('rt-000001')).toMatch(/^[0-9a-f]{32}$/)
    expect(gpd.positions.get(`${creditor}/${position.iupd}`)).toMatchObject({
      status: 'PAID',
      paymentDate: now.toISOString(),
      options: [{ status: 'PO_PAID' }],
    })
    expect(nodo.verify(creditor, position.option.noticeNumber)).toBe('paid')
    expect(await nodo.pay(creditor, position.option.noticeNumber)).toEqual({ paid: false, reason: 'paid' })
  })

  it('collects installments one by one, each with its own receipt, and not the payment in full once one is paid', async () => {
    const position = await published(creditor, (p) => Object.assign(p, inInstallments(p, [6_000, 6_345])))
    const [first, second] = position.installments as [DebtPosition['option'], DebtPosition['option']]
    const payment = await nodo.pay(creditor, first.noticeNumber)
    expect(payment).toMatchObject({
      paid: true,
      receipt: {
        noticeNumber: first.noticeNumber,
        creditorReferenceId: first.iuv,
        paymentAmountCents: 6_000,
        description: first.description,
        transfers: [{ amountCents: 6_000 }],
      },
    })
    expect(gpd.positions.get(`${creditor}/${position.iupd}`)?.status).toBe('PARTIALLY_PAID')
    expect([
      nodo.verify(creditor, position.option.noticeNumber),
      nodo.verify(creditor, first.noticeNumber),
      nodo.verify(creditor, second.noticeNumber),
    ]).toEqual(['paid', 'paid', undefined])
    expect(await nodo.pay(creditor, second.noticeNumber)).toMatchObject({ paid: true, receipt: { creditorReferenceId: second.iuv, paymentAmountCents: 6_345 } })
    expect(gpd.positions.get(`${creditor}/${position.iupd}`)?.status).toBe('PAID')
  })

  it('says why it will not collect: unknown, cancelled, expired, not published', async () => {
    expect(nodo.verify(creditor, '301999999999999999')).toBe('unknown')
    const cancelled = await published(creditor)
    await gpd.app.request(`/organizations/${creditor}/debtpositions/${cancelled.iupd}/invalidate`, {
      method: 'POST',
      headers: { 'ocp-apim-subscription-key': 'k' },
    })
    expect(nodo.verify(creditor, cancelled.option.noticeNumber)).toBe('cancelled')
    const expiring = await published(creditor, (p) => void (p.switchToExpired = true))
    const draft = aDebtPosition(creditor)
    await gpd.app.request(`/organizations/${creditor}/debtpositions`, {
      method: 'POST',
      headers: { 'ocp-apim-subscription-key': 'k' },
      body: JSON.stringify(toPaymentPositionModel(draft)),
    })
    expect(nodo.verify(creditor, draft.option.noticeNumber)).toBe('not_published')
    now = new Date('2026-07-01T00:00:00.000Z')
    try {
      expect(nodo.verify(creditor, expiring.option.noticeNumber)).toBe('expired')
    } finally {
      now = new Date('2026-03-01T10:00:00.000Z')
    }
  })

  it("sends a multi-beneficiary receipt to each organization with a station, in that station's version", async () => {
    const shared = await published(creditor, (p) => {
      p.option.transfers = [
        { idTransfer: '1', amountCents: 10_000, iban: 'IT60X0542811101000000123456', remittance: 'Diritti SUAP', category: '9/0101100IM/' },
        {
          idTransfer: '2',
          amountCents: 2_345,
          iban: 'IT02L1234512345123456789012',
          remittance: 'Diritti ASL',
          category: '9/0201102IM/',
          organizationFiscalCode: partner,
        },
      ]
    })
    const payment = await nodo.pay(creditor, shared.option.noticeNumber)
    expect(payment.paid && payment.deliveries.map((d) => [d.idPA, d.soapAction])).toEqual([
      [creditor, 'paSendRTV2'],
      [partner, 'paSendRT'],
    ])
    expect(partnerStation.requests.at(-1)?.body).toContain(`<idPA>${partner}</idPA>`)
  })

  it('records what a station answered or why it could not answer, and delivers again on resend', async () => {
    const ko = await published(creditor, (p) => void (p.option.description = 'TARI [station:ko]'))
    const koPayment = await nodo.pay(creditor, ko.option.noticeNumber)
    expect(koPayment.paid && koPayment.deliveries[0]?.answer).toEqual({
      kind: 'response',
      outcome: 'KO',
      fault: { faultCode: 'PAA_SEMANTICA', faultString: 'Errore semantico', id: '01234567890', description: 'ricevuta già acquisita' },
    })
    const failing = await published(creditor, (p) => void (p.option.description = 'TARI [station:500]'))
    const failed = await nodo.pay(creditor, failing.option.noticeNumber)
    expect(failed.paid && failed.deliveries[0]).toMatchObject({ httpStatus: 500, answer: { kind: 'unreadable' } })
    const down = await published('22222222222')
    const unreachable = await nodo.pay('22222222222', down.option.noticeNumber)
    expect(unreachable.paid && unreachable.deliveries[0]?.error).toBe('ECONNREFUSED')
    const nowhere = await published('33333333333')
    const noStation = await nodo.pay('33333333333', nowhere.option.noticeNumber)
    expect(noStation.paid && noStation.deliveries).toEqual([
      expect.objectContaining({ idPA: '33333333333', error: 'no station for idPA 33333333333', envelope: '' }),
    ])
    if (!koPayment.paid) throw new Error('unreachable')
    const again = await nodo.resend(koPayment.receipt.receiptId, { version: 'V1', duplicate: true })
    expect(again.map((d) => [d.soapAction, d.receiptId])).toEqual([
      ['paSendRT', koPayment.receipt.receiptId],
      ['paSendRT', koPayment.receipt.receiptId],
    ])
    await expect(nodo.resend('no-such-receipt')).rejects.toThrow(/no receipt/)
  })
})
