// What every CheckoutPort must do, whatever is behind it (the Checkout simulator now, Checkout's UAT
// later): turn a cart into the URL to send the citizen to (302 Location, FACTS §9), and classify every
// failure so the caller can tell a refusal from an outage (design §5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamError } from '../../../errors.ts'
import type { CartNotice, CheckoutPort, PagopaCredentials, ReturnUrls } from '../port.ts'

export type CheckoutSuiteTarget = {
  port: CheckoutPort
  credentials: PagopaCredentials
  wrongKey: PagopaCredentials
  /** Published notices (VALID positions) the cart can hold; at least two. */
  notices(): Promise<CartNotice[]>
  /** Tokens that, in a notice's description, make POST /carts answer 429, 5xx or too late. */
  troubleDescriptions: { rateLimited: string; unavailable: string; slow: string }
  /** POST /carts fails as unavailable until end(). */
  outage(): { end(): void }
  close?(): Promise<void>
}

export const someReturnUrls: ReturnUrls = {
  returnOkUrl: 'https://portale.comune.example.it/pagamenti/esito?ok=1',
  returnCancelUrl: 'https://portale.comune.example.it/pagamenti/annullato',
  returnErrorUrl: 'https://portale.comune.example.it/pagamenti/errore',
  returnWaitingUrl: 'https://portale.comune.example.it/pagamenti/attesa',
}

export function describeCheckoutPort(name: string, factory: () => Promise<CheckoutSuiteTarget>) {
  describe(`CheckoutPort conformance: ${name}`, () => {
    let t: CheckoutSuiteTarget
    beforeAll(async () => {
      t = await factory()
    })
    afterAll(() => t?.close?.())

    const failure = async (call: Promise<unknown>, kind: UpstreamError['kind']) => {
      const error = await call.then(
        () => expect.fail(`expected ${kind}, the call succeeded`),
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(UpstreamError)
      expect(error).toMatchObject({ kind, platform: 'pagopa', retryable: ['timeout', 'unavailable', 'rate_limited'].includes(kind) })
      return error as UpstreamError
    }
    const withDescription = (notice: CartNotice, token: string) => ({ ...notice, description: `${notice.description} ${token}` })

    it('answers an absolute URL to send the browser to, another for each cart', async () => {
      const [first, second] = await t.notices()
      const one = await t.port.createCart(t.credentials, { notices: [first as CartNotice], returnUrls: someReturnUrls })
      const two = await t.port.createCart(t.credentials, {
        notices: [first as CartNotice, second as CartNotice],
        returnUrls: someReturnUrls,
        emailNotice: 'maria.rossi@example.it',
        idCart: 'snodo-cart-1',
      })
      for (const { redirectUrl } of [one, two]) expect(new URL(redirectUrl).protocol).toMatch(/^https?:$/)
      expect(one.redirectUrl).not.toBe(two.redirectUrl)
    })

    it('classifies a cart Checkout refuses (400) as rejected: no notice, six notices, a return URL that is not one', async () => {
      const notices = await t.notices()
      const first = notices[0] as CartNotice
      for (const cart of [
        { notices: [], returnUrls: someReturnUrls },
        { notices: Array.from({ length: 6 }, () => first), returnUrls: someReturnUrls },
        { notices: [first], returnUrls: { ...someReturnUrls, returnOkUrl: 'www.comune.example.it/ok' } },
        { notices: [{ ...first, noticeNumber: '3123' }], returnUrls: someReturnUrls },
      ]) {
        expect((await failure(t.port.createCart(t.credentials, cart), 'rejected')).upstreamStatus).toBe(400)
      }
    })

    it('classifies a key Checkout refuses as unauthorized', async () => {
      const [first] = await t.notices()
      expect(
        (await failure(t.port.createCart(t.wrongKey, { notices: [first as CartNotice], returnUrls: someReturnUrls }), 'unauthorized')).upstreamStatus,
      ).toBe(401)
    })

    it('classifies 429 as rate_limited with Retry-After, and 5xx as unavailable, and so every cart during an outage', async () => {
      const [first] = (await t.notices()) as [CartNotice]
      const limited = await failure(
        t.port.createCart(t.credentials, { notices: [withDescription(first, t.troubleDescriptions.rateLimited)], returnUrls: someReturnUrls }),
        'rate_limited',
      )
      expect(limited.retryAfterMs).toBeGreaterThan(0)
      await failure(
        t.port.createCart(t.credentials, { notices: [withDescription(first, t.troubleDescriptions.unavailable)], returnUrls: someReturnUrls }),
        'unavailable',
      )
      const outage = t.outage()
      try {
        expect((await failure(t.port.createCart(t.credentials, { notices: [first], returnUrls: someReturnUrls }), 'unavailable')).upstreamStatus).toBe(503)
      } finally {
        outage.end()
      }
      await t.port.createCart(t.credentials, { notices: [first], returnUrls: someReturnUrls })
    })

    it('classifies an answer that comes too late as timeout', async () => {
      const [first] = (await t.notices()) as [CartNotice]
      await failure(t.port.createCart(t.credentials, { notices: [withDescription(first, t.troubleDescriptions.slow)], returnUrls: someReturnUrls }), 'timeout')
    })
  })
}
