// Requests PDND vouchers with an RS256 client assertion (pdnd/FACTS.md "Voucher (access token)
// request") and caches each until shortly before it expires.
import { importJWK, type JWK } from 'jose'
import { type Dispatcher, getGlobalDispatcher } from 'undici'
import { createHttpCaller } from '../http/caller.ts'
import { answerError, platform } from './errors.ts'
import { readTokenAnswer, signClientAssertion, tokenRequestForm } from './mapping.ts'
import type { VoucherPort } from './port.ts'

export type VoucherClientOptions = {
  tokenUrl: string
  clientId: string
  /** The PDND key id: the JWK thumbprint assigned when the public key was uploaded. */
  kid: string
  privateJwk: JWK
  /** Audience of the client assertion, e.g. auth.interop.pagopa.it/client-assertion. */
  assertionAudience: string
  dispatcher?: Dispatcher
  timeoutMs?: number
  /** Refresh this long before expiry, so a voucher never expires in flight. */
  refreshMarginSeconds?: number
}

export function createVoucherClient(options: VoucherClientOptions): VoucherPort {
  const cache = new Map<string, { token: string; refreshAt: number }>()
  const keyPromise = importJWK(options.privateJwk, 'RS256')
  const identity = { clientId: options.clientId, kid: options.kid, audience: options.assertionAudience }
  // No Agent of its own (the port has no close): the one given, or undici's global one as before.
  const http = createHttpCaller({
    platform,
    baseUrl: options.tokenUrl,
    connections: 1,
    timeoutMs: options.timeoutMs ?? 5_000,
    dispatcher: options.dispatcher ?? getGlobalDispatcher(),
  })

  const fetchVoucher = async (purposeId: string) => {
    const assertion = await signClientAssertion(identity, purposeId, await keyPromise, Math.floor(Date.now() / 1000))
    const form = tokenRequestForm(options.clientId, assertion)
    const answer = await http.send('PDND token endpoint', { method: 'POST', path: '', headers: {}, form })
    if (answer.status === 200) return readTokenAnswer(answer.text)
    throw answerError(answer)
  }

  return {
    async voucherFor(purposeId) {
      const now = Date.now()
      const hit = cache.get(purposeId)
      if (hit && hit.refreshAt > now) return hit.token
      const { token, expiresIn } = await fetchVoucher(purposeId)
      const margin = Math.min(options.refreshMarginSeconds ?? 60, expiresIn / 2)
      cache.set(purposeId, { token, refreshAt: now + (expiresIn - margin) * 1000 })
      return token
    },
  }
}
