// The built-in DOCAREA profile against a DOCAREA vendor served by soap.listen from Halley's real
// WSDL (../shared/contracts/backoffice/halley-docarea, never copied), over loopback: the port suite,
// then what arrived checked the way the vendor would — DST on every call, documents and their
// sha256, a Segnatura valid against segnatura-aipa/segnatura.xsd referencing the inserted ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contractsAvailable, contractsDir } from '../../../../test/support/upstream-spec.ts'
import { createProtocolloClient, type ProtocolloClient } from '../client.ts'
import { aPractice, describeProtocolPort } from '../port.suite.ts'
import { createDocareaDouble, type DocareaDouble } from '../vendor-doubles/docarea.ts'
import { listenSoap, type SoapDouble } from '../../soap-profile/doubles/listen.ts'
import { xmllintErrors } from '../../soap-profile/doubles/xmllint.ts'
import { wsdlProblems } from '../../soap-profile/wsdl-check.ts'
import { resolveProtocolProfile, type ProtocolSettings } from './index.ts'

const wsdl = `${contractsDir}backoffice/halley-docarea/HalleyProto-DOCAREAProto.wsdl`
const xsd = `${contractsDir}backoffice/segnatura-aipa/segnatura.xsd`
const env = { DOCAREA_USER: 'snodo', DOCAREA_PASSWORD: 'p&ss<w>rd"1', WRONG_PASSWORD: 'nope-nope' }
const params = { codiceEnte: 'A001', codiceAmministrazione: 'c_a001', codiceAOO: 'AOO_A001', denominazione: 'Comune di Esempio', indirizzoTelematico: 'protocollo@pec.comune.esempio.it', unitaOrganizzativa: 'UO-SOCIALE', classifica: '7.2' }

let double: DocareaDouble
let server: SoapDouble
let client: ProtocolloClient

function settings(overrides: Partial<ProtocolSettings> = {}): ProtocolSettings {
  return {
    profile: 'docarea',
    services: { docarea: { wsdl, endpoint: `${server.url}${double.mount(wsdl).path}` } },
    credentials: { username: 'env:DOCAREA_USER', password: 'env:DOCAREA_PASSWORD' },
    params,
    timeoutMs: 400,
    ...overrides,
  }
}

function clientFor(s: ProtocolSettings): ProtocolloClient {
  const resolved = resolveProtocolProfile(s)
  if (!resolved.success) throw new Error(resolved.problems.join('\n'))
  return createProtocolloClient(resolved.profile, { env })
}

