// Requests PDND vouchers with an RS256 client assertion (pdnd/FACTS.md "Voucher (access token)
// request") and caches each until shortly before it expires.
import { randomUUID } from 'node:crypto'
import { importJWK, type JWK, SignJWT } from 'jose'
import { type Dispatcher, getGlobalDispatcher } from 'undici'
import { UpstreamError } from '../../errors.ts'
import type { HttpAnswer } from '../http/answer.ts'
import { createHttpCaller } from '../http/caller.ts'
import { statusKind } from '../http/status.ts'
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
  // No Agent of its own (the port has no close): the one given, or undici's global one as before.
  const http = createHttpCaller({
    platform,
    baseUrl: options.tokenUrl,
    connections: 1,
    timeoutMs: options.timeoutMs ?? 5_000,
    dispatcher: options.dispatcher ?? getGlobalDispatcher(),
  })

  const fetchVoucher = async (purposeId: string) => {
    const iat = Math.floor(Date.now() / 1000)
    // PDND accepts only RS256 assertions and allows no clock skew: iat = now, short exp.
    const assertion = await new SignJWT({ purposeId })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid, typ: 'JWT' })
      .setIssuer(options.clientId)
      .setSubject(options.clientId)
      .setAudience(options.assertionAudience)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + 300)
      .sign(await keyPromise)
    const form = new URLSearchParams({
      client_id: options.clientId,
      client_assertion: assertion,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      grant_type: 'client_credentials',
    })
    const answer = await http.send('PDND token endpoint', { method: 'POST', path: '', headers: {}, form })
    if (answer.status === 200) {
      const body = JSON.parse(answer.text) as { access_token: string; expires_in: number }
      return { token: body.access_token, expiresIn: body.expires_in }
    }
    throw classify(answer)
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

const platform = 'pdnd'

/** PDND answers 400, 401 and 429 (pdnd/FACTS.md "Errors"): 401 is a key problem, any other 4xx a refusal. */
function classify({ status, headers, text }: HttpAnswer): UpstreamError {
  let detail = text.slice(0, 300)
  try {
    detail = String((JSON.parse(text) as { detail?: string }).detail ?? detail)
  } catch {}
  const base = { platform, upstreamStatus: status, message: `PDND token endpoint answered ${status}: ${detail}` }
  const kind = statusKind(status, { 403: 'rejected', otherwise: 'rejected' })
  if (kind === 'rate_limited') {
    // PDND's throttle says when in X-Rate-Limit-Interval (milliseconds), not in Retry-After.
    const interval = Number(headers['x-rate-limit-interval'])
    return new UpstreamError({ ...base, kind, retryAfterMs: Number.isFinite(interval) ? interval : undefined })
  }
  return new UpstreamError({ ...base, kind })
}
