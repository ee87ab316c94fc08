// Requests PDND vouchers with an RS256 client assertion (pdnd/FACTS.md "Voucher (access token)
// request") and caches each until shortly before it expires.
import { randomUUID } from 'node:crypto'
import { importJWK, type JWK, SignJWT } from 'jose'
import { type Dispatcher, request } from 'undici'
import { UpstreamError } from '../../errors.ts'
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
  const timeout = options.timeoutMs ?? 5_000

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
    let response
    try {
      response = await request(options.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        dispatcher: options.dispatcher,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      })
    } catch (cause) {
      throw new UpstreamError({ kind: 'timeout', platform: 'pdnd', message: `PDND token endpoint unreachable: ${String(cause)}`, cause })
    }
    const text = await response.body.text()
    if (response.statusCode === 200) {
      const body = JSON.parse(text) as { access_token: string; expires_in: number }
      return { token: body.access_token, expiresIn: body.expires_in }
    }
    throw classify(response.statusCode, response.headers, text)
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

function classify(status: number, headers: Record<string, string | string[] | undefined>, text: string): UpstreamError {
  let detail = text.slice(0, 300)
  try {
    detail = String((JSON.parse(text) as { detail?: string }).detail ?? detail)
  } catch {}
  const base = { platform: 'pdnd', upstreamStatus: status, message: `PDND token endpoint answered ${status}: ${detail}` }
  if (status === 429) {
    const interval = Number(headers['x-rate-limit-interval'])
    return new UpstreamError({ ...base, kind: 'rate_limited', retryAfterMs: Number.isFinite(interval) ? interval : undefined })
  }
  if (status >= 500) return new UpstreamError({ ...base, kind: 'unavailable' })
  if (status === 401) return new UpstreamError({ ...base, kind: 'unauthorized' })
  return new UpstreamError({ ...base, kind: 'rejected' })
}
