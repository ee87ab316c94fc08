// What every GpdPort must do, whatever is behind it (the GPD simulator now, GPD's UAT later): create
// and publish in one call, take a repeated create for "already there" (FACTS §5), invalidate, say the
// status and each option's, and classify every failure so the delivery engine decides retry or dead (design §5).
// Never the debtor's fiscal code in an error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamError } from '../../../errors.ts'
import { gpdRejectionCodes } from '../errors.ts'
import type { DebtPosition, GpdPort, PagopaCredentials } from '../port.ts'

export type GpdSuiteTarget = {
  port: GpdPort
  credentials: PagopaCredentials
  /** Credentials whose key the platform refuses. */
  wrongKey: PagopaCredentials
  /** Debtors for whom create answers 429 with Retry-After, 5xx, 422, or too late (creating the position all the same). */
  troubleDebtors: { rateLimited: string; unavailable: string; unprocessable: string; slow: string }
  /** Tokens that, in an IUPD, make every call about that position answer 429 or 5xx. */
  troubleIupds: { rateLimited: string; unavailable: string }
  /** Every call fails as unavailable until end(). */
  outage(): { end(): void }
  /** A citizen pays the position's notice (the simulated Node; on UAT, a real test payment). */
  pay(credentials: PagopaCredentials, position: DebtPosition): Promise<void>
  close?(): Promise<void>
}

let sequence = 0

/** A fresh IUV each call, unique across runs: segregation code 01, 13-digit base, check digit mod 93 with aux digit 3 (FACTS §6). */
export function nextIuv(): string {
  const base = `${String(Date.now()).slice(-10)}${String(++sequence % 1000).padStart(3, '0')}`
  return `01${base}${String(BigInt(`301${base}`) % 93n).padStart(2, '0')}`
}

/** A position GPD accepts: one option, due in 60 days, one transfer to the organization's IBAN. */
export function aDebtPosition(organizationFiscalCode: string, overrides: Partial<DebtPosition> & { iupdSuffix?: string } = {}): DebtPosition {
  const iuv = nextIuv()
  const { iupdSuffix, ...rest } = overrides
  return {
    iupd: `${organizationFiscalCode}-snodo-${iuv}${iupdSuffix ?? ''}`,
    debtor: { type: 'F', fiscalCode: 'GPDCTZ00A00Y001X', fullName: 'Maria Rossi', email: 'maria.rossi@example.it' },
    companyName: 'Comune di Prova',
    switchToExpired: false,
    option: {
      iuv,
      noticeNumber: `3${iuv}`,
      amountCents: 12_345,
      description: 'TARI 2026 - rata unica',
      dueDate: new Date(Date.now() + 60 * 86_400_000).toISOString(),
      transfers: [{ idTransfer: '1', amountCents: 12_345, iban: 'IT60X0542811101000000123456', remittance: 'TARI 2026', category: '9/0101100IM/' }],
    },
    ...rest,
  }
}

/** The position payable in installments too: one option each, a fresh IUV, due 0, 30, 60… days after the option in full. */
export function inInstallments(position: DebtPosition, amounts: number[]): DebtPosition {
  const [transfer] = position.option.transfers as [DebtPosition['option']['transfers'][number]]
  const installments = amounts.map((amountCents, k) => {
    const iuv = nextIuv()
    const dueDate = new Date(Date.parse(position.option.dueDate) + k * 30 * 86_400_000).toISOString()
    return {
      iuv,
      noticeNumber: `3${iuv}`,
      amountCents,
      description: `${position.option.description} - rata ${k + 1}`,
      dueDate,
      transfers: [{ ...transfer, amountCents }],
    }
  })
  return { ...position, installments }
}

