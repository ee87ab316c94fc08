// Checkout EC v2 over HTTP (checkout-openapi.json PostCartsV2, FACTS §9): POST /carts answers 302 and
// its Location is where the citizen's browser goes. undici `request` on a pooled Agent (../../http/caller.ts);
// undici does not follow redirects, so the 302 is read, never fetched.
import { createHttpCaller, type PlatformClientOptions } from '../../http/caller.ts'
import { answerError, header, platform, protocolError } from '../errors.ts'
import type { CheckoutPort } from '../port.ts'
import { toCartRequest } from './mapping.ts'

/** baseUrl: Checkout's with its base path, e.g. https://api.platform.pagopa.it/checkout/ec/v2 (FACTS §2). */
export type CheckoutClientOptions = PlatformClientOptions

export type CheckoutClient = CheckoutPort & { close(): Promise<void> }

export function createCheckoutClient(options: CheckoutClientOptions): CheckoutClient {
  const http = createHttpCaller({ ...options, platform, connections: 16 })

  return {
    async createCart(credentials, cart) {
      const answer = await http.send('Checkout postCarts', {
        method: 'POST',
        path: '/carts',
        headers: { 'Ocp-Apim-Subscription-Key': credentials.subscriptionKey },
        json: toCartRequest(cart),
      })
      if (answer.status !== 302) throw answerError('Checkout', 'postCarts', answer)
      const location = header(answer, 'location')
      // The spec gives Location as format uri: an absolute URL the browser can follow.
      if (!location || !URL.canParse(location) || !/^https?:$/.test(new URL(location).protocol)) {
        throw protocolError('Checkout', 'postCarts', answer, `no absolute http(s) Location (${JSON.stringify(location ?? null).slice(0, 100)})`)
      }
      return { redirectUrl: location }
    },

    close: () => http.close(),
  }
}
