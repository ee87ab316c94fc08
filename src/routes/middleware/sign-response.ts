// Every /v1 answer carries Snodo's Digest + Agid-JWT-Signature, so a portal can prove what Snodo said.
import type { MiddlewareHandler } from 'hono'
import type { KeyRing } from '../../trust/key-ring.ts'
import { digestOf, signIntegrity } from '../../trust/modi.ts'
import type { AppEnv } from '../app-env.ts'

export function signResponse(deps: { keys: KeyRing; issuer: string }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next()
    // Read the body once and put the bytes back, rather than tee-ing the stream with clone().
    const body = new Uint8Array(await c.res.arrayBuffer())
    c.res = new Response(body, c.res)
    const digest = digestOf(body)
    const contentType = c.res.headers.get('content-type') ?? ''
    const signature = await signIntegrity(deps.keys.current(), {
      issuer: deps.issuer,
      audience: c.get('caller')?.clientId ?? 'anonymous',
      headers: { digest, 'content-type': contentType },
    })
    c.header('digest', digest)
    c.header('agid-jwt-signature', signature)
  }
}
