// The built-in DocER profile against a DocER installation served by soap.listen from DocER's real
// WSDLs (../shared/contracts/backoffice/docer, never copied), over loopback: the port suite, then
// what arrived — token on every call, documents with their sha256 tied to the main one, a
// datiProtocollo valid against SegnaturaProtocollazioneRequest.xsd for the main document's id — and
// the search that makes a retry after a timeout safe.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contractsAvailable, contractsDir } from '../../../../test/support/upstream-spec.ts'
import { listenSoap, type SoapSimulator } from '../../soap-profile/simulator/listen.ts'
import { xmllintErrors } from '../../soap-profile/simulator/xmllint.ts'
import { wsdlProblems } from '../../soap-profile/wsdl-check.ts'
import { createProtocolloClient, type ProtocolloClient } from '../client.ts'
import { aPractice, describeProtocolPort } from '../port.suite.ts'
import { createDocerSimulator, type DocerSimulator } from '../simulator/docer.ts'
import { resolveProtocolProfile } from './index.ts'

const dir = `${contractsDir}backoffice/docer/`
const wsdl = { auth: `${dir}AuthenticationService.wsdl`, documenti: `${dir}DocerServices.wsdl`, protocollo: `${dir}WSProtocollazione.wsdl` }
const xsd = `${dir}SegnaturaProtocollazioneRequest.xsd`
const env = { DOCER_USER: 'snodo', DOCER_PASSWORD: 's3cret&<pw>' }
const params = {
  codiceEnte: 'EMR',
  codiceAmministrazione: 'c_d969',
  codiceAOO: 'AOO_D969',
  denominazione: 'Comune di Esempio',
  indirizzoTelematico: 'protocollo@pec.comune.esempio.it',
  classifica: '7.2',
}

let vendor: DocerSimulator
let server: SoapSimulator
let client: ProtocolloClient

