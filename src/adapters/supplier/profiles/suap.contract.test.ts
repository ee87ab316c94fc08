// The built-in supplier profiles against the simulated supplier served by the real `soap.listen` from
// our PraticheFornitore.wsdl, over loopback: the port suite, then what arrives — every envelope valid
// against the WSDL's own schema, the structured practice, documents by bytes and by reference, the
// credentials — and the SUAP riepilogo valid against the real Suap.xsd (../shared/contracts, read in
// place), built only from what the practice holds.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClientAsync, WSSecurity } from 'soap'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contractsAvailable } from '../../../../test/support/upstream-spec.ts'
import { soapBodyErrors, xsdErrors, xsdPaths } from '../../../../test/support/xsd.ts'
import { wsdlProblems } from '../../soap-profile/wsdl-check.ts'
import { createSupplierClient, type SupplierClient } from '../client.ts'
import { aPracticeToPush, describeSupplierPort, suapData } from '../port.suite.ts'
import type { SoapRoutingInput } from '../routing.ts'
import { pushMagicSubjects, supplierCodes } from '../simulator/magic.ts'
import { type ReceivedPractice, type SupplierService, startSupplierService } from '../simulator/service.ts'
import { resolveSupplierProfile } from './index.ts'
import { praticheFornitoreWsdlPath } from './pratica.ts'

const withContracts = contractsAvailable('supplier push SUAP riepilogo')
const env = { SUPPLIER_USER: 'snodo-comune-a', SUPPLIER_PASSWORD: 'pw:&<odd>' }
const params = { ufficio: 'SUAP del Comune di Roma', codiceAmministrazione: 'c_h501', codiceAOO: 'AOO_SUAP', identificativoSuap: '1234', modulo: 'SCIA unica' }
let supplier: SupplierService
let client: SupplierClient

