// Checkout EC v2 over HTTP (checkout-openapi.json PostCartsV2, FACTS §9): POST /carts answers 302 and
// its Location is where the citizen's browser goes. undici `request` on a pooled Agent (design §8);
// undici does not follow redirects, so the 302 is read, never fetched.
import { Agent, type Dispatcher } from 'undici'
import { sendJson } from '../../http/send-json.ts'
import { answerError, failureError, header, type PagopaAnswer, protocolError } from '../errors.ts'
import type { CheckoutPort } from '../port.ts'
import { toCartRequest } from './mapping.ts'

export type CheckoutClientOptions = {
  /** Checkout's base URL with its base path, e.g. https://api.platform.pagopa.it/checkout/ec/v2 (FACTS §2). */
  baseUrl: string
  /** Defaults to an Agent of the client's own, closed by close(). */
  dispatcher?: Dispatcher
  /** Per call: connect, headers and each body chunk (default 10 s). */
  timeoutMs?: number
}

export type CheckoutClient = CheckoutPort & { close(): Promise<void> }

export function createCheckoutClient(options: CheckoutClientOptions): CheckoutClient {
  const timeoutMs = options.timeoutMs ?? 10_000
  const owned = options.dispatcher ? undefined : new Agent({ connections: 16, keepAliveTimeout: 10_000, connect: { timeout: timeoutMs } })
  const dispatcher = options.dispatcher ?? (owned as Agent)
  const base = options.baseUrl.replace(/\/+$/, '')

  return {
    async createCart(credentials, cart) {
      let answer: PagopaAnswer
      try {
        answer = await sendJson({ url: `${base}/carts`, method: 'POST', headers: { 'Ocp-Apim-Subscription-Key': credentials.subscriptionKey }, body: toCartRequest(cart), dispatcher, timeoutMs })
      } catch (cause) {
        throw failureError('Checkout', 'postCarts', cause, timeoutMs)
      }
      if (answer.status !== 302) throw answerError('Checkout', 'postCarts', answer)
      const location = header(answer, 'location')
      // The spec gives Location as format uri: an absolute URL the browser can follow.
      if (!location || !URL.canParse(location) || !/^https?:$/.test(new URL(location).protocol)) {
        throw protocolError('Checkout', 'postCarts', answer, `no absolute http(s) Location (${JSON.stringify(location ?? null).slice(0, 100)})`)
      }
      return { redirectUrl: location }
    },

    async close() {
      await owned?.close()
    },
  }
}