const protocollazioneAnswer = (inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ProtocollazioneResponse xmlns="http://tempuri.org/"><ProtocollazioneResult>${inner}</ProtocollazioneResult></ProtocollazioneResponse></soap:Body></soap:Envelope>`

describe.runIf(contractsAvailable('protocollo DOCAREA profile'))('the DOCAREA profile against a vendor built from Halley’s WSDL', () => {
  beforeAll(async () => {
    double = createDocareaDouble({ codEnte: params.codiceEnte, username: env.DOCAREA_USER, password: env.DOCAREA_PASSWORD, validateSegnatura: (xml) => xmllintErrors(xml, xsd), clock: () => new Date('2026-03-02T10:00:00Z') })
    server = await listenSoap([double.mount(wsdl)])
    client = clientFor(settings())
  })
  afterAll(async () => {
    await client?.close()
    await server?.close()
  })

  describeProtocolPort('DOCAREA profile over loopback', async () => ({
    port: client,
    canSearch: false,
    registrationsOf: (key) => double.registrations.filter((r) => r.correlationKey === key).length,
    inBandCode: '108',
    arrange: {
      inBandError: (p) => (double.troubleOnce('Protocollazione', { inBand: { code: 108, message: `Mittente ${p.applicant.fiscalCode} non valido` } }), p),
      fault: (p) => (double.troubleOnce('Protocollazione', { fault: 'Errore interno del server' }), p),
      commitTimeoutAfterRegistering: (p) => (double.troubleOnce('Protocollazione', { slowMs: 1_500, actFirst: true }), p),
      notXml: (p) => (server.answerRawOnce('Protocollazione', { contentType: 'text/html', body: 'Fatal error: Uncaught Exception in suap.php:42' }), p),
      dtd: (p, bait) => {
        const dtd = `<!DOCTYPE soap:Envelope SYSTEM "${bait.systemId}" [<!ENTITY xxe SYSTEM "file://${bait.entityFile}">]>`
        server.answerRawOnce('Protocollazione', { body: `<?xml version="1.0"?>${dtd}${protocollazioneAnswer('<lngNumPG>&xxe;</lngNumPG><lngAnnoPG>2026</lngAnnoPG><strDataPG>02/03/2026</strDataPG><lngErrNumber>0</lngErrNumber>').replace(/^<\?xml[^>]*\?>/, '')}` })
        return p
      },
      noNumber: (p) => (double.troubleOnce('Protocollazione', { noNumber: true }), p),
    },
  }))

  it('fits Halley’s WSDL, and a DocER WSDL does not fit it', async () => {
    const fits = resolveProtocolProfile(settings())
    const misfit = resolveProtocolProfile(settings({ services: { docarea: { wsdl: `${contractsDir}backoffice/docer/WSProtocollazione.wsdl` } } }))
    if (!fits.success || !misfit.success) throw new Error('unresolved')
    expect(await wsdlProblems(fits.profile)).toEqual([])
    expect(await wsdlProblems(misfit.profile)).toEqual([
      'auth.step: the WSDL of docarea has no port DOCAREAProtoSoap (it has WSProtocollazioneHttpSoap11Endpoint, WSProtocollazioneHttpSoap12Endpoint)',
      'steps.0: the WSDL of docarea has no port DOCAREAProtoSoap (it has WSProtocollazioneHttpSoap11Endpoint, WSProtocollazioneHttpSoap12Endpoint)',
      'steps.1: the WSDL of docarea has no port DOCAREAProtoSoap (it has WSProtocollazioneHttpSoap11Endpoint, WSProtocollazioneHttpSoap12Endpoint)',
      'steps.2: the WSDL of docarea has no port DOCAREAProtoSoap (it has WSProtocollazioneHttpSoap11Endpoint, WSProtocollazioneHttpSoap12Endpoint)',
    ])
  })

  describe('what reaches the vendor', () => {
    it('logs in, inserts every document with its content, and protocols a valid Segnatura that references them', async () => {
      const practice = aPractice()
      const before = server.arrivals.length
      const registration = await client.register(practice)
      const arrived = server.arrivals.slice(before)
      expect(arrived.map((a) => a.soapAction)).toEqual(['http://tempuri.org/Login', ...Array(3).fill('http://tempuri.org/Inserimento'), 'http://tempuri.org/Protocollazione'])
      expect(double.problems).toEqual([])
      // Every call after Login carries the DST Login gave (the double refuses otherwise).
      const dst = /<(?:\w+:)?strDST>([^<]+)</.exec(arrived[1]!.envelope)?.[1]
      expect(dst).toMatch(/^DST-\d+$/)
      for (const call of arrived.slice(1)) expect(call.envelope).toContain(`>${dst}<`)
      const registered = double.registrations.find((r) => r.correlationKey === practice.correlationKey)!
      const stored = registered.documentIds.map((id) => double.documents.get(id)!)
      expect(stored.map((d) => d.name)).toEqual([practice.main.name, ...practice.attachments.map((a) => a.name)])
      expect(stored.map((d) => d.sha256)).toEqual([practice.main.sha256, ...practice.attachments.map((a) => a.sha256)])
      expect(stored[0]!.content.equals(practice.main.content)).toBe(true)
      expect(registration).toEqual({ number: String(registered.number), year: 2026, date: '2026-03-02', aoo: params.codiceAOO, documentId: String(registered.documentIds[0]) })
      expect(xmllintErrors(registered.segnatura, xsd)).toEqual([])
    })

    it('escapes the Segnatura once, as a string argument: the vendor reads back the exact subject', async () => {
      const practice = aPractice()
      const before = server.arrivals.length
      await client.register(practice)
      const envelope = server.arrivals.slice(before).find((a) => a.soapAction.endsWith('Protocollazione'))!.envelope
      // In the Segnatura: &lt;2026&gt; &amp; — in the envelope that text is escaped once more, never twice.
      expect(envelope).toContain('&amp;lt;2026&amp;gt; &amp;amp;')
      expect(envelope).not.toContain('&amp;amp;lt;')
      const segnatura = double.registrations.find((r) => r.correlationKey === practice.correlationKey)!.segnatura
      expect(segnatura).toContain('<Oggetto>Richiesta contributo affitto &lt;2026&gt; &amp; "morosità incolpevole"</Oggetto>')
      expect(segnatura).toContain(`<Parametro nome="correlationKey" valore="${practice.correlationKey}"/>`)
      expect(segnatura).toContain('<CodiceTitolario>7.2</CodiceTitolario>')
    })

    it('leaves out Allegati when the practice has no attachments, and the Segnatura still validates', async () => {
      const practice = aPractice({ attachments: [] })
      await client.register(practice)
      const registered = double.registrations.find((r) => r.correlationKey === practice.correlationKey)!
      expect(registered.segnatura).not.toContain('<Allegati')
      expect(double.problems).toEqual([])
    })
  })

  describe('failures before the registering call are safe to retry', () => {
    it('a refused Login (in-band) is unauthorized', async () => {
      const wrong = clientFor(settings({ credentials: { username: 'env:DOCAREA_USER', password: 'env:WRONG_PASSWORD' } }))
      const practice = aPractice()
      await expect(wrong.register(practice)).rejects.toMatchObject({ kind: 'unauthorized', upstreamCode: '1', retryable: false })
      await wrong.close()
    })

    it('an Inserimento that times out is retried, and the retry registers the practice once', async () => {
      const practice = aPractice()
      double.troubleOnce('Inserimento', { slowMs: 1_500, actFirst: true })
      await expect(client.register(practice)).rejects.toMatchObject({ kind: 'timeout', retryable: true })
      expect(double.registrations.filter((r) => r.correlationKey === practice.correlationKey)).toHaveLength(0)
      await client.register(practice)
      expect(double.registrations.filter((r) => r.correlationKey === practice.correlationKey)).toHaveLength(1)
    })

    it('a vendor that cannot be reached is unavailable, and nothing was sent', async () => {
      const closed = await listenSoap([])
      const url = closed.url
      await closed.close()
      const unreachable = clientFor(settings({ services: { docarea: { wsdl, endpoint: `${url}/suap.php` } } }))
      await expect(unreachable.register(aPractice())).rejects.toMatchObject({ kind: 'unavailable', retryable: true })
      await unreachable.close()
    })

    it('an unresolvable credential is unauthorized, before any call', async () => {
      const missing = clientFor(settings({ credentials: { username: 'env:DOCAREA_USER', password: 'env:NOT_SET_ANYWHERE' } }))
      const before = server.arrivals.length
      await expect(missing.register(aPractice())).rejects.toMatchObject({ kind: 'unauthorized', upstreamCode: 'credential_unresolved' })
      expect(server.arrivals.length).toBe(before)
      await missing.close()
    })
  })
})
