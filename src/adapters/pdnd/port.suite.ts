// What every VoucherPort must do, whatever is behind it (the simulator now, PDND's UAT later): give a
// voucher for a purpose, keep it until shortly before it expires, then ask for a new one (pdnd/FACTS.md
// "Hub implications"), and classify every failure so the delivery engine can decide retry or dead (design §5).
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamError } from '../../errors.ts'
import type { VoucherPort } from './port.ts'

export type VoucherSuiteTarget = {
  /** A port with an empty cache, so each test starts afresh. */
  newPort(): VoucherPort
  /** Two purposes active for the client. */
  purposes: { active: string; another: string }
  /** A purpose that is not active for the client. */
  inactivePurpose: string
  /** Seconds after it got a voucher when the port asks for a new one (lifetime minus refresh margin). */
  refreshAfterSeconds: number
  /** Moves the clock that both the port and the platform read; resetClock() puts the real one back. */
  advanceClock(seconds: number): void
  resetClock(): void
  /** Purposes for which the platform answers 429 with its rate-limit headers, and 503. */
  trouble: { rateLimited: string; unavailable: string }
  close?(): Promise<void>
}

export function describeVoucherPort(name: string, factory: () => Promise<VoucherSuiteTarget>) {
  describe(`VoucherPort conformance: ${name}`, () => {
    let t: VoucherSuiteTarget
    beforeAll(async () => {
      t = await factory()
    })
    afterEach(() => t.resetClock())
    afterAll(() => t?.close?.())

    const failure = async (call: Promise<unknown>, kind: UpstreamError['kind']) => {
      const error = await call.then(
        () => expect.fail(`expected ${kind}, the call succeeded`),
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(UpstreamError)
      expect(error).toMatchObject({ kind, platform: 'pdnd', retryable: ['timeout', 'unavailable', 'rate_limited'].includes(kind) })
      return error as UpstreamError
    }

    it('gives a voucher for a purpose: an at+jwt PDND signed for that purpose, another for another purpose', async () => {
      const port = t.newPort()
      const voucher = await port.voucherFor(t.purposes.active)
      // pdnd/FACTS.md "Voucher claims, as PDND signs them".
      expect(decodeProtectedHeader(voucher)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' })
      expect(decodeJwt(voucher)).toMatchObject({ purposeId: t.purposes.active, exp: expect.any(Number) })
      const other = await port.voucherFor(t.purposes.another)
      expect(decodeJwt(other)).toMatchObject({ purposeId: t.purposes.another })
      expect(await port.voucherFor(t.purposes.active)).toBe(voucher)
    })

    it('keeps a voucher until shortly before it expires', async () => {
      const port = t.newPort()
      const voucher = await port.voucherFor(t.purposes.active)
      expect(await port.voucherFor(t.purposes.active)).toBe(voucher)
      t.advanceClock(t.refreshAfterSeconds - 1)
      expect(await port.voucherFor(t.purposes.active)).toBe(voucher)
    })

    it('asks for a new voucher once the old one is near expiry, and keeps the new one', async () => {
      const port = t.newPort()
      const old = await port.voucherFor(t.purposes.active)
      t.advanceClock(t.refreshAfterSeconds)
      const fresh = await port.voucherFor(t.purposes.active)
      expect(fresh).not.toBe(old)
      expect(decodeJwt(fresh).iat).toBeGreaterThan(decodeJwt(old).iat as number)
      expect(await port.voucherFor(t.purposes.active)).toBe(fresh)
    })

    it("classifies 429 as rate_limited, retried after PDND's X-Rate-Limit-Interval", async () => {
      const error = await failure(t.newPort().voucherFor(t.trouble.rateLimited), 'rate_limited')
      expect(error.upstreamStatus).toBe(429)
      expect(error.retryAfterMs).toBeGreaterThan(0)
    })

    it('classifies 503 as unavailable, and keeps nothing from a failure', async () => {
      const port = t.newPort()
      expect((await failure(port.voucherFor(t.trouble.unavailable), 'unavailable')).upstreamStatus).toBe(503)
      await failure(port.voucherFor(t.trouble.unavailable), 'unavailable')
    })

    it('classifies a purpose not active for the client (401) as unauthorized, never retried', async () => {
      expect((await failure(t.newPort().voucherFor(t.inactivePurpose), 'unauthorized')).upstreamStatus).toBe(401)
    })
  })
}