const route = (over: Partial<SoapRoutingInput> = {}): SoapRoutingInput => ({
  mode: 'soap',
  profile: 'suap',
  endpoint: supplier.endpoint,
  auth: { type: 'wsse', username: 'env:SUPPLIER_USER', password: 'env:SUPPLIER_PASSWORD' },
  params,
  timeoutMs: 400,
  ...over,
})
const clientFor = (routing: SoapRoutingInput, secrets: Record<string, string> = env) => {
  const resolved = resolveSupplierProfile(routing)
  if (!resolved.success) throw new Error(resolved.problems.join('\n'))
  return createSupplierClient(resolved.profile, { env: secrets })
}
const withSubject = (token: string) => (p: ReturnType<typeof aPracticeToPush>) => ({ ...p, subject: `${p.subject} ${token}` })
const answer = (inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><riceviPraticaResponse xmlns="urn:snodo:backoffice:pratiche:v1">${inner}</riceviPraticaResponse></soap:Body></soap:Envelope>`

/** The schema inside our WSDL as a file of its own, with the namespaces it inherits from <definitions>. */
function wsdlSchemaFile(): string {
  const wsdl = readFileSync(praticheFornitoreWsdlPath, 'utf8')
  const schema = /<xsd:schema[\s\S]*<\/xsd:schema>/.exec(wsdl)?.[0] as string
  const file = join(mkdtempSync(join(tmpdir(), 'snodo-wsdl-')), 'PraticheFornitore.xsd')
  writeFileSync(file, schema.replace('<xsd:schema ', '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:snodo:backoffice:pratiche:v1" '))
  return file
}

beforeAll(async () => {
  supplier = await startSupplierService({
    account: { username: env.SUPPLIER_USER, password: env.SUPPLIER_PASSWORD, auth: 'wsse' },
    slowMs: 1_500,
    ...(withContracts ? { validateRiepilogo: (xml: string) => xsdErrors(xml, xsdPaths.suap) } : {}),
  })
  client = clientFor(route())
})
afterAll(async () => {
  await client?.close()
  await supplier?.close()
})

describeSupplierPort('the suap profile against the simulated supplier', async () => ({
  port: client,
  canSearch: true,
  timesReceived: (key) => supplier.timesReceived(key),
  inBandCode: supplierCodes.refused.code,
  arrange: {
    inBandError: withSubject(pushMagicSubjects.inBandError),
    fault: withSubject(pushMagicSubjects.fault),
    busy: withSubject(pushMagicSubjects.busy),
    commitTimeoutAfterReceiving: withSubject(pushMagicSubjects.slow),
    notXml: (p) => (supplier.soap.answerRawOnce('riceviPratica', { contentType: 'text/html', body: '<html>Proxy error</html>' }), p),
    dtd: (p, bait) => {
      const dtd = `<!DOCTYPE soap:Envelope SYSTEM "${bait.systemId}" [<!ENTITY xxe SYSTEM "file://${bait.entityFile}">]>`
      supplier.soap.answerRawOnce('riceviPratica', {
        body: `<?xml version="1.0"?>${dtd}${answer('<esito>OK</esito><idPraticaFornitore>&xxe;</idPraticaFornitore>').replace(/^<\?xml[^>]*\?>/, '')}`,
      })
      return p
    },
  },
}))

describe('what reaches the supplier', () => {
  const last = (id: string) => supplier.received.findLast((p) => p.idPratica === id) as ReceivedPractice

  it('fits our WSDL (operations, port), and every envelope Snodo sent is valid against its schema', async () => {
    const resolved = resolveSupplierProfile(route())
    if (!resolved.success) throw new Error(resolved.problems.join('\n'))
    expect(await wsdlProblems(resolved.profile)).toEqual([])
    await client.push(aPracticeToPush())
    const schema = wsdlSchemaFile()
    const sent = supplier.soap.arrivals.filter((a) => a.envelope.includes('Envelope') && !a.envelope.includes('DOCTYPE'))
    expect(sent.map((a) => a.soapAction)).toContain('urn:snodo:backoffice:pratiche:v1/riceviPratica')
    if (withContracts) for (const arrival of sent) expect(soapBodyErrors(arrival.envelope, schema), arrival.soapAction).toEqual([])
  })

  it('asks first, then sends the structured practice: applicant, registration, form data, documents by bytes and by reference', async () => {
    const practice = aPracticeToPush()
    const before = supplier.soap.arrivals.length
    const receipt = await client.push(practice)
    expect(supplier.soap.arrivals.slice(before).map((a) => a.soapAction.split('/').at(-1))).toEqual(['cercaPratica', 'riceviPratica'])
    expect(supplier.problems).toEqual([])
    const got = last(practice.correlationKey)
    expect(receipt).toEqual({ supplierPracticeId: got.idPraticaFornitore, found: false })
    expect(got).toMatchObject({
      codiceServizio: 'SUAP-02',
      oggetto: practice.subject,
      richiedente: { codiceFiscale: practice.applicant.fiscalCode, nome: 'Mario', cognome: 'Rossi', pec: practice.applicant.pec },
      protocollo: { numero: '1234', anno: 2026, data: '2026-03-02T10:20:00', registro: 'PG', aoo: 'AOO_H501', idDocumento: 'doc-77' },
      datiModulo: suapData,
    })
    const [main, visura, planimetria] = [practice.main, ...practice.attachments]
    expect(got.allegati).toEqual([
      { nomeFile: main?.name, tipoMime: 'application/pdf', impronta: main?.sha256, dimensione: main?.size, principale: true, bytes: main?.size },
      { nomeFile: visura?.name, tipoMime: 'application/pdf', impronta: visura?.sha256, dimensione: visura?.size, principale: false, bytes: visura?.size },
      {
        nomeFile: planimetria?.name,
        tipoMime: 'application/pdf',
        impronta: planimetria?.sha256,
        dimensione: planimetria?.size,
        principale: false,
        riferimento: (planimetria as { url: string }).url,
      },
    ])
  })

  it.runIf(withContracts)('carries a riepilogo-pratica-suap valid against the real Suap.xsd, with standard file names and the text escaped once', async () => {
    const practice = aPracticeToPush()
    await client.push(practice)
    const riepilogo = last(practice.correlationKey).riepilogo as string
    expect(xsdErrors(riepilogo, xsdPaths.suap)).toEqual([])
    expect(riepilogo).toContain(
      '<oggetto-comunicazione tipo-procedimento="SCIA" tipo-intervento="apertura">SCIA apertura bar &lt;Caffè Rossi&gt; &amp; "dehors"</oggetto-comunicazione>',
    )
    expect(riepilogo).toContain('<ragione-sociale>Caffè Rossi &amp; Figli S.r.l.</ragione-sociale>')
    expect(riepilogo).toContain(`<codice-pratica>${practice.correlationKey}</codice-pratica>`)
    // CF-GGMMAAAA-HHMM.NNN: the applicant, 09:15 UTC = 10:15 in Rome, the document's place.
    expect(riepilogo).toContain('nome-file="RSSMRA80A01H501U-02032026-1015.1.MDA.pdf"')
    expect(riepilogo).toContain('nome-file="RSSMRA80A01H501U-02032026-1015.3.pdf"')
    expect(riepilogo).toContain('identificativo-suap="1234"')
  })

  it('the pratica profile sends the same practice without a riepilogo, and HTTP Basic when the route says so', async () => {
    const basic = await startSupplierService({ account: { username: env.SUPPLIER_USER, password: env.SUPPLIER_PASSWORD, auth: 'basic' } })
    const pratica = clientFor(
      route({
        profile: 'pratica',
        endpoint: basic.endpoint,
        auth: { type: 'basic', username: 'env:SUPPLIER_USER', password: 'env:SUPPLIER_PASSWORD' },
        params: {},
      }),
    )
    const practice = aPracticeToPush({ data: { qualsiasi: ['dato', 1] }, serviceCode: 'SOC-02' })
    await pratica.push(practice)
    expect(basic.received[0]).toMatchObject({ idPratica: practice.correlationKey, datiModulo: { qualsiasi: ['dato', 1] } })
    expect(basic.received[0]?.riepilogo).toBeUndefined()
    expect(basic.problems).toEqual([])
    await pratica.close()
    await basic.close()
  })

  it('wrong credentials are unauthorized: the supplier’s fault, not retried', async () => {
    const wrong = clientFor(route(), { ...env, SUPPLIER_PASSWORD: 'nope' })
    await expect(wrong.push(aPracticeToPush())).rejects.toMatchObject({ kind: 'unauthorized', retryable: false, upstreamCode: 'soap:Client' })
    await wrong.close()
  })

  it('an HTTP 503 page to riceviPratica is unavailable: retryable, because the retry asks first', async () => {
    const practice = aPracticeToPush()
    supplier.soap.answerRawOnce('riceviPratica', { status: 503, contentType: 'text/html', body: '<html>Service Unavailable</html>' })
    await expect(client.push(practice)).rejects.toMatchObject({ kind: 'unavailable', retryable: true })
    await client.push(practice)
    expect(supplier.timesReceived(practice.correlationKey)).toBe(1)
  })
})

describe('the simulated supplier checks what arrives', () => {
  it('answers KO E_DATI, naming the faults, to a practice sent by another client with wrong bytes and no registration', async () => {
    const other = await createClientAsync(praticheFornitoreWsdlPath, { endpoint: supplier.endpoint })
    other.setSecurity(new WSSecurity(env.SUPPLIER_USER, env.SUPPLIER_PASSWORD))
    const doc = {
      nomeFile: 'a.pdf',
      tipoMime: 'application/pdf',
      impronta: 'a'.repeat(64),
      dimensione: 3,
      principale: true,
      contenuto: Buffer.from('xyz').toString('base64'),
    }
    const pratica = {
      idPratica: 'prat_altro',
      codiceServizio: 'SUAP-02',
      oggetto: 'x',
      richiedente: { codiceFiscale: 'RSSMRA80A01H501U', nome: 'M', cognome: 'R' },
      canale: 'online',
      presentataIl: '2026-03-02T09:15:00Z',
      datiModulo: '[]',
      allegati: { allegato: [doc] },
    }
    const [answer] = (await other.riceviPraticaAsync({ pratica })) as [{ esito: string; codiceErrore: string; descrizioneErrore: string }]
    expect(answer).toMatchObject({ esito: 'KO', codiceErrore: supplierCodes.invalid.code })
    expect(answer.descrizioneErrore).toMatch(/protocollo mancante.*datiModulo non è un oggetto JSON.*impronta/)
    expect(supplier.problems.filter((p) => p.startsWith('prat_altro'))).toHaveLength(3)
    expect(supplier.timesReceived('prat_altro')).toBe(0)
    supplier.problems.length = 0
  })
})

describe('what a SUAP practice must hold', () => {
  it('names, by path in the practice, what the riepilogo cannot be built without — before anything is sent', () => {
    const { impresa } = suapData.suap
    const practice = aPracticeToPush({
      data: {
        suap: { ...suapData.suap, qualifica: 'PORTINAIO', impresa: { ...impresa, ragioneSociale: '', indirizzo: { ...impresa.indirizzo, cap: '1234' } } },
      },
      attachments: [{ name: 'foto.png', contentType: 'image/png', sha256: 'a'.repeat(64), size: 10, url: 'https://x.invalid/doc' }],
    })
    expect(client.problemsOf(practice)).toEqual([
      { path: 'data.suap.impresa.ragioneSociale', message: 'required (practice.data.suap.impresa.ragioneSociale)' },
      { path: 'data.suap.impresa.indirizzo.cap', message: expect.stringMatching(/^"1234" does not match/) },
      { path: 'data.suap.qualifica', message: expect.stringMatching(/^"PORTINAIO" does not match/) },
      { path: 'attachments', message: expect.stringMatching(/^"png" does not match/) },
    ])
    expect(client.problemsOf(aPracticeToPush())).toEqual([])
  })

  it('a push of such a practice anyway is rejected by Snodo, and the supplier receives nothing', async () => {
    const practice = aPracticeToPush({ data: { note: 'no suap block' } })
    await expect(client.push(practice)).rejects.toMatchObject({
      kind: 'rejected',
      message: expect.stringMatching(/the profile cannot map this practice: the riepilogo XML needs data\.suap\.impresa/),
    })
    expect(supplier.timesReceived(practice.correlationKey)).toBe(0)
  })
})
