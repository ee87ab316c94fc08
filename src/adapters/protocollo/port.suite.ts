// What every ProtocolPort must do, whatever is behind it (a vendor simulator from the vendor's real
// WSDL, the sandbox simulator, a vendor's test environment later): register a practice once, say
// what went wrong in UpstreamError kinds the delivery engine acts on (design §5), and never register
// a practice twice because an answer was lost (backoffice/FACTS.md §3.10). Never a fiscal code or a
// secret in a message.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamError } from '../../errors.ts'
import { aDocument, type DtdBait, expectDtdRefused, expectFailure } from '../soap-profile/simulator/suite.ts'
import type { PracticeToRegister, ProtocolPort, ProtocolRegistration } from './port.ts'

export { aDocument }

/** Each arranges that the next register() meets the trouble, and returns the practice to send. */
export type Arrangements = {
  inBandError(p: PracticeToRegister): PracticeToRegister
  fault(p: PracticeToRegister): PracticeToRegister
  /** The registering call registers, then answers later than the port waits. */
  commitTimeoutAfterRegistering(p: PracticeToRegister): PracticeToRegister
  notXml(p: PracticeToRegister): PracticeToRegister
  /** The registering call is answered with a DTD naming bait.systemId and an entity reading bait.entityFile. */
  dtd(p: PracticeToRegister, bait: DtdBait): PracticeToRegister
  noNumber(p: PracticeToRegister): PracticeToRegister
}

export type ProtocolSuiteTarget = {
  port: ProtocolPort
  /** Whether the vendor can search by correlation key (then a timed-out register is retried safely). */
  canSearch: boolean
  /** How many times the vendor registered this practice. */
  registrationsOf(correlationKey: string): number
  arrange: Arrangements
  /** The in-band code arrange.inBandError makes the vendor answer. */
  inBandCode: string
  /** How the vendor recorded a registration: its flow (E/U) and what it refers back to, in its own terms. */
  recorded(correlationKey: string): { flusso: string; refersTo?: string } | undefined
  /** What `refersTo` holds for a registration that follows `original`. */
  referenceTo(original: ProtocolRegistration): string
  close?(): Promise<void>
}

/** A practice a comune receives online, with two attachments and text that needs escaping. */
export function aPractice(overrides: Partial<PracticeToRegister> = {}): PracticeToRegister {
  return {
    correlationKey: randomUUID(),
    subject: 'Richiesta contributo affitto <2026> & "morosità incolpevole"',
    serviceCode: 'contributo-affitto',
    applicant: { fiscalCode: 'RSSMRA80A01H501U', givenName: 'Mario', familyName: "D'Angelo", email: 'mario.dangelo@example.org' },
    submittedAt: '2026-03-02T09:15:00.000Z',
    channel: 'online',
    main: aDocument('domanda.pdf', 'Domanda di contributo'),
    attachments: [aDocument('isee.pdf', 'Attestazione ISEE'), aDocument('contratto & ricevute.pdf', 'Contratto di locazione')],
    ...overrides,
  }
}