const registrationsOf = (key: string) => vendor.registrations.filter((r) => vendor.documents.get(r.documentId)?.metadata.ABSTRACT === key).length
const protocollaAnswer = (inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ns:protocollaByIdResponse xmlns:ns="http://protocollazione.docer.kdm.it"><ns:return>${inner}</ns:return></ns:protocollaByIdResponse></soapenv:Body></soapenv:Envelope>`

describe.runIf(contractsAvailable('protocollo DocER profile'))('the DocER profile against an installation built from DocER’s WSDLs', () => {
  beforeAll(async () => {
    vendor = createDocerSimulator({
      codiceEnte: params.codiceEnte,
      username: env.DOCER_USER,
      password: env.DOCER_PASSWORD,
      validateSegnatura: (xml) => xmllintErrors(xml, xsd),
      clock: () => new Date('2026-03-02T10:00:00Z'),
    })
    server = await listenSoap(vendor.mounts(wsdl))
    const resolved = resolveProtocolProfile({
      profile: 'docer',
      services: Object.fromEntries(
        Object.entries(wsdl).map(([name, file]) => [name, { wsdl: file, endpoint: `${server.url}${vendor.paths[name as keyof typeof wsdl]}` }]),
      ),
      credentials: { username: 'env:DOCER_USER', password: 'env:DOCER_PASSWORD' },
      params,
      timeoutMs: 400,
    })
    if (!resolved.success) throw new Error(resolved.problems.join('\n'))
    client = createProtocolloClient(resolved.profile, { env })
  })
  afterAll(async () => {
    await client?.close()
    await server?.close()
  })

  describeProtocolPort('DocER profile over loopback', async () => ({
    port: client,
    canSearch: true,
    registrationsOf,
    inBandCode: '7',
    recorded: (key) => {
      const doc = [...vendor.documents.values()].find((d) => d.metadata.ABSTRACT === key && d.metadata.NUM_PG)
      const found = doc && vendor.registrations.find((r) => r.documentId === doc.id)
      return found && { flusso: found.flusso, ...(doc.riferimenti.length > 0 ? { refersTo: doc.riferimenti.join(',') } : {}) }
    },
    referenceTo: (original) => original.documentId as string,
    arrange: {
      inBandError: (p) => (vendor.troubleOnce('protocollaById', { inBand: { code: 7, message: `Mittente ${p.applicant.fiscalCode} sconosciuto` } }), p),
      fault: (p) => (vendor.troubleOnce('protocollaById', { fault: 'ProtocollazioneException: registro chiuso' }), p),
      commitTimeoutAfterRegistering: (p) => (vendor.troubleOnce('protocollaById', { slowMs: 1_500, actFirst: true }), p),
      notXml: (p) => (server.answerRawOnce('protocollaById', { contentType: 'text/plain', body: 'java.lang.NullPointerException at it.kdm.docer…' }), p),
      dtd: (p, bait) => {
        const dtd = `<!DOCTYPE soapenv:Envelope SYSTEM "${bait.systemId}" [<!ENTITY xxe SYSTEM "file://${bait.entityFile}">]>`
        server.answerRawOnce('protocollaById', { body: `<?xml version="1.0"?>${dtd}${protocollaAnswer('&xxe;').replace(/^<\?xml[^>]*\?>/, '')}` })
        return p
      },
      noNumber: (p) => (vendor.troubleOnce('protocollaById', { noNumber: true }), p),
    },
  }))

  it('fits DocER’s three WSDLs', async () => {
    const resolved = resolveProtocolProfile({
      profile: 'docer',
      services: Object.fromEntries(Object.entries(wsdl).map(([name, file]) => [name, { wsdl: file }])),
      credentials: { username: 'env:DOCER_USER', password: 'env:DOCER_PASSWORD' },
      params,
    })
    if (!resolved.success) throw new Error(resolved.problems.join('\n'))
    expect(await wsdlProblems(resolved.profile)).toEqual([])
  })

  describe('what reaches DocER', () => {
    it('searches first, then creates the documents, ties the attachments, and protocols the main one with a valid datiProtocollo', async () => {
      const practice = aPractice()
      const before = server.arrivals.length
      const registration = await client.register(practice)
      const actions = server.arrivals.slice(before).map((a) => a.soapAction.replace(/^urn:/, ''))
      expect(actions).toEqual(['login', 'searchDocuments', 'createDocument', 'createDocument', 'createDocument', 'addRelated', 'protocollaById'])
      expect(vendor.problems).toEqual([])
      const registered = vendor.registrations.at(-1)!
      const main = vendor.documents.get(registered.documentId)!
      expect(main.metadata).toMatchObject({
        ABSTRACT: practice.correlationKey,
        DOCNAME: practice.main.name,
        COD_ENTE: params.codiceEnte,
        COD_AOO: params.codiceAOO,
      })
      expect(main.sha256).toBe(practice.main.sha256)
      expect(main.related.map((id) => vendor.documents.get(id)!.sha256)).toEqual(practice.attachments.map((a) => a.sha256))
      expect(xmllintErrors(registered.datiProtocollo, xsd)).toEqual([])
      expect(registered.datiProtocollo).toContain('<Oggetto>Richiesta contributo affitto &lt;2026&gt; &amp; "morosità incolpevole"</Oggetto>')
      expect(registration).toEqual({
        number: String(registered.number),
        year: 2026,
        date: '2026-03-02T10:00:00',
        registry: 'PG',
        aoo: params.codiceAOO,
        documentId: main.id,
      })
    })

    it('registers a later step’s document outgoing, tied to the original document with addRiferimentiDocuments before protocollaById', async () => {
      const original = await client.register(aPractice({ attachments: [] }))
      const step = aPractice({ correlationKey: `${randomUUID()}/3`, direction: 'outgoing', precedent: original, attachments: [] })
      const before = server.arrivals.length
      const registration = await client.register(step)
      expect(server.arrivals.slice(before).map((a) => a.soapAction.replace(/^urn:/, ''))).toEqual([
        'login',
        'searchDocuments',
        'createDocument',
        'addRiferimentiDocuments',
        'protocollaById',
      ])
      expect(vendor.problems).toEqual([])
      const registered = vendor.registrations.at(-1)!
      expect(registration.documentId).toBe(registered.documentId)
      expect(vendor.documents.get(registered.documentId)?.riferimenti).toEqual([original.documentId])
      expect(xmllintErrors(registered.datiProtocollo, xsd)).toEqual([])
      expect(registered.flusso).toBe('U')
      expect(registered.datiProtocollo).toMatch(
        new RegExp(
          `<Mittenti><Mittente><Amministrazione><Denominazione>${params.denominazione}</Denominazione><CodiceAmministrazione>${params.codiceAmministrazione}</CodiceAmministrazione>`,
        ),
      )
      expect(registered.datiProtocollo).toMatch(new RegExp(`<Destinatari><Destinatario><Persona id="${step.applicant.fiscalCode}">`))
    })

    it('carries the login token on every call', async () => {
      await client.register(aPractice({ attachments: [] })) // traffic of its own, so the sweep stands alone
      const withToken = server.arrivals.filter((a) => !a.soapAction.endsWith('login'))
      expect(withToken.length).toBeGreaterThan(0)
      for (const call of withToken.filter((a) => a.envelope.includes('Envelope') && !a.envelope.includes('&xxe;')))
        expect(call.envelope).toMatch(/<(\w+:)?token>ticket-\d+</)
    })

    it('a failed login is unauthorized (DocER answers a fault)', async () => {
      const resolved = resolveProtocolProfile({
        profile: 'docer',
        services: Object.fromEntries(
          Object.entries(wsdl).map(([name, file]) => [name, { wsdl: file, endpoint: `${server.url}${vendor.paths[name as keyof typeof wsdl]}` }]),
        ),
        credentials: { username: 'env:DOCER_USER', password: 'env:OTHER' },
        params,
      })
      if (!resolved.success) throw new Error(resolved.problems.join('\n'))
      const wrong = createProtocolloClient(resolved.profile, { env: { ...env, OTHER: 'wrong-password' } })
      await expect(wrong.register(aPractice())).rejects.toMatchObject({ kind: 'unauthorized', retryable: false })
      await wrong.close()
    })

    it('a createDocument that times out after creating leaves an orphan, and the retry still registers once', async () => {
      const practice = aPractice()
      vendor.troubleOnce('createDocument', { slowMs: 1_500, actFirst: true })
      await expect(client.register(practice)).rejects.toMatchObject({ kind: 'timeout', retryable: true })
      await client.register(practice)
      expect(registrationsOf(practice.correlationKey)).toBe(1)
    })

    it('an HTTP 500 page instead of an answer to protocollaById is unavailable: retryable, because the retry searches first', async () => {
      const practice = aPractice()
      server.answerRawOnce('protocollaById', { status: 500, contentType: 'text/html', body: '<html><body>Internal Server Error</body></html>' })
      await expect(client.register(practice)).rejects.toMatchObject({ kind: 'unavailable', retryable: true })
      await client.register(practice)
      expect(registrationsOf(practice.correlationKey)).toBe(1)
    })

    it('refuses a DTD hidden in the XML that protocollaById returns as a string', async () => {
      const practice = aPractice()
      const embedded =
        '<?xml version="1.0"?><!DOCTYPE esito [<!ENTITY n SYSTEM "file:///etc/passwd">]><esito><codice>0</codice><dati_protocollo><NUM_PG>&n;</NUM_PG></dati_protocollo></esito>'
      const escaped = embedded.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      server.answerRawOnce('protocollaById', { body: protocollaAnswer(escaped) })
      const error = await client.register(practice).catch((e: unknown) => e)
      expect(error).toMatchObject({ kind: 'protocol', platform: 'backoffice' })
      expect((error as Error).message).toMatch(/DTD/)
      expect((error as Error).message).not.toMatch(/root:x?:0:0/)
    })

    it('findByCorrelationKey finds a registered practice, the number and date as DocER keeps them', async () => {
      const practice = aPractice({ attachments: [] })
      const registration = await client.register(practice)
      expect(await client.findByCorrelationKey?.(practice.correlationKey)).toEqual(registration)
    })
  })
})
