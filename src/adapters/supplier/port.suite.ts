// What every SupplierPort must do, whatever is behind it (the simulated supplier served from our WSDL,
// a supplier's test environment later): hand a practice over once, say what went wrong in UpstreamError
// kinds the delivery engine acts on (design §5), and never hand it over twice because an answer was
// lost (backoffice/FACTS.md §3.10). Never a fiscal code or a secret in a message.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamError } from '../../errors.ts'
import { aDocument, type DtdBait, expectDtdRefused, expectFailure } from '../soap-profile/simulator/suite.ts'
import type { PracticeToPush, SupplierPort } from './port.ts'

/** Each arranges that the next push() meets the trouble, and returns the practice to send. */
export type Arrangements = {
  inBandError(p: PracticeToPush): PracticeToPush
  fault(p: PracticeToPush): PracticeToPush
  /** Busy: nothing received, a retry may succeed. */
  busy(p: PracticeToPush): PracticeToPush
  /** The committing call is received, then answered later than the port waits. */
  commitTimeoutAfterReceiving(p: PracticeToPush): PracticeToPush
  notXml(p: PracticeToPush): PracticeToPush
  dtd(p: PracticeToPush, bait: DtdBait): PracticeToPush
}

export type SupplierSuiteTarget = {
  port: SupplierPort
  canSearch: boolean
  /** How many times the supplier received this practice. */
  timesReceived(correlationKey: string): number
  arrange: Arrangements
  /** The in-band code arrange.inBandError makes the supplier answer. */
  inBandCode: string
  close?(): Promise<void>
}

/** The form data of a SUAP practice (README "Practices"): the impresa and the kind of procedure. */
export const suapData = {
  attivita: 'bar',
  suap: {
    tipoProcedimento: 'SCIA',
    tipoIntervento: 'apertura',
    qualifica: 'LEGALE RAPPRESENTANTE',
    impresa: {
      formaGiuridica: { codice: 'SR', descrizione: "SOCIETA' A RESPONSABILITA' LIMITATA" },
      ragioneSociale: 'Caffè Rossi & Figli S.r.l.',
      codiceFiscale: '01234567890',
      partitaIva: '01234567890',
      pec: 'caffe.rossi@pec.example.it',
      indirizzo: {
        provincia: { sigla: 'RM', nome: 'Roma' },
        comune: { codiceCatastale: 'H501', nome: 'Roma' },
        cap: '00184',
        toponimo: 'VIA',
        via: 'Cavour',
        civico: '12/A',
      },
      legaleRappresentante: {
        cognome: 'Rossi',
        nome: 'Mario',
        codiceFiscale: 'RSSMRA80A01H501U',
        carica: { codice: 'AUN', descrizione: 'AMMINISTRATORE UNICO' },
      },
    },
  },
}

/** A registered SUAP practice with text that needs escaping, two attachments inline and one by reference. */
export function aPracticeToPush(overrides: Partial<PracticeToPush> = {}): PracticeToPush {
  const { content: _content, ...reference } = aDocument('planimetria.pdf', 'Planimetria dei locali')
  return {
    correlationKey: `prat_${randomUUID().replaceAll('-', '')}`,
    serviceCode: 'SUAP-02',
    subject: 'SCIA apertura bar <Caffè Rossi> & "dehors"',
    applicant: { fiscalCode: 'RSSMRA80A01H501U', givenName: 'Mario', familyName: 'Rossi', email: 'mario.rossi@example.org', pec: 'mario.rossi@pec.example.it' },
    data: suapData,
    submittedAt: '2026-03-02T09:15:00.000Z',
    channel: 'online',
    registration: { number: '1234', year: 2026, date: '2026-03-02T10:20:00', registry: 'PG', aoo: 'AOO_H501', documentId: 'doc-77' },
    main: aDocument('domanda SCIA.pdf', 'Modulo SCIA'),
    attachments: [
      aDocument('visura.pdf', 'Visura camerale'),
      { ...reference, url: `https://snodo.example.it/v1/tenants/comune-a/documents/${reference.sha256}/content` },
    ],
    ...overrides,
  }
}

