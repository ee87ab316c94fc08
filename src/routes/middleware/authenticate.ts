// Who is calling: a client-signed ID_AUTH_REST_02 token, or, on tenants that accept them, a PDND voucher.
import type { MiddlewareHandler } from 'hono'
import type { TenantConfig } from '../../config/schema.ts'
import { SnodoError } from '../../errors.ts'
import type { ClientRegistry } from '../../trust/clients.ts'
import type { ReplayCache } from '../../trust/replay-cache.ts'
import { type BearerPolicy, parseBearerHeader, peekToken, verifyBearer } from '../../trust/verify-bearer.ts'
import type { VoucherVerifier } from '../../trust/verify-voucher.ts'
import type { AppEnv } from '../app-env.ts'

export type AuthenticateDeps = {
  clients: ClientRegistry
  replay: ReplayCache
  policy: BearerPolicy
  verifyVoucher: VoucherVerifier
  tenant(id: string): TenantConfig | undefined
}

export function authenticate(deps: AuthenticateDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = parseBearerHeader(c.req.header('authorization'))
    const peeked = peekToken(token)
    if (peeked.typ?.toLowerCase() === 'at+jwt') {
      const tenantId = tenantIdOf(c.req.path)
      const tenant = tenantId ? deps.tenant(tenantId) : undefined
      if (!tenant) throw new SnodoError('voucher_invalid', 'PDND vouchers are accepted only on the routes of a tenant that accepts them')
      const { clientId, purposeId, pdndClientId, audience } = await deps.verifyVoucher(token, tenant, deps.replay)
      c.set('caller', { clientId, via: 'pdnd-voucher', purposeId, pdnd: { clientId: pdndClientId, audience } })
    } else {
      const { clientId } = await verifyBearer(token, peeked.iss, deps)
      c.set('caller', { clientId, via: 'client-jwt' })
    }
    await next()
  }
}

/** The tenant a voucher is presented to; a segment that does not percent-decode names no tenant. */
function tenantIdOf(path: string): string | undefined {
  const segment = /^\/v1\/tenants\/([^/]+)/.exec(path)?.[1]
  if (segment === undefined) return undefined
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}
