// The built-in DOCAREA profile against a DOCAREA vendor served by soap.listen from Halley's real
// WSDL (../shared/contracts/backoffice/halley-docarea, never copied), over loopback: the port suite,
// then what arrived checked the way the vendor would — DST on every call, documents and their
// sha256, a Segnatura valid against segnatura-aipa/segnatura.xsd referencing the inserted ids.
import { Agent, type Dispatcher } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contractsAvailable, contractsDir } from '../../../../test/support/upstream-spec.ts'
import { eventually } from '../../../../test/support/webhook-receiver.ts'
import { listenSoap, type SoapSimulator } from '../../soap-profile/simulator/listen.ts'
import { xmllintErrors } from '../../soap-profile/simulator/xmllint.ts'
import { wsdlProblems } from '../../soap-profile/wsdl-check.ts'
import { parseXml } from '../../soap-profile/xml.ts'
import { createProtocolloClient, type ProtocolloClient } from '../client.ts'
import { aPractice, describeProtocolPort } from '../port.suite.ts'
import { createDocareaSimulator, type DocareaSimulator } from '../simulator/docarea.ts'
import { type ProtocolSettings, resolveProtocolProfile } from './index.ts'

const wsdl = `${contractsDir}backoffice/halley-docarea/HalleyProto-DOCAREAProto.wsdl`
const xsd = `${contractsDir}backoffice/segnatura-aipa/segnatura.xsd`
const env = { DOCAREA_USER: 'snodo', DOCAREA_PASSWORD: 'p&ss<w>rd"1', WRONG_PASSWORD: 'nope-nope' }
const params = {
  codiceEnte: 'A001',
  codiceAmministrazione: 'c_a001',
  codiceAOO: 'AOO_A001',
  denominazione: 'Comune di Esempio',
  indirizzoTelematico: 'protocollo@pec.comune.esempio.it',
  unitaOrganizzativa: 'UO-SOCIALE',
  classifica: '7.2',
}

let vendor: DocareaSimulator
let server: SoapSimulator
let client: ProtocolloClient

function settings(overrides: Partial<ProtocolSettings> = {}): ProtocolSettings {
  return {
    profile: 'docarea',
    services: { docarea: { wsdl, endpoint: `${server.url}${vendor.mount(wsdl).path}` } },
    credentials: { username: 'env:DOCAREA_USER', password: 'env:DOCAREA_PASSWORD' },
    params,
    timeoutMs: 400,
    ...overrides,
  }
}

function clientFor(s: ProtocolSettings, dispatcher?: Dispatcher): ProtocolloClient {
  const resolved = resolveProtocolProfile(s)
  if (!resolved.success) throw new Error(resolved.problems.join('\n'))
  return createProtocolloClient(resolved.profile, { env, dispatcher })
}

