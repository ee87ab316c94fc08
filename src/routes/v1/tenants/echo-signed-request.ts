import type { Hono } from 'hono'
import { EchoRequest, EchoResponse } from '../../../contracts/schemas.ts'
import type { Deps } from '../../../deps.ts'
import { digestOf } from '../../../trust/modi.ts'
import { type AppEnv, callerOf, tenantIdOf } from '../../app-env.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { validateJson } from '../../validate.ts'

export function registerEchoSignedRequest(app: Hono<AppEnv>, deps: Pick<Deps, 'clients' | 'audit' | 'clock'>) {
  return app.post('/echo', requireScope('diagnostics:use', deps), validateJson(EchoRequest), async (c) => {
    const caller = callerOf(c)
    const body = EchoResponse.parse({
      clientId: caller.clientId,
      tenantId: tenantIdOf(c),
      via: caller.via,
      ...(caller.purposeId ? { purposeId: caller.purposeId } : {}),
      digest: digestOf(c.get('rawBody') ?? new Uint8Array()),
      receivedAt: deps.clock().toISOString(),
      body: c.req.valid('json'),
    })
    return c.json(body)
  })
}