export function describeGpdPort(name: string, factory: () => Promise<GpdSuiteTarget>) {
  describe(`GpdPort conformance: ${name}`, () => {
    let t: GpdSuiteTarget
    beforeAll(async () => {
      t = await factory()
    })
    afterAll(() => t?.close?.())
    const ofc = () => t.credentials.organizationFiscalCode

    const failure = async (call: Promise<unknown>, kind: UpstreamError['kind'], debtorFiscalCode = 'GPDCTZ00A00Y001X') => {
      const error = await call.then(
        () => expect.fail(`expected ${kind}, the call succeeded`),
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(UpstreamError)
      const upstream = error as UpstreamError
      expect(upstream).toMatchObject({ kind, platform: 'pagopa', retryable: ['timeout', 'unavailable', 'rate_limited'].includes(kind) })
      expect(`${upstream.message} ${upstream.upstreamCode ?? ''}`).not.toContain(debtorFiscalCode)
      return upstream
    }

    it('creates and publishes a position in one call: VALID at once, and status() agrees', async () => {
      const position = aDebtPosition(ofc())
      expect(await t.port.createAndPublish(t.credentials, position)).toEqual({ status: 'VALID', alreadyThere: false })
      expect(await t.port.status(t.credentials, position.iupd)).toBe('VALID')
    })

    it('takes a repeated create (409) for "already there", with the position\'s status', async () => {
      const position = aDebtPosition(ofc())
      await t.port.createAndPublish(t.credentials, position)
      expect(await t.port.createAndPublish(t.credentials, position)).toEqual({ status: 'VALID', alreadyThere: true })
      await t.port.invalidate(t.credentials, position.iupd)
      expect(await t.port.createAndPublish(t.credentials, position)).toEqual({ status: 'INVALID', alreadyThere: true })
    })

    it('creates positions paid to a postal account, and split among several beneficiaries', async () => {
      const postal = aDebtPosition(ofc())
      postal.option.transfers = [
        { idTransfer: '1', amountCents: 12_345, postalIban: 'IT60X0760111101000000123456', remittance: 'TARI 2026', category: '9/0101100IM/' },
      ]
      expect(await t.port.createAndPublish(t.credentials, postal)).toMatchObject({ status: 'VALID' })
      const shared = aDebtPosition(ofc())
      shared.option.transfers = [
        { idTransfer: '1', amountCents: 10_000, iban: 'IT60X0542811101000000123456', remittance: 'Diritti SUAP', category: '9/0101100IM/' },
        {
          idTransfer: '2',
          amountCents: 2_345,
          iban: 'IT02L1234512345123456789012',
          remittance: 'Diritti ASL',
          category: '9/0201102IM/',
          organizationFiscalCode: '00000000018',
        },
      ]
      expect(await t.port.createAndPublish(t.credentials, shared)).toMatchObject({ status: 'VALID' })
    })

    it('creates a position payable in full or in installments; one installment paid leaves it PARTIALLY_PAID, beyond cancelling', async () => {
      const position = inInstallments(aDebtPosition(ofc()), [5_000, 7_345])
      expect(await t.port.createAndPublish(t.credentials, position)).toEqual({ status: 'VALID', alreadyThere: false })
      expect(await t.port.createAndPublish(t.credentials, position)).toEqual({ status: 'VALID', alreadyThere: true })
      await t.pay(t.credentials, { ...position, option: position.installments?.[0] as DebtPosition['option'] })
      expect(await t.port.status(t.credentials, position.iupd)).toBe('PARTIALLY_PAID')
      expect(await failure(t.port.invalidate(t.credentials, position.iupd), 'rejected')).toMatchObject({
        upstreamStatus: 409,
        upstreamCode: gpdRejectionCodes.positionPaid,
      })
    })

    it("reads each option's status: PO_UNPAID until the Node collects it, then PO_PAID; nothing for a position GPD does not have", async () => {
      const position = inInstallments(aDebtPosition(ofc()), [5_000, 7_345])
      await t.port.createAndPublish(t.credentials, position)
      const iuvs = [position.option, ...(position.installments ?? [])].map((o) => o.iuv)
      expect(await t.port.position(t.credentials, position.iupd)).toEqual({
        status: 'VALID',
        options: iuvs.map((iuv) => expect.objectContaining({ iuv, status: 'PO_UNPAID' })),
      })
      await t.pay(t.credentials, { ...position, option: position.installments?.[1] as DebtPosition['option'] })
      const read = await t.port.position(t.credentials, position.iupd)
      expect(read?.options.map((o) => o.status)).toEqual(['PO_UNPAID', 'PO_UNPAID', 'PO_PAID'])
      expect(await t.port.position(t.credentials, `${position.iupd}-never`)).toBeUndefined()
    })

    it('invalidates a position, and takes invalidating it again (409) as done', async () => {
      const position = aDebtPosition(ofc())
      await t.port.createAndPublish(t.credentials, position)
      await t.port.invalidate(t.credentials, position.iupd)
      expect(await t.port.status(t.credentials, position.iupd)).toBe('INVALID')
      await t.port.invalidate(t.credentials, position.iupd)
    })

    it('refuses to invalidate a paid position: rejected, with its own code, and the position stays PAID', async () => {
      const position = aDebtPosition(ofc())
      await t.port.createAndPublish(t.credentials, position)
      await t.pay(t.credentials, position)
      const error = await failure(t.port.invalidate(t.credentials, position.iupd), 'rejected')
      expect(error).toMatchObject({ upstreamStatus: 409, upstreamCode: gpdRejectionCodes.positionPaid })
      expect(await t.port.status(t.credentials, position.iupd)).toBe('PAID')
    })

    it('refuses a notice number another position holds (409, yet no position with this IUPD)', async () => {
      const first = aDebtPosition(ofc())
      await t.port.createAndPublish(t.credentials, first)
      const second = { ...aDebtPosition(ofc()), option: first.option }
      const error = await failure(t.port.createAndPublish(t.credentials, second), 'rejected')
      expect(error).toMatchObject({ upstreamStatus: 409, upstreamCode: gpdRejectionCodes.noticeInUse })
      await failure(t.port.status(t.credentials, second.iupd), 'rejected')
    })

    it("classifies what GPD refuses (400) as rejected, with GPD's title and detail", async () => {
      const wrongSum = aDebtPosition(ofc())
      wrongSum.option.amountCents = 20_000
      const sum = await failure(t.port.createAndPublish(t.credentials, wrongSum), 'rejected')
      expect(sum).toMatchObject({ upstreamStatus: 400, upstreamCode: 'Error in the debt position request data' })
      expect(sum.message).toMatch(/Amounts congruence error/)
      const past = aDebtPosition(ofc())
      past.option.dueDate = '2020-01-01T00:00:00.000Z'
      expect((await failure(t.port.createAndPublish(t.credentials, past), 'rejected')).message).toMatch(/due_date must be >= /)
      const long = aDebtPosition(ofc(), { companyName: 'C'.repeat(141) })
      expect((await failure(t.port.createAndPublish(t.credentials, long), 'rejected')).message).toMatch(/companyName/)
      const unprocessable = aDebtPosition(ofc(), { debtor: { type: 'F', fiscalCode: t.troubleDebtors.unprocessable, fullName: 'Maria Rossi' } })
      expect(await failure(t.port.createAndPublish(t.credentials, unprocessable), 'rejected', t.troubleDebtors.unprocessable)).toMatchObject({
        upstreamStatus: 422,
      })
    })

    it('classifies 429 as rate_limited with Retry-After in milliseconds, on every operation', async () => {
      const limited = aDebtPosition(ofc(), { iupdSuffix: `-${t.troubleIupds.rateLimited}` })
      const byDebtor = aDebtPosition(ofc(), { debtor: { type: 'F', fiscalCode: t.troubleDebtors.rateLimited, fullName: 'Maria Rossi' } })
      for (const call of [
        () => t.port.createAndPublish(t.credentials, limited),
        () => t.port.createAndPublish(t.credentials, byDebtor),
        () => t.port.status(t.credentials, limited.iupd),
        () => t.port.invalidate(t.credentials, limited.iupd),
      ]) {
        const error = await failure(call(), 'rate_limited', t.troubleDebtors.rateLimited)
        expect(error.upstreamStatus).toBe(429)
        expect(error.retryAfterMs).toBeGreaterThan(0)
      }
    })

    it('classifies 5xx as unavailable, and so every call during an outage, until it ends', async () => {
      const down = aDebtPosition(ofc(), { iupdSuffix: `-${t.troubleIupds.unavailable}` })
      expect((await failure(t.port.createAndPublish(t.credentials, down), 'unavailable')).upstreamStatus).toBeGreaterThanOrEqual(500)
      await failure(t.port.status(t.credentials, down.iupd), 'unavailable')
      const byDebtor = aDebtPosition(ofc(), { debtor: { type: 'F', fiscalCode: t.troubleDebtors.unavailable, fullName: 'Maria Rossi' } })
      await failure(t.port.createAndPublish(t.credentials, byDebtor), 'unavailable', t.troubleDebtors.unavailable)
      const position = aDebtPosition(ofc())
      const outage = t.outage()
      try {
        await failure(t.port.createAndPublish(t.credentials, position), 'unavailable')
        await failure(t.port.invalidate(t.credentials, position.iupd), 'unavailable')
      } finally {
        outage.end()
      }
      expect(await t.port.createAndPublish(t.credentials, position)).toEqual({ status: 'VALID', alreadyThere: false })
    })

    it('classifies an answer that comes too late as timeout; the retry finds the position GPD created anyway', async () => {
      const slow = aDebtPosition(ofc(), { debtor: { type: 'F', fiscalCode: t.troubleDebtors.slow, fullName: 'Maria Rossi' } })
      expect((await failure(t.port.createAndPublish(t.credentials, slow), 'timeout', t.troubleDebtors.slow)).upstreamStatus).toBeUndefined()
      await expect.poll(() => t.port.status(t.credentials, slow.iupd).catch(() => 'not yet'), { timeout: 10_000 }).toBe('VALID')
      expect(await t.port.createAndPublish(t.credentials, slow)).toEqual({ status: 'VALID', alreadyThere: true })
    })

    it('classifies a key the platform refuses as unauthorized, on every operation', async () => {
      const position = aDebtPosition(ofc())
      expect((await failure(t.port.createAndPublish(t.wrongKey, position), 'unauthorized')).upstreamStatus).toBe(401)
      await failure(t.port.status(t.wrongKey, position.iupd), 'unauthorized')
      await failure(t.port.invalidate(t.wrongKey, position.iupd), 'unauthorized')
    })

    it('classifies the status or invalidation of a position GPD does not have as rejected (404)', async () => {
      const missing = aDebtPosition(ofc())
      expect(await failure(t.port.status(t.credentials, missing.iupd), 'rejected')).toMatchObject({
        upstreamStatus: 404,
        upstreamCode: gpdRejectionCodes.positionNotFound,
      })
      expect(await failure(t.port.invalidate(t.credentials, missing.iupd), 'rejected')).toMatchObject({
        upstreamStatus: 404,
        upstreamCode: gpdRejectionCodes.positionNotFound,
      })
    })
  })
}
