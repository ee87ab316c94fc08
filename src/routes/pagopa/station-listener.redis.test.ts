// The station endpoint behind mutual TLS on a listener of its own (issue 14): the TLS handshake ends any
// caller without a client certificate of the configured CA, the guard refuses a certificate of another
// subject, and the Node's own certificate goes through — end to end, the Node simulator presenting it,
// paying a 'gpd' tenant's notice on GPD and sending the receipt. The main listener has no /pagopa/nodo.
import { rmSync } from 'node:fs'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aReceipt, readAnswer, sendRTCall } from '../../../test/support/nodo-calls.ts'
import { nodoCertificates, nodoSubject, type Pem } from '../../../test/support/nodo-certificates.ts'
import { createNodoStation, stationB } from '../../../test/support/nodo-station.ts'
import { createNodoSimulator } from '../../adapters/pagopa/simulator/nodo/sender.ts'
import { createSimulatorContext } from '../../adapters/simulator/harness.ts'
import { type StationListener, startStationListener } from './station-listener.ts'

let s: Awaited<ReturnType<typeof createNodoStation>>
let certs: Awaited<ReturnType<typeof nodoCertificates>>
let listener: StationListener
beforeAll(async () => {
  certs = await nodoCertificates()
  const { files } = certs
  s = await createNodoStation('pagoPA nodo station behind mTLS', {
    nodoEndpoint: {
      mtls: {
        host: '127.0.0.1',
        port: 0,
        cert: `file:${files.cert}`,
        key: `file:${files.key}`,
        clientCa: `file:${files.clientCa}`,
        allowedSubjects: [{ CN: 'another.allowed.test' }, nodoSubject],
      },
    },
  })
  listener = (await startStationListener(s.t.deps)) as StationListener
}, 30_000)
afterAll(async () => {
  await listener.close()
  await s.close()
  rmSync(certs.dir, { recursive: true, force: true })
})

const forged = (p: { data: { noticeNumber: string; iuv: string } }, receiptId: string) =>
  sendRTCall(
    2,
    stationB,
    aReceipt({
      receiptId,
      noticeNumber: p.data.noticeNumber,
      fiscalCode: stationB.idPA,
      creditorReferenceId: p.data.iuv,
      paymentAmount: '10.50',
      idPSP: 'ATTACKER',
    }),
  )

/** A POST over TLS that trusts the station's CA and presents `client`, if any. */
async function postAs(client: Pem | undefined, envelope: string) {
  const dispatcher = new Agent({ connect: { ca: certs.ca.cert, ...client } })
  try {
    const res = await request(`${listener.url}/pagopa/nodo`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"paSendRTV2"' },
      body: envelope,
      dispatcher,
    })
    const text = await res.body.text()
    return { status: res.statusCode, answer: await readAnswer(text) }
  } finally {
    await dispatcher.close()
  }
}

describe('who is refused', () => {
  it.each([
    ['no client certificate', () => undefined],
    ['a certificate of another CA, with the right subject', () => certs.otherCa],
  ])('%s: the TLS handshake ends, with a warning, and the payment stays as it was', async (_case, client) => {
    const p = await s.aPayment({ tenantId: 'comune-b' })
    s.payOnGpd(p)
    const before = s.logs.filter((l) => l.reason === 'tls_handshake').length
    await expect(postAs(client(), forged(p, 'rt-tls'))).rejects.toThrow()
    await expect.poll(() => s.logs.filter((l) => l.reason === 'tls_handshake' && l.level === 40).length).toBeGreaterThan(before)
    expect(await s.stored(p)).toEqual(p)
  })

  it('a certificate of the configured CA with another subject: SOAP Fault, 403, a warning naming the subject', async () => {
    const p = await s.aPayment({ tenantId: 'comune-b' })
    s.payOnGpd(p)
    const { status, answer } = await postAs(certs.wrongSubject, forged(p, 'rt-subject'))
    expect([status, answer.soapFault?.faultcode]).toEqual([403, 'soapenv:Client'])
    expect(s.logs).toContainEqual(
      expect.objectContaining({ level: 40, reason: 'certificate_subject', listener: 'station', subject: expect.objectContaining({ O: 'Someone Else' }) }),
    )
    expect(await s.stored(p)).toEqual(p)
  })

  it('the main listener does not serve /pagopa/nodo at all', async () => {
    const p = await s.aPayment({ tenantId: 'comune-b' })
    expect((await s.t.app.request('/pagopa/nodo', { method: 'POST', body: forged(p, 'rt-main') })).status).toBe(404)
  })
})

it('the Node with its certificate pays a notice on GPD and its receipt is taken', async () => {
  const p = await s.aPayment({ tenantId: 'comune-b' })
  const nodo = createNodoSimulator(createSimulatorContext({ idPrefix: 'rt-mtls-' }), {
    stations: [{ ...stationB, url: `${listener.url}/pagopa/nodo` }],
    positions: s.gpd,
    tls: { ...certs.nodo, ca: certs.ca.cert },
  })
  try {
    const paid = await nodo.pay(stationB.idPA, p.data.noticeNumber)
    expect(paid).toMatchObject({ paid: true, deliveries: [{ httpStatus: 200, answer: { outcome: 'OK' } }] })
    expect((await s.stored(p)).status).toBe('paid')
  } finally {
    await nodo.close()
  }
})
