// What every AppIoPort must do, whatever is behind it (the simulator now, IO's test environment later):
// speak Snodo's words for IO's answers and classify every failure so the delivery engine can decide
// retry or dead (design §5, appio/FACTS.md §2, §4, §5). Never a fiscal code in an error message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamError } from '../../errors.ts'
import type { AppIoPort, IoMessage, IoMessageStatus, IoService } from './port.ts'

export type AppIoSuiteTarget = {
  /** The port under test; its timeout must be shorter than what `trouble.slow` makes the platform wait. */
  port: AppIoPort
  /** A service whose key the platform accepts, and one it refuses. */
  service: IoService
  wrongKey: IoService
  citizens: { onIo: string; notOnIo: string; senderNotAllowed: string; endsRejected: string }
  /** Fiscal codes for which the platform answers 429 with Retry-After, 5xx, or too late. */
  trouble: { rateLimited: string; unavailable: string; slow: string }
  /** Subject tokens for which only the submit answers 429 or 5xx. */
  troubleSubjects: { rateLimited: string; unavailable: string }
  /** Every call fails as unavailable until end(). */
  outage(): { end(): void }
  /** Longest wait for a message to reach a final status (default 10 s). */
  settleMs?: number
  close?(): Promise<void>
}

/** A message IO accepts (FACTS §3: subject 10..120, markdown 80..10000, notice_number ^[0123][0-9]{17}$). */
export function anIoMessage(fiscalCode: string, overrides: Partial<IoMessage> = {}): IoMessage {
  return {
    fiscalCode,
    subject: 'Avviso di pagamento TARI 2026',
    markdown: "# TARI 2026\n\nGentile contribuente, è disponibile l'avviso di pagamento della **TARI 2026**. Può pagarlo dall'app IO.",
    dueDate: '2026-06-30T22:00:00.000Z',
    payment: { noticeNumber: '301000000000012345', amountCents: 12_345, invalidAfterDueDate: false, payeeFiscalCode: '00000000000' },
    ...overrides,
  }
}

