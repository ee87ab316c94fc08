// The GPD simulator on its own (no network): GPD's state rules on the injected clock, its refusals
// in GPD's words, APIM in front, the outage switch, and the view the simulated Node has of positions.
import { describe, expect, it } from 'vitest'
import { createSimulatorContext, sequentialIds } from '../../simulator/harness.ts'
import { createGpdSimulator } from './gpd-app.ts'

const ofc = '01234567890'
const aPosition = (iupd: string, iuv: string, extra: Record<string, unknown> = {}, option: Record<string, unknown> = {}) => ({
  iupd,
  type: 'F',
  fiscalCode: 'GPDCTZ00A00Y001X',
  fullName: 'Maria Rossi',
  companyName: 'Comune di Prova',
  switchToExpired: false,
  ...extra,
  paymentOption: [
    {
      iuv,
      amount: 5_000,
      description: 'Diritti di segreteria',
      isPartialPayment: false,
      dueDate: '2026-06-30T21:59:59.000Z',
      transfer: [{ idTransfer: '1', amount: 5_000, iban: 'IT60X0542811101000000123456', remittanceInformation: 'Diritti', category: '9/0101100IM/' }],
      ...option,
    },
  ],
})

function aSimulator() {
  let now = new Date('2026-03-01T10:00:00.000Z')
  const context = createSimulatorContext({ clock: () => now, nextId: sequentialIds('gpd-req-') })
  const sim = createGpdSimulator(context, { keys: [{ key: 'key-a', organizations: [ofc] }] })
  const call = async (method: string, path: string, body?: unknown, key = 'key-a') => {
    const res = await sim.app.request(path, {
      method,
      headers: { 'ocp-apim-subscription-key': key },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    return { status: res.status, headers: res.headers, body: await res.json() }
  }
  return { sim, context, call, at: (iso: string) => void (now = new Date(iso)) }
}

const positions = `/organizations/${ofc}/debtpositions`

describe('GPD simulator', () => {
  it('creates and publishes: VALID at once, validity = now, nav = "3" + IUV; GET answers the base response', async () => {
    const { call } = aSimulator()
    const created = await call('POST', `${positions}?toPublish=true`, aPosition('IUPD-1', '01000000000000199'))
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      iupd: 'IUPD-1',
      status: 'VALID',
      validityDate: '2026-03-01T10:00:00.000Z',
      paymentOption: [{ nav: '301000000000000199', fee: 0, notificationFee: 0 }],
    })
    expect(created.headers.get('x-request-id')).toBe('gpd-req-000001')
    const got = await call('GET', `${positions}/IUPD-1`)
    expect(got.body).toMatchObject({
      iupd: 'IUPD-1',
      organizationFiscalCode: ofc,
      status: 'VALID',
      insertedDate: '2026-03-01T10:00:00.000Z',
      publishDate: '2026-03-01T10:00:00.000Z',
      paymentOption: [{ iuv: '01000000000000199', status: 'PO_UNPAID', transfer: [{ organizationFiscalCode: ofc, status: 'T_UNREPORTED' }] }],
    })
  })

  it('keeps a position DRAFT without toPublish, publishes it once, and refuses to publish it again (409)', async () => {
    const { call } = aSimulator()
    expect((await call('POST', positions, aPosition('IUPD-2', '01000000000000299'))).body.status).toBe('DRAFT')
    expect((await call('POST', `${positions}/IUPD-2/publish`)).body.status).toBe('VALID')
    expect(await call('POST', `${positions}/IUPD-2/publish`)).toMatchObject({
      status: 409,
      body: { title: 'Existing related payment found or not in publishable state' },
    })
  })

  it('refuses to publish after the due date, and keeps a future validity date PUBLISHED until it comes', async () => {
    const { call, at } = aSimulator()
    await call('POST', positions, aPosition('IUPD-3', '01000000000000399'))
    const later = await call('POST', `${positions}?toPublish=true`, aPosition('IUPD-4', '01000000000000499', { validityDate: '2026-04-01T00:00:00.000Z' }))
    expect(later.body.status).toBe('PUBLISHED')
    at('2026-04-01T00:00:00.000Z')
    expect((await call('GET', `${positions}/IUPD-4`)).body.status).toBe('VALID')
    at('2026-07-01T00:00:00.000Z')
    expect(await call('POST', `${positions}/IUPD-3/publish`)).toMatchObject({
      status: 409,
      body: { title: 'Publish request occurred after the due date of a payment options has expired' },
    })
  })

  it('invalidates only PUBLISHED or VALID positions; expires one that asks to after its due date', async () => {
    const { call, at } = aSimulator()
    await call('POST', `${positions}?toPublish=true`, aPosition('IUPD-5', '01000000000000599'))
    await call('POST', `${positions}?toPublish=true`, aPosition('IUPD-6', '01000000000000699', { switchToExpired: true }))
    await call('POST', positions, aPosition('IUPD-7', '01000000000000799'))
    expect((await call('POST', `${positions}/IUPD-5/invalidate`)).body.status).toBe('INVALID')
    for (const iupd of ['IUPD-5', 'IUPD-7'])
      expect((await call('POST', `${positions}/${iupd}/invalidate`)).body.title).toBe('Existing related payment found or not in invalidable state')
    at('2026-07-01T00:00:00.000Z')
    expect((await call('GET', `${positions}/IUPD-6`)).body.status).toBe('EXPIRED')
    expect((await call('POST', `${positions}/IUPD-6/invalidate`)).status).toBe(409)
    expect(await call('GET', `${positions}/NOPE`)).toMatchObject({
      status: 404,
      body: { title: 'Not found the debt position', detail: `Not found a debt position for Organization Fiscal Code ${ofc} and IUPD NOPE` },
    })
  })

  it("refuses what GPD refuses, in GPD's words", async () => {
    const { call } = aSimulator()
    expect(await call('POST', positions, { ...aPosition('IUPD-8', '01000000000000899'), type: 'X', companyName: undefined })).toMatchObject({
      status: 400,
      body: { title: 'BAD REQUEST', status: 400, detail: expect.stringMatching(/^type: .*, companyName: /) },
    })
    expect((await call('POST', positions, aPosition('IUPD-8', '01000000000000899', {}, { amount: 6_000 }))).body.title).toBe(
      'Error in the debt position request data',
    )
    expect((await call('POST', positions, aPosition('IUPD-8', '01000000000000899', {}, { dueDate: '2026-02-01T00:00:00Z' }))).body.detail).toMatch(
      /^Dates congruence error: due_date/,
    )
    const both = aPosition('IUPD-8', '01000000000000899')
    ;(both.paymentOption[0]?.transfer[0] as Record<string, unknown>).postalIban = 'IT60X0760111101000000123456'
    expect((await call('POST', positions, both)).body.detail).toBe('Iban, postalIban and Stamp are mutually exclusive. One of them is required.')
    expect(await call('POST', `${positions}?toPublish=maybe`, aPosition('IUPD-8', '01000000000000899'))).toMatchObject({
      status: 400,
      body: { detail: 'Invalid value maybe for property toPublish' },
    })
    expect((await call('POST', positions, '{')).status).toBe(400)
  })

  it('holds IUPD, IUV and notice number unique within the organization (409)', async () => {
    const { call, sim } = aSimulator()
    await call('POST', positions, aPosition('IUPD-9', '01000000000000999'))
    const conflict = { status: 409, body: { title: 'The debt position violated constraints of uniqueness' } }
    expect(await call('POST', positions, aPosition('IUPD-9', '01000000000001099'))).toMatchObject(conflict)
    expect(await call('POST', positions, aPosition('IUPD-10', '01000000000000999'))).toMatchObject(conflict)
    expect(await call('POST', positions, aPosition('IUPD-10', '01000000000001099', {}, { nav: '301000000000000999' }))).toMatchObject(conflict)
    expect(sim.positions.size).toBe(1)
  })

  it("lets APIM refuse a missing key (401) and another organization's (403), and answers 503 to all during an outage", async () => {
    const { call, sim, at } = aSimulator()
    expect(await call('GET', `${positions}/X`, undefined, 'nope')).toMatchObject({ status: 401, body: { statusCode: 401 } })
    expect(await call('GET', '/organizations/99999999999/debtpositions/X')).toMatchObject({
      status: 403,
      body: { statusCode: 403, message: 'You are not allowed to access this resource.' },
    })
    expect(await call('GET', '/gpd/nothing')).toMatchObject({ status: 404, body: { statusCode: 404 } })
    sim.outage(1_000)
    expect((await call('POST', `${positions}?toPublish=true`, aPosition('IUPD-11', '01000000000001199'))).status).toBe(503)
    at('2026-03-01T10:00:01.000Z')
    expect((await call('POST', `${positions}?toPublish=true`, aPosition('IUPD-11', '01000000000001199'))).status).toBe(201)
    expect(sim.answers.map((a) => a.status)).toEqual([401, 403, 404, 503, 201])
  })

  it('shows the simulated Node each option by notice number, and records a payment', async () => {
    const { call, sim } = aSimulator()
    await call('POST', `${positions}?toPublish=true`, aPosition('IUPD-12', '01000000000001299', { email: 'maria.rossi@example.it', officeName: 'Tributi' }))
    expect(sim.findByNotice(ofc, '301000000000001299')).toEqual({
      organizationFiscalCode: ofc,
      companyName: 'Comune di Prova',
      officeName: 'Tributi',
      iupd: 'IUPD-12',
      status: 'VALID',
      debtor: { type: 'F', fiscalCode: 'GPDCTZ00A00Y001X', fullName: 'Maria Rossi', email: 'maria.rossi@example.it' },
      option: {
        iuv: '01000000000001299',
        noticeNumber: '301000000000001299',
        amountCents: 5_000,
        description: 'Diritti di segreteria',
        partial: false,
        paid: false,
        transfers: [
          {
            idTransfer: '1',
            amountCents: 5_000,
            organizationFiscalCode: ofc,
            iban: 'IT60X0542811101000000123456',
            remittanceInformation: 'Diritti',
            category: '9/0101100IM/',
          },
        ],
      },
    })
    expect(sim.findByNotice('99999999999', '301000000000001299')).toBeUndefined()
    sim.markPaid(ofc, '301000000000001299', {
      at: new Date('2026-03-02T09:00:00.000Z'),
      receiptId: 'r1',
      pspCompanyName: 'PSP',
      paymentMethod: 'creditCard',
      feeCents: 100,
    })
    expect((await call('GET', `${positions}/IUPD-12`)).body).toMatchObject({
      status: 'PAID',
      paymentDate: '2026-03-02T09:00:00.000Z',
      paymentOption: [{ status: 'PO_PAID', idReceipt: 'r1', pspCompany: 'PSP', fee: 100 }],
    })
  })

  it('takes installments as GPD does: PARTIALLY_PAID until the last is paid, and no payment in full once one is', async () => {
    const { call, sim } = aSimulator()
    const option = (iuv: string, amount: number, isPartialPayment: boolean, dueDate: string) => ({
      iuv,
      amount,
      description: isPartialPayment ? `Rata ${iuv.slice(-3, -2)}` : 'TARI',
      isPartialPayment,
      dueDate,
      transfer: [{ idTransfer: '1', amount, iban: 'IT60X0542811101000000123456', remittanceInformation: 'TARI', category: '9/0101100IM/' }],
    })
    const position = {
      ...aPosition('IUPD-13', '01000000000001399'),
      paymentOption: [
        option('01000000000001399', 10_000, false, '2026-04-30T21:59:59.000Z'),
        option('01000000000001488', 4_000, true, '2026-04-30T21:59:59.000Z'),
        option('01000000000001577', 6_000, true, '2026-06-30T21:59:59.000Z'),
      ],
    }
    expect((await call('POST', `${positions}?toPublish=true`, position)).status).toBe(201)
    const paid = { at: new Date('2026-03-02T09:00:00.000Z'), receiptId: 'r1', pspCompanyName: 'PSP', paymentMethod: 'creditCard', feeCents: 100 }
    expect(sim.findByNotice(ofc, '301000000000001488')?.option).toMatchObject({ partial: true, paid: false, amountCents: 4_000 })
    sim.markPaid(ofc, '301000000000001488', paid)
    expect(sim.findByNotice(ofc, '301000000000001399')).toMatchObject({ status: 'PARTIALLY_PAID', option: { partial: false, paid: false } })
    const got = (await call('GET', `${positions}/IUPD-13`)).body
    expect(got).toMatchObject({
      status: 'PARTIALLY_PAID',
      paymentOption: [{ status: 'PO_UNPAID' }, { status: 'PO_PAID', idReceipt: 'r1' }, { status: 'PO_UNPAID' }],
    })
    expect(got.paymentDate).toBeUndefined()
    sim.markPaid(ofc, '301000000000001577', { ...paid, receiptId: 'r2' })
    expect((await call('GET', `${positions}/IUPD-13`)).body).toMatchObject({ status: 'PAID', paymentDate: '2026-03-02T09:00:00.000Z' })
    expect((await call('POST', `${positions}/IUPD-13/invalidate`)).status).toBe(409)
  })
})
