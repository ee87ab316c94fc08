// The answer's bytes, read once per request and shared by the middleware that need them after the
// route (idempotency stores them, sign-response digests them and adds its headers).
import type { Context } from 'hono'

export type BufferedAnswer = { body: Uint8Array<ArrayBuffer>; status: number; headers: Readonly<Record<string, string>> }
const buffered = new WeakMap<Response, BufferedAnswer>()

/**
 * c.res as bytes, status and headers (lower-case names). The first call reads the answer and puts in
 * its place a buffered copy; later calls on that copy return the same parts without reading again.
 */
export async function bufferAnswer(c: Context): Promise<BufferedAnswer> {
  const known = buffered.get(c.res)
  if (known) return known
  const read = c.res
  const body = new Uint8Array(await read.arrayBuffer())
  // A plain record: @hono/node-server writes it as is, where a Headers object would be re-validated
  // character by character (undici's ByteString check) both on set() and when it is written out.
  const headers: Record<string, string> = {}
  let cookies = false
  read.headers.forEach((value, name) => {
    if (name === 'set-cookie') cookies = true
    headers[name] = value
  })
  // Several Set-Cookie headers do not fit a record; no /v1 answer sets one, but never lose them.
  if (cookies) {
    const copy = new Response(withoutBody(read.status) ? null : body, { status: read.status, headers: read.headers })
    replace(c, copy)
    return { body, status: read.status, headers }
  }
  const parts = { body, status: read.status, headers }
  replace(c, answer(parts))
  return parts
}

/** Adds headers to the answer that bufferAnswer() buffered (call it first, in the same middleware). */
export function addAnswerHeaders(c: Context, extra: Record<string, string>): void {
  const known = buffered.get(c.res)
  if (!known) {
    for (const [name, value] of Object.entries(extra)) c.res.headers.set(name, value)
    return
  }
  replace(c, answer({ ...known, headers: { ...known.headers, ...extra } }))
}

function answer(parts: BufferedAnswer): Response {
  const res = new Response(withoutBody(parts.status) ? null : parts.body, { status: parts.status, headers: parts.headers })
  buffered.set(res, parts)
  return res
}

/** The fetch spec refuses a body, even an empty one, with these statuses. */
const withoutBody = (status: number) => status === 101 || status === 103 || status === 204 || status === 205 || status === 304

function replace(c: Context, res: Response) {
  // Assigning over an existing answer makes Hono rebuild the new one around the old one's body
  // stream and copy the old headers into it; clearing first skips that, and `res` has them all.
  c.res = undefined
  c.res = res
}