export function describeSupplierPort(name: string, factory: () => Promise<SupplierSuiteTarget>) {
  describe(`SupplierPort conformance: ${name}`, () => {
    let t: SupplierSuiteTarget
    beforeAll(async () => {
      t = await factory()
    })
    afterAll(() => t?.close?.())

    const failure = (call: Promise<unknown>, kind: UpstreamError['kind'], practice: PracticeToPush) => expectFailure(call, kind, practice.applicant.fiscalCode)

    it('hands a practice with its documents over once, and answers the supplier’s id', async () => {
      const practice = aPracticeToPush()
      const receipt = await t.port.push(practice)
      expect(receipt).toEqual({ supplierPracticeId: expect.stringMatching(/\S/), found: false })
      expect(t.timesReceived(practice.correlationKey)).toBe(1)
    })

    it('classifies an in-band error code as rejected, with the supplier’s code, and hands nothing over', async () => {
      const practice = aPracticeToPush()
      const error = await failure(t.port.push(t.arrange.inBandError(practice)), 'rejected', practice)
      expect(error.upstreamCode).toBe(t.inBandCode)
      expect(t.timesReceived(practice.correlationKey)).toBe(0)
    })

    it('classifies a SOAP fault as rejected, with the fault’s code: a fault is a definite answer', async () => {
      const practice = aPracticeToPush()
      const error = await failure(t.port.push(t.arrange.fault(practice)), 'rejected', practice)
      expect(error.upstreamCode).toMatch(/\S/)
      expect(t.timesReceived(practice.correlationKey)).toBe(0)
    })

    it('classifies a busy supplier as unavailable (retryable), and the retry hands it over once', async () => {
      const practice = t.arrange.busy(aPracticeToPush())
      await failure(t.port.push(practice), 'unavailable', practice)
      expect(t.timesReceived(practice.correlationKey)).toBe(0)
      await t.port.push(practice)
      expect(t.timesReceived(practice.correlationKey)).toBe(1)
    })

    it('never hands a practice over twice when the committing call times out after the supplier received it', async () => {
      const practice = t.arrange.commitTimeoutAfterReceiving(aPracticeToPush())
      const first = await t.port.push(practice).then(
        () => expect.fail('the first call was expected to time out'),
        (e: unknown) => e as UpstreamError,
      )
      expect(first).toBeInstanceOf(UpstreamError)
      expect(t.timesReceived(practice.correlationKey)).toBe(1)
      if (t.canSearch) {
        expect(first).toMatchObject({ kind: 'timeout', retryable: true })
        const again = await t.port.push(practice)
        expect(again).toMatchObject({ supplierPracticeId: expect.stringMatching(/\S/), found: true })
        expect(await t.port.findByCorrelationKey?.(practice.correlationKey)).toEqual(again)
      } else {
        expect(first).toMatchObject({ kind: 'protocol', retryable: false, upstreamCode: 'outcome_unknown' })
        expect(first.message).toContain(practice.correlationKey)
      }
      expect(t.timesReceived(practice.correlationKey)).toBe(1)
    })

    it('refuses an answer that is not XML as a protocol error', async () => {
      const practice = aPracticeToPush()
      await failure(t.port.push(t.arrange.notXml(practice)), 'protocol', practice)
    })

    it('refuses an answer carrying a DTD, unread: no external entity is resolved', async () => {
      const practice = aPracticeToPush()
      await expectDtdRefused((bait) => t.port.push(t.arrange.dtd(practice, bait)), practice.applicant.fiscalCode)
    })

    it('sends nothing for a document whose content does not match its sha256', async () => {
      const practice = aPracticeToPush()
      const tampered = { ...practice, main: { ...practice.main, content: Buffer.from('something else') } }
      const error = await failure(t.port.push(tampered), 'rejected', practice)
      expect(error.upstreamCode).toBe('document_corrupt')
      expect(t.timesReceived(practice.correlationKey)).toBe(0)
    })

    it('finds nothing for a practice never sent, where it can search', async () => {
      if (!t.canSearch) return expect(t.port.findByCorrelationKey).toBeUndefined()
      expect(await t.port.findByCorrelationKey?.(`prat_${randomUUID()}`)).toBeUndefined()
    })
  })
}
