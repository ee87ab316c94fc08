import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { SnodoError } from '../../errors.ts'

const tooLarge = (maxBytes: number) => {
  throw new SnodoError('payload_too_large', `The body exceeds ${maxBytes} bytes`)
}
/** True when Content-Length alone decides: declared, and no Transfer-Encoding. */
const declared = (c: Context) => c.req.header('content-length') !== undefined && c.req.header('transfer-encoding') === undefined

/** 413 from Content-Length alone, or as soon as a streamed body passes the limit. */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize: maxBytes, onError: () => tooLarge(maxBytes) })
  return async (c, next) => {
    // Hono's bodyLimit starts by touching c.req.raw.body, which makes @hono/node-server build a whole
    // WHATWG Request and a web stream around the socket: one of the largest costs per request in the
    // bench profile after the signatures. With a Content-Length and no Transfer-Encoding the header
    // alone decides, as it does in bodyLimit, and Node's HTTP parser never delivers more bytes than
    // Content-Length says. GET and HEAD have no body in @hono/node-server (bodyLimit passes them too).
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    if (!declared(c)) return streamed(c, next)
    if (Number.parseInt(c.req.header('content-length') as string, 10) > maxBytes) tooLarge(maxBytes)
    await next()
  }
}

/**
 * For a route that counts the bytes itself as they stream (document uploads): 413 at once when the
 * Content-Length says too much; a body without one is left untouched for the route to cut off.
 */
export function limitDeclaredLength(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    if (declared(c) && Number.parseInt(c.req.header('content-length') as string, 10) > maxBytes) tooLarge(maxBytes)
    await next()
  }
}