export function describeProtocolPort(name: string, factory: () => Promise<ProtocolSuiteTarget>) {
  describe(`ProtocolPort conformance: ${name}`, () => {
    let t: ProtocolSuiteTarget
    beforeAll(async () => {
      t = await factory()
    })
    afterAll(() => t?.close?.())

    const failure = (call: Promise<unknown>, kind: UpstreamError['kind'], practice: PracticeToRegister) =>
      expectFailure(call, kind, practice.applicant.fiscalCode)

    it('registers a practice with its attachments once, and answers number, year, date and document id', async () => {
      const practice = aPractice()
      const registration = await t.port.register(practice)
      expect(registration.number).toMatch(/\S/)
      expect(registration.number).not.toMatch(/^0+$/)
      expect(registration.year).toBeGreaterThanOrEqual(2000)
      expect(registration.date).toMatch(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/)
      expect(registration.date.slice(0, 4)).toBe(String(registration.year))
      expect(registration.documentId).toMatch(/\S/)
      expect(t.registrationsOf(practice.correlationKey)).toBe(1)
    })

    it('registers the documents a later step adds on their own, in either direction, referring to the original', async () => {
      const practice = aPractice()
      const original = await t.port.register(practice)
      expect(t.recorded(practice.correlationKey)).toEqual({ flusso: 'E' })
      const step = (n: number, direction: 'incoming' | 'outgoing', name: string) =>
        aPractice({
          correlationKey: `${practice.correlationKey}/${n}`,
          subject: `${practice.subject}: ${name}`,
          direction,
          precedent: original,
          main: aDocument(`${name}.pdf`, name),
          attachments: [],
        })
      const request = step(3, 'outgoing', 'richiesta di integrazione')
      const answer = step(4, 'incoming', 'integrazione')
      const [asked, answered] = [await t.port.register(request), await t.port.register(answer)]
      expect(new Set([original.number, asked.number, answered.number]).size).toBe(3)
      expect(t.recorded(request.correlationKey)).toEqual({ flusso: 'U', refersTo: t.referenceTo(original) })
      expect(t.recorded(answer.correlationKey)).toEqual({ flusso: 'E', refersTo: t.referenceTo(original) })
      for (const p of [practice, request, answer]) expect(t.registrationsOf(p.correlationKey)).toBe(1)
    })

    it('classifies an in-band error code as rejected, with the vendor code, and registers nothing', async () => {
      const practice = aPractice()
      const error = await failure(t.port.register(t.arrange.inBandError(practice)), 'rejected', practice)
      expect(error.upstreamCode).toBe(t.inBandCode)
      expect(t.registrationsOf(practice.correlationKey)).toBe(0)
    })

    it('classifies a SOAP fault as rejected: a fault is a definite answer', async () => {
      const practice = aPractice()
      await failure(t.port.register(t.arrange.fault(practice)), 'rejected', practice)
      expect(t.registrationsOf(practice.correlationKey)).toBe(0)
    })

    it('never registers twice when the registering call times out after the vendor registered', async () => {
      const practice = aPractice()
      const first = await t.port.register(t.arrange.commitTimeoutAfterRegistering(practice)).then(
        () => expect.fail('the first call was expected to time out'),
        (e: unknown) => e as UpstreamError,
      )
      expect(first).toBeInstanceOf(UpstreamError)
      expect(t.registrationsOf(practice.correlationKey)).toBe(1)
      if (t.canSearch) {
        // Retryable, because the retry searches first and finds what the lost answer would have said.
        expect(first).toMatchObject({ kind: 'timeout', retryable: true })
        const again = await t.port.register(practice)
        expect(again.number).toMatch(/\S/)
        expect(await t.port.findByCorrelationKey?.(practice.correlationKey)).toEqual(again)
      } else {
        // No way to look: dead, for an operator to check the register before replaying.
        expect(first).toMatchObject({ kind: 'protocol', retryable: false, upstreamCode: 'outcome_unknown' })
        expect(first.message).toContain(practice.correlationKey)
      }
      expect(t.registrationsOf(practice.correlationKey)).toBe(1)
    })

    it('refuses an answer that is not XML as a protocol error', async () => {
      const practice = aPractice()
      await failure(t.port.register(t.arrange.notXml(practice)), 'protocol', practice)
    })

    it('refuses an answer carrying a DTD, unread: no external entity is resolved', async () => {
      const practice = aPractice()
      await expectDtdRefused((bait) => t.port.register(t.arrange.dtd(practice, bait)), practice.applicant.fiscalCode)
    })

    it('refuses a success without a protocol number as a protocol error', async () => {
      const practice = aPractice()
      await failure(t.port.register(t.arrange.noNumber(practice)), 'protocol', practice)
    })

    it('sends nothing for a document whose content does not match its sha256', async () => {
      const practice = aPractice()
      const tampered = { ...practice, attachments: [{ ...practice.attachments[0]!, content: Buffer.from('something else') }] }
      const error = await failure(t.port.register(tampered), 'rejected', practice)
      expect(error.upstreamCode).toBe('document_corrupt')
      expect(t.registrationsOf(practice.correlationKey)).toBe(0)
    })

    it('finds nothing for a practice never sent, where it can search', async () => {
      if (!t.canSearch) return expect(t.port.findByCorrelationKey).toBeUndefined()
      const find = t.port.findByCorrelationKey
      expect(find).toBeTypeOf('function')
      expect(await find?.call(t.port, randomUUID())).toBeUndefined()
    })
  })
}
