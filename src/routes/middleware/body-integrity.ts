// INTEGRITY_REST_01 on every request that carries a body; the verified bytes are kept for the handler.
import type { Context, MiddlewareHandler } from 'hono'
import type { ClientRegistry } from '../../trust/clients.ts'
import type { ReplayCache } from '../../trust/replay-cache.ts'
import type { BearerPolicy } from '../../trust/verify-bearer.ts'
import { type Signer, verifyIntegrity } from '../../trust/verify-integrity.ts'
import { type AppContext, type AppEnv, callerOf } from '../app-env.ts'

const utf8 = new TextDecoder()

export function bodyIntegrity(deps: { clients: ClientRegistry; replay: ReplayCache; policy: BearerPolicy }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // A document upload streams: its route checks the signed headers first and the Digest at the end
    // (tested first: hasBody may touch the body, which must reach that route unread).
    if (isDocumentUpload(c.req.method, c.req.path) || !hasBody(c)) return next()
    const body = new Uint8Array(await c.req.arrayBuffer())
    await verifyIntegrity(
      {
        body,
        digest: c.req.header('digest'),
        signature: c.req.header('agid-jwt-signature'),
        contentType: c.req.header('content-type'),
        authorization: c.req.header('authorization'),
      },
      signerOf(c, deps.clients),
      { ...deps.policy, replay: deps.replay },
    )
    c.set('rawBody', body)
    // Hono would otherwise turn the cached ArrayBuffer back into text for c.req.json() through a new
    // Response and its stream; TextDecoder decodes as Response.text() does (UTF-8, BOM dropped).
    c.req.bodyCache.text = Promise.resolve(utf8.decode(body)) as unknown as string // Hono caches promises
    await next()
  }
}

/** Who must have signed the request's Agid-JWT-Signature: the authenticated client, with its voucher's PDND ids if any. */
export function signerOf(c: AppContext, clients: ClientRegistry): Signer {
  const caller = callerOf(c)
  const client = clients.get(caller.clientId)
  if (!client) throw new Error(`authenticated client ${caller.clientId} vanished from the registry`)
  return { clientId: client.id, keys: client.keys, ...(caller.pdnd ? { pdnd: caller.pdnd } : {}) }
}

export const isDocumentUpload = (method: string, path: string) => method === 'POST' && /^\/v1\/tenants\/[^/]+\/documents$/.test(path)

/**
 * RFC 9112 §6.3: a request has a body only when Transfer-Encoding or a Content-Length other than 0
 * says so. @hono/node-server gives every request but GET/HEAD a body stream, empty or not, so on the
 * wire the stream says nothing (a DELETE as the contract defines it would need a signature). Only
 * under app.request(), with no Node request behind it, may a body come without either header.
 */
function hasBody(c: Context<AppEnv>): boolean {
  if (c.req.header('transfer-encoding') !== undefined) return true
  const length = c.req.header('content-length')
  // Anything but a plain 0 counts as a body: Node refuses a malformed length before we see it anyway.
  if (length !== undefined) return !/^0+$/.test(length.trim())
  return c.env?.incoming ? false : c.req.raw.body !== null
}
