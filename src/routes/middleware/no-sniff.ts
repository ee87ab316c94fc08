// Every answer is taken for the type it declares: a browser never sniffs a stored HTML upload, or a
// JSON body, into a page that runs in Snodo's origin. Only this header: hono/secure-headers would
// also bring HSTS, CORP, COOP and frame rules, policies of their own for the operator's proxy to set.
import type { MiddlewareHandler } from 'hono'

export const noSniff: MiddlewareHandler = async (c, next) => {
  await next()
  c.res.headers.set('X-Content-Type-Options', 'nosniff')
}