const protocollazioneAnswer = (inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ProtocollazioneResponse xmlns="http://tempuri.org/"><ProtocollazioneResult>${inner}</ProtocollazioneResult></ProtocollazioneResponse></soap:Body></soap:Envelope>`

describe.runIf(contractsAvailable('protocollo DOCAREA profile'))('the DOCAREA profile against a vendor built from Halley’s WSDL', () => {
  beforeAll(async () => {
    vendor = createDocareaSimulator({
      codEnte: params.codiceEnte,
      username: env.DOCAREA_USER,
      password: env.DOCAREA_PASSWORD,
      validateSegnatura: (xml) => xmllintErrors(xml, xsd),
      clock: () => new Date('2026-03-02T10:00:00Z'),
    })
    server = await listenSoap([vendor.mount(wsdl)])
    client = clientFor(settings())
  })
  afterAll(async () => {
    await client?.close()
    await server?.close()
  })

  describeProtocolPort('DOCAREA profile over loopback', async () => ({
    port: client,
    canSearch: false,
    registrationsOf: (key) => vendor.registrations.filter((r) => r.correlationKey === key).length,
    inBandCode: '108',
    recorded: (key) => {
      const found = vendor.registrations.find((r) => r.correlationKey === key)
      return found && { flusso: found.flusso, ...(found.precedent ? { refersTo: found.precedent } : {}) }
    },
    referenceTo: (original) => `${original.number}/${original.year}`,
    arrange: {
      inBandError: (p) => (vendor.troubleOnce('Protocollazione', { inBand: { code: 108, message: `Mittente ${p.applicant.fiscalCode} non valido` } }), p),
      fault: (p) => (vendor.troubleOnce('Protocollazione', { fault: 'Errore interno del server' }), p),
      commitTimeoutAfterRegistering: (p) => (vendor.troubleOnce('Protocollazione', { slowMs: 1_500, actFirst: true }), p),
      notXml: (p) => (server.answerRawOnce('Protocollazione', { contentType: 'text/html', body: 'Fatal error: Uncaught Exception in suap.php:42' }), p),
      dtd: (p, bait) => {
        const dtd = `<!DOCTYPE soap:Envelope SYSTEM "${bait.systemId}" [<!ENTITY xxe SYSTEM "file://${bait.entityFile}">]>`
        server.answerRawOnce('Protocollazione', {
          body: `<?xml version="1.0"?>${dtd}${protocollazioneAnswer('<lngNumPG>&xxe;</lngNumPG><lngAnnoPG>2026</lngAnnoPG><strDataPG>02/03/2026</strDataPG><lngErrNumber>0</lngErrNumber>').replace(/^<\?xml[^>]*\?>/, '')}`,
        })
        return p
      },
      noNumber: (p) => (vendor.troubleOnce('Protocollazione', { noNumber: true }), p),
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
      expect(arrived.map((a) => a.soapAction)).toEqual([
        'http://tempuri.org/Login',
        ...Array(3).fill('http://tempuri.org/Inserimento'),
        'http://tempuri.org/Protocollazione',
      ])
      expect(vendor.problems).toEqual([])
      // Every call after Login carries the DST Login gave (the vendor simulator refuses otherwise).
      const dst = /<(?:\w+:)?strDST>([^<]+)</.exec(arrived[1]!.envelope)?.[1]
      expect(dst).toMatch(/^DST-\d+$/)
      for (const call of arrived.slice(1)) expect(call.envelope).toContain(`>${dst}<`)
      const registered = vendor.registrations.find((r) => r.correlationKey === practice.correlationKey)!
      const stored = registered.documentIds.map((id) => vendor.documents.get(id)!)
      expect(stored.map((d) => d.name)).toEqual([practice.main.name, ...practice.attachments.map((a) => a.name)])
      expect(stored.map((d) => d.sha256)).toEqual([practice.main.sha256, ...practice.attachments.map((a) => a.sha256)])
      expect(stored[0]!.content.equals(practice.main.content)).toBe(true)
      expect(registration).toEqual({
        number: String(registered.number),
        year: 2026,
        date: '2026-03-02',
        aoo: params.codiceAOO,
        documentId: String(registered.documentIds[0]),
      })
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
      const segnatura = vendor.registrations.find((r) => r.correlationKey === practice.correlationKey)!.segnatura
      expect(segnatura).toContain('<Oggetto>Richiesta contributo affitto &lt;2026&gt; &amp; "morosità incolpevole"</Oggetto>')
      expect(segnatura).toContain(`<Parametro nome="correlationKey" valore="${practice.correlationKey}"/>`)
      expect(segnatura).toContain('<CodiceTitolario>7.2</CodiceTitolario>')
    })

    it('registers a later step’s document outgoing: the comune sends, the applicant receives, the original protocol referenced', async () => {
      const original = await client.register(aPractice())
      const step = aPractice({ direction: 'outgoing', precedent: original, attachments: [] })
      await client.register(step)
      const registered = vendor.registrations.find((r) => r.correlationKey === step.correlationKey)!
      expect(xmllintErrors(registered.segnatura, xsd)).toEqual([])
      expect(vendor.problems).toEqual([])
      const { Segnatura } = parseXml(registered.segnatura) as { Segnatura: Record<string, Record<string, unknown>> }
      const intestazione = Segnatura.Intestazione as Record<string, Record<string, unknown>>
      expect(intestazione.Identificatore).toMatchObject({ Flusso: 'U' })
      expect(intestazione.Mittente).toEqual({
        Amministrazione: expect.objectContaining({ CodiceAmministrazione: params.codiceAmministrazione }),
        AOO: { CodiceAOO: params.codiceAOO },
      })
      expect(intestazione.Destinatario).toEqual({ Persona: expect.objectContaining({ CodiceFiscale: step.applicant.fiscalCode }) })
      expect(registered.segnatura).toContain(`<Parametro nome="protocolloPrecedente" valore="${original.number}/${original.year}"/>`)
      expect(registered.segnatura).toContain(`<Parametro nome="dataProtocolloPrecedente" valore="${original.date}"/>`)
    })

    it('leaves out Allegati when the practice has no attachments, and the Segnatura still validates', async () => {
      const practice = aPractice({ attachments: [] })
      await client.register(practice)
      const registered = vendor.registrations.find((r) => r.correlationKey === practice.correlationKey)!
      expect(registered.segnatura).not.toContain('<Allegati')
      expect(vendor.problems).toEqual([])
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
      vendor.troubleOnce('Inserimento', { slowMs: 1_500, actFirst: true })
      await expect(client.register(practice)).rejects.toMatchObject({ kind: 'timeout', retryable: true })
      expect(vendor.registrations.filter((r) => r.correlationKey === practice.correlationKey)).toHaveLength(0)
      await client.register(practice)
      expect(vendor.registrations.filter((r) => r.correlationKey === practice.correlationKey)).toHaveLength(1)
    })

    it('a vendor that cannot be reached is unavailable, and nothing was sent', async () => {
      const closed = await listenSoap([])
      const url = closed.url
      await closed.close()
      const unreachable = clientFor(settings({ services: { docarea: { wsdl, endpoint: `${url}/suap.php` } } }))
      await expect(unreachable.register(aPractice())).rejects.toMatchObject({ kind: 'unavailable', retryable: true })
      await unreachable.close()
    })

    it('a Protocollazione still waiting for a connection at its deadline never left: retryable, while one sent without answer is outcome_unknown', async () => {
      // One connection for both clients: the slow Protocollazione holds it while the other waits.
      const pool = new Agent({ connections: 1 })
      const holder = clientFor({ ...settings(), timeoutMs: 2_000 }, pool)
      // A profile whose only call is the registering one, with a deadline far shorter than the holder's.
      const endpoint = `${server.url}${vendor.mount(wsdl).path}`
      const answer = { number: 'ProtocollazioneResult.lngNumPG', year: 'ProtocollazioneResult.lngAnnoPG', date: 'ProtocollazioneResult.strDataPG' }
      const commitOnly = clientFor(
        {
          profile: {
            name: 'docarea-commit-only',
            services: { docarea: { wsdl, endpoint, port: 'DOCAREAProtoSoap' } },
            auth: { type: 'none' },
            steps: [
              {
                name: 'protocollazione',
                service: 'docarea',
                operation: 'Protocollazione',
                commit: true,
                args: { strUserName: 'snodo', strDST: 'DST-0', strDocumentInfo: '{{practice.subject}}' },
                outputs: answer,
              },
            ],
            result: { number: '{{steps.protocollazione.number}}', year: '{{steps.protocollazione.year}}', date: '{{steps.protocollazione.date}}' },
          },
          timeoutMs: 50,
        },
        pool,
      )
      const sent = aPractice()
      vendor.troubleOnce('Protocollazione', { slowMs: 3_000, actFirst: true })
      const held = holder.register(sent).catch((e: unknown) => e)
      await eventually(() => server.arrivals.some((a) => a.soapAction.endsWith('Protocollazione') && a.envelope.includes(sent.correlationKey)), 10_000)
      const waiting = aPractice({ subject: `mai partita ${sent.correlationKey}` })
      await expect(commitOnly.register(waiting)).rejects.toMatchObject({ kind: 'timeout', retryable: true, message: expect.stringMatching(/never left Snodo/) })
      expect(await held).toMatchObject({ kind: 'protocol', retryable: false, upstreamCode: 'outcome_unknown' })
      expect(vendor.registrations.filter((r) => r.correlationKey === sent.correlationKey)).toHaveLength(1)
      // The connection is free again: the call given up was never written to it.
      await holder.register(aPractice())
      expect(server.arrivals.some((a) => a.envelope.includes('mai partita'))).toBe(false)
      await Promise.all([holder.close(), commitOnly.close()])
      await pool.close()
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
