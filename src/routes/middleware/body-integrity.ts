// INTEGRITY_REST_01 on every request that carries a body; the verified bytes are kept for the handler.
import type { MiddlewareHandler } from 'hono'
import type { ClientRegistry } from '../../trust/clients.ts'
import { verifyIntegrity } from '../../trust/verify-integrity.ts'
import { type AppEnv, callerOf } from '../app-env.ts'

const utf8 = new TextDecoder()

export function bodyIntegrity(deps: { clients: ClientRegistry; policy: { audience: string; leewaySeconds: number } }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // A document upload streams: its route checks the signed headers first and the Digest at the end
    // (tested first: hasBody may touch the body, which must reach that route unread).
    if (isDocumentUpload(c.req.method, c.req.path) || !hasBody(c.req.raw)) return next()
    const body = new Uint8Array(await c.req.arrayBuffer())
    const caller = callerOf(c)
    const client = deps.clients.get(caller.clientId)
    if (!client) throw new Error(`authenticated client ${caller.clientId} vanished from the registry`)
    await verifyIntegrity(
      { body, digest: c.req.header('digest'), signature: c.req.header('agid-jwt-signature'), contentType: c.req.header('content-type') },
      { clientId: client.id, keys: client.keys },
      deps.policy,
    )
    c.set('rawBody', body)
    // Hono would otherwise turn the cached ArrayBuffer back into text for c.req.json() through a new
    // Response and its stream; TextDecoder decodes as Response.text() does (UTF-8, BOM dropped).
    c.req.bodyCache.text = Promise.resolve(utf8.decode(body)) as unknown as string // Hono caches promises
    await next()
  }
}

export const isDocumentUpload = (method: string, path: string) => method === 'POST' && /^\/v1\/tenants\/[^/]+\/documents$/.test(path)

function hasBody(request: Request): boolean {
  if (request.headers.has('transfer-encoding')) return true
  const length = request.headers.get('content-length')
  return length !== null ? Number(length) > 0 : request.body !== null
}