export function describeAppIoPort(name: string, factory: () => Promise<AppIoSuiteTarget>) {
  describe(`AppIoPort conformance: ${name}`, () => {
    let t: AppIoSuiteTarget
    beforeAll(async () => {
      t = await factory()
    })
    afterAll(() => t?.close?.())

    const settle = async (fiscalCode: string, id: string): Promise<IoMessageStatus> => {
      const deadline = Date.now() + (t.settleMs ?? 10_000)
      for (;;) {
        const status = await t.port.status(t.service, fiscalCode, id)
        if (status !== 'ACCEPTED' && status !== 'THROTTLED') return status
        if (Date.now() > deadline) return status
        await new Promise((r) => setTimeout(r, 100))
      }
    }

    /** The failure of a call: an UpstreamError of this kind, saying nothing of the citizen's fiscal code. */
    const failure = async (call: Promise<unknown>, kind: UpstreamError['kind'], fiscalCode: string) => {
      const error = await call.then(
        () => expect.fail(`expected ${kind}, the call succeeded`),
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(UpstreamError)
      const upstream = error as UpstreamError
      expect(upstream).toMatchObject({ kind, platform: 'appio', retryable: ['timeout', 'unavailable', 'rate_limited'].includes(kind) })
      expect(upstream.message.toUpperCase()).not.toContain(fiscalCode.toUpperCase())
      expect(String(upstream.upstreamCode ?? '').toUpperCase()).not.toContain(fiscalCode.toUpperCase())
      return upstream
    }

    it('sends to a citizen on IO: profile allows it, submit gives an id, the message ends PROCESSED', async () => {
      const fiscalCode = t.citizens.onIo
      expect(await t.port.checkProfile(t.service, fiscalCode)).toEqual({ canReceive: true })
      const { ioMessageId } = await t.port.submit(t.service, anIoMessage(fiscalCode))
      expect(ioMessageId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
      expect(await settle(fiscalCode, ioMessageId)).toBe('PROCESSED')
    })

    it('sends a plain message too: no due date, no payment', async () => {
      const { ioMessageId } = await t.port.submit(t.service, anIoMessage(t.citizens.onIo, { dueDate: undefined, payment: undefined }))
      expect(await settle(t.citizens.onIo, ioMessageId)).toBe('PROCESSED')
    })

    it('says a citizen is not on IO (profile 404) and that one opted out of the service (sender_allowed false)', async () => {
      expect(await t.port.checkProfile(t.service, t.citizens.notOnIo)).toEqual({ canReceive: false, reason: 'not_on_io' })
      expect(await t.port.checkProfile(t.service, t.citizens.senderNotAllowed)).toEqual({ canReceive: false, reason: 'sender_not_allowed' })
    })

    it('reports a message that IO accepted and then REJECTED', async () => {
      const fiscalCode = t.citizens.endsRejected
      expect(await t.port.checkProfile(t.service, fiscalCode)).toEqual({ canReceive: true })
      const { ioMessageId } = await t.port.submit(t.service, anIoMessage(fiscalCode))
      expect(await settle(fiscalCode, ioMessageId)).toBe('REJECTED')
    })

    it('classifies 429 as rate_limited with Retry-After in milliseconds, on every operation', async () => {
      const fiscalCode = t.trouble.rateLimited
      const calls = [
        () => t.port.checkProfile(t.service, fiscalCode),
        () => t.port.submit(t.service, anIoMessage(fiscalCode)),
        () => t.port.status(t.service, fiscalCode, '01BX9NSMKVXXS5PSP2FATZMYYY'),
      ]
      for (const call of calls) {
        const error = await failure(call(), 'rate_limited', fiscalCode)
        expect(error.upstreamStatus).toBe(429)
        expect(error.retryAfterMs).toBeGreaterThan(0)
      }
      const subject = `Promemoria ${t.troubleSubjects.rateLimited}`
      expect(
        (await failure(t.port.submit(t.service, anIoMessage(t.citizens.onIo, { subject })), 'rate_limited', t.citizens.onIo)).retryAfterMs,
      ).toBeGreaterThan(0)
    })

    it('classifies 5xx as unavailable, and so every call during an outage, until it ends', async () => {
      const fiscalCode = t.trouble.unavailable
      expect((await failure(t.port.checkProfile(t.service, fiscalCode), 'unavailable', fiscalCode)).upstreamStatus).toBeGreaterThanOrEqual(500)
      await failure(t.port.submit(t.service, anIoMessage(fiscalCode)), 'unavailable', fiscalCode)
      await failure(
        t.port.submit(t.service, anIoMessage(t.citizens.onIo, { subject: `Promemoria ${t.troubleSubjects.unavailable}` })),
        'unavailable',
        t.citizens.onIo,
      )
      const outage = t.outage()
      try {
        await failure(t.port.checkProfile(t.service, t.citizens.onIo), 'unavailable', t.citizens.onIo)
        await failure(t.port.submit(t.service, anIoMessage(t.citizens.onIo)), 'unavailable', t.citizens.onIo)
      } finally {
        outage.end()
      }
      expect(await t.port.checkProfile(t.service, t.citizens.onIo)).toEqual({ canReceive: true })
    })

    it('classifies an answer that comes too late as timeout', async () => {
      const fiscalCode = t.trouble.slow
      const error = await failure(t.port.checkProfile(t.service, fiscalCode), 'timeout', fiscalCode)
      expect(error.upstreamStatus).toBeUndefined()
    })

    it("classifies a payload IO refuses (400) as rejected, with IO's title and detail but never the fiscal code", async () => {
      const fiscalCode = t.citizens.onIo
      const short = await failure(t.port.submit(t.service, anIoMessage(fiscalCode, { subject: 'Avviso' })), 'rejected', fiscalCode)
      expect(short.upstreamStatus).toBe(400)
      expect(short.message).toMatch(/^App IO submitMessage answered 400: .*subject/)
      const notice = anIoMessage(fiscalCode, { payment: { noticeNumber: '9123', amountCents: 100 } })
      expect((await failure(t.port.submit(t.service, notice), 'rejected', fiscalCode)).message).toContain('notice_number')
      const lowerCase = fiscalCode.toLowerCase()
      await failure(t.port.submit(t.service, anIoMessage(lowerCase)), 'rejected', lowerCase)
      await failure(t.port.checkProfile(t.service, lowerCase), 'rejected', lowerCase)
    })

    it('classifies a key IO does not know as unauthorized, never retried', async () => {
      const fiscalCode = t.citizens.onIo
      expect((await failure(t.port.checkProfile(t.wrongKey, fiscalCode), 'unauthorized', fiscalCode)).upstreamStatus).toBe(401)
      await failure(t.port.submit(t.wrongKey, anIoMessage(fiscalCode)), 'unauthorized', fiscalCode)
      await failure(t.port.status(t.wrongKey, fiscalCode, '01BX9NSMKVXXS5PSP2FATZMYYY'), 'unauthorized', fiscalCode)
    })

    it('classifies the status of a message IO does not have (404) as rejected', async () => {
      const fiscalCode = t.citizens.onIo
      expect((await failure(t.port.status(t.service, fiscalCode, '01BX9NSMKVXXS5PSP2FATZMYYY'), 'rejected', fiscalCode)).upstreamStatus).toBe(404)
    })
  })
}
